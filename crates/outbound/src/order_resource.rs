//! The order as events carry it, in Elastic Path's order shape: the resource of every `order.*`
//! and `cart.*` event, stored with the event in the outbox and sent as the webhook's `payload`
//! (and as the CloudEvents `data`). It lives beside the webhook body because it is the same
//! wire format: the one place an order becomes Elastic Path JSON.

use cartwire_domain::order::{Order, OrderStatus};
use serde_json::{Value, json};
use time::OffsetDateTime;

/// The order as events carry it: Elastic Path's order shape as far as the order has the data
/// (`type`, `id`, `status`, `payment`, `shipping`, `customer`, `meta.display_price`,
/// `meta.timestamps`, `relationships.items`, and `included.items`, which the webhook body moves
/// next to `data`), so a receiver written for Elastic Path reads it unchanged; cartwire's own
/// fields (`cartwire_status`, `short_id`, `lines`, …) ride along.
pub fn order_resource(o: &Order) -> Value {
    let iso = |t: OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    let currency = o.totals.as_ref().map(|t| t.currency.as_str().to_owned());
    let money = |amount: i64| json!({"amount": amount, "currency": currency, "formatted": format!("{}.{:02}", amount / 100, amount % 100)});
    // Items: priced shop products when the order has them, otherwise the configured lines.
    let items: Vec<Value> = match &o.shop {
        Some(shop) => shop
            .products
            .iter()
            .enumerate()
            .map(|(n, p)| {
                json!({"type": "order_item", "id": format!("{}-{}", o.id, n + 1), "name": p.name, "sku": p.sku,
                       "product_id": p.external_id, "quantity": p.quantity,
                       "unit_price": money(p.price.get()), "value": money(p.price.get().saturating_mul(i64::from(p.quantity)))})
            })
            .collect(),
        None => o
            .lines
            .iter()
            .enumerate()
            .map(|(n, l)| {
                let mut item = json!({"type": "order_item",
                       "id": l.id.clone().unwrap_or_else(|| format!("{}-{}", o.id, n + 1)),
                       "product_id": l.configuration_id, "quantity": l.count, "metadata": l.metadata});
                if let Some(price) = l.unit_price {
                    item["unit_price"] = money(price.get());
                    item["value"] = money(price.get().saturating_mul(i64::from(l.count)));
                }
                if let Some(line) =
                    o.checkout.as_ref().and_then(|c| c.lines.iter().find(|c| Some(&c.id) == l.id.as_ref()))
                {
                    item["name"] = json!(line.product.name);
                }
                item
            })
            .collect(),
    };
    // EP's address shape, for orders that have addresses (OrderCloud checkout).
    let address = |a: &cartwire_domain::order::checkout::Address| {
        json!({"first_name": a.first_name, "last_name": a.last_name, "company_name": a.company_name,
               "line_1": a.street1, "line_2": a.street2, "city": a.city, "region": a.state,
               "postcode": a.zip, "country": a.country, "phone_number": a.phone})
    };
    let checkout = o.checkout.as_ref();
    let display_price = o.totals.as_ref().map(|t| {
        let total = t.total.get();
        let tax = t.tax.map(|c| c.get()).unwrap_or(0);
        json!({"with_tax": money(total), "without_tax": money(total - tax), "tax": money(tax)})
    });
    json!({
        "type": "order",
        "id": o.id,
        "status": if o.status == OrderStatus::Completed { "complete" } else { "incomplete" },
        "payment": "unpaid",
        "shipping": if o.status == OrderStatus::Completed { "fulfilled" } else { "unfulfilled" },
        "customer": {"id": o.customer_id, "email": o.shop.as_ref().map(|s| s.email.clone())
            .or_else(|| checkout.and_then(|c| c.from_user.email.clone()))},
        "shipping_address": checkout.and_then(|c| c.shipping_address.as_ref()).map(address),
        "billing_address": checkout.and_then(|c| c.billing_address.as_ref()).map(address),
        "meta": {
            "display_price": display_price,
            "timestamps": {"created_at": iso(o.created_at), "updated_at": iso(o.updated_at.unwrap_or(o.created_at))},
        },
        "relationships": {"items": {"data": items.iter().map(|i| json!({"type": "item", "id": i["id"]})).collect::<Vec<_>>()}},
        "included": {"items": items},
        "cartwire_status": o.status.as_str(),
        "short_id": o.short_id,
        "name": o.name,
        "origin_org_id": o.origin_org_id,
        "platform": o.platform,
        "lines": o.lines,
        "totals": o.totals,
        "metadata": o.metadata,
        "placed_at": o.placed_at.map(iso),
        "deleted_at": o.deleted_at.map(iso),
        "abandoned_at": o.abandoned_at.map(iso),
    })
}
