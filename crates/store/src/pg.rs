//! The PostgreSQL engine: statements of the [`crate::sql`] layer on sqlx's native driver (its
//! per-connection prepared-statement cache included), rows read by column type.

use crate::StoreError;
use crate::sql::{Arg, Cell, Query, Row};
use sqlx::{Column, Row as _, TypeInfo};
use std::sync::Arc;

/// Runs one statement in `conn`'s transaction.
pub(crate) async fn run(
    conn: &mut sqlx::PgConnection,
    q: Query,
    want_rows: bool,
) -> Result<(u64, Vec<Row>), StoreError> {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(q.sql));
    for a in q.args {
        query = match a {
            Arg::Text(v) => query.bind(v),
            Arg::Int(v) => query.bind(v),
            Arg::Real(v) => query.bind(v),
        };
    }
    if !want_rows {
        let done = query.execute(&mut *conn).await?;
        return Ok((done.rows_affected(), Vec::new()));
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let Some(first) = rows.first() else { return Ok((0, Vec::new())) };
    let names: Arc<[String]> = first.columns().iter().map(|c| c.name().to_owned()).collect::<Vec<_>>().into();
    let kinds: Vec<String> = first.columns().iter().map(|c| c.type_info().name().to_owned()).collect();
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut cells = Vec::with_capacity(kinds.len());
        for (i, kind) in kinds.iter().enumerate() {
            let cell = match kind.as_str() {
                "INT8" => r.try_get::<Option<i64>, _>(i)?.map(Cell::Int),
                "INT4" => r.try_get::<Option<i32>, _>(i)?.map(|v| Cell::Int(v.into())),
                "INT2" => r.try_get::<Option<i16>, _>(i)?.map(|v| Cell::Int(v.into())),
                "BOOL" => r.try_get::<Option<bool>, _>(i)?.map(|v| Cell::Int(v.into())),
                "FLOAT8" => r.try_get::<Option<f64>, _>(i)?.map(Cell::Real),
                "FLOAT4" => r.try_get::<Option<f32>, _>(i)?.map(|v| Cell::Real(v.into())),
                _ => r.try_get::<Option<String>, _>(i)?.map(Cell::Text),
            };
            cells.push(cell.unwrap_or(Cell::Null));
        }
        out.push(Row::new(names.clone(), cells));
    }
    let n = out.len() as u64;
    Ok((n, out))
}

/// How often the probe tries the server while the breaker is open.
const PROBE_EVERY: std::time::Duration = std::time::Duration::from_millis(250);
/// The longest one probe's connection attempt may take.
const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

/// Fail-fast while the server is gone. Without it every request during an outage waits out
/// the pool's acquire timeout (sqlx retries a refused connection until then), so a stopped
/// database turns into requests hanging for seconds. The first error that says the database
/// is unavailable opens the breaker: from then on units of work are refused at once
/// ([`StoreError::Unavailable`], a 503 with `Retry-After` at the edge) while one background
/// probe connects every [`PROBE_EVERY`]; its first success closes the breaker. An error that
/// only meant "busy" (the pool timed out) costs a quarter of a second of refusals.
///
/// It also remembers when the database last refused work for its own reasons (unreachable,
/// out of disk or connections, read-only), so that readiness reports a node that cannot
/// write for [`REFUSAL_MEMORY`] even once a read would succeed again.
pub(crate) struct Breaker {
    open: std::sync::atomic::AtomicBool,
    url: Arc<str>,
    /// Milliseconds since the epoch of the last refusal; 0 for never.
    last_refusal: std::sync::atomic::AtomicU64,
}

/// How long readiness reports a refusal.
const REFUSAL_MEMORY: std::time::Duration = std::time::Duration::from_secs(5);

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl Breaker {
    pub(crate) fn new(url: &str) -> Arc<Self> {
        Arc::new(Self {
            open: std::sync::atomic::AtomicBool::new(false),
            url: url.into(),
            last_refusal: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// Whether the database refused work within the last [`REFUSAL_MEMORY`].
    pub(crate) fn refusing(&self) -> bool {
        let at = self.last_refusal.load(std::sync::atomic::Ordering::Relaxed);
        at != 0 && now_ms().saturating_sub(at) < REFUSAL_MEMORY.as_millis() as u64
    }

    /// Refuses at once while the breaker is open.
    pub(crate) fn check(&self) -> Result<(), StoreError> {
        if self.open.load(std::sync::atomic::Ordering::Acquire) {
            return Err(StoreError::Unavailable("the database is unreachable (retrying in the background)".into()));
        }
        Ok(())
    }

    /// Passes `r` through; an [`StoreError::Unavailable`] opens the breaker and starts its
    /// probe, and it or a [`StoreError::ReadOnly`] is remembered for readiness.
    pub(crate) fn note<T>(self: &Arc<Self>, r: Result<T, StoreError>) -> Result<T, StoreError> {
        if let Err(StoreError::Unavailable(_) | StoreError::ReadOnly(_)) = &r {
            self.last_refusal.store(now_ms(), std::sync::atomic::Ordering::Relaxed);
        }
        if let Err(StoreError::Unavailable(_)) = &r
            && !self.open.swap(true, std::sync::atomic::Ordering::AcqRel)
        {
            tracing::warn!("the database is unreachable: refusing work until it answers again");
            tokio::spawn(self.clone().probe());
        }
        r
    }

    async fn probe(self: Arc<Self>) {
        use sqlx::Connection;
        loop {
            tokio::time::sleep(PROBE_EVERY).await;
            if let Ok(Ok(conn)) = tokio::time::timeout(PROBE_TIMEOUT, sqlx::PgConnection::connect(&self.url)).await {
                let _ = conn.close().await;
                self.open.store(false, std::sync::atomic::Ordering::Release);
                tracing::warn!("the database answers again");
                return;
            }
        }
    }
}
