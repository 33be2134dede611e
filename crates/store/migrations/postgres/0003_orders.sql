-- Orders (one aggregate for every dialect) and the storefront tokens that reach them.
-- Kept in step with ../sqlite/0003_orders.sql.
CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    short_id TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL,
    origin_org_id TEXT,
    name TEXT,
    customer_id TEXT,
    -- JSON {id, platform, store_name}; platform_name copied out for filtering.
    platform TEXT NOT NULL,
    platform_name TEXT,
    lines TEXT NOT NULL,
    legacy_items TEXT NOT NULL,
    metadata TEXT NOT NULL,
    derivative TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT,
    placed_at TEXT,
    deleted_at TEXT
);
CREATE INDEX orders_created ON orders (created_at);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE INDEX orders_status ON orders (status);

-- Threekit-style tokens: the UUID a client sends is stored only as its SHA-256 digest.
CREATE TABLE storefront_tokens (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    allowed_domains TEXT NOT NULL,
    token_digest TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
