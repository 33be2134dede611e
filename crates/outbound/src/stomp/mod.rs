//! The STOMP transport: a small STOMP 1.2 client (see docs/adr/0006) with one long-lived
//! connection per integration, heart-beats, receipts (a message counts as delivered only on its
//! `RECEIPT`), and fail-over across the integration's `addresses`.

pub mod client;
pub mod frame;

use crate::guard::TargetPolicy;
use crate::{AttemptResult, FailureKind, Message, Transport};
use cartwire_domain::integration::Secret;
use client::Connection;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Where STOMP messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StompTarget {
    /// Brokers, tried in order.
    pub addresses: Vec<String>,
    /// Destination.
    pub destination: String,
    /// Login.
    pub username: Option<String>,
    /// Passcode.
    pub password: Option<Secret>,
}

/// The headers of a message's SEND frame, before the `receipt` the connection adds: the one
/// list the client sends and the console shows (nothing secret: the login is the CONNECT's).
pub fn send_headers(destination: &str, m: &Message) -> Vec<(&'static str, String)> {
    vec![
        ("destination", destination.to_owned()),
        ("content-type", "application/json".to_owned()),
        ("persistent", "true".to_owned()),
        ("cartwire-job-id", m.delivery_id.clone()),
        ("x-moltin-integration-trigger", m.event_key.clone()),
    ]
}

/// A message's SEND frame, for people.
pub fn describe(target: &StompTarget, m: &Message) -> crate::Described {
    crate::Described {
        target: format!("STOMP SEND to {} via {}", target.destination, target.addresses.join(", ")),
        headers: send_headers(&target.destination, m).into_iter().map(|(n, v)| (n.to_owned(), v)).collect(),
        body: String::from_utf8_lossy(&m.body).into_owned(),
    }
}

/// One integration's connection, with the settings it was opened with.
type Slot = Arc<Mutex<Option<(StompTarget, Connection)>>>;

/// Sends over STOMP, keeping one connection per integration.
pub struct StompTransport {
    policy: TargetPolicy,
    timeout: Duration,
    connections: std::sync::Mutex<HashMap<String, Slot>>,
}

impl StompTransport {
    /// A transport whose connects and receipts wait at most `timeout`.
    pub fn new(policy: TargetPolicy, timeout: Duration) -> Self {
        Self { policy, timeout, connections: std::sync::Mutex::new(HashMap::new()) }
    }

    async fn connect(&self, target: &StompTarget) -> Result<Connection, String> {
        let mut errors = Vec::new();
        for address in &target.addresses {
            match Connection::open(address, target, self.policy, self.timeout).await {
                Ok(c) => return Ok(c),
                Err(e) => errors.push(format!("{address}: {e}")),
            }
        }
        Err(errors.join("; "))
    }
}

impl Transport for StompTransport {
    type Target = StompTarget;

    async fn deliver(&self, integration_id: &str, target: &StompTarget, messages: &[Message]) -> Vec<AttemptResult> {
        let started = Instant::now();
        let slot =
            self.connections.lock().expect("connection map lock").entry(integration_id.to_owned()).or_default().clone();
        let mut slot = slot.lock().await;
        let reusable = matches!(&*slot, Some((t, c)) if t == target && c.is_open());
        if !reusable {
            *slot = None;
            match self.connect(target).await {
                Ok(c) => *slot = Some((target.clone(), c)),
                Err(e) => {
                    return messages
                        .iter()
                        .map(|_| {
                            AttemptResult::failure(
                                FailureKind::Unreachable,
                                format!("cannot connect: {e}"),
                                started.elapsed(),
                            )
                        })
                        .collect();
                }
            }
        }
        let (_, conn) = slot.as_ref().expect("connected above");
        // Pipeline: send every frame, then wait for the receipts.
        let mut waits = Vec::with_capacity(messages.len());
        for m in messages {
            waits.push(conn.send(&target.destination, m).await);
        }
        let mut results = Vec::with_capacity(messages.len());
        let mut broken = false;
        for wait in waits {
            let r = match wait {
                Ok(rx) => match tokio::time::timeout(self.timeout, rx).await {
                    Ok(Ok(Ok(()))) => AttemptResult::success(None, Some("RECEIPT".into()), started.elapsed()),
                    Ok(Ok(Err(e))) => {
                        AttemptResult::failure(FailureKind::Rejected, format!("broker ERROR: {e}"), started.elapsed())
                    }
                    Ok(Err(_)) => {
                        broken = true;
                        AttemptResult::failure(
                            FailureKind::Unreachable,
                            "connection lost before RECEIPT",
                            started.elapsed(),
                        )
                    }
                    Err(_) => {
                        broken = true;
                        AttemptResult::failure(FailureKind::Overloaded, "no RECEIPT in time", started.elapsed())
                    }
                },
                Err(e) => {
                    broken = true;
                    AttemptResult::failure(FailureKind::Unreachable, e, started.elapsed())
                }
            };
            results.push(r);
        }
        if broken || !conn.is_open() {
            *slot = None;
        }
        results
    }
}
