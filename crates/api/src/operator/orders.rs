//! `/cartwire/v1/orders`: every order, whichever API it came through, in the operator's shape
//! (snake_case, amounts in minor units, cartwire's own status words), and one order with its
//! lines and the events it caused.

use super::{Problem, bad_request, caller, rfc3339};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use cartwire_app::App;
use cartwire_app::orders::storefront::OrderFilter;
use cartwire_domain::order::{Order, OrderStatus};
use serde_json::{Value, json};

/// Which API an order came in through.
fn source(o: &Order) -> &'static str {
    if o.shop.is_some() {
        "activecampaign"
    } else if o.checkout.is_some() {
        "ordercloud"
    } else {
        "threekit"
    }
}

fn summary(o: &Order) -> Value {
    json!({
        "id": o.id,
        "short_id": o.short_id,
        "source": source(o),
        "status": o.status.as_str(),
        "name": o.name,
        "customer_id": o.customer_id,
        "email": o.shop.as_ref().map(|s| s.email.clone())
            .or_else(|| o.checkout.as_ref().and_then(|c| c.from_user.email.clone())),
        "total": o.totals.as_ref().map(|t| t.total.get()),
        "currency": o.totals.as_ref().map(|t| t.currency.as_str().to_owned()),
        "lines": o.lines.len().max(o.shop.as_ref().map_or(0, |s| s.products.len())),
        "created_at": rfc3339(o.created_at),
        "updated_at": o.updated_at.map(rfc3339),
    })
}

#[derive(serde::Deserialize)]
pub(super) struct OrdersQuery {
    status: Option<String>,
    customer_id: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

pub(super) async fn list(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<OrdersQuery>,
) -> Result<Json<Value>, Problem> {
    let p = caller(&app, &headers).await?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(bad_request("limit must be 1 to 1000"));
    }
    let statuses = match q.status.as_deref() {
        None => Vec::new(),
        Some(s) => vec![OrderStatus::parse(s).map_err(|_| {
            bad_request(format!(
                "status must be one of {}",
                OrderStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ))
        })?],
    };
    let filter = OrderFilter { statuses, customer_id: q.customer_id, ..OrderFilter::default() };
    let (orders, total) = app.all_orders(&p, &filter, q.offset.unwrap_or(0).max(0), limit).await?;
    Ok(Json(json!({"data": orders.iter().map(summary).collect::<Vec<_>>(), "total": total})))
}

pub(super) async fn show(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let p = caller(&app, &headers).await?;
    let (order, events) = app.order_with_events(&p, &id).await?;
    let mut body = summary(&order);
    let lines: Vec<Value> = match (&order.shop, &order.checkout) {
        (Some(shop), _) => shop
            .products
            .iter()
            .map(|l| json!({"product": l.name, "quantity": l.quantity, "unit_price": l.price.get()}))
            .collect(),
        (None, Some(co)) => co
            .lines
            .iter()
            .map(|l| json!({"id": l.id, "product": l.product.id, "quantity": l.quantity, "unit_price": l.unit_price.get()}))
            .collect(),
        (None, None) => order
            .lines
            .iter()
            .map(|l| json!({"product": l.configuration_id, "quantity": l.count}))
            .collect(),
    };
    body["line_items"] = json!(lines);
    body["events"] = json!(
        events
            .iter()
            .map(|e| json!({"seq": e.seq, "id": e.id, "key": e.key, "occurred_at": rfc3339(e.occurred_at),
                         "actor": e.actor, "dialect": e.dialect}))
            .collect::<Vec<_>>()
    );
    Ok(Json(body))
}
