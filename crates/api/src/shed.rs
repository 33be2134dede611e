//! Load shedding: a bounded number of requests in flight, so overload is answered quickly
//! instead of queued without bound (each queued request holds memory and, by the time it runs,
//! its client may have given up).
//!
//! Past the limit a request is answered at once with 503 and `Retry-After: 1` in its
//! dialect's error body, before its body is read. The probes and `/metrics` are never shed:
//! an operator must be able to see an overloaded node. The limit is a count of requests, not
//! a rate; at rates the node sustains it is never reached (each request leaves quickly).

use crate::edge::Dialect;
use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::Response;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Requests in flight on one node by default: far above what a 2-core node needs to reach its
/// throughput (32 connections keep it busy), and enough to ride out a stall of about a second
/// at 1,000 requests/s without refusing anyone (a WAL checkpoint, a PostgreSQL checkpoint);
/// low enough that an overloaded node answers the requests it admits within about a second
/// and that the bodies of a flood stay within bounded memory.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 1024;

/// The shared permit pool of one router.
#[derive(Clone)]
pub struct InFlight(Arc<Semaphore>);

impl InFlight {
    /// A pool of `limit` permits (at least one).
    pub fn new(limit: usize) -> Self {
        Self(Arc::new(Semaphore::new(limit.max(1))))
    }
}

fn exempt(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// The middleware: admits a request when a permit is free, sheds it otherwise.
pub async fn shed(
    axum::extract::State(pool): axum::extract::State<InFlight>,
    req: Request<Body>,
    next: axum::middleware::Next,
) -> Response {
    if exempt(req.uri().path()) {
        return next.run(req).await;
    }
    let Ok(_permit) = pool.0.clone().try_acquire_owned() else {
        metrics::counter!("cartwire_http_shed_total").increment(1);
        let mut res = Dialect::of(req.uri().path())
            .error(StatusCode::SERVICE_UNAVAILABLE, "The server is at its limit of requests in flight; retry shortly");
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return res;
    };
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use tower::ServiceExt as _;

    async fn body(res: Response) -> serde_json::Value {
        serde_json::from_slice(&axum::body::to_bytes(res.into_body(), 1 << 16).await.unwrap()).unwrap()
    }

    #[tokio::test]
    async fn past_the_limit_requests_get_503_with_retry_after_in_their_dialect() {
        let gate = Arc::new(tokio::sync::Notify::new());
        let entered = Arc::new(tokio::sync::Notify::new());
        let (g, e) = (gate.clone(), entered.clone());
        let pool = InFlight::new(1);
        let router = Router::new()
            .route(
                "/api/orders",
                get(move || {
                    let (g, e) = (g.clone(), e.clone());
                    async move {
                        e.notify_one();
                        g.notified().await;
                        "done"
                    }
                }),
            )
            .route("/v1/me", get(|| async { "me" }))
            .route("/healthz", get(|| async { "ok" }))
            .layer(axum::middleware::from_fn_with_state(pool, shed));

        let held = tokio::spawn(router.clone().oneshot(Request::get("/api/orders").body(Body::empty()).unwrap()));
        entered.notified().await;

        let res = router.clone().oneshot(Request::get("/api/orders").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), 503);
        assert_eq!(res.headers()[header::RETRY_AFTER], "1");
        assert_eq!(body(res).await["error"]["code"], "service_unavailable");

        let res = router.clone().oneshot(Request::get("/v1/me").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), 503);
        assert_eq!(body(res).await["Errors"][0]["ErrorCode"], "ServerError");

        let res = router.clone().oneshot(Request::get("/healthz").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), 200, "probes are never shed");

        gate.notify_one();
        assert_eq!(held.await.unwrap().unwrap().status(), 200);
        let res = router.oneshot(Request::get("/v1/me").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), 200, "the permit came back");
    }
}
