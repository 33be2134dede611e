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
}

/// Requests of one [`Transport::deliver`] batch open at once. The dispatcher sends one by one
/// through [`WebhookTransport::send`] with its own per-integration bound.
const BATCH_CONCURRENCY: usize = 16;

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
        Self { client, policy }
    }

    /// Sends one message (the dispatcher bounds how many are open per integration).
    pub async fn send(&self, target: &WebhookTarget, m: &Message) -> AttemptResult {
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
        let mut req = self.client.post(url);
        for (name, value) in headers(target, m, timestamp, Reveal::Secrets) {
            req = req.header(name, value);
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

/// Whether [`headers`] writes secrets out or masks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reveal {
    /// For the receiver.
    Secrets,
    /// For people (the operator console): the secret and the signature made with it masked.
    Masked,
}

/// The headers of a webhook request, in the order they are sent; the one list the transport
/// sends and the console shows.
pub fn headers(target: &WebhookTarget, m: &Message, timestamp: i64, reveal: Reveal) -> Vec<(&'static str, String)> {
    let mut h = vec![
        ("content-type", "application/json".to_owned()),
        ("x-moltin-integration-trigger", m.event_key.clone()),
        ("webhook-id", m.delivery_id.clone()),
        ("webhook-timestamp", timestamp.to_string()),
    ];
    if let Some(secret) = &target.secret_key {
        match reveal {
            Reveal::Secrets => {
                let signature =
                    crate::signing::standard_webhooks_signature(secret.expose(), &m.delivery_id, timestamp, &m.body);
                h.push(("x-moltin-secret-key", secret.expose().to_owned()));
                h.push(("webhook-signature", signature));
            }
            Reveal::Masked => {
                h.push(("x-moltin-secret-key", secret.masked()));
                // An HMAC of this body under the secret: shown as present, not as a value.
                h.push(("webhook-signature", "v1,****".to_owned()));
            }
        }
    }
    h
}

/// A webhook request as it goes out, for people: the URL, the headers with secrets masked
/// (its timestamp is `timestamp`, each attempt has its own) and the body.
pub fn describe(target: &WebhookTarget, m: &Message, timestamp: i64) -> crate::Described {
    // Elastic Path's body repeats the integration's configuration, its secret included.
    let body = match (serde_json::from_slice::<serde_json::Value>(&m.body), &target.secret_key) {
        (Ok(mut v), Some(secret)) => {
            if let Some(key) = v.pointer_mut("/configuration/secret_key").filter(|k| k.is_string()) {
                *key = serde_json::Value::String(secret.masked());
            }
            v.to_string()
        }
        _ => String::from_utf8_lossy(&m.body).into_owned(),
    };
    crate::Described {
        target: format!("POST {}", target.url),
        headers: headers(target, m, timestamp, Reveal::Masked).into_iter().map(|(n, v)| (n.to_owned(), v)).collect(),
        body,
    }
}

impl Transport for WebhookTransport {
    type Target = WebhookTarget;

    async fn deliver(&self, _integration_id: &str, target: &WebhookTarget, messages: &[Message]) -> Vec<AttemptResult> {
        use futures_util::StreamExt;
        // A batch may be larger than the receiver should get at once: at most
        // `BATCH_CONCURRENCY` requests are open, results in the batch's order.
        let sends: Vec<_> = messages.iter().map(|m| self.send(target, m)).collect();
        futures_util::stream::iter(sends).buffered(BATCH_CONCURRENCY).collect().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(body: &serde_json::Value) -> Message {
        Message {
            delivery_id: "job-1".into(),
            event_key: "order.created".into(),
            resource_id: "o1".into(),
            body: body.to_string().into_bytes(),
        }
    }

    #[test]
    fn people_see_every_header_the_receiver_gets_with_the_secret_masked() {
        let target =
            WebhookTarget { url: "https://rx.example/h".into(), secret_key: Some(Secret::new("whsec_c2VjcmV0")) };
        let m = message(&serde_json::json!({"id": "job-1", "configuration": {"secret_key": "whsec_c2VjcmV0"}}));
        let sent = headers(&target, &m, 1_700_000_000, Reveal::Secrets);
        let shown = describe(&target, &m, 1_700_000_000);
        let names = |h: &[(String, String)]| h.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        let sent: Vec<(String, String)> = sent.into_iter().map(|(n, v)| (n.to_owned(), v)).collect();
        assert_eq!(names(&shown.headers), names(&sent), "the same headers in the same order");
        let signature = crate::signing::standard_webhooks_signature("whsec_c2VjcmV0", "job-1", 1_700_000_000, &m.body);
        assert!(sent.contains(&("webhook-signature".into(), signature.clone())));
        let text = format!("{shown:?}");
        assert!(!text.contains("c2VjcmV0") && !text.contains(&signature), "{text}");
        assert_eq!(shown.target, "POST https://rx.example/h");
        let body: serde_json::Value = serde_json::from_str(&shown.body).unwrap();
        assert_eq!(body["configuration"]["secret_key"], Secret::new("whsec_c2VjcmV0").masked());
    }

    #[test]
    fn without_a_secret_nothing_is_signed() {
        let target = WebhookTarget { url: "https://rx.example/h".into(), secret_key: None };
        let m = message(&serde_json::json!({"id": "job-1"}));
        let names: Vec<&str> = headers(&target, &m, 1, Reveal::Secrets).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["content-type", "x-moltin-integration-trigger", "webhook-id", "webhook-timestamp"]);
        assert_eq!(describe(&target, &m, 1).body, r#"{"id":"job-1"}"#);
    }
}
