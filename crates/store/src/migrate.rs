//! A small migration runner: numbered SQL files per backend, embedded in the binary, applied in
//! order inside one transaction each, recorded in `cartwire_migrations`. On PostgreSQL an
//! advisory lock makes concurrent starts of several nodes apply each migration once.

use crate::{Backend, StoreError};
use sqlx::{Acquire, AnyPool};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "delivery",
        sqlite: include_str!("../migrations/sqlite/0002_delivery.sql"),
        postgres: include_str!("../migrations/postgres/0002_delivery.sql"),
    },
    Migration {
        version: 3,
        name: "orders",
        sqlite: include_str!("../migrations/sqlite/0003_orders.sql"),
        postgres: include_str!("../migrations/postgres/0003_orders.sql"),
    },
    Migration {
        version: 4,
        name: "abandonment",
        sqlite: include_str!("../migrations/sqlite/0004_abandonment.sql"),
        postgres: include_str!("../migrations/postgres/0004_abandonment.sql"),
    },
    Migration {
        version: 5,
        name: "shop_orders",
        sqlite: include_str!("../migrations/sqlite/0005_shop_orders.sql"),
        postgres: include_str!("../migrations/postgres/0005_shop_orders.sql"),
    },
    Migration {
        version: 6,
        name: "order_totals",
        sqlite: include_str!("../migrations/sqlite/0006_order_totals.sql"),
        postgres: include_str!("../migrations/postgres/0006_order_totals.sql"),
    },
    Migration {
        version: 7,
        name: "catalog",
        sqlite: include_str!("../migrations/sqlite/0007_catalog.sql"),
        postgres: include_str!("../migrations/postgres/0007_catalog.sql"),
    },
];

/// An arbitrary constant that names cartwire's migration lock among advisory locks.
const PG_LOCK_KEY: i64 = 0x6361_7274_7769_7265;

pub(crate) async fn run(pool: &AnyPool, backend: Backend) -> Result<Vec<String>, StoreError> {
    let mut conn = pool.acquire().await?;
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_lock($1)").bind(PG_LOCK_KEY).execute(&mut *conn).await?;
    }
    let result = apply_pending(&mut conn, backend).await;
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_unlock($1)").bind(PG_LOCK_KEY).execute(&mut *conn).await?;
    }
    result
}

async fn apply_pending(conn: &mut sqlx::AnyConnection, backend: Backend) -> Result<Vec<String>, StoreError> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS cartwire_migrations (\
         version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
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
        let sql = match backend {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO cartwire_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(m.version)
            .bind(m.name)
            .bind(crate::codec::ts(time::OffsetDateTime::now_utc()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        applied.push(format!("{:04}_{}", m.version, m.name));
    }
    Ok(applied)
}
