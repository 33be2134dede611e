//! The Threekit dialect: `/api/orders…` with UUID tokens (private: `Authorization: Bearer` or
//! `?bearer_token=`; public: `?bearer_token=` from an allowed domain), bare order bodies and
//! `{"error":{"code","message"}}` errors.

pub mod error;
pub mod orders;
pub mod wire;

use axum::Json;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::routing::{get, post};
use cartwire_app::App;
use cartwire_app::orders::storefront::StorefrontCaller;
use error::TkError;
use orders::*;

/// The dialect's routes.
pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/orders", post(create).get(list))
        .route("/api/orders/healthcheck", get(healthcheck))
        .route("/api/orders/{id}", get(get_one).put(update).delete(delete))
        .route("/api/orders/{id}/items", post(add_items))
        .route("/api/orders/{id}/cart", post(add_cart).put(replace_cart))
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

async fn healthcheck() -> Json<bool> {
    Json(true)
}
