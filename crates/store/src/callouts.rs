//! The callout log: every call to a merchant's middleware (an integration event), with its
//! answer's status, outcome and duration, kept for [`CALLOUT_LOG_DAYS`] days.

use crate::codec::{get_i64, get_opt_str, get_str, get_ts, ts};
use crate::sql::Row;
use crate::{StoreError, Tx};
use time::OffsetDateTime;

/// How long a call stays in the log.
pub const CALLOUT_LOG_DAYS: i64 = 7;

/// One call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalloutLogEntry {
    /// Its id.
    pub id: String,
    /// When it was made.
    pub at: OffsetDateTime,
    /// The integration event called.
    pub integration_event_id: String,
    /// The event's type (`OrderCheckout`, …).
    pub event_type: String,
    /// The path called under the event's URL (`/shippingrates`, `/`).
    pub path: String,
    /// The middleware's HTTP status (0: no answer).
    pub status: i64,
    /// `ok`, `rejected`, `unparseable`, `timeout` or `unreachable`.
    pub outcome: String,
    /// How long it took.
    pub duration_ms: i64,
    /// The start of the error body the middleware answered (or why there was no answer).
    pub error_body: Option<String>,
}

fn entry_from(row: &Row) -> Result<CalloutLogEntry, StoreError> {
    Ok(CalloutLogEntry {
        id: get_str(row, "id")?,
        at: get_ts(row, "at")?,
        integration_event_id: get_str(row, "integration_event_id")?,
        event_type: get_str(row, "event_type")?,
        path: get_str(row, "path")?,
        status: get_i64(row, "status")?,
        outcome: get_str(row, "outcome")?,
        duration_ms: get_i64(row, "duration_ms")?,
        error_body: get_opt_str(row, "error_body")?,
    })
}

impl Tx {
    /// Records a call and forgets the ones older than the log keeps.
    pub async fn log_callout(&mut self, e: &CalloutLogEntry) -> Result<(), StoreError> {
        crate::sql::query(
            "INSERT INTO callout_log (id, at, integration_event_id, event_type, path, status, outcome, duration_ms, \
             error_body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(e.id.clone())
        .bind(ts(e.at))
        .bind(e.integration_event_id.clone())
        .bind(e.event_type.clone())
        .bind(e.path.clone())
        .bind(e.status)
        .bind(e.outcome.clone())
        .bind(e.duration_ms)
        .bind(e.error_body.clone())
        .execute(self.conn())
        .await?;
        let cutoff = e.at - time::Duration::days(CALLOUT_LOG_DAYS);
        crate::sql::query("DELETE FROM callout_log WHERE at < $1").bind(ts(cutoff)).execute(self.conn()).await?;
        Ok(())
    }

    /// The latest calls, newest first.
    pub async fn recent_callouts(&mut self, limit: i64) -> Result<Vec<CalloutLogEntry>, StoreError> {
        let rows = crate::sql::query("SELECT * FROM callout_log ORDER BY at DESC LIMIT $1")
            .bind(limit)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(entry_from).collect()
    }
}
