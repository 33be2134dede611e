-- The minimal catalog: price schedules (prices by quantity) and products.
-- Kept in step with ../postgres/0007_catalog.sql.
CREATE TABLE price_schedules (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    min_quantity BIGINT NOT NULL,
    max_quantity BIGINT,
    price_breaks TEXT NOT NULL,
    xp TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE products (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    active BIGINT NOT NULL,
    default_price_schedule_id TEXT REFERENCES price_schedules (id) ON DELETE SET NULL,
    xp TEXT NOT NULL,
    created_at TEXT NOT NULL
);
