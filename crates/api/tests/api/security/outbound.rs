//! Outbound targets: every transport (webhook, SQS through the AWS SDK, STOMP) and the callout
//! client refuse loopback in every spelling — names, IPv4 shorthand, IPv4 inside IPv6 (mapped,
//! compatible, NAT64, 6to4) — while a listener on loopback proves nothing connected.

use cartwire_domain::integration::Secret;
use cartwire_outbound::callout::{CalloutClient, CalloutOutcome, CalloutRequest};
use cartwire_outbound::guard::TargetPolicy;
use cartwire_outbound::sqs::{SqsTarget, SqsTransport};
use cartwire_outbound::stomp::{StompTarget, StompTransport};
use cartwire_outbound::webhook::{WebhookTarget, WebhookTransport};
use cartwire_outbound::{AttemptResult, Message, Transport};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A loopback listener that counts the connections it accepts.
async fn listener() -> (u16, Arc<AtomicUsize>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((_socket, _)) = l.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
        }
    });
    (port, accepted)
}

/// Every way to write the loopback host (and a few other special-purpose ones) in a URL.
fn hosts() -> Vec<&'static str> {
    vec![
        "127.0.0.1",
        "localhost",
        "127.1",
        "2130706433",
        "0x7f.0.0.1",
        "0.0.0.0",
        "[::1]",
        "[::127.0.0.1]",
        "[::7f00:1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "[64:ff9b::7f00:1]",
        "[2002:7f00:1::]",
        "[fe80::1]",
        "169.254.169.254",
        "[fd00:ec2::254]",
        "100.64.0.1",
    ]
}

fn message() -> Message {
    Message {
        delivery_id: "d1".into(),
        event_key: "order.created".into(),
        resource_id: "o1".into(),
        body: b"{}".to_vec(),
    }
}

fn refused(r: &AttemptResult, what: &str) {
    assert!(!r.succeeded, "{what}");
    let detail = r.error_detail.as_deref().unwrap_or_default();
    assert!(detail.contains("private or reserved"), "{what}: {detail}");
}

#[tokio::test]
async fn no_transport_reaches_loopback_in_any_spelling() {
    let (port, accepted) = listener().await;
    let strict = TargetPolicy::default();
    let timeout = Duration::from_secs(2);
    let webhook = WebhookTransport::new(strict, timeout);
    let sqs = SqsTransport::new(strict, timeout);
    let stomp = StompTransport::new(strict, timeout);
    let callouts = CalloutClient::new(strict, timeout);
    for host in hosts() {
        let url = format!("http://{host}:{port}/hook");
        let r = webhook.deliver("i", &WebhookTarget { url: url.clone(), secret_key: None }, &[message()]).await;
        refused(&r[0], &format!("webhook {url}"));

        let target = SqsTarget {
            url: format!("http://{host}:{port}/123456789012/q"),
            access_key_id: Secret::new("AKIDEXAMPLE"),
            secret_access_key: Secret::new("secret"),
            region: "us-east-1".into(),
        };
        let r = sqs.deliver("i", &target, &[message()]).await;
        refused(&r[0], &format!("sqs {}", target.url));

        let target = StompTarget {
            addresses: vec![format!("stomp://{host}:{port}")],
            destination: "/queue/q".into(),
            username: None,
            password: None,
        };
        let r = stomp.deliver("i", &target, &[message()]).await;
        refused(&r[0], &format!("stomp {host}"));

        let req = CalloutRequest { url: url.clone(), hash_key: "k".into(), auth_header: None, body: b"{}".to_vec() };
        match callouts.post(&req).await {
            CalloutOutcome::Failed { reason, .. } => {
                assert!(reason.contains("private or reserved"), "callout {url}: {reason}")
            }
            other => panic!("callout {url} answered: {other:?}"),
        }
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 0, "nothing connected to the loopback listener");

    // The control: with private targets allowed, the same webhook connects.
    let open = WebhookTransport::new(TargetPolicy { allow_private: true }, Duration::from_millis(300));
    let target = WebhookTarget { url: format!("http://localhost:{port}/hook"), secret_key: None };
    let _ = open.deliver("i", &target, &[message()]).await;
    assert!(accepted.load(Ordering::SeqCst) >= 1, "allowed targets do connect");
}
