//! The OrderCloud dialect: `/oauth/…` and `/v1/…`, PascalCase bodies, `Errors[]` error bodies,
//! `{Meta, Items}` list pages.

pub mod addresses;
pub mod api_clients;
pub mod approval_rules;
pub mod buyers;
pub mod callouts;
pub mod catalog;
mod crud;
pub mod error;
pub mod extract;
pub mod integration_events;
pub mod line_items;
pub mod list;
pub mod me;
pub mod oauth;
pub mod order_actions;
pub mod orders;
pub mod returns;
pub mod security_profiles;
pub mod sso;
pub mod target;
pub mod users;
pub mod wire;

use axum::Json;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cartwire_app::App;
use error::OcError;

/// Every `/v1` route template (`{…}` is a parameter). Requests are matched against them
/// case-insensitively on the route words only (see `normalize_path`), so `ApiClients` and
/// `integrationEvents` reach their routes while an id keeps its case even when it is spelled
/// like a route word. A unit test checks that each template reaches a handler.
pub const ROUTE_TEMPLATES: &[&str] = &[
    "/v1/apiclients",
    "/v1/apiclients/{id}",
    "/v1/integrationevents",
    "/v1/integrationevents/{id}",
    "/v1/adminusers",
    "/v1/adminusers/{id}",
    "/v1/adminusers/{id}/tokens",
    "/v1/buyers",
    "/v1/buyers/{id}",
    "/v1/buyers/{buyer}/users",
    "/v1/buyers/{buyer}/users/{id}",
    "/v1/buyers/{buyer}/users/{id}/tokens",
    "/v1/buyers/{buyer}/approvalrules",
    "/v1/buyers/{buyer}/approvalrules/{id}",
    "/v1/securityprofiles",
    "/v1/securityprofiles/assignments",
    "/v1/securityprofiles/{id}",
    "/v1/securityprofiles/{id}/assignments",
    "/v1/products",
    "/v1/products/{id}",
    "/v1/priceschedules",
    "/v1/priceschedules/{id}",
    "/v1/openidconnects",
    "/v1/openidconnects/{id}",
    "/v1/orderreturns",
    "/v1/orderreturns/{id}",
    "/v1/orderreturns/{id}/{action}",
    "/v1/orders/{direction}",
    "/v1/orders/{direction}/{id}",
    "/v1/orders/{direction}/{id}/lineitems",
    "/v1/orders/{direction}/{id}/lineitems/{line}",
    "/v1/orders/{direction}/{id}/shipto",
    "/v1/orders/{direction}/{id}/billto",
    "/v1/orders/{direction}/{id}/worksheet",
    "/v1/orders/{direction}/{id}/{action}",
    "/v1/cart",
    "/v1/cart/lineitems",
    "/v1/cart/lineitems/{line}",
    "/v1/cart/shipto",
    "/v1/cart/billto",
    "/v1/cart/worksheet",
    "/v1/cart/{action}",
    "/v1/me",
    "/v1/me/orders",
    "/v1/me/products",
    "/v1/me/addresses",
    "/v1/me/addresses/{id}",
    "/v1/me/tokens",
];

/// The positions of `path`'s route words under the template it matches: the template whose
/// words match case-insensitively, preferring a word over a parameter at the first position
/// where candidates differ (as the router does). `None` when no template matches.
pub fn route_words(path: &str) -> Option<Vec<usize>> {
    let segments: Vec<&str> = path.split('/').collect();
    ROUTE_TEMPLATES
        .iter()
        .filter_map(|template| {
            let words: Vec<&str> = template.split('/').collect();
            if words.len() != segments.len() {
                return None;
            }
            let mut mask = Vec::with_capacity(words.len());
            for (w, s) in words.iter().zip(&segments) {
                if w.starts_with('{') {
                    mask.push(false);
                } else if w.eq_ignore_ascii_case(s) {
                    mask.push(true);
                } else {
                    return None;
                }
            }
            Some(mask)
        })
        .max()
        .map(|mask| mask.iter().enumerate().filter(|(_, word)| **word).map(|(i, _)| i).collect())
}

/// The dialect's routes.
pub fn routes() -> Router<App> {
    use {security_profiles as sp, users as u};
    let router = crud::routes::<buyers::Buyers>(Router::new(), "/v1/buyers", "/v1/buyers/{id}");
    let router = crud::routes::<catalog::Products>(router, "/v1/products", "/v1/products/{id}");
    let router = crud::routes::<catalog::PriceSchedules>(router, "/v1/priceschedules", "/v1/priceschedules/{id}");
    let router = crud::routes::<sp::SecurityProfiles>(router, "/v1/securityprofiles", "/v1/securityprofiles/{id}");
    let router = crud::routes::<me::Addresses>(router, "/v1/me/addresses", "/v1/me/addresses/{id}");
    router
        .route("/oauth/token", post(oauth::token))
        .route("/oauth/certs", get(oauth::certs))
        .route("/oauth/certs/{kid}", get(oauth::cert))
        .route("/v1/apiclients", get(api_clients::list).post(api_clients::create))
        .route(
            "/v1/apiclients/{id}",
            get(api_clients::get).put(api_clients::put).patch(api_clients::patch).delete(api_clients::delete),
        )
        .route("/v1/integrationevents", get(integration_events::list).post(integration_events::create))
        .route(
            "/v1/integrationevents/{id}",
            get(integration_events::get)
                .put(integration_events::put)
                .patch(integration_events::patch)
                .delete(integration_events::delete),
        )
        .route("/v1/adminusers", get(u::admin_users_list).post(u::admin_user_create))
        .route(
            "/v1/adminusers/{id}",
            get(u::admin_user_get).put(u::admin_user_put).patch(u::admin_user_patch).delete(u::admin_user_delete),
        )
        .route("/v1/buyers/{buyer}/users", get(u::buyer_users_list).post(u::buyer_user_create))
        .route(
            "/v1/buyers/{buyer}/users/{id}",
            get(u::buyer_user_get).put(u::buyer_user_put).patch(u::buyer_user_patch).delete(u::buyer_user_delete),
        )
        .route("/v1/securityprofiles/assignments", get(sp::assignments_list).post(sp::assignment_save))
        .route("/v1/securityprofiles/{id}/assignments", axum::routing::delete(sp::assignment_delete))
        .route("/v1/buyers/{buyer}/approvalrules", get(approval_rules::rules_list).post(approval_rules::rule_create))
        .route(
            "/v1/buyers/{buyer}/approvalrules/{id}",
            get(approval_rules::rule_get)
                .put(approval_rules::rule_put)
                .patch(approval_rules::rule_patch)
                .delete(approval_rules::rule_delete),
        )
        .route("/v1/openidconnects", get(sso::list).post(sso::create))
        .route("/v1/openidconnects/{id}", get(sso::get).put(sso::put).patch(sso::patch).delete(sso::delete))
        .route("/v1/adminusers/{id}/tokens", axum::routing::delete(me::revoke_admin_user_tokens))
        .route("/v1/buyers/{buyer}/users/{id}/tokens", axum::routing::delete(me::revoke_buyer_user_tokens))
        .route("/v1/me", get(me::get_me).put(me::put_me).patch(me::patch_me))
        .route("/v1/me/orders", get(me::my_orders))
        .route("/v1/me/products", get(me::my_products))
        .route("/v1/me/tokens", axum::routing::delete(me::revoke_my_tokens))
        .route("/ocrplogin", get(sso::login))
        .route("/ocrpcode", get(sso::code_get).post(sso::code_post))
        .route("/v1/orderreturns", get(returns::list).post(returns::create))
        .route(
            "/v1/orderreturns/{id}",
            get(returns::get).put(returns::put).patch(returns::patch).delete(returns::delete),
        )
        .route("/v1/orderreturns/{id}/{action}", post(returns::action))
        .merge(order_routes())
        .route("/v1/{*rest}", axum::routing::any(unknown_route))
}

/// `/v1/orders/…` and `/v1/cart/…`: the same handlers; the cart routes name no order id and
/// act on the caller's current one.
fn order_routes() -> Router<App> {
    use axum::routing::put;
    use {addresses as a, line_items as l, order_actions as act, orders as o};
    let mut router = Router::new().route("/v1/orders/{direction}", get(o::orders_list).post(o::order_create));
    for base in ["/v1/orders/{direction}/{id}", "/v1/cart"] {
        router = router
            .route(base, get(o::order_get).put(o::order_put).patch(o::order_patch).delete(o::order_delete))
            .route(&format!("{base}/lineitems"), get(l::lines_list).post(l::line_create))
            .route(
                &format!("{base}/lineitems/{{line}}"),
                get(l::line_get).put(l::line_put).patch(l::line_patch).delete(l::line_delete),
            )
            .route(&format!("{base}/shipto"), put(a::shipto_put).patch(a::shipto_patch))
            .route(&format!("{base}/billto"), put(a::billto_put).patch(a::billto_patch))
            .route(&format!("{base}/worksheet"), get(act::worksheet_get))
            .route(&format!("{base}/{{action}}"), post(act::order_action));
    }
    router
}

async fn unknown_route(uri: axum::http::Uri) -> OcError {
    OcError::new(StatusCode::NOT_FOUND, "NotFound", format!("No resource at {}", uri.path()))
        .with_data(serde_json::json!({"ObjectType": "Route", "ObjectID": uri.path()}))
}

/// A 201 with the new object and its `Location`.
pub(crate) fn created(app: &App, path: &str, body: serde_json::Value) -> Response {
    let location = format!("{}{path}", app.config().public_base_url);
    (StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response()
}

/// Maps a domain error on a wire field to a `ValidationFailure`.
pub(crate) fn field<T>(r: Result<T, cartwire_domain::DomainError>, name: &str) -> Result<T, OcError> {
    r.map_err(|e| OcError::validation(name, e.to_string()))
}
