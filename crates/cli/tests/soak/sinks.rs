//! What the soak's three integrations deliver to, each counting what it got: a webhook
//! receiver with faults (down for a while, 5 % answered 500, 5 % answered after 2 s), and
//! consumers of the SQS queue on moto and of the STOMP queue on RabbitMQ. Each records the
//! first receipt of an order (by the event's order id) and how many receipts there were, and
//! nothing else, so that 100,000 orders fit in a few megabytes.

use crate::support::peers::{Subscriber, sqs_client};
use axum::body::Bytes;
use axum::http::StatusCode;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Receipts at one sink.
#[derive(Default)]
pub struct Tally {
    /// First receipt of each order id.
    pub first: Mutex<HashMap<String, Instant>>,
    /// Every receipt, duplicates included.
    pub receipts: AtomicU64,
}

impl Tally {
    /// Records a delivered event body: Elastic Path's webhook body (`payload.data.id`) or a
    /// CloudEvent (`data.id`).
    fn record(&self, body: &[u8]) {
        let v = serde_json::from_slice::<Value>(body).unwrap_or(Value::Null);
        let Some(id) = v["payload"]["data"]["id"].as_str().or(v["data"]["id"].as_str()) else {
            // Not an order event the checker can read: say so, as a lost order would otherwise
            // hide here.
            eprintln!(
                "soak: a sink got a body without an order id: {}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            );
            return;
        };
        self.receipts.fetch_add(1, Ordering::Relaxed);
        self.first.lock().unwrap().entry(id.to_owned()).or_insert_with(Instant::now);
    }

    pub fn has(&self, id: &str) -> bool {
        self.first.lock().unwrap().contains_key(id)
    }
}

/// The webhook receiver. Every 20th request is answered 500 and every 20th (offset by 10)
/// after 2 s; only requests answered 200 count as received. `down` closes the listener and
/// its idle connections, as a stopped receiver does; `up` listens again on the same port.
pub struct Webhook {
    pub url: String,
    pub tally: Arc<Tally>,
    addr: String,
    counter: Arc<AtomicU64>,
    stop: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
}

impl Webhook {
    pub async fn start() -> Self {
        let port = crate::nodes::free_port();
        let addr = format!("127.0.0.1:{port}");
        let me = Self {
            url: format!("http://{addr}/hook"),
            tally: Arc::default(),
            addr,
            counter: Arc::default(),
            stop: Mutex::new(None),
        };
        me.up().await;
        me
    }

    pub async fn up(&self) {
        // The port can stay busy for a moment after `down` while connections close.
        let mut tries = 0;
        let listener = loop {
            match tokio::net::TcpListener::bind(&self.addr).await {
                Ok(l) => break l,
                Err(_) if tries < 200 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("the receiver cannot listen on {} again: {e}", self.addr),
            }
        };
        let (tally, counter) = (self.tally.clone(), self.counter.clone());
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |body: Bytes| {
                let (tally, counter) = (tally.clone(), counter.clone());
                async move {
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    match n % 20 {
                        0 => return StatusCode::INTERNAL_SERVER_ERROR,
                        10 => tokio::time::sleep(Duration::from_secs(2)).await,
                        _ => {}
                    }
                    tally.record(&body);
                    StatusCode::OK
                }
            }),
        );
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        *self.stop.lock().unwrap() = Some(tx);
    }

    pub fn down(&self) {
        if let Some(tx) = self.stop.lock().unwrap().take() {
            let _ = tx.send(());
        }
    }

    /// Requests answered so far (any status).
    pub fn requests(&self) -> u64 {
        self.counter.load(Ordering::Relaxed)
    }
}

/// Consumers that run until `stop` is set.
pub struct Consumers {
    pub stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Consumers {
    pub fn new() -> Self {
        Self { stop: Arc::default(), tasks: Vec::new() }
    }

    /// Four long-polling SQS readers on `queue_url`, deleting what they read.
    pub fn sqs(&mut self, endpoint: &str, queue_url: &str, tally: Arc<Tally>) {
        for _ in 0..4 {
            let (client, url, tally, stop) =
                (sqs_client(endpoint), queue_url.to_owned(), tally.clone(), self.stop.clone());
            self.tasks.push(tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let out = client
                        .receive_message()
                        .queue_url(&url)
                        .max_number_of_messages(10)
                        .wait_time_seconds(1)
                        .send()
                        .await;
                    let Ok(out) = out else {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    };
                    let mut batch = client.delete_message_batch().queue_url(&url);
                    for (n, m) in out.messages().iter().enumerate() {
                        tally.record(m.body().unwrap_or("").as_bytes());
                        let entry = aws_sdk_sqs::types::DeleteMessageBatchRequestEntry::builder()
                            .id(n.to_string())
                            .receipt_handle(m.receipt_handle().unwrap_or(""))
                            .build()
                            .unwrap();
                        batch = batch.entries(entry);
                    }
                    if !out.messages().is_empty() {
                        let _ = batch.send().await;
                    }
                }
            }));
        }
    }

    /// A STOMP subscriber on `destination`, reconnecting if the broker hangs up.
    pub async fn stomp(&mut self, broker: &str, destination: &str, tally: Arc<Tally>) {
        let mut sub = Subscriber::connect(broker, destination).await;
        let (broker, destination, stop) = (broker.to_owned(), destination.to_owned(), self.stop.clone());
        self.tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                match sub.next_within(Duration::from_millis(500)).await {
                    Some(f) if f.command == "MESSAGE" => tally.record(&f.body),
                    Some(_) => {}
                    None if sub.closed() => sub = Subscriber::connect(&broker, &destination).await,
                    None => {}
                }
            }
        }));
    }

    pub async fn finish(self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}
