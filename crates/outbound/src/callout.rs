//! Synchronous callouts to a merchant's middleware (OrderCloud integration events): one signed
//! JSON POST, a deadline, no retries — the caller of cartwire's API is waiting for the answer.

use crate::guard::{GuardedResolver, TargetPolicy};
use std::time::{Duration, Instant};

/// HTTP methods, for callers of [`CalloutClient::request`].
pub use reqwest::Method;

/// Largest middleware answer cartwire reads; anything longer is a failed callout.
pub const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// One callout to make.
#[derive(Debug, Clone)]
pub struct CalloutRequest {
    /// The full URL (`CustomImplementationUrl` joined with the event's path).
    pub url: String,
    /// The integration event's hash key: the body is signed with it (`X-oc-hash`).
    pub hash_key: String,
    /// The custom auth header (name, value), when configured.
    pub auth_header: Option<(String, String)>,
    /// The body bytes exactly as sent and signed.
    pub body: Vec<u8>,
}

/// What the middleware did.
#[derive(Debug, Clone, PartialEq)]
pub enum CalloutOutcome {
    /// It answered (any status).
    Answered {
        /// The HTTP status.
        status: u16,
        /// The body (at most [`MAX_ANSWER_BYTES`]).
        body: Vec<u8>,
        /// Wall time.
        duration: Duration,
    },
    /// No usable answer: refused by the guard, unreachable, timed out, or too long.
    Failed {
        /// Why, without secrets.
        reason: String,
        /// Whether the deadline passed.
        timed_out: bool,
        /// Wall time.
        duration: Duration,
    },
}

/// Posts callouts through the SSRF guard with a deadline.
#[derive(Clone)]
pub struct CalloutClient {
    client: reqwest::Client,
    policy: TargetPolicy,
}

impl CalloutClient {
    /// A client whose every callout must finish within `deadline`.
    pub fn new(policy: TargetPolicy, deadline: Duration) -> Self {
        let client = reqwest::Client::builder()
            .dns_resolver(GuardedResolver::new(policy))
            .timeout(deadline)
            .connect_timeout(deadline.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            // A proxy from the environment would connect on the guard's behalf, unchecked.
            .no_proxy()
            .user_agent(concat!("cartwire/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("HTTP client settings are valid");
        Self { client, policy }
    }

    /// Signs and posts `req`.
    pub async fn post(&self, req: &CalloutRequest) -> CalloutOutcome {
        let mut headers = vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            ("x-oc-hash".to_owned(), crate::signing::oc_hash(&req.hash_key, &req.body)),
        ];
        if let Some((name, value)) = &req.auth_header {
            headers.push((name.clone(), value.clone()));
        }
        self.request(reqwest::Method::POST, &req.url, &headers, Some(req.body.clone())).await
    }

    /// Any request through the guard and the deadline (identity-provider discovery, keys and
    /// token exchange use it too).
    pub async fn request(
        &self,
        method: reqwest::Method,
        url: &str,
        headers: &[(String, String)],
        body: Option<Vec<u8>>,
    ) -> CalloutOutcome {
        let started = Instant::now();
        let failed =
            |reason: String, timed_out: bool| CalloutOutcome::Failed { reason, timed_out, duration: started.elapsed() };
        let url: reqwest::Url = match url.parse() {
            Ok(u) => u,
            Err(e) => return failed(format!("invalid URL: {e}"), false),
        };
        if let Err(e) = self.policy.check_literal_ip(&url) {
            return failed(e.to_string(), false);
        }
        let mut builder = self.client.request(method, url);
        for (name, value) in headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if let Some(body) = body {
            builder = builder.body(body);
        }
        let mut res = match builder.send().await {
            Ok(res) => res,
            Err(e) => return failed(describe(&e), e.is_timeout()),
        };
        let status = res.status().as_u16();
        let mut body = Vec::new();
        loop {
            match res.chunk().await {
                Ok(Some(chunk)) => {
                    body.extend_from_slice(&chunk);
                    if body.len() > MAX_ANSWER_BYTES {
                        return failed(format!("the answer is longer than {MAX_ANSWER_BYTES} bytes"), false);
                    }
                }
                Ok(None) => break,
                Err(e) => return failed(describe(&e), e.is_timeout()),
            }
        }
        CalloutOutcome::Answered { status, body, duration: started.elapsed() }
    }
}

/// The error and its causes in one line (the guard's refusal hides in a cause).
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "the middleware did not answer before the deadline".into();
    }
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail = format!("{detail}: {s}");
        source = s.source();
    }
    detail
}
