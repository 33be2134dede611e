//! The Elastic Path dialect: `/oauth/access_token` and `/v2/integrations…` with the
//! `{"data": …}` envelope, JSON:API-style `errors[]` bodies and `page[limit]`/`page[offset]`.

pub mod error;
pub mod integrations;
pub mod oauth;
pub mod wire;

use axum::Router;
use axum::routing::{get, post};
use cartwire_app::App;

/// The dialect's routes.
pub fn routes() -> Router<App> {
    use integrations as i;
    Router::new()
        .route("/oauth/access_token", post(oauth::access_token))
        .route("/v2/integrations", get(i::list).post(i::create))
        .route("/v2/integrations/logs", get(i::all_logs))
        .route("/v2/integrations/{id}", get(i::get).put(i::update).delete(i::delete))
        .route("/v2/integrations/{id}/logs", get(i::logs))
        .route("/v2/integrations/{id}/jobs", get(i::jobs))
        .route("/v2/integrations/{id}/jobs/{job}/logs", get(i::job_logs))
}
