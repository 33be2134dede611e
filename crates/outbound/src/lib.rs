//! Everything that leaves cartwire.
//!
//! The SSRF guard every outbound connection goes through ([`guard`]), the signatures receivers
//! verify ([`signing`]), the bodies they receive ([`payload`]), and the transports that carry
//! them — [`webhook`], [`sqs`] and [`stomp`] — behind the one [`Transport`] contract:
//! a batch of messages for one integration in, one [`AttemptResult`] per message out.

pub mod callout;
pub mod guard;
pub mod order_resource;
pub mod payload;
pub mod signing;
pub mod sqs;
pub mod stomp;
pub mod webhook;

use std::time::Duration;

pub use cartwire_domain::delivery::FailureKind;

/// One message to deliver: a delivery attempt's rendered body and what identifies it.
#[derive(Debug, Clone)]
pub struct Message {
    /// The delivery (job) id: stable across attempts.
    pub delivery_id: String,
    /// The event key (`order.created`, …).
    pub event_key: String,
    /// The resource the event is about (FIFO group, ordering key).
    pub resource_id: String,
    /// The body bytes exactly as sent (and signed).
    pub body: Vec<u8>,
}

/// A message as its transport puts it on the wire, described for people (the operator
/// console's delivery page): where it goes, its headers or attributes with secrets masked, and
/// its body.
#[derive(Debug, Clone, PartialEq)]
pub struct Described {
    /// The request line or destination (`POST https://…`, `SQS https://…`, `STOMP /queue/…`).
    pub target: String,
    /// Headers (webhook, STOMP) or message attributes (SQS), in the order they are sent.
    pub headers: Vec<(String, String)>,
    /// The body, as text.
    pub body: String,
}

/// What one attempt to deliver one message came to.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptResult {
    /// Delivered (2xx, SQS accepted, STOMP RECEIPT).
    pub succeeded: bool,
    /// The receiver's HTTP status, when there was one.
    pub status_code: Option<u16>,
    /// Why it failed.
    pub error_detail: Option<String>,
    /// The first 4 KiB of the receiver's answer.
    pub body_excerpt: Option<String>,
    /// How a failure affects the retry schedule.
    pub failure: Option<FailureKind>,
    /// The receiver's `Retry-After`.
    pub retry_after: Option<Duration>,
    /// Wall time of the attempt.
    pub duration: Duration,
}

impl AttemptResult {
    /// A success.
    pub fn success(status_code: Option<u16>, body_excerpt: Option<String>, duration: Duration) -> Self {
        Self {
            succeeded: true,
            status_code,
            error_detail: None,
            body_excerpt,
            failure: None,
            retry_after: None,
            duration,
        }
    }

    /// A failure of `kind`.
    pub fn failure(kind: FailureKind, detail: impl Into<String>, duration: Duration) -> Self {
        Self {
            succeeded: false,
            status_code: None,
            error_detail: Some(detail.into()),
            body_excerpt: None,
            failure: Some(kind),
            retry_after: None,
            duration,
        }
    }
}

/// Largest response excerpt kept in the attempt log.
pub const EXCERPT_BYTES: usize = 4096;

/// Cuts `bytes` to at most [`EXCERPT_BYTES`] on a character boundary.
pub fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(EXCERPT_BYTES)]).into_owned();
    if text.len() > EXCERPT_BYTES {
        let mut end = EXCERPT_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text[..end].to_owned()
    } else {
        text
    }
}

/// A way of carrying messages to one kind of target.
pub trait Transport {
    /// The target's settings (URL and secrets, queue, broker).
    type Target;

    /// Delivers `messages` (all for the same integration) and reports each one's outcome, in
    /// order. Implementations batch where the target allows it.
    fn deliver(
        &self,
        integration_id: &str,
        target: &Self::Target,
        messages: &[Message],
    ) -> impl std::future::Future<Output = Vec<AttemptResult>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_stop_at_4_kib_on_a_character_boundary() {
        assert_eq!(excerpt(b"short"), "short");
        let long = "é".repeat(3000); // 6000 bytes
        let cut = excerpt(long.as_bytes());
        assert!(cut.len() <= EXCERPT_BYTES && cut.chars().all(|c| c == 'é'), "{}", cut.len());
    }
}
