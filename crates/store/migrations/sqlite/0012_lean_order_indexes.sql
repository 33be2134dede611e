-- orders_idle_carts (status, abandoned_at) answers every lookup by status (its leading
-- column); orders_status only cost one more index insert per order (issue 11).
DROP INDEX IF EXISTS orders_status;
