//! The store seen from its callers (app), one module per behaviour: group commit on SQLite and
//! the delivery leases on both engines (PostgreSQL when `CARTWIRE_TEST_DATABASE_URL` names a
//! server; each test gets a fresh database there).

mod group_commit;
mod leases;

use cartwire_store::{Sealer, Store};

/// A migrated SQLite store in `dir`.
pub async fn sqlite_store(dir: &tempfile::TempDir) -> Store {
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("g.db").display());
    let store = Store::connect(&url, Sealer::new(&[1u8; 32]).unwrap()).await.unwrap();
    store.migrate().await.unwrap();
    store
}

/// A migrated store on the engine the suite runs on: a fresh PostgreSQL database when
/// `CARTWIRE_TEST_DATABASE_URL` is set, SQLite in `dir` otherwise.
pub async fn test_store(dir: &tempfile::TempDir) -> Store {
    use sqlx::Connection;
    let url = match std::env::var("CARTWIRE_TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => {
            let name = format!("cwstore_{}", uuid::Uuid::new_v4().simple());
            let mut conn = sqlx::PgConnection::connect(&base).await.expect("connect to CARTWIRE_TEST_DATABASE_URL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
            let (prefix, _) = base.rsplit_once('/').expect("database URL has a path");
            format!("{prefix}/{name}?sslmode=disable")
        }
        _ => return sqlite_store(dir).await,
    };
    let store = Store::connect(&url, Sealer::new(&[1u8; 32]).unwrap()).await.unwrap();
    store.migrate().await.unwrap();
    store
}
