-- The checkout side of OrderCloud orders (addresses, priced lines, worksheet) as JSON beside
-- the one order row, and the approval rules that send a submitted order to AwaitingApproval.
-- Kept in step with ../sqlite/0008_checkout.sql.
ALTER TABLE orders ADD COLUMN checkout TEXT;
CREATE INDEX orders_checkout_customer ON orders (customer_id, status) WHERE checkout IS NOT NULL;

CREATE TABLE approval_rules (
    buyer_id TEXT NOT NULL REFERENCES buyers (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    approving_group_id TEXT,
    rule_expression TEXT NOT NULL,
    xp TEXT NOT NULL,
    PRIMARY KEY (buyer_id, id)
);
