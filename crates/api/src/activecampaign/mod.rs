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
pub mod schema;
mod wire;

pub use error::AcError;

use crate::openapi::{Dialect, Documented, Op, Param};
use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::http::Method as M;
use axum::http::request::Parts;
use cartwire_app::App;
use cartwire_app::orders::shop::ApiKeyCaller;
use serde_json::{Value, json};
use {connections::*, customers::*, order_products::*, orders::*};

/// The ActiveCampaign document.
pub static DIALECT: Dialect = Dialect {
    name: "activecampaign",
    title: "ActiveCampaign e-commerce",
    description: "ActiveCampaign's deep-data e-commerce API (v3) as cartwire serves it: \
        connections, customers, orders and abandoned carts, order products. Send an API key \
        (issued at `POST /cartwire/v1/api-keys`) in the `Api-Token` header; without one the \
        answer is 403, as ActiveCampaign's. Members accept numbers or numeric strings; ids \
        render as strings, money (cents), quantities and `state` as numbers.",
    security_schemes: |_| json!({"apiToken": {"type": "apiKey", "in": "header", "name": "Api-Token"}}),
    requirement: |_| json!([{"apiToken": []}]),
    error: |s| s.of::<schema::ErrorBody>(),
    error_content_type: "application/json",
};

const KEY: &[&str] = &[];

/// `limit`, `offset` and the `filters[…]` a list accepts.
fn list_params(filters: &[&'static str]) -> Vec<Param> {
    let mut ps = vec![
        Param::query("limit", json!({"type": "integer", "minimum": 1, "maximum": 100}), "Page size (default 20)."),
        Param::query("offset", json!({"type": "integer", "minimum": 0}), "Records to skip."),
    ];
    for f in filters {
        ps.push(Param::query(format!("filters[{f}]"), json!({"type": "string"}), "Only records with this value."));
    }
    ps
}

/// The dialect's routes.
pub fn routes() -> Documented {
    use schema as s;
    let op = |summary: &str| Op::new(summary.to_owned()).roles(KEY).errors(&[422]);
    Documented::new(&DIALECT)
        .route(
            M::GET,
            "/api/3/connections",
            list_connections,
            op("Lists connections")
                .params(list_params(&["service", "externalid"]))
                .answer::<s::ConnectionPage>(200, "A page."),
        )
        .route(
            M::POST,
            "/api/3/connections",
            create_connection,
            op("Creates a connection")
                .body::<s::ConnectionBody>()
                .answer::<s::ConnectionEnvelope>(201, "The connection."),
        )
        .route(
            M::GET,
            "/api/3/connections/{id}",
            get_connection,
            op("A connection").answer::<s::ConnectionEnvelope>(200, "The connection."),
        )
        .route(
            M::PUT,
            "/api/3/connections/{id}",
            update_connection,
            op("Updates a connection")
                .body::<s::ConnectionBody>()
                .answer::<s::ConnectionEnvelope>(200, "The connection."),
        )
        .route(
            M::DELETE,
            "/api/3/connections/{id}",
            delete_connection,
            op("Deletes a connection").answer::<s::Empty>(200, "Deleted."),
        )
        .route(
            M::GET,
            "/api/3/ecomCustomers",
            list_customers,
            op("Lists customers")
                .params(list_params(&["email", "externalid", "connectionid"]))
                .answer::<s::CustomerPage>(200, "A page."),
        )
        .route(
            M::POST,
            "/api/3/ecomCustomers",
            create_customer,
            op("Creates a customer").body::<s::CustomerBody>().answer::<s::CustomerEnvelope>(201, "The customer."),
        )
        .route(
            M::GET,
            "/api/3/ecomCustomers/{id}",
            get_customer,
            op("A customer").answer::<s::CustomerEnvelope>(200, "The customer."),
        )
        .route(
            M::PUT,
            "/api/3/ecomCustomers/{id}",
            update_customer,
            op("Updates a customer").body::<s::CustomerBody>().answer::<s::CustomerEnvelope>(200, "The customer."),
        )
        .route(
            M::DELETE,
            "/api/3/ecomCustomers/{id}",
            delete_customer,
            op("Deletes a customer").answer::<s::Empty>(200, "Deleted."),
        )
        .route(
            M::GET,
            "/api/3/ecomOrders",
            list_orders,
            op("Lists orders and abandoned carts")
                .params(list_params(&["connectionid", "externalid", "externalcheckoutid", "email", "customerid"]))
                .answer::<s::OrderPage>(200, "A page."),
        )
        .route(
            M::POST,
            "/api/3/ecomOrders",
            create_order,
            op("Creates an order or an abandoned cart")
                .body::<s::OrderBody>()
                .answer::<s::OrderCreated>(201, "The order with its connection, products and discounts."),
        )
        .route(
            M::GET,
            "/api/3/ecomOrders/{id}",
            get_order,
            op("An order").answer::<s::OrderEnvelope>(200, "The order."),
        )
        .route(
            M::PUT,
            "/api/3/ecomOrders/{id}",
            update_order,
            op("Updates an order (a cart becomes an order by its externalid)")
                .body::<s::OrderBody>()
                .answer::<s::OrderUpdated>(200, "The order with its products and discounts."),
        )
        .route(
            M::DELETE,
            "/api/3/ecomOrders/{id}",
            delete_order,
            op("Deletes an order").answer::<s::Empty>(200, "Deleted."),
        )
        .route(
            M::GET,
            "/api/3/ecomOrders/{id}/orderProducts",
            order_products,
            op("An order's products").answer::<s::OrderProducts>(200, "The products."),
        )
        .route(
            M::GET,
            "/api/3/ecomOrderProducts",
            list_order_products,
            op("Lists order products").params(list_params(&[])).answer::<s::OrderProductPage>(200, "A page."),
        )
        .route(
            M::GET,
            "/api/3/ecomOrderProducts/{id}",
            get_order_product,
            op("An order product").answer::<s::OrderProductEnvelope>(200, "The product."),
        )
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

pub(super) fn page_meta(total: i64) -> schema::Meta {
    schema::Meta { total: total.to_string() }
}
