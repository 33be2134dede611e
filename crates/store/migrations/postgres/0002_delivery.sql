-- Delivery: integrations, one delivery (job) per (event, observing integration), one attempt
-- row per try. Kept in step with ../sqlite/0002_delivery.sql.
CREATE TABLE integrations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    integration_type TEXT NOT NULL,
    -- The whole configuration, sealed: it holds the target's secrets.
    configuration TEXT NOT NULL,
    -- '|key1|key2|': matched with LIKE in the fan-out insert on both backends.
    observes TEXT NOT NULL,
    ordered_delivery BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    event_seq BIGINT NOT NULL,
    event_id TEXT NOT NULL,
    event_key TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    integration_id TEXT NOT NULL,
    ordered BIGINT NOT NULL,
    -- pending | succeeded | dead
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    -- attempts made before the last manual retry or replay; the retry budget counts from here.
    attempts_base BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_integration ON deliveries (integration_id, created_at);
CREATE INDEX deliveries_order ON deliveries (integration_id, resource_id, event_seq);

CREATE TABLE delivery_attempts (
    id TEXT PRIMARY KEY,
    delivery_id TEXT NOT NULL,
    integration_id TEXT NOT NULL,
    attempt BIGINT NOT NULL,
    started_at TEXT NOT NULL,
    duration_ms BIGINT NOT NULL,
    succeeded BIGINT NOT NULL,
    status_code BIGINT,
    error_detail TEXT,
    body TEXT,
    node TEXT NOT NULL
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, attempt);
CREATE INDEX delivery_attempts_integration ON delivery_attempts (integration_id, started_at);
