//! The attempt recorder: one task per dispatcher that writes attempt logs and settles their
//! deliveries. Sends finish one by one (a webhook's slow answer must not hold its neighbours'
//! places); writing each on its own would cost a transaction per attempt, so the recorder takes
//! every log waiting and writes them in one transaction — the longer a write takes, the more the
//! next one carries. The queue is bounded: when the store falls behind, senders wait for room,
//! so memory stays bounded and no more work is claimed than can be recorded.
//!
//! A log that cannot be written (the database is down) is dropped with a warning: its delivery
//! stays leased to this node until the lease expires and is then sent again (at-least-once).

use crate::App;
use cartwire_store::deliveries::{AttemptOutcome, DeliveryAttempt};
use tokio::sync::mpsc;

/// Logs waiting to be written, at most (four full claim rounds' worth).
const QUEUE: usize = 1024;
/// Logs per transaction, at most.
const PER_WRITE: usize = 512;

/// One attempt's log and what it decides for its delivery.
pub(super) type Entry = (DeliveryAttempt, AttemptOutcome);

/// The sending side; cheap to clone.
#[derive(Clone)]
pub(super) struct Recorder {
    queue: mpsc::Sender<Entry>,
}

impl Recorder {
    /// Starts the task that writes for `node` (inside a Tokio runtime). It ends once every
    /// `Recorder` is dropped and the queue is written out.
    pub(super) fn start(app: App, node: String) -> Self {
        let (queue, waiting) = mpsc::channel(QUEUE);
        tokio::spawn(write_all(app, node, waiting));
        Self { queue }
    }

    /// Queues `entries`, waiting while the queue is full.
    pub(super) async fn record(&self, entries: impl IntoIterator<Item = Entry>) {
        for entry in entries {
            // Fails only once the task has ended, which it does not while `self` exists.
            if self.queue.send(entry).await.is_err() {
                tracing::warn!("the attempt recorder has stopped; the delivery will be retried after its lease");
            }
        }
    }
}

async fn write_all(app: App, node: String, mut waiting: mpsc::Receiver<Entry>) {
    let mut batch = Vec::with_capacity(PER_WRITE);
    while waiting.recv_many(&mut batch, PER_WRITE).await > 0 {
        let written = async {
            let mut tx = app.store().begin_relaxed().await?;
            tx.record_attempts(&node, &batch).await?;
            tx.commit().await
        };
        if let Err(e) = written.await {
            tracing::warn!(error = %e, count = batch.len(), "recording delivery attempts failed; leases will expire and retry");
        }
        batch.clear();
    }
}
