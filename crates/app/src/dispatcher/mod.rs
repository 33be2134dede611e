//! The dispatcher: claims due deliveries with a lease, sends them through their transport
//! without holding a transaction or a pooled connection, records every attempt, and
//! reschedules or dead-letters. Every node runs one; leases make them share the work and take
//! over a killed node's deliveries once its leases expire.
//!
//! Each integration has a window of deliveries this node holds claimed and a smaller number
//! of requests open at once. A webhook's place in the window is given back the moment its
//! answer is in, so one slow answer holds one place, not its whole claim (issue 15: with 5 % of
//! answers taking 2 s, holding the claim until its slowest answer cut a webhook's pace to
//! ~100/s). Integrations already sending are topped up on their own as places free up;
//! the rest share one claim per round. Attempts are written by the [`recorder`].

mod recorder;

use crate::messages::Target;
use crate::{App, AppError};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use cartwire_domain::delivery::{FailureKind, RetryPolicy};
use cartwire_domain::integration::Integration;
use cartwire_outbound::guard::TargetPolicy;
use cartwire_outbound::payload::RenderedEvent;
use cartwire_outbound::sqs::SqsTransport;
use cartwire_outbound::stomp::StompTransport;
use cartwire_outbound::webhook::WebhookTransport;
use cartwire_outbound::{AttemptResult, Message, Transport};
use cartwire_store::deliveries::{AttemptOutcome, ClaimScope, Delivery, DeliveryAttempt};
use futures_util::StreamExt;
use recorder::Recorder;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;
use tracing::Instrument;

/// How deliveries are made.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// Whether private / loopback targets are allowed (`--allow-private-targets`).
    pub policy: TargetPolicy,
    /// Per-attempt timeout (default 10 s).
    pub timeout: Duration,
    /// Retry schedule.
    pub retry: RetryPolicy,
    /// Most requests (webhook) or batches' messages (SQS, STOMP) open per integration on one
    /// node, so one slow receiver cannot starve the others.
    pub per_integration_concurrency: usize,
    /// Most deliveries claimed per round.
    pub batch_size: i64,
    /// How long a claim lasts before another node may take the delivery over.
    pub lease: Duration,
    /// How often to look for due work when nothing wakes the dispatcher.
    pub poll_interval: Duration,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            policy: TargetPolicy::default(),
            timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            per_integration_concurrency: 16,
            batch_size: 256,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_millis(250),
        }
    }
}

/// One node's dispatcher.
pub struct Dispatcher {
    app: App,
    node: String,
    webhook: WebhookTransport,
    sqs: SqsTransport,
    stomp: StompTransport,
    /// Deliveries held claimed, by integration (entries at zero are removed).
    inflight: Mutex<HashMap<String, usize>>,
    /// Webhook requests open, by integration: `per_integration_concurrency` permits each,
    /// shared by every claim of the integration in flight.
    open: Mutex<HashMap<String, Arc<tokio::sync::Semaphore>>>,
    /// Each integration's measured pace; forgotten after [`PACE_MEMORY`] without a measurement.
    pace: Mutex<HashMap<String, Pace>>,
    recorder: Recorder,
    store_id: String,
}

/// How long an integration's pace is kept without a new measurement: long enough that a fast
/// receiver idle for a while keeps its window, short enough that deleted integrations do not
/// accumulate.
const PACE_MEMORY: Duration = Duration::from_secs(3600);

/// What the dispatcher has measured of an integration.
#[derive(Debug, Clone, Copy)]
struct Pace {
    /// Recent seconds per delivery (an exponential moving average).
    secs: f64,
    /// The smallest window worth claiming: the open requests of a webhook, one batch (ten
    /// messages) of a transport whose calls follow one another.
    floor: usize,
    /// When it was last measured.
    at: std::time::Instant,
}

/// The messages of one SQS or STOMP batch call, the smallest window such a transport needs.
const ONE_BATCH: usize = 10;

/// A round's integrations by id (`None`: deleted since the claim).
type Integrations = HashMap<String, Option<Arc<Integration>>>;
/// A round's events by sequence number, each rendered once.
type Rendered = Arc<HashMap<i64, RenderedEvent>>;

fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

fn unit_random() -> f64 {
    let mut b = [0u8; 8];
    SystemRandom::new().fill(&mut b).expect("the system RNG works");
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

impl Dispatcher {
    /// A dispatcher for `app`'s store and delivery settings.
    pub async fn new(app: App) -> Result<Arc<Self>, AppError> {
        let cfg = app.config().delivery.clone();
        let deployment = app.deployment().await?;
        let node = format!("node-{}", uuid::Uuid::new_v4().simple());
        Ok(Arc::new(Self {
            webhook: WebhookTransport::new(cfg.policy, cfg.timeout),
            sqs: SqsTransport::new(cfg.policy, cfg.timeout),
            stomp: StompTransport::new(cfg.policy, cfg.timeout),
            inflight: Mutex::new(HashMap::new()),
            open: Mutex::new(HashMap::new()),
            pace: Mutex::new(HashMap::new()),
            recorder: Recorder::start(app.clone(), node.clone()),
            store_id: deployment.store_id,
            node,
            app,
        }))
    }

    /// This node's name in leases and attempt logs.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Runs until `shutdown` turns true.
    pub async fn run(self: Arc<Self>, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        let wakeup = self.app.store().delivery_wakeup();
        if let Err(e) = self.app.store().forward_delivery_notifications().await {
            tracing::warn!(error = %e, "cannot listen for delivery notifications; polling only");
        }
        let poll = self.app.config().delivery.poll_interval;
        loop {
            if *shutdown.borrow() {
                break;
            }
            let claimed = match self.clone().claim_round().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "claiming deliveries failed");
                    0
                }
            };
            if claimed == 0 {
                tokio::select! {
                    _ = wakeup.notified() => {}
                    _ = tokio::time::sleep(poll) => {}
                    changed = shutdown.changed() => {
                        // A dropped sender means nobody can ask for more work: stop too.
                        if changed.is_err() {
                            break;
                        }
                    }
                }
            }
        }
    }

    /// How many deliveries of `integration_id` this node may hold claimed at once: its
    /// concurrency while its pace is unknown or slow; more for a fast receiver, as many as it
    /// can be sent within a quarter of the lease (so a claimed delivery waiting for its turn
    /// is never taken over), and at most one round.
    fn window(&self, integration_id: &str) -> usize {
        let pace = self.pace.lock().expect("pace lock").get(integration_id).copied();
        window_for(pace.map(|p| (p.secs, p.floor)), &self.app.config().delivery)
    }

    /// Folds one measurement into the integration's pace: the seconds this node spends per
    /// delivery at the parallelism it sends with — an answer's time over the open requests for
    /// a webhook, a batch's time over its messages for SQS and STOMP (whose calls follow one
    /// another). Sizing SQS by its pace matters: a window of its concurrency (16) spent a
    /// claim round per two `SendMessageBatch` calls, and the long soak's SQS sink fell behind.
    ///
    /// `floor` is the smallest window for the transport. A batch transport's is one batch, not
    /// its concurrency: with calls that time out, a window of the concurrency (64 in the soak:
    /// seven 5 s calls in a row) outlasted the lease, the other node took the claim over and
    /// sent it again, and moto never recovered.
    fn note_pace(&self, integration_id: &str, secs_per_delivery: f64, floor: usize) {
        let mut pace = self.pace.lock().expect("pace lock");
        let at = std::time::Instant::now();
        let p = pace.entry(integration_id.to_owned()).or_insert(Pace { secs: secs_per_delivery, floor, at });
        // About the last fifty measurements: one slow answer moves the window a little, a run
        // of them shrinks it.
        p.secs = 0.96 * p.secs + 0.04 * secs_per_delivery;
        p.floor = floor;
        p.at = at;
    }

    /// The places an integration sending `n` deliveries has free, when worth a claim: at least
    /// a quarter of its window (a slow receiver is not claimed for one place at a time).
    fn room(&self, integration_id: &str, n: usize) -> Option<usize> {
        let window = self.window(integration_id);
        let room = window.saturating_sub(n);
        (room >= (window / 4).max(1)).then_some(room)
    }

    /// Gives back `k` places of `integration_id`; wakes the claim loop once a top-up is worth it.
    fn done(&self, integration_id: &str, k: usize) {
        let mut inflight = self.inflight.lock().expect("inflight lock");
        let Some(n) = inflight.get_mut(integration_id) else { return };
        *n = n.saturating_sub(k);
        let n = *n;
        if n == 0 {
            inflight.remove(integration_id);
            // Nothing of it is being sent: its open-request permits can go (the next claim
            // makes new ones), and so can paces not measured for a long time.
            self.open.lock().expect("open lock").remove(integration_id);
            self.pace.lock().expect("pace lock").retain(|_, p| p.at.elapsed() < PACE_MEMORY);
        }
        drop(inflight);
        if n == 0 || self.room(integration_id, n).is_some() {
            self.app.store().delivery_wakeup().notify_one();
        }
    }

    /// Claims one batch and starts sending it; returns how many deliveries it claimed.
    pub async fn claim_round(self: Arc<Self>) -> Result<usize, AppError> {
        let cfg = &self.app.config().delivery;
        let sending: Vec<(String, usize)> =
            self.inflight.lock().expect("inflight lock").iter().map(|(k, n)| (k.clone(), *n)).collect();
        let busy: Vec<String> = sending.iter().map(|(k, _)| k.clone()).collect();
        let now = now_ms();
        let lease_until = now + cfg.lease.as_millis() as i64;
        let mut tx = self.app.store().begin_relaxed().await?;
        // Integrations with nothing in flight share one claim; what exceeds an integration's
        // window is released below (once, as it starts sending).
        let mut claimed =
            tx.claim_deliveries(&self.node, now, lease_until, cfg.batch_size.max(1), ClaimScope::Except(&busy)).await?;
        // Integrations already sending are topped up to their window, each on its own.
        for (id, n) in &sending {
            if let Some(room) = self.room(id, *n) {
                claimed.extend(
                    tx.claim_deliveries(&self.node, now, lease_until, room as i64, ClaimScope::Only(id)).await?,
                );
            }
        }
        tx.commit().await?;
        let count = claimed.len();
        let mut groups: HashMap<String, Vec<Delivery>> = HashMap::new();
        for d in claimed {
            groups.entry(d.integration_id.clone()).or_default().push(d);
        }
        let mut release = Vec::new();
        let mut sendable = Vec::new();
        for (integration_id, mut deliveries) in groups {
            let window = self.window(&integration_id);
            let room = {
                let mut inflight = self.inflight.lock().expect("inflight lock");
                let n = inflight.entry(integration_id.clone()).or_default();
                let room = window.saturating_sub(*n).min(deliveries.len());
                *n += room;
                room
            };
            release.extend(deliveries.split_off(room));
            if !deliveries.is_empty() {
                sendable.push((integration_id, deliveries));
            }
        }
        // One read for the round: every integration and every event it carries, each event
        // rendered once however many integrations observe it. On a failure the claimed
        // deliveries are left to their leases, and their places in flight are given back.
        let prepared = async {
            self.release(&release).await?;
            self.prepare(&sendable).await
        };
        let (integrations, events) = match prepared.await {
            Ok(p) => p,
            Err(e) => {
                self.forget_inflight(&sendable);
                return Err(e);
            }
        };
        for (integration_id, deliveries) in sendable {
            let integration = integrations.get(&integration_id).cloned().flatten();
            let this = self.clone();
            let events = events.clone();
            let span = tracing::info_span!("deliver", integration_id = %integration_id, count = deliveries.len());
            tokio::spawn(
                async move {
                    let n = deliveries.len();
                    // Places are given back as answers come in; what is left (a failure before
                    // sending) is given back here.
                    let unsent = this.deliver_group(&integration_id, integration, deliveries, &events).await;
                    match unsent {
                        Ok(0) => {}
                        Ok(k) => this.done(&integration_id, k),
                        Err(e) => {
                            tracing::warn!(error = %e, "delivery round failed; leases will expire and retry");
                            this.done(&integration_id, n);
                        }
                    }
                }
                .instrument(span),
            );
        }
        Ok(count)
    }

    /// Hands claimed deliveries back unspent.
    async fn release(&self, deliveries: &[Delivery]) -> Result<(), AppError> {
        if deliveries.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = deliveries.iter().map(|d| d.id.clone()).collect();
        let mut tx = self.app.store().begin_relaxed().await?;
        tx.release_deliveries(&ids, &self.node).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reads the integrations and events of a round and renders each event once.
    async fn prepare(&self, sendable: &[(String, Vec<Delivery>)]) -> Result<(Integrations, Rendered), AppError> {
        if sendable.is_empty() {
            return Ok((HashMap::new(), Arc::new(HashMap::new())));
        }
        let mut tx = self.app.store().read_for_delivery().await?;
        let mut integrations = HashMap::with_capacity(sendable.len());
        for (id, _) in sendable {
            integrations.insert(id.clone(), tx.integration(id).await?.map(Arc::new));
        }
        let mut seqs: Vec<i64> = sendable.iter().flat_map(|(_, ds)| ds.iter().map(|d| d.event_seq)).collect();
        seqs.sort_unstable();
        seqs.dedup();
        let stored = tx.events_by_seq(&seqs).await?;
        tx.commit().await?;
        let rendered = stored.iter().map(|e| (e.seq, crate::messages::render(e))).collect();
        Ok((integrations, Arc::new(rendered)))
    }

    /// Gives back the in-flight places of deliveries that will not be sent this round (their
    /// leases expire and they are claimed again).
    fn forget_inflight(&self, sendable: &[(String, Vec<Delivery>)]) {
        for (id, ds) in sendable {
            self.done(id, ds.len());
        }
    }

    /// Sends one integration's share of a round and queues its attempts for the recorder;
    /// returns how many of its places are still to be given back.
    async fn deliver_group(
        &self,
        integration_id: &str,
        integration: Option<Arc<Integration>>,
        deliveries: Vec<Delivery>,
        events: &HashMap<i64, RenderedEvent>,
    ) -> Result<usize, AppError> {
        let Some(integration) = integration.filter(|i| i.enabled) else {
            // Disabled or deleted between the claim and now: hand the deliveries back unspent
            // (the claim skips disabled integrations, so they wait until it is enabled again).
            self.release(&deliveries).await?;
            return Ok(deliveries.len());
        };
        let source = &self.app.config().public_base_url;
        let mut messages = Vec::with_capacity(deliveries.len());
        let mut unrenderable = Vec::new();
        for d in deliveries {
            let Some(e) = events.get(&d.event_seq) else {
                unrenderable.push((d, "the event is missing from the outbox".to_owned()));
                continue;
            };
            match crate::messages::message(&integration, e, &d, d.attempts + 1, source, &self.store_id) {
                Some(m) => messages.push((d, m)),
                None => unrenderable.push((d, "the event exceeds 256 KiB even without included resources".into())),
            }
        }
        let dead: Vec<_> = unrenderable
            .iter()
            .map(|(d, why)| {
                let result = AttemptResult::failure(FailureKind::Rejected, why.clone(), Duration::ZERO);
                // No attempt can ever succeed: dead-letter at once.
                self.attempt_log(d, &result, AttemptOutcome::Dead)
            })
            .collect();
        self.recorder.record(dead).await;
        self.done(integration_id, unrenderable.len());
        match Target::of(&integration) {
            Target::Webhook(t) => {
                let open = self.open_requests(integration_id);
                let concurrency = self.app.config().delivery.per_integration_concurrency.max(1);
                let sends = messages.into_iter().map(|(d, m)| {
                    let (open, t) = (open.clone(), &t);
                    async move {
                        let _open = open.acquire_owned().await.expect("the semaphore is never closed");
                        let result = self.webhook.send(t, &m).await;
                        (d, result)
                    }
                });
                let mut answers = futures_util::stream::iter(sends).buffer_unordered(concurrency);
                while let Some((d, result)) = answers.next().await {
                    self.note_pace(integration_id, result.duration.as_secs_f64() / concurrency as f64, concurrency);
                    self.count(&integration, &result);
                    let log = self.attempt_log(&d, &result, self.outcome(&d, &result));
                    self.recorder.record([log]).await;
                    self.done(integration_id, 1);
                }
            }
            target => {
                // SQS and STOMP send a claim as batches (one call per ten messages, one receipt
                // window): its places come back together.
                let batch: Vec<Message> = messages.iter().map(|(_, m)| m.clone()).collect();
                let started = std::time::Instant::now();
                let results = match target {
                    Target::Sqs(t) => self.sqs.deliver(integration_id, &t, &batch).await,
                    Target::Stomp(t) => self.stomp.deliver(integration_id, &t, &batch).await,
                    Target::Webhook(_) => unreachable!("matched above"),
                };
                if !batch.is_empty() {
                    self.note_pace(integration_id, started.elapsed().as_secs_f64() / batch.len() as f64, ONE_BATCH);
                }
                let logs: Vec<_> = messages
                    .iter()
                    .zip(results)
                    .map(|((d, _), result)| {
                        self.count(&integration, &result);
                        self.attempt_log(d, &result, self.outcome(d, &result))
                    })
                    .collect();
                let k = logs.len();
                self.recorder.record(logs).await;
                self.done(integration_id, k);
            }
        }
        Ok(0)
    }

    /// The integration's open-request permits.
    fn open_requests(&self, integration_id: &str) -> Arc<tokio::sync::Semaphore> {
        let concurrency = self.app.config().delivery.per_integration_concurrency.max(1);
        let mut open = self.open.lock().expect("open lock");
        open.entry(integration_id.to_owned())
            .or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(concurrency)))
            .clone()
    }

    fn count(&self, integration: &Integration, r: &AttemptResult) {
        let kind = integration.config.integration_type().as_str();
        let outcome = if r.succeeded { "succeeded" } else { "failed" };
        metrics::counter!("cartwire_delivery_attempts_total", "integration_type" => kind, "outcome" => outcome)
            .increment(1);
        metrics::histogram!("cartwire_delivery_attempt_seconds", "integration_type" => kind)
            .record(r.duration.as_secs_f64());
    }

    fn outcome(&self, d: &Delivery, result: &AttemptResult) -> AttemptOutcome {
        if result.succeeded {
            return AttemptOutcome::Succeeded;
        }
        let used = (d.attempts + 1 - d.attempts_base).max(1) as u32;
        let kind = result.failure.unwrap_or(FailureKind::Rejected);
        match self.app.config().delivery.retry.next_delay(used, kind, result.retry_after, unit_random()) {
            Some(delay) => AttemptOutcome::RetryAt(now_ms() + delay.as_millis() as i64),
            None => AttemptOutcome::Dead,
        }
    }

    fn attempt_log(
        &self,
        d: &Delivery,
        result: &AttemptResult,
        outcome: AttemptOutcome,
    ) -> (DeliveryAttempt, AttemptOutcome) {
        let attempt = d.attempts + 1;
        match &outcome {
            AttemptOutcome::Succeeded => tracing::debug!(job_id = %d.id, attempt, "delivered"),
            AttemptOutcome::RetryAt(_) => {
                tracing::info!(job_id = %d.id, attempt, error = ?result.error_detail, status = ?result.status_code, "delivery failed; will retry")
            }
            AttemptOutcome::Dead => {
                metrics::counter!("cartwire_deliveries_dead_total").increment(1);
                tracing::warn!(job_id = %d.id, attempt, error = ?result.error_detail, "delivery dead-lettered")
            }
        }
        let log = DeliveryAttempt {
            id: uuid::Uuid::now_v7().to_string(),
            delivery_id: d.id.clone(),
            integration_id: d.integration_id.clone(),
            attempt,
            started_at: OffsetDateTime::now_utc() - result.duration,
            duration_ms: result.duration.as_millis() as i64,
            succeeded: result.succeeded,
            status_code: result.status_code.map(i64::from),
            error_detail: result.error_detail.clone(),
            body: result.body_excerpt.clone(),
            node: self.node.clone(),
        };
        (log, outcome)
    }
}

/// The window of an integration whose pace (seconds per delivery, smallest window) is `pace`,
/// if known; its concurrency while unknown.
fn window_for(pace: Option<(f64, usize)>, cfg: &DeliveryConfig) -> usize {
    let concurrency = cfg.per_integration_concurrency.max(1);
    let Some((secs, floor)) = pace else { return concurrency };
    let floor = floor.max(1);
    let sendable = (cfg.lease.as_secs_f64() / 4.0) / secs.max(1e-5);
    (sendable as usize).clamp(floor, (cfg.batch_size.max(1) as usize).max(floor))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> DeliveryConfig {
        DeliveryConfig {
            per_integration_concurrency: 16,
            batch_size: 256,
            lease: Duration::from_secs(40),
            ..Default::default()
        }
    }

    #[test]
    fn an_unknown_or_slow_pace_keeps_the_window_at_the_concurrency() {
        assert_eq!(window_for(None, &config()), 16);
        // A webhook answering in 2 s with 16 open requests: 0.125 s per delivery, 80 within
        // a quarter of the lease; one answering in 10 s: 5, raised to the concurrency.
        assert_eq!(window_for(Some((2.0 / 16.0, 16)), &config()), 80);
        assert_eq!(window_for(Some((10.0 / 16.0, 16)), &config()), 16);
    }

    #[test]
    fn a_slow_batch_transport_shrinks_to_one_batch_so_a_claim_fits_its_lease() {
        // The soak's settings: 64 at once, a 15 s lease; SQS calls of ten timing out after 5 s
        // (0.5 s a message): 7 would fit a quarter of the lease, so one batch, not 64.
        let soak = DeliveryConfig { per_integration_concurrency: 64, lease: Duration::from_secs(15), ..config() };
        assert_eq!(window_for(Some((0.5, ONE_BATCH)), &soak), ONE_BATCH);
        assert_eq!(window_for(Some((0.5, 64)), &soak), 64, "a webhook keeps its open requests");
    }

    #[test]
    fn a_fast_pace_widens_the_window_up_to_one_round() {
        // An SQS queue taking 20 ms per call of ten: 2 ms per delivery, 5,000 within a quarter
        // of the lease, so one round's 256.
        assert_eq!(window_for(Some((0.002, ONE_BATCH)), &config()), 256);
        assert_eq!(window_for(Some((0.0, ONE_BATCH)), &config()), 256);
        let wide = DeliveryConfig { per_integration_concurrency: 512, ..config() };
        assert_eq!(window_for(Some((0.002, 512)), &wide), 512, "never below a webhook's open requests");
    }
}
