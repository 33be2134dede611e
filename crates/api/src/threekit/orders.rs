//! `/api/orders…`: storefront orders in Threekit's wire format. Handlers parse the body, call
//! one use case and render.

use super::error::{TkError, invalid, refused};
use super::schema;
use super::wire::*;
use super::{Caller, query_param};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use cartwire_app::App;
use cartwire_app::orders::storefront::OrderFilter;
use cartwire_app::orders::storefront::{StorefrontCaller, StorefrontError};
use cartwire_domain::order::{NewOrder, OrderStatus, Platform, check_name};
use serde_json::{Value, json};

/// Refuses a body naming another organization.
pub(super) async fn check_org(app: &App, org_id: Option<&str>) -> Result<(), TkError> {
    if let Some(org) = org_id {
        let ours = app.org_id().await.map_err(StorefrontError::from)?;
        if org != ours {
            return Err(TkError::Forbidden("orgId is not this organization".into()));
        }
    }
    Ok(())
}

pub(super) async fn create(
    State(app): State<App>,
    Caller(c): Caller,
    body: Bytes,
) -> Result<Json<schema::Order>, TkError> {
    let mut b: OrderBody = parse_body(&body)?;
    check_org(&app, b.org_id.as_deref()).await?;
    if let Some(n) = &b.name {
        check_name(n).map_err(|e| refused("", e))?;
    }
    let derivative = b.derivative()?;
    let mut lines = b.cart()?.unwrap_or_default();
    let legacy = b.items.take().unwrap_or_else(|| json!([]));
    // Deprecated `items` are kept as sent and, when well-formed, converted into the cart.
    if let Some(converted) = lines_from_legacy_items(&legacy) {
        lines.extend(converted);
    }
    let order = NewOrder {
        origin_org_id: b.origin_org_id,
        name: b.name,
        customer_id: b.customer_id,
        platform: b.platform.map(Platform::from).unwrap_or_default(),
        lines,
        legacy_items: legacy,
        metadata: Value::Object(b.metadata.unwrap_or_default()),
        derivative: derivative.unwrap_or_else(|| json!({})),
        status: b.status.map_or(OrderStatus::Placed, |s| s.0),
        totals: None,
        shop: None,
    };
    Ok(Json(render(&app.create_storefront_order(&c, order).await?)))
}

pub(super) async fn list(
    State(app): State<App>,
    Caller(c): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<schema::OrderPage>, TkError> {
    let q = q.as_deref();
    let page = match query_param(q, "page") {
        None => 1,
        Some(v) => {
            v.parse::<i64>().ok().filter(|p| *p >= 1).ok_or_else(|| invalid("page must be a positive whole number"))?
        }
    };
    let per_page = match query_param(q, "perPage") {
        None => 100,
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=100).contains(p))
            .ok_or_else(|| invalid("perPage must be 1 to 100"))?,
    };
    let sort = query_param(q, "sort").unwrap_or_else(|| "-createdAt".into());
    if !["createdAt", "-createdAt", "name", "-name", "updatedAt", "-updatedAt"].contains(&sort.as_str()) {
        return Err(invalid("sort must be one of createdAt, name, updatedAt, optionally prefixed with -"));
    }
    let empty = || Json(schema::OrderPage { orders: vec![], count: 0, page, per_page, sort: sort.clone() });
    if let Some(org) = query_param(q, "orgId")
        && org != app.org_id().await.map_err(StorefrontError::from)?
    {
        return Ok(empty());
    }
    let platform = match query_param(q, "platform") {
        None => None,
        Some(p) => match serde_json::from_str::<Value>(&p) {
            Ok(v @ Value::Object(_)) => Some(Platform::from(from_value::<PlatformBody>(v)?)),
            _ => return Err(invalid("platform must be a JSON object")),
        },
    };
    let statuses = match query_param(q, "status") {
        None => vec![],
        Some(s) => vec![parse_status(&s).map_err(|e| invalid(format!("status {e}")))?],
    };
    let filter = OrderFilter {
        short_id: query_param(q, "shortId"),
        origin_org_id: query_param(q, "originOrgId"),
        customer_id: query_param(q, "customerId"),
        statuses,
        platform,
        ..OrderFilter::default()
    };
    let (orders, count) =
        app.storefront_orders(&c, &filter, &sort, (page - 1).saturating_mul(per_page), per_page).await?;
    Ok(Json(schema::OrderPage { orders: orders.iter().map(render).collect(), count, page, per_page, sort }))
}

pub(super) async fn get_one(
    State(app): State<App>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<Json<schema::Order>, TkError> {
    Ok(Json(render(&app.storefront_order(&c, &id).await?)))
}

pub(super) async fn update(
    State(app): State<App>,
    Caller(c): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<schema::Order>, TkError> {
    let mut b: OrderBody = parse_body(&body)?;
    check_org(&app, b.org_id.as_deref()).await?;
    if let Some(n) = &b.name {
        check_name(n).map_err(|e| refused("", e))?;
    }
    let (deriv, cart) = (b.derivative()?, b.cart()?);
    let (name, new_status, metadata) = (b.name, b.status.map(|s| s.0), b.metadata.map(Value::Object));
    let (customer, plat) = (b.customer_id, b.platform.map(Platform::from));
    let order = app
        .update_storefront_order(&c, &id, |o| {
            if let Some(n) = name {
                o.name = Some(n);
            }
            if let Some(s) = new_status {
                o.status = s;
            }
            if let Some(md) = metadata {
                o.metadata = md;
            }
            if let Some(d) = deriv {
                o.derivative = d;
            }
            if let Some(lines) = cart {
                o.lines = lines;
            }
            if let Some(cust) = customer {
                o.customer_id = Some(cust);
            }
            if let Some(p) = plat {
                o.platform = p;
            }
            Ok(())
        })
        .await?;
    Ok(Json(render(&order)))
}

pub(super) async fn add_items(
    State(app): State<App>,
    Caller(c): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<schema::Order>, TkError> {
    let v: Value =
        serde_json::from_slice(&body).map_err(|e| TkError::BadRequest(format!("The body is not valid JSON: {e}")))?;
    // The body is the items array, or an object holding `items`.
    let items = match v {
        Value::Object(mut m) => m.remove("items").unwrap_or(Value::Null),
        other => other,
    };
    let converted = lines_from_legacy_items(&items)
        .ok_or_else(|| invalid("items must be an array of {configurationId, count?} or configuration ids"))?;
    let order = app
        .update_storefront_order(&c, &id, |o| {
            if let (Value::Array(kept), Value::Array(new)) = (&mut o.legacy_items, &items) {
                kept.extend(new.iter().cloned());
            }
            o.lines.extend(converted);
            Ok(())
        })
        .await?;
    Ok(Json(render(&order)))
}

pub(super) async fn cart_change(
    app: App,
    c: StorefrontCaller,
    id: String,
    body: Bytes,
    replace: bool,
) -> Result<Json<schema::Order>, TkError> {
    let wire: Vec<CartLine> = serde_json::from_slice::<Value>(&body)
        .map_err(|e| TkError::BadRequest(format!("The body is not valid JSON: {e}")))
        .and_then(from_value)?;
    let lines = cart_lines(wire)?;
    let order = app
        .update_storefront_order(&c, &id, |o| {
            if replace {
                o.lines = lines;
            } else {
                o.lines.extend(lines);
            }
            Ok(())
        })
        .await?;
    Ok(Json(render(&order)))
}

pub(super) async fn add_cart(
    State(app): State<App>,
    Caller(c): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<schema::Order>, TkError> {
    cart_change(app, c, id, body, false).await
}

pub(super) async fn replace_cart(
    State(app): State<App>,
    Caller(c): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<schema::Order>, TkError> {
    cart_change(app, c, id, body, true).await
}

pub(super) async fn delete(
    State(app): State<App>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<Json<schema::Order>, TkError> {
    Ok(Json(render(&app.delete_storefront_order(&c, &id).await?)))
}
