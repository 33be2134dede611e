//! The delivery queue: one delivery (an Elastic Path "job") per event and observing
//! integration, claimed with expiring leases so any number of nodes share the work and a killed
//! node's deliveries are taken over; one attempt row per try.

use crate::codec::{flag, get_bool, get_i64, get_opt_str, get_str, get_ts, ts};
use crate::integrations::observes_sql;
use crate::sql::Row;
use crate::{Backend, StoreError, Tx};
use time::OffsetDateTime;

/// SQL for a new job id from the epoch milliseconds in parameter `ms`: UUIDv7-shaped (the
/// commit's milliseconds first, then random bits), so the primary-key index grows at its right
/// edge instead of at random pages.
pub(crate) fn job_id_sql(backend: Backend, ms: &str) -> String {
    match backend {
        Backend::Postgres => format!(
            "lpad(to_hex({ms} >> 16), 8, '0') || '-' || lpad(to_hex({ms} & 65535), 4, '0') || '-7' \
             || substr(md5(random()::text), 1, 3) || '-' || substr('89ab', 1 + floor(random() * 4)::int, 1) \
             || substr(md5(random()::text), 1, 3) || '-' || substr(md5(random()::text), 1, 12)"
        ),
        Backend::Sqlite => format!(
            "lower(printf('%08x-%04x-7', {ms} >> 16, {ms} & 65535) || substr(hex(randomblob(2)), 2) || '-' \
             || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
        ),
    }
}

/// Delivery states.
pub mod status {
    /// Waiting for its next attempt.
    pub const PENDING: &str = "pending";
    /// Delivered.
    pub const SUCCEEDED: &str = "succeeded";
    /// Gave up after the last attempt (a dead letter).
    pub const DEAD: &str = "dead";
}

/// Whose deliveries a claim takes.
#[derive(Debug, Clone, Copy)]
pub enum ClaimScope<'a> {
    /// Every integration's but these (at their limit of deliveries in flight, or topped up on
    /// their own).
    Except(&'a [String]),
    /// One integration's (read in order from the `deliveries_pending` index).
    Only(&'a str),
}

/// A delivery as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Job id: stable across attempts, sent to the receiver.
    pub id: String,
    /// The event's position in the outbox.
    pub event_seq: i64,
    /// The event's id.
    pub event_id: String,
    /// The event key.
    pub event_key: String,
    /// The resource the event is about (the ordering key).
    pub resource_id: String,
    /// The integration.
    pub integration_id: String,
    /// Delivered in order per resource.
    pub ordered: bool,
    /// `pending`, `succeeded` or `dead`.
    pub status: String,
    /// Attempts made so far.
    pub attempts: i64,
    /// Attempts made before the last manual retry / replay.
    pub attempts_base: i64,
    /// When the next attempt is due (epoch ms).
    pub next_attempt_at: i64,
    /// The last failure.
    pub last_error: Option<String>,
    /// When the delivery was created.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
}

/// One attempt, as logged.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryAttempt {
    /// Log id.
    pub id: String,
    /// The delivery (job).
    pub delivery_id: String,
    /// The integration.
    pub integration_id: String,
    /// 1-based attempt number.
    pub attempt: i64,
    /// When it started.
    pub started_at: OffsetDateTime,
    /// How long it took.
    pub duration_ms: i64,
    /// Whether it succeeded.
    pub succeeded: bool,
    /// HTTP status of the receiver, when there was one.
    pub status_code: Option<i64>,
    /// Why it failed.
    pub error_detail: Option<String>,
    /// The first 4 KiB of the receiver's answer.
    pub body: Option<String>,
    /// The node that made it.
    pub node: String,
}

/// What to do with a delivery after an attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum AttemptOutcome {
    /// Delivered.
    Succeeded,
    /// Try again at this time (epoch ms).
    RetryAt(i64),
    /// No attempts left.
    Dead,
}

/// Filters for listing deliveries.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    /// Only this integration.
    pub integration_id: Option<String>,
    /// Only deliveries of events about this resource (with `integration_id`, the
    /// `deliveries_order` index answers it).
    pub resource_id: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Created at or after (RFC 3339 compares as text in UTC).
    pub from: Option<OffsetDateTime>,
    /// Created before.
    pub to: Option<OffsetDateTime>,
}

fn delivery_from(row: &Row) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        id: get_str(row, "id")?,
        event_seq: get_i64(row, "event_seq")?,
        event_id: get_str(row, "event_id")?,
        event_key: get_str(row, "event_key")?,
        resource_id: get_str(row, "resource_id")?,
        integration_id: get_str(row, "integration_id")?,
        ordered: get_bool(row, "ordered")?,
        status: get_str(row, "status")?,
        attempts: get_i64(row, "attempts")?,
        attempts_base: get_i64(row, "attempts_base")?,
        next_attempt_at: get_i64(row, "next_attempt_at")?,
        last_error: get_opt_str(row, "last_error")?,
        created_at: get_ts(row, "created_at")?,
        updated_at: get_ts(row, "updated_at")?,
    })
}

fn attempt_from(row: &Row) -> Result<DeliveryAttempt, StoreError> {
    Ok(DeliveryAttempt {
        id: get_str(row, "id")?,
        delivery_id: get_str(row, "delivery_id")?,
        integration_id: get_str(row, "integration_id")?,
        attempt: get_i64(row, "attempt")?,
        started_at: get_ts(row, "started_at")?,
        duration_ms: get_i64(row, "duration_ms")?,
        succeeded: get_bool(row, "succeeded")?,
        status_code: row.get::<Option<i64>>("status_code")?,
        error_detail: get_opt_str(row, "error_detail")?,
        body: get_opt_str(row, "body")?,
        node: get_str(row, "node")?,
    })
}

impl Tx {
    /// Creates one pending delivery per enabled integration observing `key`; called in the
    /// transaction that appends the event, so the event and its deliveries commit together.
    pub(crate) async fn fan_out(
        &mut self,
        seq: i64,
        event_id: &str,
        key: &str,
        resource_id: &str,
        now: OffsetDateTime,
    ) -> Result<usize, StoreError> {
        // One statement, whatever the number of observers.
        let (uuid, observes) = (job_id_sql(self.backend, "$5"), observes_sql(self.backend, "$7"));
        let now_ms = crate::codec::epoch_ms(now);
        let sql = format!(
            "INSERT INTO deliveries (id, event_seq, event_id, event_key, resource_id, integration_id, ordered, status, \
             attempts, attempts_base, next_attempt_at, lease_owner, lease_until, last_error, created_at, updated_at) \
             SELECT {uuid}, $1, $2, $3, $4, id, ordered_delivery, 'pending', 0, 0, $5, NULL, NULL, NULL, $6, $6 \
             FROM integrations WHERE enabled = 1 AND {observes}"
        );
        let created = crate::sql::query(sql)
            .bind(seq)
            .bind(event_id)
            .bind(key)
            .bind(resource_id)
            .bind(now_ms)
            .bind(ts(now))
            .bind(format!("|{key}|"))
            .execute(self.conn())
            .await?
            .rows_affected() as usize;
        self.new_deliveries += created;
        Ok(created)
    }

    /// Leases up to `limit` due deliveries to `node` until `lease_until` (epoch ms), of the
    /// integrations `scope` names, skipping disabled integrations (their deliveries wait,
    /// spending no attempts) and, for ordered integrations, deliveries with an earlier
    /// undelivered event for the same resource.
    pub async fn claim_deliveries(
        &mut self,
        node: &str,
        now_ms: i64,
        lease_until: i64,
        limit: i64,
        scope: ClaimScope<'_>,
    ) -> Result<Vec<Delivery>, StoreError> {
        let mut scoped = String::new();
        let ids: Vec<&str> = match scope {
            ClaimScope::Except(exclude) => {
                for i in 0..exclude.len() {
                    scoped.push_str(if i == 0 { " AND d.integration_id NOT IN (" } else { ", " });
                    scoped.push_str(&format!("${}", i + 5));
                }
                if !exclude.is_empty() {
                    scoped.push(')');
                }
                exclude.iter().map(String::as_str).collect()
            }
            ClaimScope::Only(id) => {
                scoped.push_str(" AND d.integration_id = $5");
                vec![id]
            }
        };
        let lock = if self.backend == Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
        let sql = format!(
            "UPDATE deliveries SET lease_owner = $1, lease_until = $2 WHERE id IN (\
               SELECT d.id FROM deliveries d \
               WHERE d.status = 'pending' AND d.next_attempt_at <= $3 \
                 AND (d.lease_until IS NULL OR d.lease_until < $3){scoped} \
                 AND EXISTS (SELECT 1 FROM integrations i WHERE i.id = d.integration_id AND i.enabled = 1) \
                 AND (d.ordered = 0 OR NOT EXISTS (SELECT 1 FROM deliveries e \
                      WHERE e.integration_id = d.integration_id AND e.resource_id = d.resource_id \
                        AND e.event_seq < d.event_seq AND e.status = 'pending')) \
               ORDER BY d.next_attempt_at, d.event_seq LIMIT $4{lock}) \
             RETURNING *"
        );
        let mut q = crate::sql::query(sql).bind(node).bind(lease_until).bind(now_ms).bind(limit);
        for id in ids {
            q = q.bind(id.to_owned());
        }
        let rows = q.fetch_all(self.conn()).await?;
        let mut out: Vec<Delivery> = rows.iter().map(delivery_from).collect::<Result<_, _>>()?;
        out.sort_by_key(|d| (d.next_attempt_at, d.event_seq));
        Ok(out)
    }

    /// Gives claimed deliveries back without an attempt (those `node` still holds).
    pub async fn release_deliveries(&mut self, ids: &[String], node: &str) -> Result<(), StoreError> {
        for chunk in ids.chunks(crate::sql::MAX_BATCH) {
            let sql = format!(
                "UPDATE deliveries SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1 AND id IN ({})",
                crate::sql::marks(2, chunk.len())
            );
            let mut q = crate::sql::query(sql).bind(node.to_owned());
            for id in chunk {
                q = q.bind(id.clone());
            }
            q.execute(self.conn()).await?;
        }
        Ok(())
    }

    /// Logs attempts and moves their deliveries on, in one round trip per kind of change. A
    /// delivery changes state only while `node` still holds its lease (a node that lost it to a
    /// takeover records its attempt but decides nothing).
    pub async fn record_attempts(
        &mut self,
        node: &str,
        results: &[(DeliveryAttempt, AttemptOutcome)],
    ) -> Result<(), StoreError> {
        if results.is_empty() {
            return Ok(());
        }
        const COLS: usize = 11;
        for chunk in results.chunks(crate::sql::MAX_BATCH) {
            let values: Vec<String> =
                (0..chunk.len()).map(|r| format!("({})", crate::sql::marks(r * COLS + 1, COLS))).collect();
            let sql = format!(
                "INSERT INTO delivery_attempts (id, delivery_id, integration_id, attempt, started_at, duration_ms, \
                 succeeded, status_code, error_detail, body, node) VALUES {}",
                values.join(", ")
            );
            let mut q = crate::sql::query(sql);
            for (a, _) in chunk {
                q = q
                    .bind(a.id.clone())
                    .bind(a.delivery_id.clone())
                    .bind(a.integration_id.clone())
                    .bind(a.attempt)
                    .bind(ts(a.started_at))
                    .bind(a.duration_ms)
                    .bind(flag(a.succeeded))
                    .bind(a.status_code)
                    .bind(a.error_detail.clone())
                    .bind(a.body.clone())
                    .bind(node.to_owned());
            }
            q.execute(self.conn()).await?;
        }
        let now = ts(OffsetDateTime::now_utc());
        let succeeded: Vec<&str> = results
            .iter()
            .filter(|(_, o)| *o == AttemptOutcome::Succeeded)
            .map(|(a, _)| a.delivery_id.as_str())
            .collect();
        for chunk in succeeded.chunks(crate::sql::MAX_BATCH) {
            let sql = format!(
                "UPDATE deliveries SET status = 'succeeded', attempts = attempts + 1, last_error = NULL, \
                 lease_owner = NULL, lease_until = NULL, updated_at = $1 \
                 WHERE lease_owner = $2 AND status = 'pending' AND id IN ({})",
                crate::sql::marks(3, chunk.len())
            );
            let mut q = crate::sql::query(sql).bind(now.clone()).bind(node.to_owned());
            for id in chunk {
                q = q.bind(id.to_string());
            }
            q.execute(self.conn()).await?;
        }
        for (a, outcome) in results.iter().filter(|(_, o)| *o != AttemptOutcome::Succeeded) {
            let (status, next) = match outcome {
                AttemptOutcome::RetryAt(at) => (status::PENDING, *at),
                _ => (status::DEAD, 0),
            };
            crate::sql::query(
                "UPDATE deliveries SET status = $1, next_attempt_at = $2, attempts = $3, last_error = $4, \
                 lease_owner = NULL, lease_until = NULL, updated_at = $5 \
                 WHERE id = $6 AND lease_owner = $7 AND status = 'pending'",
            )
            .bind(status)
            .bind(next)
            .bind(a.attempt)
            .bind(a.error_detail.as_deref())
            .bind(now.clone())
            .bind(&a.delivery_id)
            .bind(node)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// One delivery.
    pub async fn delivery(&mut self, id: &str) -> Result<Option<Delivery>, StoreError> {
        let row =
            crate::sql::query("SELECT * FROM deliveries WHERE id = $1").bind(id).fetch_optional(self.conn()).await?;
        row.as_ref().map(delivery_from).transpose()
    }

    /// Deliveries matching `f`, newest first, after skipping `offset`, at most `limit`; and the
    /// total count.
    pub async fn deliveries(
        &mut self,
        f: &DeliveryFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Delivery>, i64), StoreError> {
        let (where_sql, binds) = delivery_where(f);
        let count_sql = format!("SELECT COUNT(*) AS n FROM deliveries{where_sql}");
        let mut q = crate::sql::query(count_sql);
        for b in &binds {
            q = q.bind(b.clone());
        }
        let total = get_i64(&q.fetch_one(self.conn()).await?, "n")?;
        let n = binds.len();
        let sql = format!(
            "SELECT * FROM deliveries{where_sql} ORDER BY created_at DESC, id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let mut q = crate::sql::query(sql);
        for b in &binds {
            q = q.bind(b.clone());
        }
        let rows = q.bind(limit).bind(offset).fetch_all(self.conn()).await?;
        Ok((rows.iter().map(delivery_from).collect::<Result<_, _>>()?, total))
    }

    /// Makes matching deliveries due now with a fresh retry budget (manual retry, replay,
    /// dead-letter redrive). Returns how many.
    pub async fn requeue_deliveries(&mut self, f: &DeliveryFilter, id: Option<&str>) -> Result<u64, StoreError> {
        let (mut where_sql, mut binds) = delivery_where(f);
        if let Some(id) = id {
            binds.push(id.to_owned());
            where_sql.push_str(if where_sql.is_empty() { " WHERE " } else { " AND " });
            where_sql.push_str(&format!("id = ${}", binds.len()));
        }
        let n = binds.len();
        let sql = format!(
            "UPDATE deliveries SET status = 'pending', attempts_base = attempts, next_attempt_at = ${}, \
             lease_owner = NULL, lease_until = NULL, updated_at = ${}{where_sql}",
            n + 1,
            n + 2
        );
        let mut q = crate::sql::query(sql);
        for b in &binds {
            q = q.bind(b.clone());
        }
        let now = OffsetDateTime::now_utc();
        let rows = q.bind(crate::codec::epoch_ms(now)).bind(ts(now)).execute(self.conn()).await?.rows_affected();
        self.new_deliveries += rows as usize;
        Ok(rows)
    }

    /// Attempt logs, newest first: of one delivery, of one integration, or of all.
    pub async fn delivery_attempts(
        &mut self,
        integration_id: Option<&str>,
        delivery_id: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<DeliveryAttempt>, i64), StoreError> {
        let mut clauses = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        if let Some(i) = integration_id {
            binds.push(i.to_owned());
            clauses.push(format!("integration_id = ${}", binds.len()));
        }
        if let Some(d) = delivery_id {
            binds.push(d.to_owned());
            clauses.push(format!("delivery_id = ${}", binds.len()));
        }
        let where_sql = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
        let mut q = crate::sql::query(format!("SELECT COUNT(*) AS n FROM delivery_attempts{where_sql}"));
        for b in &binds {
            q = q.bind(b.clone());
        }
        let total = get_i64(&q.fetch_one(self.conn()).await?, "n")?;
        let n = binds.len();
        let sql = format!(
            "SELECT * FROM delivery_attempts{where_sql} ORDER BY started_at DESC, attempt DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let mut q = crate::sql::query(sql);
        for b in &binds {
            q = q.bind(b.clone());
        }
        let rows = q.bind(limit).bind(offset).fetch_all(self.conn()).await?;
        Ok((rows.iter().map(attempt_from).collect::<Result<_, _>>()?, total))
    }

    /// The outbox events at `seqs`.
    pub async fn events_by_seq(&mut self, seqs: &[i64]) -> Result<Vec<crate::outbox::OutboxEvent>, StoreError> {
        if seqs.is_empty() {
            return Ok(vec![]);
        }
        let placeholders: Vec<String> = (1..=seqs.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT seq, id, key, occurred_at, resource_type, resource_id, payload, actor, dialect \
             FROM outbox_events WHERE seq IN ({})",
            placeholders.join(", ")
        );
        let mut q = crate::sql::query(sql);
        for s in seqs {
            q = q.bind(*s);
        }
        let rows = q.fetch_all(self.conn()).await?;
        rows.iter().map(crate::outbox::event_from).collect()
    }
}

fn delivery_where(f: &DeliveryFilter) -> (String, Vec<String>) {
    let mut clauses = Vec::new();
    let mut binds = Vec::new();
    if let Some(i) = &f.integration_id {
        binds.push(i.clone());
        clauses.push(format!("integration_id = ${}", binds.len()));
    }
    if let Some(r) = &f.resource_id {
        binds.push(r.clone());
        clauses.push(format!("resource_id = ${}", binds.len()));
    }
    if let Some(s) = &f.status {
        binds.push(s.clone());
        clauses.push(format!("status = ${}", binds.len()));
    }
    if let Some(t) = f.from {
        binds.push(ts(t));
        clauses.push(format!("created_at >= ${}", binds.len()));
    }
    if let Some(t) = f.to {
        binds.push(ts(t));
        clauses.push(format!("created_at < ${}", binds.len()));
    }
    let sql = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
    (sql, binds)
}

/// One integration's delivery attempts in one minute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptsInMinute {
    /// `YYYY-MM-DDTHH:MM` (UTC).
    pub minute: String,
    /// Attempts made.
    pub attempts: i64,
    /// Of which failed.
    pub failures: i64,
}

impl Tx {
    /// `integration_id`'s attempts per minute from the minute `since` (`YYYY-MM-DDTHH:MM`, UTC)
    /// on, oldest first; minutes without one are absent (see `orders_per_minute` for the text
    /// comparison); `delivery_attempts_integration` bounds the scan.
    pub async fn attempts_per_minute(
        &mut self,
        integration_id: &str,
        since: &str,
    ) -> Result<Vec<AttemptsInMinute>, StoreError> {
        let rows = crate::sql::query(
            "SELECT substr(started_at, 1, 16) AS minute, COUNT(*) AS attempts, \
             SUM(CASE WHEN succeeded = 0 THEN 1 ELSE 0 END) AS failures \
             FROM delivery_attempts WHERE integration_id = $1 AND started_at >= $2 \
             GROUP BY substr(started_at, 1, 16) ORDER BY minute",
        )
        .bind(integration_id.to_owned())
        .bind(since.to_owned())
        .fetch_all(self.conn())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AttemptsInMinute {
                    minute: get_str(r, "minute")?,
                    attempts: get_i64(r, "attempts")?,
                    failures: get_i64(r, "failures")?,
                })
            })
            .collect()
    }

    /// When `integration_id` last attempted a delivery (`delivery_attempts_integration`
    /// answers it from the index's end).
    pub async fn last_attempt_at(&mut self, integration_id: &str) -> Result<Option<OffsetDateTime>, StoreError> {
        let row = crate::sql::query(
            "SELECT started_at FROM delivery_attempts WHERE integration_id = $1 ORDER BY started_at DESC LIMIT 1",
        )
        .bind(integration_id.to_owned())
        .fetch_optional(self.conn())
        .await?;
        row.as_ref().map(|r| get_ts(r, "started_at")).transpose()
    }
}
