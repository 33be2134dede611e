//! Direct access to a database under the store, for tests and tools that must look beneath it
//! (that secrets are sealed at rest, or to inject a failure with a trigger). Not for the server.

use crate::StoreError;
use sqlx::{Connection, Row};

/// Runs `sql` (one or more statements) on a connection of its own.
pub async fn execute_batch(url: &str, sql: &str) -> Result<(), StoreError> {
    if url.starts_with("sqlite:") {
        let conn = open_sqlite(url)?;
        conn.execute_batch(sql)?;
        return Ok(());
    }
    let mut conn = sqlx::PgConnection::connect(url).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&mut conn).await?;
    Ok(())
}

/// The text columns of the first row `sql` returns.
pub async fn first_row_text(url: &str, sql: &str) -> Result<Vec<String>, StoreError> {
    if url.starts_with("sqlite:") {
        let conn = open_sqlite(url)?;
        let mut stmt = conn.prepare(sql)?;
        let width = stmt.column_count();
        return Ok(stmt.query_row([], |r| (0..width).map(|i| r.get::<_, String>(i)).collect::<Result<Vec<_>, _>>())?);
    }
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(&mut conn).await?;
    (0..row.len()).map(|i| row.try_get::<String, _>(i).map_err(StoreError::from)).collect()
}

fn open_sqlite(url: &str) -> Result<rusqlite::Connection, StoreError> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    let path = rest.split_once('?').map_or(rest, |(p, _)| p);
    let conn = rusqlite::Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn)
}
