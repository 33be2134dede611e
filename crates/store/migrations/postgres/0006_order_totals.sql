-- What an order costs (currency and amounts in minor units), on the one order model.
-- Kept in step with ../sqlite/0006_order_totals.sql.
ALTER TABLE orders ADD COLUMN totals TEXT;
