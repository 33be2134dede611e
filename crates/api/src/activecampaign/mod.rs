//! The ActiveCampaign dialect (`/api/3/…`): connections, e-commerce customers and orders /
//! abandoned carts, with `Api-Token` keys, `{"ecomOrder": …}` envelopes, `limit` / `offset` /
//! `meta.total`, `filters[…]`, and AC's error bodies (422 `errors[]` with a JSON pointer, 404
//! `{"message"}`). Input accepts numbers or numeric strings; ids render as strings, money,
//! quantities and `state` as numbers.

mod error;
mod wire;

pub use error::AcError;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cartwire_app::App;
use cartwire_app::orders::shop::{ApiKeyCaller, ShopError};
use cartwire_app::orders::shop::{FilterValue, Filters};
use serde_json::{Value, json};
use wire::*;

/// The dialect's routes.
pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/3/connections", get(list_connections).post(create_connection))
        .route("/api/3/connections/{id}", get(get_connection).put(update_connection).delete(delete_connection))
        .route("/api/3/ecomCustomers", get(list_customers).post(create_customer))
        .route("/api/3/ecomCustomers/{id}", get(get_customer).put(update_customer).delete(delete_customer))
        .route("/api/3/ecomOrders", get(list_orders).post(create_order))
        .route("/api/3/ecomOrders/{id}", get(get_order).put(update_order).delete(delete_order))
        .route("/api/3/ecomOrders/{id}/orderProducts", get(order_products))
        .route("/api/3/ecomOrderProducts", get(list_order_products))
        .route("/api/3/ecomOrderProducts/{id}", get(get_order_product))
}

/// The verified `Api-Token` holder.
pub struct Caller(ApiKeyCaller);

impl FromRequestParts<App> for Caller {
    type Rejection = AcError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, AcError> {
        let key = parts.headers.get("api-token").and_then(|v| v.to_str().ok()).map(str::trim);
        Ok(Caller(app.api_key_caller(key).await?))
    }
}

/// `limit` (default 20, at most 100), `offset`, and `filters[name]` mapped onto columns.
fn query(q: Option<&str>, allowed: &[(&str, &'static str, bool)]) -> Result<(i64, i64, Filters), AcError> {
    let params: Vec<(String, String)> = serde_urlencoded::from_str(q.unwrap_or(""))
        .map_err(|_| AcError::BadRequest("Malformed query string".into()))?;
    let mut limit = 20;
    let mut offset = 0;
    let mut filters = Filters::new();
    for (k, v) in params {
        match k.as_str() {
            "limit" => {
                limit = v
                    .parse()
                    .ok()
                    .filter(|l| (1..=100).contains(l))
                    .ok_or_else(|| AcError::invalid("limit", "limit must be 1 to 100"))?
            }
            "offset" => {
                offset = v
                    .parse()
                    .ok()
                    .filter(|o| *o >= 0)
                    .ok_or_else(|| AcError::invalid("offset", "offset must be 0 or more"))?
            }
            _ => {
                if let Some(name) = k.strip_prefix("filters[").and_then(|r| r.strip_suffix(']')) {
                    let (_, column, numeric) = allowed
                        .iter()
                        .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
                        .ok_or_else(|| AcError::invalid(name, format!("filters[{name}] is not supported")))?;
                    let value = if *numeric {
                        // An id that is not a number matches nothing.
                        FilterValue::Int(v.parse().unwrap_or(-1))
                    } else {
                        FilterValue::Text(v)
                    };
                    filters.push((column, value));
                }
            }
        }
    }
    Ok((limit, offset, filters))
}

fn envelope(body: &Bytes, name: &str) -> Result<serde_json::Map<String, Value>, AcError> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| AcError::BadRequest(format!("The body is not valid JSON: {e}")))?;
    match v.get(name) {
        Some(Value::Object(m)) => Ok(m.clone()),
        _ => Err(AcError::missing(name, format!("The body must be {{\"{name}\": {{…}}}}"))),
    }
}

fn page_meta(total: i64) -> Value {
    json!({"total": total.to_string()})
}

async fn create_connection(State(app): State<App>, Caller(_c): Caller, body: Bytes) -> Result<Response, AcError> {
    let m = envelope(&body, "connection")?;
    let conn = connection_from_wire(&m, None)?;
    let saved = app.create_connection(conn).await?;
    Ok((StatusCode::CREATED, Json(json!({"connection": render_connection(&app, &saved)}))).into_response())
}

async fn list_connections(
    State(app): State<App>,
    Caller(_c): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, AcError> {
    let (limit, offset, filters) =
        query(q.as_deref(), &[("service", "service", false), ("externalid", "external_id", false)])?;
    let (items, total) = app.connections(&filters, offset, limit).await?;
    Ok(Json(
        json!({"connections": items.iter().map(|c| render_connection(&app, c)).collect::<Vec<_>>(), "meta": page_meta(total)}),
    ))
}

async fn get_connection(
    State(app): State<App>,
    Caller(_c): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, AcError> {
    Ok(Json(json!({"connection": render_connection(&app, &app.connection(&id).await?)})))
}

async fn update_connection(
    State(app): State<App>,
    Caller(_c): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, AcError> {
    let m = envelope(&body, "connection")?;
    let c = app
        .update_connection(&id, |c| {
            *c = connection_from_wire(&m, Some(c))?;
            Ok(())
        })
        .await?;
    Ok(Json(json!({"connection": render_connection(&app, &c)})))
}

async fn delete_connection(
    State(app): State<App>,
    Caller(_c): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, AcError> {
    app.delete_connection(&id).await?;
    Ok(Json(json!({})))
}

async fn create_customer(State(app): State<App>, Caller(c): Caller, body: Bytes) -> Result<Response, AcError> {
    let m = envelope(&body, "ecomCustomer")?;
    let customer = customer_from_wire(&m, None)?;
    let saved = app.create_customer(&c, customer).await?;
    let rendered = render_customer(&app, &saved).await?;
    Ok((StatusCode::CREATED, Json(json!({"ecomCustomer": rendered}))).into_response())
}

async fn list_customers(
    State(app): State<App>,
    Caller(_c): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, AcError> {
    let (limit, offset, filters) = query(
        q.as_deref(),
        &[("email", "email", false), ("externalid", "external_id", false), ("connectionid", "connection_id", true)],
    )?;
    let (items, total) = app.customers(&filters, offset, limit).await?;
    let mut rendered = Vec::with_capacity(items.len());
    for c in &items {
        rendered.push(render_customer(&app, c).await?);
    }
    Ok(Json(json!({"ecomCustomers": rendered, "meta": page_meta(total)})))
}

async fn get_customer(
    State(app): State<App>,
    Caller(_c): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, AcError> {
    let c = app.customer(&id).await?;
    Ok(Json(json!({"ecomCustomer": render_customer(&app, &c).await?})))
}

async fn update_customer(
    State(app): State<App>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, AcError> {
    let m = envelope(&body, "ecomCustomer")?;
    let c = app
        .update_customer(&caller, &id, |c| {
            *c = customer_from_wire(&m, Some(c))?;
            Ok(())
        })
        .await?;
    Ok(Json(json!({"ecomCustomer": render_customer(&app, &c).await?})))
}

async fn delete_customer(
    State(app): State<App>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, AcError> {
    app.delete_customer(&c, &id).await?;
    Ok(Json(json!({})))
}

async fn create_order(State(app): State<App>, Caller(c): Caller, body: Bytes) -> Result<Response, AcError> {
    let m = envelope(&body, "ecomOrder")?;
    let (order, abandoned) = order_from_wire(&m, None)?;
    let saved = app.create_shop_order(&c, order, abandoned).await?;
    let shop = saved.shop.as_ref().expect("shop order");
    let connection = app.connection(&shop.connection_id.to_string()).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "connections": [render_connection(&app, &connection)],
            "ecomOrderProducts": render_products(&app, &saved),
            "ecomOrderDiscounts": render_discounts(&saved),
            "ecomOrder": render_order(&app, &saved),
        })),
    )
        .into_response())
}

async fn list_orders(
    State(app): State<App>,
    Caller(_c): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, AcError> {
    let (limit, offset, filters) = query(
        q.as_deref(),
        &[
            ("connectionid", "shop_connection_id", true),
            ("externalid", "shop_external_id", false),
            ("externalcheckoutid", "shop_external_checkout_id", false),
            ("email", "shop_email", false),
            ("customerid", "customer_id", false),
        ],
    )?;
    let (items, total) = app.shop_orders(&filters, offset, limit).await?;
    Ok(Json(
        json!({"ecomOrders": items.iter().map(|o| render_order(&app, o)).collect::<Vec<_>>(), "meta": page_meta(total)}),
    ))
}

async fn get_order(State(app): State<App>, Caller(_c): Caller, Path(id): Path<String>) -> Result<Json<Value>, AcError> {
    Ok(Json(json!({"ecomOrder": render_order(&app, &app.shop_order(&id).await?)})))
}

async fn update_order(
    State(app): State<App>,
    Caller(c): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, AcError> {
    let m = envelope(&body, "ecomOrder")?;
    let o = app
        .update_shop_order(&c, &id, |o| {
            *o = order_from_wire(&m, Some(o))?.0;
            Ok(())
        })
        .await?;
    Ok(Json(json!({
        "ecomOrderProducts": render_products(&app, &o),
        "ecomOrderDiscounts": render_discounts(&o),
        "ecomOrder": render_order(&app, &o),
    })))
}

async fn delete_order(
    State(app): State<App>,
    Caller(c): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, AcError> {
    app.delete_shop_order(&c, &id).await?;
    Ok(Json(json!({})))
}

async fn order_products(
    State(app): State<App>,
    Caller(_c): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, AcError> {
    let o = app.shop_order(&id).await?;
    Ok(Json(json!({"ecomOrderProducts": render_products(&app, &o)})))
}

async fn list_order_products(
    State(app): State<App>,
    Caller(_c): Caller,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>, AcError> {
    let (limit, offset, _) = query(q.as_deref(), &[])?;
    // Products live inside their orders: walk the orders (newest pages first is not promised).
    let mut all = Vec::new();
    let mut page = 0;
    loop {
        let (orders, total) = app.shop_orders(&Filters::new(), page * 100, 100).await?;
        for o in &orders {
            all.extend(render_products(&app, o));
        }
        page += 1;
        if page * 100 >= total {
            break;
        }
    }
    let total = all.len() as i64;
    let items: Vec<Value> = all.into_iter().skip(offset as usize).take(limit as usize).collect();
    Ok(Json(json!({"ecomOrderProducts": items, "meta": page_meta(total)})))
}

async fn get_order_product(
    State(app): State<App>,
    Caller(_c): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, AcError> {
    let not_found = || AcError::from(ShopError::NotFound { resource: "EcomOrderProduct", id: id.clone() });
    let (order_id, _) = id.rsplit_once('-').ok_or_else(not_found)?;
    let o = app.shop_order(order_id).await.map_err(|_| not_found())?;
    let product = render_products(&app, &o).into_iter().find(|p| p["id"] == id.as_str()).ok_or_else(not_found)?;
    Ok(Json(json!({"ecomOrderProduct": product})))
}
