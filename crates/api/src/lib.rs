//! cartwire's HTTP edge.
//!
//! One axum router serves every wire dialect; each dialect is a module with its own wire
//! structs and its own error body, and calls the use cases of `cartwire-app`. Nothing here
//! decides a business rule.

pub mod activecampaign;
pub mod elasticpath;
pub mod operator;
pub mod ordercloud;
pub mod threekit;

use axum::Router;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use cartwire_app::App;
use tower::ServiceExt as _;

/// Largest request body accepted (1 MiB): far above any documented payload.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The router (without path normalisation; see [`normalize_path`]).
pub fn router(app: App) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .merge(ordercloud::routes())
        .merge(elasticpath::routes())
        .merge(threekit::routes())
        .merge(activecampaign::routes())
        .merge(operator::routes())
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(app)
}

/// Serves `app` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = router(app);
    let svc = tower::service_fn(move |req: Request<axum::body::Body>| {
        let router = router.clone();
        async move { router.oneshot(normalize_path(req)).await }
    });
    axum::serve(listener, tower::make::Shared::new(svc)).with_graceful_shutdown(shutdown).await
}

/// Lower-cases the fixed segments of `/v1/…` paths (`ApiClients`, `integrationEvents`, …) so
/// that every SDK's casing reaches the same route; ids keep their case.
pub fn normalize_path(mut req: Request<axum::body::Body>) -> Request<axum::body::Body> {
    let path = req.uri().path();
    if !path.starts_with("/v1/") && !path.starts_with("/V1/") {
        return req;
    }
    let normalized: Vec<String> = path
        .split('/')
        .map(|seg| {
            let lower = seg.to_ascii_lowercase();
            if ordercloud::FIXED_SEGMENTS.contains(&lower.as_str()) { lower } else { seg.to_owned() }
        })
        .collect();
    let normalized = normalized.join("/");
    if normalized != path {
        let pq = match req.uri().query() {
            Some(q) => format!("{normalized}?{q}"),
            None => normalized,
        };
        let mut parts = req.uri().clone().into_parts();
        if let Ok(pq) = pq.parse() {
            parts.path_and_query = Some(pq);
            if let Ok(uri) = axum::http::Uri::from_parts(parts) {
                *req.uri_mut() = uri;
            }
        }
    }
    req
}

async fn readyz(State(app): State<App>) -> impl IntoResponse {
    match app.store().ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
