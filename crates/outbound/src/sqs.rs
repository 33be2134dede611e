//! The AWS SQS transport: the official SDK, one client per distinct (region, credentials,
//! endpoint), `SendMessageBatch` for every batch of due messages of one queue, FIFO groups per
//! resource and deduplication by job id.

use crate::guard::{GuardedResolver, TargetPolicy};
use crate::{AttemptResult, FailureKind, Message, Transport};
use aws_sdk_sqs::config::retry::RetryConfig;
use aws_sdk_sqs::config::timeout::TimeoutConfig;
use aws_sdk_sqs::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::{MessageAttributeValue, SendMessageBatchRequestEntry};
use aws_smithy_http_client::tls;
use cartwire_domain::integration::Secret;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Where an SQS message goes.
#[derive(Debug, Clone)]
pub struct SqsTarget {
    /// Queue URL.
    pub url: String,
    /// Access key id.
    pub access_key_id: Secret,
    /// Secret access key.
    pub secret_access_key: Secret,
    /// Region.
    pub region: String,
}

/// The message attribute naming the event key.
const TRIGGER_ATTRIBUTE: &str = "triggered_by";

/// A message as `SendMessageBatch` sends it, for people: its attribute and, on a FIFO queue,
/// its group and deduplication ids (the credentials sign the call and are not shown).
pub fn describe(target: &SqsTarget, m: &Message) -> crate::Described {
    let mut headers = vec![(format!("MessageAttribute {TRIGGER_ATTRIBUTE}"), m.event_key.clone())];
    if target.url.ends_with(".fifo") {
        headers.push(("MessageGroupId".to_owned(), m.resource_id.clone()));
        headers.push(("MessageDeduplicationId".to_owned(), m.delivery_id.clone()));
    }
    crate::Described {
        target: format!("SQS SendMessageBatch to {} ({})", target.url, target.region),
        headers,
        body: String::from_utf8_lossy(&m.body).into_owned(),
    }
}

/// Sends to SQS queues.
pub struct SqsTransport {
    policy: TargetPolicy,
    timeout: Duration,
    clients: Mutex<HashMap<String, aws_sdk_sqs::Client>>,
}

/// SendMessageBatch's limits.
const BATCH_ENTRIES: usize = 10;
const BATCH_BYTES: usize = 256 * 1024;

impl SqsTransport {
    /// A transport with a per-call `timeout`.
    pub fn new(policy: TargetPolicy, timeout: Duration) -> Self {
        Self { policy, timeout, clients: Mutex::new(HashMap::new()) }
    }

    /// The endpoint to override for queues outside AWS (a local emulator), from the queue URL.
    fn endpoint(url: &reqwest::Url) -> Option<String> {
        let host = url.host_str()?;
        if host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn") {
            return None;
        }
        Some(match url.port() {
            Some(p) => format!("{}://{host}:{p}", url.scheme()),
            None => format!("{}://{host}", url.scheme()),
        })
    }

    fn client(&self, target: &SqsTarget, endpoint: Option<String>) -> aws_sdk_sqs::Client {
        let digest =
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, target.secret_access_key.expose().as_bytes());
        let key = format!(
            "{}|{}|{}|{}",
            target.region,
            target.access_key_id.expose(),
            digest.as_ref().iter().map(|b| format!("{b:02x}")).collect::<String>(),
            endpoint.as_deref().unwrap_or("")
        );
        let mut clients = self.clients.lock().expect("client cache lock");
        clients
            .entry(key)
            .or_insert_with(|| {
                let http = aws_smithy_http_client::Builder::new()
                    .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc))
                    .build_with_resolver(GuardedResolver::new(self.policy).as_ref().clone());
                let mut conf = aws_sdk_sqs::Config::builder()
                    .behavior_version(BehaviorVersion::latest())
                    .http_client(http)
                    .region(Region::new(target.region.clone()))
                    .credentials_provider(Credentials::new(
                        target.access_key_id.expose(),
                        target.secret_access_key.expose(),
                        None,
                        None,
                        "cartwire-integration",
                    ))
                    // cartwire schedules its own retries and logs each one.
                    .retry_config(RetryConfig::disabled())
                    .timeout_config(TimeoutConfig::builder().operation_timeout(self.timeout).build());
                if let Some(ep) = &endpoint {
                    conf = conf.endpoint_url(ep);
                }
                aws_sdk_sqs::Client::from_conf(conf.build())
            })
            .clone()
    }
}

impl Transport for SqsTransport {
    type Target = SqsTarget;

    async fn deliver(&self, _integration_id: &str, target: &SqsTarget, messages: &[Message]) -> Vec<AttemptResult> {
        let started = Instant::now();
        let fail_all = |kind, detail: String| {
            messages.iter().map(|_| AttemptResult::failure(kind, detail.clone(), started.elapsed())).collect::<Vec<_>>()
        };
        let url: reqwest::Url = match target.url.parse() {
            Ok(u) => u,
            Err(e) => return fail_all(FailureKind::Unreachable, format!("invalid queue URL: {e}")),
        };
        // Names resolve through the guard inside the SDK's HTTP client; literal IPs never reach
        // a resolver, so they are checked here.
        if let Err(e) = self.policy.check_literal_ip(&url) {
            return fail_all(FailureKind::Unreachable, e.to_string());
        }
        let client = self.client(target, Self::endpoint(&url));
        let fifo = target.url.ends_with(".fifo");
        let mut results: Vec<Option<AttemptResult>> = messages.iter().map(|_| None).collect();
        // Chunks within SendMessageBatch's entry and size limits.
        let mut chunks: Vec<Vec<usize>> = vec![];
        let mut size = 0;
        for (i, m) in messages.iter().enumerate() {
            let fits = chunks.last().is_some_and(|c| c.len() < BATCH_ENTRIES && size + m.body.len() <= BATCH_BYTES);
            if !fits {
                chunks.push(vec![]);
                size = 0;
            }
            size += m.body.len();
            chunks.last_mut().expect("just pushed").push(i);
        }
        // One call after another: a FIFO queue's groups keep their order, and a slow endpoint
        // (moto, in the soak) is not pushed past the point where its answers time out —
        // parallel calls were tried and made moto's answers time out under two nodes.
        let mut answered = Vec::with_capacity(chunks.len());
        for chunk in chunks {
            answered.push(send_chunk(&client, target, messages, chunk, fifo).await);
        }
        for (i, r) in answered.into_iter().flatten() {
            results[i] = Some(r);
        }
        results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| {
                    AttemptResult::failure(FailureKind::Rejected, "SQS did not report this entry", started.elapsed())
                })
            })
            .collect()
    }
}

/// Sends one `SendMessageBatch` of the messages at `chunk`; each entry's result by index
/// (an entry SQS does not report on is left out, and the caller fails it).
async fn send_chunk(
    client: &aws_sdk_sqs::Client,
    target: &SqsTarget,
    messages: &[Message],
    chunk: Vec<usize>,
    fifo: bool,
) -> Vec<(usize, AttemptResult)> {
    let started = Instant::now();
    let mut results = Vec::with_capacity(chunk.len());
    let mut sent = Vec::with_capacity(chunk.len());
    let mut batch = client.send_message_batch().queue_url(&target.url);
    for i in chunk {
        let m = &messages[i];
        let attr = MessageAttributeValue::builder().data_type("String").string_value(&m.event_key).build();
        let mut entry = SendMessageBatchRequestEntry::builder()
            .id(format!("m{i}"))
            .message_body(String::from_utf8_lossy(&m.body))
            .set_message_attributes(attr.ok().map(|a| HashMap::from([(TRIGGER_ATTRIBUTE.to_owned(), a)])));
        if fifo {
            entry = entry.message_group_id(&m.resource_id).message_deduplication_id(&m.delivery_id);
        }
        match entry.build() {
            Ok(e) => {
                batch = batch.entries(e);
                sent.push(i);
            }
            Err(e) => {
                results.push((i, AttemptResult::failure(FailureKind::Rejected, e.to_string(), started.elapsed())))
            }
        }
    }
    if sent.is_empty() {
        return results;
    }
    let index = |id: &str| id.strip_prefix('m').and_then(|n| n.parse::<usize>().ok());
    match batch.send().await {
        Ok(out) => {
            let elapsed = started.elapsed();
            for ok in out.successful() {
                if let Some(i) = index(ok.id()) {
                    let detail = format!("MessageId {}", ok.message_id());
                    results.push((i, AttemptResult::success(None, Some(detail), elapsed)));
                }
            }
            for failed in out.failed() {
                if let Some(i) = index(failed.id()) {
                    let detail = format!("{}: {}", failed.code(), failed.message().unwrap_or(""));
                    results.push((i, AttemptResult::failure(FailureKind::Rejected, detail, elapsed)));
                }
            }
        }
        Err(e) => {
            let detail = DisplayErrorContext(&e).to_string();
            let kind = match &e {
                aws_sdk_sqs::error::SdkError::TimeoutError(_) => FailureKind::Overloaded,
                aws_sdk_sqs::error::SdkError::ServiceError(_) => FailureKind::Rejected,
                _ => FailureKind::Unreachable,
            };
            let elapsed = started.elapsed();
            results.extend(sent.into_iter().map(|i| (i, AttemptResult::failure(kind, detail.clone(), elapsed))));
        }
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> SqsTarget {
        SqsTarget {
            url: url.into(),
            access_key_id: Secret::new("AKIAABCDEFGHIJKLPSYQ"),
            secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            region: "eu-west-1".into(),
        }
    }

    #[test]
    fn a_described_message_names_its_attributes_and_never_the_credentials() {
        let m = Message {
            delivery_id: "job-1".into(),
            event_key: "order.created".into(),
            resource_id: "o1".into(),
            body: br#"{"specversion":"1.0"}"#.to_vec(),
        };
        let plain = describe(&target("https://sqs.eu-west-1.amazonaws.com/1/orders"), &m);
        assert_eq!(plain.headers, [("MessageAttribute triggered_by".to_owned(), "order.created".to_owned())]);
        assert_eq!(plain.body, r#"{"specversion":"1.0"}"#);
        let fifo = describe(&target("https://sqs.eu-west-1.amazonaws.com/1/orders.fifo"), &m);
        let names: Vec<&str> = fifo.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["MessageAttribute triggered_by", "MessageGroupId", "MessageDeduplicationId"]);
        assert_eq!((fifo.headers[1].1.as_str(), fifo.headers[2].1.as_str()), ("o1", "job-1"));
        let text = format!("{plain:?}{fifo:?}");
        assert!(!text.contains("AKIA") && !text.contains("EXAMPLEKEY"), "{text}");
    }
}
