//! A real merchant middleware for checkout tests: an HTTP server on a loopback port that
//! verifies `X-oc-hash` with its own HMAC code (not cartwire's), records every call, and answers
//! each path with a scripted reply (a fixture, a failure, garbage or silence).

#![allow(dead_code)]

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use base64::Engine;
use hmac::{KeyInit, Mac};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the middleware answers one path.
#[derive(Debug, Clone)]
pub enum Reply {
    /// This status and JSON body.
    Json(u16, Value),
    /// 200 with a body that is not JSON.
    Garbage,
    /// Answers only after this long.
    Slow(Duration, Value),
}

/// One call the middleware received.
#[derive(Debug, Clone)]
pub struct Call {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Value,
    /// Whether `X-oc-hash` matched the body under the configured key.
    pub hash_ok: bool,
}

#[derive(Clone)]
struct Shared {
    hash_key: String,
    replies: Arc<Mutex<HashMap<String, Reply>>>,
    calls: Arc<Mutex<Vec<Call>>>,
}

/// A running middleware.
pub struct Middleware {
    pub url: String,
    shared: Shared,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Middleware {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// Base64 HMAC-SHA256 of `body` under `key`, written here independently of cartwire.
pub fn hash(key: &str, body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

async fn handle(
    State(s): State<Shared>,
    path: Option<Path<String>>,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let path = path.map(|Path(p)| format!("/{p}")).unwrap_or_else(|| "/".into());
    let sent = headers.get("x-oc-hash").and_then(|v| v.to_str().ok()).unwrap_or("");
    let hash_ok = !sent.is_empty() && sent == hash(&s.hash_key, &body);
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    s.calls.lock().unwrap().push(Call { path: path.clone(), headers, body: json, hash_ok });
    if !hash_ok {
        // What the catalysts do with a bad signature.
        return (StatusCode::UNAUTHORIZED, axum::Json(serde_json::json!({"Errors": [{"ErrorCode": "Unauthorized"}]})))
            .into_response();
    }
    let reply = s.replies.lock().unwrap().get(&path).cloned();
    match reply {
        None => (StatusCode::NOT_FOUND, "no fixture").into_response(),
        Some(Reply::Json(status, v)) => (StatusCode::from_u16(status).unwrap(), axum::Json(v)).into_response(),
        Some(Reply::Garbage) => (StatusCode::OK, "<html>not json</html>").into_response(),
        Some(Reply::Slow(d, v)) => {
            tokio::time::sleep(d).await;
            (StatusCode::OK, axum::Json(v)).into_response()
        }
    }
}

impl Middleware {
    /// Starts a middleware that expects bodies signed with `hash_key`.
    pub async fn start(hash_key: &str) -> Self {
        let shared = Shared { hash_key: hash_key.to_owned(), replies: Arc::default(), calls: Arc::default() };
        let app = axum::Router::new()
            .route("/", axum::routing::post(handle))
            .route("/{*path}", axum::routing::post(handle))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Self { url, shared, stop: Some(stop) }
    }

    /// Scripts the reply to `path` (`/shippingrates`, …; `/` for AddToCart).
    pub fn reply(&self, path: &str, reply: Reply) {
        self.shared.replies.lock().unwrap().insert(path.to_owned(), reply);
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.calls.lock().unwrap().clone()
    }

    /// Calls to `path`.
    pub fn calls_to(&self, path: &str) -> Vec<Call> {
        self.calls().into_iter().filter(|c| c.path == path).collect()
    }
}
