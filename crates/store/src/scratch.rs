//! Throwaway PostgreSQL databases for test suites and benchmarks: each run gets a database of
//! its own on a server it is given, so runs never see each other's rows.

use crate::StoreError;
use sqlx::Connection;

/// Creates an empty database named `{prefix}_{random}` on the server `base` points at and
/// returns its URL (`base` with the database replaced, its query string kept).
pub async fn create_scratch_database(base: &str, prefix: &str) -> Result<String, StoreError> {
    if !prefix.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        return Err(StoreError::Corrupt(format!("a scratch database prefix is lower-case letters and '_': {prefix}")));
    }
    let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(base).await.map_err(|e| StoreError::Unavailable(e.to_string()))?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    let (path, query) = base.split_once('?').map_or((base, None), |(p, q)| (p, Some(q)));
    let (server, _) = path.rsplit_once('/').ok_or_else(|| StoreError::Corrupt("a database URL has a path".into()))?;
    Ok(match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    })
}
