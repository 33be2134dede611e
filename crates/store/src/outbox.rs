//! The outbox: events appended in the transaction of the change that caused them.

use crate::codec::{get_i64, get_opt_str, get_str, get_ts, json, ts};
use crate::sql::Row;
use crate::{StoreError, Tx};
use cartwire_domain::event::NewEvent;
use time::OffsetDateTime;

/// Filters of the event log.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Exact key (`order.created`).
    pub key: Option<String>,
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
#[derive(Debug, Clone, PartialEq)]
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
    /// Resource snapshot.
    pub payload: serde_json::Value,
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
        for e in events {
            let id = uuid::Uuid::now_v7().to_string();
            let seq: i64 = crate::sql::query_scalar(
                "INSERT INTO outbox_events (id, key, occurred_at, resource_type, resource_id, payload, actor, dialect) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq",
            )
            .bind(&id)
            .bind(e.key.as_str())
            .bind(ts(now))
            .bind(e.resource_type)
            .bind(&e.resource_id)
            .bind(json(&e.payload))
            .bind(e.actor.as_deref())
            .bind(e.dialect)
            .fetch_one(self.conn())
            .await?;
            deliveries += self.fan_out(seq, &id, e.key.as_str(), &e.resource_id, now).await?;
        }
        Ok(deliveries)
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
        let mut clauses = vec!["seq > $1".to_owned()];
        let mut binds: Vec<String> = Vec::new();
        let mut add = |col: &str, op: &str, v: Option<String>| {
            if let Some(v) = v {
                binds.push(v);
                clauses.push(format!("{col} {op} ${}", binds.len() + 1));
            }
        };
        add("key", "=", f.key.clone());
        add("resource_type", "=", f.resource_type.clone());
        add("resource_id", "=", f.resource_id.clone());
        add("occurred_at", ">=", f.from.map(ts));
        add("occurred_at", "<", f.to.map(ts));
        let sql = format!(
            "SELECT seq, id, key, occurred_at, resource_type, resource_id, payload, actor, dialect \
             FROM outbox_events WHERE {} ORDER BY seq LIMIT ${}",
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

pub(crate) fn event_from(row: &Row) -> Result<OutboxEvent, StoreError> {
    Ok(OutboxEvent {
        seq: get_i64(row, "seq")?,
        id: get_str(row, "id")?,
        key: get_str(row, "key")?,
        occurred_at: get_ts(row, "occurred_at")?,
        resource_type: get_str(row, "resource_type")?,
        resource_id: get_str(row, "resource_id")?,
        payload: serde_json::from_str(&get_str(row, "payload")?).map_err(|e| crate::codec::corrupt("payload", e))?,
        actor: get_opt_str(row, "actor")?,
        dialect: get_str(row, "dialect")?,
    })
}
