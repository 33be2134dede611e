-- Foundation: deployment identity, signing keys, identity and integration events, the outbox.
-- Kept in step with ../postgres/0001_foundation.sql: same tables, same columns, same meaning.
-- Flags are BIGINT 0/1: sqlx's Any driver cannot decode SQLite booleans.
CREATE TABLE deployment (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    store_id TEXT NOT NULL,
    org_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    private_key TEXT NOT NULL,
    public_n TEXT NOT NULL,
    public_e TEXT NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT
);

CREATE TABLE integration_events (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    event_type TEXT NOT NULL,
    custom_implementation_url TEXT NOT NULL,
    hash_key TEXT NOT NULL,
    elevated_roles TEXT NOT NULL,
    config_data TEXT,
    custom_auth_header_name TEXT,
    custom_auth_header_value TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE api_clients (
    id TEXT PRIMARY KEY,
    app_name TEXT NOT NULL,
    secret_hash TEXT,
    access_token_duration BIGINT NOT NULL,
    refresh_token_duration BIGINT NOT NULL,
    anonymous_token_duration BIGINT,
    active BIGINT NOT NULL,
    default_context_username TEXT,
    allow_any_buyer BIGINT NOT NULL,
    allow_any_supplier BIGINT NOT NULL,
    allow_seller BIGINT NOT NULL,
    is_anon_buyer BIGINT NOT NULL,
    order_checkout_ie_id TEXT REFERENCES integration_events (id) ON UPDATE CASCADE,
    order_return_ie_id TEXT REFERENCES integration_events (id) ON UPDATE CASCADE,
    add_to_cart_ie_id TEXT REFERENCES integration_events (id) ON UPDATE CASCADE,
    minimum_required_roles TEXT NOT NULL,
    minimum_required_custom_roles TEXT NOT NULL,
    maximum_granted_roles TEXT NOT NULL,
    maximum_granted_custom_roles TEXT NOT NULL,
    xp TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE buyers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    default_catalog_id TEXT,
    active BIGINT NOT NULL,
    xp TEXT NOT NULL,
    date_created TEXT NOT NULL
);

-- company is '' for admin users and the buyer id for buyer users: ids are unique per company.
CREATE TABLE users (
    company TEXT NOT NULL,
    id TEXT NOT NULL,
    user_type TEXT NOT NULL,
    buyer_id TEXT REFERENCES buyers (id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT,
    terms_accepted TEXT,
    active BIGINT NOT NULL,
    xp TEXT NOT NULL,
    password_hash TEXT,
    password_last_set TEXT,
    date_created TEXT NOT NULL,
    PRIMARY KEY (company, id)
);

CREATE TABLE security_profiles (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    roles TEXT NOT NULL,
    custom_roles TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- buyer_id / user_id are '' when the level does not use them.
CREATE TABLE security_profile_assignments (
    security_profile_id TEXT NOT NULL REFERENCES security_profiles (id) ON DELETE CASCADE,
    buyer_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (security_profile_id, buyer_id, user_id)
);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
    company TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scope TEXT,
    expires_at BIGINT NOT NULL
);

CREATE TABLE outbox_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    key TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    actor TEXT,
    dialect TEXT NOT NULL
);
CREATE INDEX outbox_events_resource ON outbox_events (resource_type, resource_id);
