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
pub mod fields;
pub mod integration_events;
pub mod line_items;
pub mod list;
pub mod me;
pub mod oauth;
pub mod order_actions;
pub mod orders;
pub mod returns;
mod routes;
pub mod schema;
pub mod security_profiles;
pub mod sso;
pub mod target;
pub mod users;
pub mod wire;

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartwire_app::App;
use error::OcError;

/// Every `/v1` route template (`{…}` is a parameter), read off the dialect's own document
/// (so the list is the routes). Requests are matched against them case-insensitively on the
/// route words only (see `normalize_path`), so `ApiClients` and `integrationEvents` reach
/// their routes while an id keeps its case even when it is spelled like a route word.
pub fn route_templates() -> &'static [String] {
    static TEMPLATES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    TEMPLATES.get_or_init(|| {
        let (_, doc) = routes().into_parts("");
        doc["paths"]
            .as_object()
            .map(|p| p.keys().filter(|k| k.starts_with("/v1/")).cloned().collect())
            .unwrap_or_default()
    })
}

/// The positions of `path`'s route words under the template it matches: the template whose
/// words match case-insensitively, preferring a word over a parameter at the first position
/// where candidates differ (as the router does). `None` when no template matches.
pub fn route_words(path: &str) -> Option<Vec<usize>> {
    let segments: Vec<&str> = path.split('/').collect();
    route_templates()
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

pub use routes::{DIALECT, routes};

async fn unknown_route(uri: axum::http::Uri) -> OcError {
    OcError::new(StatusCode::NOT_FOUND, "NotFound", format!("No resource at {}", uri.path()))
        .with_data(serde_json::json!({"ObjectType": "Route", "ObjectID": uri.path()}))
}

/// A 201 with the new object and its `Location`.
pub(crate) fn created(app: &App, path: &str, body: impl serde::Serialize) -> Response {
    let location = format!("{}{path}", app.config().public_base_url);
    (StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response()
}

/// Maps a domain error on a wire field to a `ValidationFailure`.
pub(crate) fn field<T>(r: Result<T, cartwire_domain::DomainError>, name: &str) -> Result<T, OcError> {
    r.map_err(|e| OcError::validation(name, e.to_string()))
}
