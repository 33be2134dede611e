//! The dispatcher: claims due deliveries with a lease, sends them through their transport
//! without holding a transaction or a pooled connection, records every attempt, and
//! reschedules or dead-letters. Every node runs one; leases make them share the work and take
//! over a killed node's deliveries once its leases expire.

use crate::messages::Target;
use crate::{App, AppError};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use cartwire_domain::delivery::{FailureKind, RetryPolicy};
use cartwire_domain::integration::{Integration, IntegrationConfig};
use cartwire_outbound::guard::TargetPolicy;
use cartwire_outbound::payload::RenderedEvent;
use cartwire_outbound::sqs::SqsTransport;
use cartwire_outbound::stomp::StompTransport;
use cartwire_outbound::webhook::WebhookTransport;
use cartwire_outbound::{AttemptResult, Message, Transport};
use cartwire_store::deliveries::{AttemptOutcome, Delivery, DeliveryAttempt};
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
    /// Most deliveries in flight per integration on one node, so one slow receiver cannot
    /// starve the others.
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
    inflight: Mutex<HashMap<String, usize>>,
    /// Recent seconds per attempt, by integration (an exponential moving average).
    pace: Mutex<HashMap<String, f64>>,
    store_id: String,
}

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
        Ok(Arc::new(Self {
            node: format!("node-{}", uuid::Uuid::new_v4().simple()),
            webhook: WebhookTransport::new(cfg.policy, cfg.timeout).with_concurrency(cfg.per_integration_concurrency),
            sqs: SqsTransport::new(cfg.policy, cfg.timeout),
            stomp: StompTransport::new(cfg.policy, cfg.timeout),
            inflight: Mutex::new(HashMap::new()),
            pace: Mutex::new(HashMap::new()),
            store_id: deployment.store_id,
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
        let cfg = &self.app.config().delivery;
        let concurrency = cfg.per_integration_concurrency.max(1);
        let Some(pace) = self.pace.lock().expect("pace lock").get(integration_id).copied() else {
            return concurrency;
        };
        let sendable = concurrency as f64 * (cfg.lease.as_secs_f64() / 4.0) / pace.max(1e-4);
        (sendable as usize).clamp(concurrency, (cfg.batch_size.max(1) as usize).max(concurrency))
    }

    fn note_pace(&self, integration_id: &str, results: &[AttemptResult]) {
        if results.is_empty() {
            return;
        }
        let mean = results.iter().map(|r| r.duration.as_secs_f64()).sum::<f64>() / results.len() as f64;
        let mut pace = self.pace.lock().expect("pace lock");
        let p = pace.entry(integration_id.to_owned()).or_insert(mean);
        *p = 0.7 * *p + 0.3 * mean;
    }

    /// Claims one batch and starts sending it; returns how many deliveries it claimed.
    pub async fn claim_round(self: Arc<Self>) -> Result<usize, AppError> {
        let cfg = &self.app.config().delivery;
        let inflight_now: Vec<(String, usize)> =
            self.inflight.lock().expect("inflight lock").iter().map(|(k, n)| (k.clone(), *n)).collect();
        let saturated: Vec<String> =
            inflight_now.into_iter().filter(|(k, n)| *n >= self.window(k)).map(|(k, _)| k).collect();
        let now = now_ms();
        let mut tx = self.app.store().begin_relaxed().await?;
        let claimed = tx
            // Across every integration in one statement; what exceeds an integration's window
            // is released below.
            .claim_deliveries(&self.node, now, now + cfg.lease.as_millis() as i64, cfg.batch_size.max(1), &saturated)
            .await?;
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
                    if let Err(e) = this.deliver_group(integration, deliveries, &events).await {
                        tracing::warn!(error = %e, "delivery round failed; leases will expire and retry");
                    }
                    let mut inflight = this.inflight.lock().expect("inflight lock");
                    if let Some(c) = inflight.get_mut(&integration_id) {
                        *c -= n;
                    }
                    drop(inflight);
                    this.app.store().delivery_wakeup().notify_one();
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
        let mut tx = self.app.store().begin_relaxed().await?;
        for d in deliveries {
            tx.release_delivery(&d.id, &self.node).await?;
        }
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
        let mut inflight = self.inflight.lock().expect("inflight lock");
        for (id, ds) in sendable {
            if let Some(c) = inflight.get_mut(id) {
                *c -= ds.len();
            }
        }
    }

    async fn deliver_group(
        &self,
        integration: Option<Arc<Integration>>,
        deliveries: Vec<Delivery>,
        events: &HashMap<i64, RenderedEvent>,
    ) -> Result<(), AppError> {
        let Some(integration) = integration.filter(|i| i.enabled) else {
            // Disabled or deleted between the claim and now: hand the deliveries back unspent
            // (the claim skips disabled integrations, so they wait until it is enabled again).
            return self.release(&deliveries).await;
        };
        let source = &self.app.config().public_base_url;
        let mut messages = Vec::with_capacity(deliveries.len());
        let mut unrenderable = Vec::new();
        for d in &deliveries {
            let Some(e) = events.get(&d.event_seq) else {
                unrenderable.push((d.clone(), "the event is missing from the outbox".to_owned()));
                continue;
            };
            match crate::messages::message(&integration, e, d, d.attempts + 1, source, &self.store_id) {
                Some(m) => messages.push((d.clone(), m)),
                None => {
                    unrenderable.push((d.clone(), "the event exceeds 256 KiB even without included resources".into()))
                }
            }
        }
        let batch: Vec<Message> = messages.iter().map(|(_, m)| m.clone()).collect();
        let results = self.send(&integration, &batch).await;
        // Only the webhook transport bounds its requests within a batch (`with_concurrency`);
        // SQS and STOMP keep a window of their concurrency, so no pace is noted for them.
        if matches!(integration.config, IntegrationConfig::Webhook { .. }) {
            self.note_pace(&integration.id, &results);
        }
        let kind = integration.config.integration_type().as_str();
        for r in &results {
            let outcome = if r.succeeded { "succeeded" } else { "failed" };
            metrics::counter!("cartwire_delivery_attempts_total", "integration_type" => kind, "outcome" => outcome)
                .increment(1);
            metrics::histogram!("cartwire_delivery_attempt_seconds", "integration_type" => kind)
                .record(r.duration.as_secs_f64());
        }
        let mut logs: Vec<(DeliveryAttempt, AttemptOutcome)> = messages
            .iter()
            .zip(results)
            .map(|((d, _), result)| {
                let outcome = self.outcome(d, &result);
                self.attempt_log(d, &result, outcome)
            })
            .collect();
        for (d, why) in unrenderable {
            let result = AttemptResult::failure(FailureKind::Rejected, why, Duration::ZERO);
            // No attempt can ever succeed: dead-letter at once.
            logs.push(self.attempt_log(&d, &result, AttemptOutcome::Dead));
        }
        let mut tx = self.app.store().begin_relaxed().await?;
        tx.record_attempts(&self.node, &logs).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn send(&self, integration: &Integration, batch: &[Message]) -> Vec<AttemptResult> {
        match Target::of(integration) {
            Target::Webhook(t) => self.webhook.deliver(&integration.id, &t, batch).await,
            Target::Sqs(t) => self.sqs.deliver(&integration.id, &t, batch).await,
            Target::Stomp(t) => self.stomp.deliver(&integration.id, &t, batch).await,
        }
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
