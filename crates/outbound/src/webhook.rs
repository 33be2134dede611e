//! The webhook transport: a pooled keep-alive HTTP client behind the SSRF guard, Elastic Path's
//! headers plus Standard Webhooks signatures, a per-attempt timeout, 2xx = success.

use crate::guard::{GuardedResolver, TargetPolicy};
use crate::{AttemptResult, FailureKind, Message, Transport, excerpt};
use cartwire_domain::integration::Secret;
use std::time::{Duration, Instant};

/// Where a webhook goes.
#[derive(Debug, Clone)]
pub struct WebhookTarget {
    /// The URL.
    pub url: String,
    /// The shared secret, when set.
    pub secret_key: Option<Secret>,
}

/// Sends webhooks.
#[derive(Clone)]
pub struct WebhookTransport {
    client: reqwest::Client,
    policy: TargetPolicy,
    concurrency: usize,
}

/// `error_detail` Elastic Path logs for a non-2xx answer.
pub const NON_2XX: &str = "Received a status code outside of 2xx range - treating webhook as a fail";

impl WebhookTransport {
    /// A transport with a per-attempt `timeout`.
    pub fn new(policy: TargetPolicy, timeout: Duration) -> Self {
        let client = reqwest::Client::builder()
            .dns_resolver(GuardedResolver::new(policy))
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .pool_max_idle_per_host(64)
            .pool_idle_timeout(Duration::from_secs(90))
            .redirect(reqwest::redirect::Policy::none())
            // A proxy from the environment would connect on the guard's behalf, unchecked.
            .no_proxy()
            .user_agent(concat!("cartwire/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("HTTP client settings are valid");
        Self { client, policy, concurrency: 16 }
    }

    /// At most `n` requests of one batch open at once (default 16).
    pub fn with_concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    async fn send_one(&self, target: &WebhookTarget, m: &Message) -> AttemptResult {
        let started = Instant::now();
        let url: reqwest::Url = match target.url.parse() {
            Ok(u) => u,
            Err(e) => {
                return AttemptResult::failure(
                    FailureKind::Unreachable,
                    format!("invalid URL: {e}"),
                    started.elapsed(),
                );
            }
        };
        if let Err(e) = self.policy.check_literal_ip(&url) {
            return AttemptResult::failure(FailureKind::Unreachable, e.to_string(), started.elapsed());
        }
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let mut req = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("x-moltin-integration-trigger", &m.event_key)
            .header("webhook-id", &m.delivery_id)
            .header("webhook-timestamp", timestamp.to_string());
        if let Some(secret) = &target.secret_key {
            req = req.header("x-moltin-secret-key", secret.expose()).header(
                "webhook-signature",
                crate::signing::standard_webhooks_signature(secret.expose(), &m.delivery_id, timestamp, &m.body),
            );
        }
        match req.body(m.body.clone()).send().await {
            Ok(res) => {
                let status = res.status();
                let retry_after = res
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                // Keep only what the log keeps: a receiver cannot make us buffer a huge answer.
                let mut res = res;
                let mut kept = Vec::new();
                while kept.len() < crate::EXCERPT_BYTES {
                    match res.chunk().await {
                        Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
                        _ => break,
                    }
                }
                let body = Some(excerpt(&kept));
                let duration = started.elapsed();
                if status.is_success() {
                    AttemptResult::success(Some(status.as_u16()), body, duration)
                } else {
                    let kind = if status.as_u16() == 429 { FailureKind::Overloaded } else { FailureKind::Rejected };
                    AttemptResult {
                        succeeded: false,
                        status_code: Some(status.as_u16()),
                        error_detail: Some(NON_2XX.into()),
                        body_excerpt: body,
                        failure: Some(kind),
                        retry_after,
                        duration,
                    }
                }
            }
            Err(e) if e.is_timeout() => AttemptResult::failure(
                FailureKind::Overloaded,
                "The receiver did not answer in time",
                started.elapsed(),
            ),
            Err(e) => {
                // The guard's refusal surfaces as a connect error: say so plainly.
                let mut detail = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(s) = source {
                    detail = format!("{detail}: {s}");
                    source = s.source();
                }
                AttemptResult::failure(FailureKind::Unreachable, detail, started.elapsed())
            }
        }
    }
}

impl Transport for WebhookTransport {
    type Target = WebhookTarget;

    async fn deliver(&self, _integration_id: &str, target: &WebhookTarget, messages: &[Message]) -> Vec<AttemptResult> {
        use futures_util::StreamExt;
        // A batch may be larger than the receiver should get at once: at most `concurrency`
        // requests are open, results in the batch's order.
        let sends: Vec<_> = messages.iter().map(|m| self.send_one(target, m)).collect();
        futures_util::stream::iter(sends).buffered(self.concurrency).collect().await
    }
}
