//! A small migration runner: numbered SQL files per backend, embedded in the binary, applied in
//! order inside one transaction each, recorded in `cartwire_migrations`. On PostgreSQL an
//! advisory lock makes concurrent starts of several nodes apply each migration once.

use crate::StoreError;

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

/// A numbered migration whose two files (SQLite, PostgreSQL) share one name.
macro_rules! migration {
    ($version:literal, $name:literal, $file:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $file)),
            postgres: include_str!(concat!("../migrations/postgres/", $file)),
        }
    };
}

const MIGRATIONS: &[Migration] = &[
    migration!(1, "foundation", "0001_foundation.sql"),
    migration!(2, "delivery", "0002_delivery.sql"),
    migration!(3, "orders", "0003_orders.sql"),
    migration!(4, "abandonment", "0004_abandonment.sql"),
    migration!(5, "shop_orders", "0005_shop_orders.sql"),
    migration!(6, "order_totals", "0006_order_totals.sql"),
    migration!(7, "catalog", "0007_catalog.sql"),
    migration!(8, "checkout", "0008_checkout.sql"),
    migration!(9, "returns_and_sso", "0009_returns_and_sso.sql"),
    migration!(10, "owners", "0010_owners.sql"),
    migration!(11, "grant_checks", "0011_grant_checks.sql"),
    migration!(12, "lean_order_indexes", "0012_lean_order_indexes.sql"),
    migration!(13, "me", "0013_me.sql"),
    migration!(14, "callout_log", "0014_callout_log.sql"),
    migration!(15, "pending_deliveries", "0015_pending_deliveries.sql"),
];

/// An arbitrary constant that names cartwire's migration lock among advisory locks.
const PG_LOCK_KEY: i64 = 0x6361_7274_7769_7265;

const LEDGER: &str = "CREATE TABLE IF NOT EXISTS cartwire_migrations (\
     version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

fn now() -> String {
    crate::codec::ts(time::OffsetDateTime::now_utc())
}

/// Applies the pending SQLite migrations on the write connection (outside any group).
pub(crate) fn run_sqlite(conn: &rusqlite::Connection) -> Result<Vec<String>, StoreError> {
    conn.execute_batch(LEDGER)?;
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        let done: Option<i64> = conn
            .query_row("SELECT version FROM cartwire_migrations WHERE version = ?1", [m.version], |r| r.get(0))
            .map(Some)
            .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })?;
        if done.is_some() {
            continue;
        }
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let result = conn.execute_batch(m.sqlite).and_then(|()| {
            conn.execute(
                "INSERT INTO cartwire_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                rusqlite::params![m.version, m.name, now()],
            )
        });
        match result {
            Ok(_) => conn.execute_batch("COMMIT")?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e.into());
            }
        }
        applied.push(format!("{:04}_{}", m.version, m.name));
    }
    Ok(applied)
}

/// Applies the pending PostgreSQL migrations under an advisory lock, so that nodes starting
/// together apply each one once.
pub(crate) async fn run_postgres(pool: &sqlx::PgPool) -> Result<Vec<String>, StoreError> {
    let mut conn = pool.acquire().await?;
    sqlx::query("SELECT pg_advisory_lock($1)").bind(PG_LOCK_KEY).execute(&mut *conn).await?;
    let result = apply_pending(&mut conn).await;
    sqlx::query("SELECT pg_advisory_unlock($1)").bind(PG_LOCK_KEY).execute(&mut *conn).await?;
    result
}

async fn apply_pending(conn: &mut sqlx::PgConnection) -> Result<Vec<String>, StoreError> {
    use sqlx::Acquire;
    sqlx::raw_sql(LEDGER).execute(&mut *conn).await?;
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        let done: Option<i64> = sqlx::query_scalar("SELECT version FROM cartwire_migrations WHERE version = $1")
            .bind(m.version)
            .fetch_optional(&mut *conn)
            .await?;
        if done.is_some() {
            continue;
        }
        let mut tx = conn.begin().await?;
        sqlx::raw_sql(m.postgres).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO cartwire_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(m.version)
            .bind(m.name)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        applied.push(format!("{:04}_{}", m.version, m.name));
    }
    Ok(applied)
}
