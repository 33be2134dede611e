//! cartwire's HTTP edge.
//!
//! One axum router serves every wire dialect; each dialect is a module with its own wire
//! structs and its own error body, and calls the use cases of `cartwire-app`. Nothing here
//! decides a business rule.

pub mod activecampaign;
pub mod console;
pub mod edge;
pub mod elasticpath;
pub mod openapi;
pub mod operator;
pub mod ordercloud;
pub mod shed;
pub mod threekit;

use axum::Router;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use cartwire_app::App;
use metrics_exporter_prometheus::PrometheusHandle;
use tower::ServiceExt as _;

/// Largest request body accepted (1 MiB): far above any documented payload.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The router (without path normalisation; see [`normalize_path`]).
pub fn router(app: App) -> Router {
    router_with_metrics(app, None)
}

/// The router, serving `/metrics` from `metrics` when a Prometheus recorder is installed.
pub fn router_with_metrics(app: App, metrics: Option<PrometheusHandle>) -> Router {
    router_with(app, ServeOptions { metrics, ..ServeOptions::default() })
}

/// How a node serves: the metrics handle and the limit of requests in flight.
#[derive(Clone)]
pub struct ServeOptions {
    /// Serves `/metrics` when set.
    pub metrics: Option<PrometheusHandle>,
    /// Requests in flight past which new ones are shed with 503 (see [`shed`]).
    pub max_in_flight: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self { metrics: None, max_in_flight: shed::DEFAULT_MAX_IN_FLIGHT }
    }
}

/// Every dialect's documented routes, in the order the docs list them.
fn dialects() -> Vec<openapi::Documented> {
    vec![ordercloud::routes(), elasticpath::routes(), threekit::routes(), activecampaign::routes(), operator::routes()]
}

/// The OpenAPI documents of a server at `base_url`, built from the same routes it serves.
pub fn documents(base_url: &str) -> openapi::docs::Documents {
    openapi::docs::Documents(
        dialects()
            .into_iter()
            .map(|d| {
                let (name, title) = d.names();
                (name, title, d.into_parts(base_url).1)
            })
            .collect(),
    )
}

/// The router with these options.
pub fn router_with(app: App, options: ServeOptions) -> Router {
    let metrics = options.metrics;
    let mut router = Router::new();
    let mut docs = openapi::docs::Documents::default();
    for dialect in dialects() {
        let (name, title) = dialect.names();
        let (routes, doc) = dialect.into_parts(&app.config().public_base_url);
        router = router.merge(routes);
        docs.0.push((name, title, doc));
    }
    router
        .merge(console::routes())
        .layer(axum::Extension(std::sync::Arc::new(docs)))
        .layer(axum::Extension(metrics))
        .layer(axum::middleware::from_fn(record_request))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }))
        .layer(axum::middleware::from_fn(edge::edge))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        // Outermost: a shed request costs no body read and no trace line (an overloaded node
        // logging an error per shed request would only dig deeper; `cartwire_http_shed_total`
        // counts them).
        .layer(axum::middleware::from_fn_with_state(shed::InFlight::new(options.max_in_flight), shed::shed))
        .with_state(app)
}

/// Serves `app` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with_metrics(listener, app, None, shutdown).await
}

/// Like [`serve`], with a Prometheus handle for `/metrics`.
pub async fn serve_with_metrics(
    listener: tokio::net::TcpListener,
    app: App,
    metrics: Option<PrometheusHandle>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, app, ServeOptions { metrics, ..ServeOptions::default() }, shutdown).await
}

/// Like [`serve`], with these options.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    app: App,
    options: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_router(listener, router_with(app, options), shutdown).await
}

/// Serves `router` (one of [`router_with`], perhaps wrapped in more layers) on `listener`
/// until `shutdown` resolves.
pub async fn serve_router(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Per connection: the peer's address travels with each request (the token endpoints
    // throttle wrong credentials per address), and /v1 paths are normalized before routing.
    let make = tower::service_fn(move |incoming: axum::serve::IncomingStream<'_, tokio::net::TcpListener>| {
        let peer = PeerAddr(incoming.remote_addr().ip());
        let router = router.clone();
        async move {
            Ok::<_, std::convert::Infallible>(tower::service_fn(move |mut req: Request<axum::body::Body>| {
                req.extensions_mut().insert(peer);
                router.clone().oneshot(normalize_path(req))
            }))
        }
    });
    axum::serve(listener, make).with_graceful_shutdown(shutdown).await
}

/// The address a request's connection comes from (the direct peer: behind a reverse proxy,
/// the proxy's address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerAddr(pub std::net::IpAddr);

/// Lower-cases the route words of `/v1/…` paths (`ApiClients`, `integrationEvents`, …) so
/// that every SDK's casing reaches the same route; ids keep their case, even one spelled like
/// a route word (see `ordercloud::route_words`).
pub fn normalize_path(mut req: Request<axum::body::Body>) -> Request<axum::body::Body> {
    let path = req.uri().path();
    if !path.starts_with("/v1/") && !path.starts_with("/V1/") {
        return req;
    }
    let Some(words) = ordercloud::route_words(path) else { return req };
    let normalized: Vec<String> = path
        .split('/')
        .enumerate()
        .map(|(i, seg)| if words.contains(&i) { seg.to_ascii_lowercase() } else { seg.to_owned() })
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

/// Counts requests and their latency per route and status (the route template, never the
/// concrete path, so ids do not explode the label space).
async fn record_request(req: Request<axum::body::Body>, next: axum::middleware::Next) -> axum::response::Response {
    let started = std::time::Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("cartwire_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("cartwire_http_request_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    res
}

pub(crate) async fn readyz(State(app): State<App>) -> impl IntoResponse {
    match app.ready().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
