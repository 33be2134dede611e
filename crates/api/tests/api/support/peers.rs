//! Clients for the queue peers the SQS and STOMP transports deliver to: an SQS client for
//! moto, and a minimal STOMP subscriber on cartwire's own frame codec. Shared by the queue
//! tests and the chaos soak, which read what the transports sent.

#![allow(dead_code)]

use aws_sdk_sqs::config::{BehaviorVersion, Credentials, Region};
use cartwire_outbound::stomp::frame::Frame;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The peer's address from the environment, or `None` with a loud note that the caller's
/// test did not run (scripts/test always sets these).
pub fn peer(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            eprintln!(
                "\n!!!!! SKIPPED: {var} is not set; this test needs its real peer (scripts/test starts it) !!!!!\n"
            );
            None
        }
    }
}

/// An SQS client for moto (any credentials, `us-east-1`).
pub fn sqs_client(endpoint: &str) -> aws_sdk_sqs::Client {
    let conf = aws_sdk_sqs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .endpoint_url(endpoint)
        .build();
    aws_sdk_sqs::Client::from_conf(conf)
}

/// A minimal STOMP subscriber (RabbitMQ's default guest login, auto acknowledgement).
pub struct Subscriber {
    stream: tokio::net::TcpStream,
    buf: Vec<u8>,
    closed: bool,
}

impl Subscriber {
    pub async fn connect(addr: &str, destination: &str) -> Self {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let connect = Frame::new("CONNECT")
            .header("accept-version", "1.2")
            .header("host", "/")
            .header("login", "guest")
            .header("passcode", "guest");
        stream.write_all(&connect.encode()).await.unwrap();
        let mut me = Self { stream, buf: Vec::new(), closed: false };
        assert_eq!(me.next().await.command, "CONNECTED");
        let sub = Frame::new("SUBSCRIBE")
            .header("id", "0")
            .header("destination", destination)
            .header("ack", "auto")
            .header("receipt", "sub");
        me.stream.write_all(&sub.encode()).await.unwrap();
        assert_eq!(me.next().await.command, "RECEIPT");
        me
    }

    /// The next frame; panics when none comes within 20 s.
    pub async fn next(&mut self) -> Frame {
        self.next_within(Duration::from_secs(20)).await.expect("a frame in time")
    }

    /// Whether the broker hung up.
    pub fn closed(&self) -> bool {
        self.closed
    }

    /// The next frame, or `None` when none comes within `wait` (or the broker hung up).
    pub async fn next_within(&mut self, wait: Duration) -> Option<Frame> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some((f, used)) = Frame::parse(&self.buf).unwrap() {
                self.buf.drain(..used);
                return Some(f);
            }
            let mut chunk = [0u8; 16384];
            let n = match tokio::time::timeout_at(deadline, self.stream.read(&mut chunk)).await {
                Err(_) => return None,
                Ok(Ok(n)) if n > 0 => n,
                Ok(_) => {
                    self.closed = true;
                    return None;
                }
            };
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}
