//! A real webhook receiver for tests: an HTTP server on a loopback port that verifies the
//! Standard Webhooks signature with its own HMAC code (not cartwire's), records what arrives,
//! and can be told to fail, hang or answer 429 with `Retry-After`.

#![allow(dead_code)]

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use base64::Engine;
use hmac::{KeyInit, Mac};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the receiver answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// 200.
    Ok,
    /// 500.
    Fail,
    /// Never answers in time.
    Hang,
    /// 429 with `Retry-After: n`.
    TooMany(u64),
    /// Fails each request with this probability (deterministic sequence).
    FailRandomly(f64),
}

/// One received request.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Value,
    pub raw: Vec<u8>,
    /// Whether the Standard Webhooks signature verified (None: no signature sent).
    pub signature_ok: Option<bool>,
    pub answered: u16,
}

#[derive(Clone)]
struct Shared {
    secret: Option<String>,
    mode: Arc<Mutex<Mode>>,
    log: Arc<Mutex<Vec<Received>>>,
    counter: Arc<Mutex<u64>>,
}

/// A running receiver.
pub struct Receiver {
    pub url: String,
    shared: Shared,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// Verifies `webhook-signature` the way the Standard Webhooks libraries do.
pub fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = match secret.strip_prefix("whsec_") {
        Some(rest) => b64.decode(rest).unwrap(),
        None => secret.as_bytes().to_vec(),
    };
    let (Some(id), Some(ts), Some(sigs)) =
        (headers.get("webhook-id"), headers.get("webhook-timestamp"), headers.get("webhook-signature"))
    else {
        return false;
    };
    let signed = |raw: &[u8]| {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(ts.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(raw).is_ok()
    };
    sigs.to_str()
        .unwrap()
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .any(|s| b64.decode(s).map(|raw| signed(&raw)).unwrap_or(false))
}

async fn handle(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    let mode = s.mode.lock().unwrap().clone();
    let n = {
        let mut c = s.counter.lock().unwrap();
        *c += 1;
        *c
    };
    let (status, retry_after) = match mode {
        Mode::Ok => (200, None),
        Mode::Fail => (500, None),
        Mode::Hang => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            (200, None)
        }
        Mode::TooMany(secs) => (429, Some(secs)),
        Mode::FailRandomly(p) => {
            // A fixed pseudo-random sequence: reproducible runs.
            let x = ((n.wrapping_mul(2654435761) % 1000) as f64) / 1000.0;
            (if x < p { 503 } else { 200 }, None)
        }
    };
    let signature_ok = s.secret.as_deref().map(|secret| verify(secret, &headers, &body));
    s.log.lock().unwrap().push(Received {
        headers: headers.clone(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        raw: body.to_vec(),
        signature_ok,
        answered: status,
    });
    let mut res = (StatusCode::from_u16(status).unwrap(), "receiver says hi").into_response();
    if let Some(secs) = retry_after {
        res.headers_mut().insert("retry-after", secs.to_string().parse().unwrap());
    }
    res
}

impl Receiver {
    /// Starts a receiver that knows `secret` (to verify signatures).
    pub async fn start(secret: Option<&str>) -> Self {
        Self::start_on(secret, "127.0.0.1:0").await
    }

    /// Starts a receiver on a given address.
    pub async fn start_on(secret: Option<&str>, addr: &str) -> Self {
        let shared = Shared {
            secret: secret.map(str::to_owned),
            mode: Arc::new(Mutex::new(Mode::Ok)),
            log: Arc::default(),
            counter: Arc::default(),
        };
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let app = axum::Router::new().route("/hook", axum::routing::post(handle)).with_state(shared.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        Self { url, shared, stop: Some(tx) }
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.shared.mode.lock().unwrap() = mode;
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.log.lock().unwrap().clone()
    }

    /// Requests answered with 2xx.
    pub fn accepted(&self) -> Vec<Received> {
        self.received().into_iter().filter(|r| (200..300).contains(&r.answered)).collect()
    }
}
