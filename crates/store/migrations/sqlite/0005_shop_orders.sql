-- External shops (ActiveCampaign deep data): connections, their customers, and the shop side
-- of orders. Kept in step with ../postgres/0005_shop_orders.sql.
CREATE TABLE shop_connections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service TEXT NOT NULL,
    external_id TEXT NOT NULL,
    name TEXT NOT NULL,
    logo_url TEXT NOT NULL,
    link_url TEXT NOT NULL,
    list_id TEXT,
    status BIGINT NOT NULL,
    sync_status BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (service, external_id)
);

CREATE TABLE shop_customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id BIGINT NOT NULL REFERENCES shop_connections (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    email TEXT NOT NULL,
    accepts_marketing BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (email, connection_id)
);

-- The shop side of an order as JSON, with the keys lists filter on copied into columns.
ALTER TABLE orders ADD COLUMN shop TEXT;
ALTER TABLE orders ADD COLUMN shop_connection_id BIGINT;
ALTER TABLE orders ADD COLUMN shop_external_id TEXT;
ALTER TABLE orders ADD COLUMN shop_external_checkout_id TEXT;
ALTER TABLE orders ADD COLUMN shop_email TEXT;
CREATE UNIQUE INDEX orders_shop_external_id ON orders (shop_connection_id, shop_external_id)
    WHERE shop_external_id IS NOT NULL AND deleted_at IS NULL;
CREATE UNIQUE INDEX orders_shop_external_checkout_id ON orders (shop_connection_id, shop_external_checkout_id)
    WHERE shop_external_checkout_id IS NOT NULL AND deleted_at IS NULL;
