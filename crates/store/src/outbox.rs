//! The outbox: events appended in the transaction of the change that caused them.

use crate::codec::{epoch_ms, get_i64, get_opt_str, get_str, get_ts, ts};
use crate::sql::Row;
use crate::{StoreError, Tx};
use cartwire_domain::event::NewEvent;
use time::OffsetDateTime;

/// Filters of the event log.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Exact key (`order.created`).
    pub key: Option<String>,
    /// Keys starting with this (`order.` for `order.*`).
    pub key_prefix: Option<String>,
    /// Exact resource type.
    pub resource_type: Option<String>,
    /// Exact resource id.
    pub resource_id: Option<String>,
    /// Occurred at or after.
    pub from: Option<OffsetDateTime>,
    /// Occurred before.
    pub to: Option<OffsetDateTime>,
}

/// An event as stored, with its position in the log.
#[derive(Debug, Clone)]
pub struct OutboxEvent {
    /// Position in the log (increasing in commit order per node; used as the cursor).
    pub seq: i64,
    /// UUID v7.
    pub id: String,
    /// Event key.
    pub key: String,
    /// When it happened.
    pub occurred_at: OffsetDateTime,
    /// Resource type.
    pub resource_type: String,
    /// Resource id.
    pub resource_id: String,
    /// Resource snapshot, as the JSON text it was stored as (the dispatcher moves its members
    /// into envelopes without building its tree).
    pub payload: Box<serde_json::value::RawValue>,
    /// Who caused it.
    pub actor: Option<String>,
    /// Dialect it came through.
    pub dialect: String,
}

impl Tx {
    /// Appends events and the deliveries they cause; all become visible when the transaction
    /// commits. Returns how many deliveries were created.
    pub async fn append_events(&mut self, events: &[NewEvent]) -> Result<usize, StoreError> {
        let now = OffsetDateTime::now_utc();
        let mut deliveries = 0;
        if self.backend == crate::Backend::Postgres {
            for e in events {
                deliveries += self.append_event_pg(e, now).await?;
            }
            return Ok(deliveries);
        }
        for e in events {
            let id = uuid::Uuid::now_v7().to_string();
            let insert = crate::sql::query_scalar::<i64>(
                "INSERT INTO outbox_events (id, key, occurred_at, resource_type, resource_id, payload, actor, dialect) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq",
            );
            let seq = bind_event(insert, &id, e, now).fetch_one(self.conn()).await?;
            deliveries += self.fan_out(seq, &id, e.key.as_str(), &e.resource_id, now).await?;
        }
        Ok(deliveries)
    }

    /// PostgreSQL: the event, its deliveries and the wake-up of every node's dispatcher in one
    /// statement (one round trip instead of three).
    async fn append_event_pg(&mut self, e: &NewEvent, now: OffsetDateTime) -> Result<usize, StoreError> {
        self.event_statement_pg(None, e, now).await
    }

    /// Runs `e`'s event CTE, after `first` (a data-modifying statement whose parameters come
    /// first) when given: every part commits with the statement, or none does.
    pub(crate) async fn event_statement_pg(
        &mut self,
        first: Option<crate::sql::Query>,
        e: &NewEvent,
        now: OffsetDateTime,
    ) -> Result<usize, StoreError> {
        let (prefix, mut q) = match first {
            Some(q) => (format!("f AS ({}), ", q.sql), q),
            None => (String::new(), crate::sql::query("")),
        };
        let n = q.args.len();
        let p = |i: usize| format!("${}", n + i);
        // The notification, when due, rides in the same statement (selecting from `n` below is
        // what makes PostgreSQL evaluate it: an unreferenced SELECT in WITH never runs).
        let notify = if self.notify_due() {
            format!(
                ", n AS (SELECT pg_notify('{}', '') FROM (SELECT 1 FROM d LIMIT 1) AS any_delivery)",
                crate::DELIVERY_CHANNEL
            )
        } else {
            ", n AS (SELECT 1 WHERE false)".to_owned()
        };
        let uuid = crate::deliveries::job_id_sql(self.backend, &p(9));
        let observes = crate::integrations::observes_sql(self.backend, &p(10));
        q.sql = format!(
            "WITH {prefix}e AS (INSERT INTO outbox_events (id, key, occurred_at, resource_type, resource_id, payload, actor, dialect) \
               VALUES ({}, {}, {}, {}, {}, {}, {}, {}) RETURNING seq), \
             d AS (INSERT INTO deliveries (id, event_seq, event_id, event_key, resource_id, integration_id, ordered, status, \
               attempts, attempts_base, next_attempt_at, lease_owner, lease_until, last_error, created_at, updated_at) \
               SELECT {uuid}, e.seq, {}, {}, {}, integrations.id, ordered_delivery, 'pending', 0, 0, {}, NULL, NULL, NULL, {}, {} \
               FROM integrations, e WHERE enabled = 1 AND {observes} RETURNING 1){notify} \
             SELECT (SELECT count(*) FROM d) AS deliveries, (SELECT count(*) FROM n) AS notified",
            p(1),
            p(2),
            p(3),
            p(4),
            p(5),
            p(6),
            p(7),
            p(8),
            p(1),
            p(2),
            p(5),
            p(9),
            p(3),
            p(3)
        );
        let row = bind_event(q, &uuid::Uuid::now_v7().to_string(), e, now)
            .bind(epoch_ms(now))
            .bind(format!("|{}|", e.key.as_str()))
            .fetch_one(self.conn())
            .await?;
        let created = get_i64(&row, "deliveries")? as usize;
        self.new_deliveries += created;
        // Sent, or skipped because another unit of this node sent one moments ago.
        if created > 0 {
            self.notified = true;
        }
        Ok(created)
    }

    /// Events after `after_seq`, oldest first, at most `limit`.
    pub async fn events_after(&mut self, after_seq: i64, limit: i64) -> Result<Vec<OutboxEvent>, StoreError> {
        self.events(&EventFilter::default(), after_seq, limit).await
    }

    /// Events matching `f` after `after_seq` (the cursor), oldest first, at most `limit`.
    pub async fn events(
        &mut self,
        f: &EventFilter,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<OutboxEvent>, StoreError> {
        self.events_in_order(f, after_seq, limit, "seq").await
    }

    /// The last `limit` events matching `f`, oldest first.
    pub async fn latest_events(&mut self, f: &EventFilter, limit: i64) -> Result<Vec<OutboxEvent>, StoreError> {
        let mut events = self.events_in_order(f, 0, limit, "seq DESC").await?;
        events.reverse();
        Ok(events)
    }

    async fn events_in_order(
        &mut self,
        f: &EventFilter,
        after_seq: i64,
        limit: i64,
        order: &str,
    ) -> Result<Vec<OutboxEvent>, StoreError> {
        let mut clauses = vec!["seq > $1".to_owned()];
        let mut binds: Vec<String> = Vec::new();
        let mut add = |col: &str, op: &str, v: Option<String>| {
            if let Some(v) = v {
                binds.push(v);
                clauses.push(format!("{col} {op} ${}", binds.len() + 1));
            }
        };
        add("key", "=", f.key.clone());
        // A prefix compares the key's first characters: the same on both engines, whatever
        // the collation (a range would depend on it) and with nothing to escape (LIKE would).
        if let Some(prefix) = &f.key_prefix {
            let n = prefix.chars().count();
            add(&format!("substr(key, 1, {n})"), "=", Some(prefix.clone()));
        }
        add("resource_type", "=", f.resource_type.clone());
        add("resource_id", "=", f.resource_id.clone());
        add("occurred_at", ">=", f.from.map(ts));
        add("occurred_at", "<", f.to.map(ts));
        let sql = format!(
            "SELECT seq, id, key, occurred_at, resource_type, resource_id, payload, actor, dialect \
             FROM outbox_events WHERE {} ORDER BY {order} LIMIT ${}",
            clauses.join(" AND "),
            binds.len() + 2
        );
        let mut q = crate::sql::query(sql).bind(after_seq);
        for b in binds {
            q = q.bind(b);
        }
        let rows = q.bind(limit).fetch_all(self.conn()).await?;
        rows.iter().map(event_from).collect()
    }
}

/// Binds an outbox row's eight columns (id, key, occurred_at, resource_type, resource_id,
/// payload, actor, dialect) as the statement's next parameters.
fn bind_event<Q: crate::sql::Bind>(q: Q, id: &str, e: &NewEvent, now: OffsetDateTime) -> Q {
    q.bind(id)
        .bind(e.key.as_str())
        .bind(ts(now))
        .bind(e.resource_type)
        .bind(e.resource_id.as_str())
        .bind(e.payload.as_str())
        .bind(e.actor.as_deref())
        .bind(e.dialect.as_str())
}

pub(crate) fn event_from(row: &Row) -> Result<OutboxEvent, StoreError> {
    Ok(OutboxEvent {
        seq: get_i64(row, "seq")?,
        id: get_str(row, "id")?,
        key: get_str(row, "key")?,
        occurred_at: get_ts(row, "occurred_at")?,
        resource_type: get_str(row, "resource_type")?,
        resource_id: get_str(row, "resource_id")?,
        payload: serde_json::value::RawValue::from_string(get_str(row, "payload")?)
            .map_err(|e| crate::codec::corrupt("payload", e))?,
        actor: get_opt_str(row, "actor")?,
        dialect: get_str(row, "dialect")?,
    })
}
