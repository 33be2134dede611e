//! The ActiveCampaign dialect (`/api/3/…`): connections, e-commerce customers and orders /
//! abandoned carts, with `Api-Token` keys, `{"ecomOrder": …}` envelopes, `limit` / `offset` /
//! `meta.total`, `filters[…]`, and AC's error bodies (422 `errors[]` with a JSON pointer, 404
//! `{"message"}`). Input accepts numbers or numeric strings; ids render as strings, money,
//! quantities and `state` as numbers.

mod connections;
mod customers;
mod error;
mod order_products;
mod orders;
mod wire;

pub use error::AcError;

use axum::Router;
use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::get;
use cartwire_app::App;
use cartwire_app::orders::shop::ApiKeyCaller;
use serde_json::{Value, json};
use {connections::*, customers::*, order_products::*, orders::*};

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

/// A `filters[name]` a list accepts and the filter its value becomes.
pub(super) type Accepts<F> = (&'static str, fn(String) -> F);

/// An id filter's value: an id that is not a number matches nothing.
pub(super) fn numeric(v: &str) -> i64 {
    v.parse().unwrap_or(-1)
}

/// `limit` (default 20, at most 100), `offset`, and the `filters[name]` the list `accepts`.
pub(super) fn query<F>(q: Option<&str>, accepts: &[Accepts<F>]) -> Result<(i64, i64, Vec<F>), AcError> {
    let params: Vec<(String, String)> = serde_urlencoded::from_str(q.unwrap_or(""))
        .map_err(|_| AcError::BadRequest("Malformed query string".into()))?;
    let mut limit = 20;
    let mut offset = 0;
    let mut filters = Vec::new();
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
                    let (_, filter) = accepts
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(name))
                        .ok_or_else(|| AcError::invalid(name, format!("filters[{name}] is not supported")))?;
                    filters.push(filter(v));
                }
            }
        }
    }
    Ok((limit, offset, filters))
}

pub(super) fn envelope(body: &Bytes, name: &str) -> Result<serde_json::Map<String, Value>, AcError> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| AcError::BadRequest(format!("The body is not valid JSON: {e}")))?;
    match v.get(name) {
        Some(Value::Object(m)) => Ok(m.clone()),
        _ => Err(AcError::missing(name, format!("The body must be {{\"{name}\": {{…}}}}"))),
    }
}

pub(super) fn page_meta(total: i64) -> Value {
    json!({"total": total.to_string()})
}
