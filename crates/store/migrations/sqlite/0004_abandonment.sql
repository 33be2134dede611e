-- Cart abandonment: when a cart was found idle and marked abandoned (once).
-- Kept in step with ../postgres/0004_abandonment.sql.
ALTER TABLE orders ADD COLUMN abandoned_at TEXT;
CREATE INDEX orders_idle_carts ON orders (status, abandoned_at);
