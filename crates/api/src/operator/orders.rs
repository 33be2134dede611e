//! `/cartwire/v1/orders`: every order, whichever API it came through, in the operator's shape
//! (snake_case, amounts in minor units, cartwire's own status words), and one order with its
//! lines and the events it caused.

use super::{Problem, bad_request, caller, parse_time, rfc3339};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use cartwire_app::App;
use cartwire_app::orders::storefront::OrderFilter;
use cartwire_domain::order::{Order, OrderStatus, Source};
use serde::Serialize;
use utoipa::ToSchema;

/// Which API an order came in through.
pub(crate) fn source(o: &Order) -> &'static str {
    source_word(o.source())
}

/// The API each kind of entry point is served by, as the operator API names it.
pub(crate) fn source_word(s: Source) -> &'static str {
    match s {
        Source::Shop => "activecampaign",
        Source::Checkout => "ordercloud",
        Source::Storefront => "threekit",
    }
}

/// A source named as [`source_word`] names it.
pub(crate) fn parse_source(word: &str) -> Option<Source> {
    Source::ALL.into_iter().find(|s| source_word(*s) == word)
}

/// An order in the operator's shape (a list shows it without lines and events).
#[derive(Serialize, ToSchema)]
#[schema(as = Order)]
pub(super) struct OrderSummary {
    id: String,
    short_id: String,
    /// The API it came in through.
    #[schema(pattern = "^(threekit|activecampaign|ordercloud)$")]
    source: &'static str,
    /// cartwire's status word (docs/order-lifecycle.md).
    status: &'static str,
    name: Option<String>,
    customer_id: Option<String>,
    email: Option<String>,
    /// In minor units of `currency`.
    total: Option<i64>,
    currency: Option<String>,
    /// Its number of lines.
    lines: usize,
    created_at: String,
    updated_at: Option<String>,
    /// Its lines (only on `GET /cartwire/v1/orders/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    line_items: Option<Vec<LineOut>>,
    /// The events it caused (only on `GET /cartwire/v1/orders/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    events: Option<Vec<OrderEvent>>,
}

fn summary(o: &Order) -> OrderSummary {
    OrderSummary {
        id: o.id.to_string(),
        short_id: o.short_id.to_string(),
        source: source(o),
        status: o.status.as_str(),
        name: o.name.clone(),
        customer_id: o.customer_id.clone(),
        email: o.email().map(str::to_owned),
        total: o.totals.as_ref().map(|t| t.total.get()),
        currency: o.totals.as_ref().map(|t| t.currency.as_str().to_owned()),
        lines: o.lines.len().max(o.shop.as_ref().map_or(0, |s| s.products.len())),
        created_at: rfc3339(o.created_at),
        updated_at: o.updated_at.map(rfc3339),
        line_items: None,
        events: None,
    }
}

/// A page of orders.
#[derive(Serialize, ToSchema)]
pub(super) struct OrderPage {
    data: Vec<OrderSummary>,
    total: i64,
}

/// A line of an order, whichever dialect's.
#[derive(Serialize, ToSchema)]
#[schema(as = OrderLine)]
struct LineOut {
    /// The line's id (OrderCloud lines).
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    /// The product (or Threekit configuration).
    product: String,
    quantity: i64,
    /// In minor units (not for Threekit lines).
    #[serde(skip_serializing_if = "Option::is_none")]
    unit_price: Option<i64>,
}

/// An event an order caused.
#[derive(Serialize, ToSchema)]
struct OrderEvent {
    seq: i64,
    id: String,
    key: String,
    occurred_at: String,
    actor: Option<String>,
    dialect: String,
}

#[derive(serde::Deserialize)]
pub(super) struct OrdersQuery {
    status: Option<String>,
    customer_id: Option<String>,
    source: Option<String>,
    from: Option<String>,
    to: Option<String>,
    email: Option<String>,
    external_id: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

pub(super) async fn list(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<OrdersQuery>,
) -> Result<Json<OrderPage>, Problem> {
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
    let source = match q.source.as_deref() {
        None => None,
        Some(w) => Some(
            parse_source(w).ok_or_else(|| bad_request("source must be one of threekit, activecampaign, ordercloud"))?,
        ),
    };
    let filter = OrderFilter {
        statuses,
        customer_id: q.customer_id,
        source,
        from: q.from.as_deref().map(|v| parse_time("from", v)).transpose()?,
        to: q.to.as_deref().map(|v| parse_time("to", v)).transpose()?,
        email: q.email.filter(|e| !e.is_empty()),
        external_id: q.external_id.filter(|e| !e.is_empty()),
        ..OrderFilter::default()
    };
    let (orders, total) = app.all_orders(&p, &filter, q.offset.unwrap_or(0).max(0), limit).await?;
    Ok(Json(OrderPage { data: orders.iter().map(summary).collect(), total }))
}

pub(super) async fn show(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<OrderSummary>, Problem> {
    let p = caller(&app, &headers).await?;
    let (order, events) = app.order_with_events(&p, &id).await?;
    let line_items = match (&order.shop, &order.checkout) {
        (Some(shop), _) => shop
            .products
            .iter()
            .map(|l| LineOut {
                id: None,
                product: l.name.clone(),
                quantity: l.quantity.into(),
                unit_price: Some(l.price.get()),
            })
            .collect(),
        (None, Some(co)) => co
            .lines
            .iter()
            .map(|l| LineOut {
                id: Some(l.id.clone()),
                product: l.product.id.clone(),
                quantity: l.quantity.into(),
                unit_price: Some(l.unit_price.get()),
            })
            .collect(),
        (None, None) => order
            .lines
            .iter()
            .map(|l| LineOut {
                id: None,
                product: l.configuration_id.clone(),
                quantity: l.count.into(),
                unit_price: None,
            })
            .collect(),
    };
    let events = events
        .iter()
        .map(|e| OrderEvent {
            seq: e.seq,
            id: e.id.clone(),
            key: e.key.clone(),
            occurred_at: rfc3339(e.occurred_at),
            actor: e.actor.clone(),
            dialect: e.dialect.clone(),
        })
        .collect();
    Ok(Json(OrderSummary { line_items: Some(line_items), events: Some(events), ..summary(&order) }))
}
