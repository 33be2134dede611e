//! The Threekit dialect: `/api/orders…` with UUID tokens (private: `Authorization: Bearer` or
//! `?bearer_token=`; public: `?bearer_token=` from an allowed domain), bare order bodies and
//! `{"error":{"code","message"}}` errors.

pub mod error;
pub mod orders;
pub mod schema;
pub mod wire;

use crate::openapi::{Dialect, Documented, Op, Param};
use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::Method as M;
use axum::http::header;
use axum::http::request::Parts;
use cartwire_app::App;
use cartwire_app::orders::storefront::StorefrontCaller;
use error::TkError;
use orders::*;
use serde_json::json;

/// The Threekit document.
pub static DIALECT: Dialect = Dialect {
    name: "threekit",
    title: "Threekit orders",
    description: "Threekit's orders API as cartwire serves it. A private token (server to server) \
        goes in `Authorization: Bearer` or `?bearer_token=`; a public token only as \
        `?bearer_token=`, from a page on one of its allowed domains (`Origin` / `Referer`), and \
        may change only `List` and `In Cart` orders. Tokens are issued at \
        `POST /cartwire/v1/tokens`.",
    security_schemes: |_| {
        json!({
            "bearer": {"type": "http", "scheme": "bearer", "description": "A private storefront token."},
            "bearer_token": {"type": "apiKey", "in": "query", "name": "bearer_token",
                             "description": "A private token, or a public one from an allowed domain."},
        })
    },
    requirement: |_| json!([{"bearer": []}, {"bearer_token": []}]),
    error: |s| s.of::<schema::ErrorBody>(),
    error_content_type: "application/json",
};

const TOKEN: &[&str] = &[];

/// The cart endpoints' body: the bare array of lines (at most 500).
fn cart_lines(s: &mut crate::openapi::Schemas) -> serde_json::Value {
    json!({"type": "array", "maxItems": 500, "items": s.of::<schema::CartLine>()})
}

/// The dialect's routes.
pub fn routes() -> Documented {
    use schema as s;
    let q = |name, description| Param::query(name, json!({"type": "string"}), description);
    let listing = Op::new("Lists orders")
        .roles(TOKEN)
        .params([
            Param::query("page", json!({"type": "integer", "minimum": 1}), "Page, from 1."),
            Param::query("perPage", json!({"type": "integer", "minimum": 1, "maximum": 100}), "Page size (default 100)."),
            Param::query(
                "sort",
                json!({"type": "string", "enum": ["createdAt", "-createdAt", "name", "-name", "updatedAt", "-updatedAt"]}),
                "Order (default -createdAt).",
            ),
            q("orgId", "Only this organization's (any other: none)."),
            q("shortId", "Only this short id."),
            q("originOrgId", "Only orders from this origin."),
            q("customerId", "Only this customer's."),
            Param::query("status", json!({"type": "string", "enum": ["List", "In Cart", "New", "In Progress", "Complete"]}), "Only this status."),
            q("platform", "A JSON object of platform fields to match."),
        ])
        .answer::<s::OrderPage>(200, "A page of orders.")
        .errors(&[422]);
    let order =
        |summary: &str| Op::new(summary.to_owned()).roles(TOKEN).answer::<s::Order>(200, "The order.").errors(&[422]);
    Documented::new(&DIALECT)
        .route(M::POST, "/api/orders", create, order("Creates an order").body::<s::OrderIn>())
        .route(M::GET, "/api/orders", list, listing)
        .route(
            M::GET,
            "/api/orders/healthcheck",
            healthcheck,
            Op::new("Health check").answer::<s::Healthy>(200, "Always true."),
        )
        .route(M::GET, "/api/orders/{id}", get_one, order("An order"))
        .route(
            M::PUT,
            "/api/orders/{id}",
            update,
            order("Updates an order (fields sent replace theirs)").body::<s::OrderIn>(),
        )
        .route(M::DELETE, "/api/orders/{id}", delete, order("Deletes an order (answers it, with deletedAt)"))
        .route(
            M::POST,
            "/api/orders/{id}/items",
            add_items,
            order("Adds legacy items (converted into cart lines)")
                .body_with(|s| json!({"oneOf": [s.of::<s::ItemsIn>(), {"type": "array", "items": {}}]})),
        )
        .route(M::POST, "/api/orders/{id}/cart", add_cart, order("Adds cart lines").body_with(cart_lines))
        .route(M::PUT, "/api/orders/{id}/cart", replace_cart, order("Replaces the cart").body_with(cart_lines))
}

pub(super) fn query_param(q: Option<&str>, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(q.unwrap_or(""))
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// The verified caller.
pub struct Caller(StorefrontCaller);

impl FromRequestParts<App> for Caller {
    type Rejection = TkError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, TkError> {
        let header_token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim().to_owned());
        let token = header_token.or_else(|| query_param(parts.uri.query(), "bearer_token"));
        let h = |name: header::HeaderName| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let caller = app
            .storefront_caller(token.as_deref(), h(header::ORIGIN).as_deref(), h(header::REFERER).as_deref())
            .await?;
        Ok(Caller(caller))
    }
}

async fn healthcheck() -> Json<schema::Healthy> {
    Json(schema::Healthy(true))
}
