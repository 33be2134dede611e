-- Orders and returns are owned by a user's full key (company + id): user ids are unique only
-- within a buyer, so the id alone let shoppers of different buyers reach each other's orders.
-- Existing checkout orders take their company from the checkout's from_company_id ('' when it
-- is the marketplace itself, as for admin users). Kept in step with ../postgres/0010_owners.sql.
ALTER TABLE orders ADD COLUMN owner_company TEXT;
ALTER TABLE orders ADD COLUMN owner_user TEXT;
UPDATE orders SET owner_user = customer_id,
    owner_company = CASE WHEN json_extract(checkout, '$.from_company_id') = (SELECT org_id FROM deployment)
                         THEN '' ELSE json_extract(checkout, '$.from_company_id') END
    WHERE checkout IS NOT NULL AND customer_id IS NOT NULL;
DROP INDEX orders_checkout_customer;
CREATE INDEX orders_checkout_owner ON orders (owner_company, owner_user, status) WHERE checkout IS NOT NULL;

ALTER TABLE order_returns ADD COLUMN owner_company TEXT NOT NULL DEFAULT '';
UPDATE order_returns SET owner_company = COALESCE(
    (SELECT o.owner_company FROM orders o WHERE o.id = order_returns.order_id AND o.owner_user = order_returns.owner_id), '');
UPDATE order_returns SET body = json_set(json_remove(body, '$.owner_id'), '$.owner',
    json_object('company', owner_company, 'id', owner_id));
DROP INDEX order_returns_owner;
CREATE INDEX order_returns_owner ON order_returns (owner_company, owner_id);
