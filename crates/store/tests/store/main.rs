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
    let url = match std::env::var("CARTWIRE_TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => cartwire_store::scratch::create_scratch_database(&base, "cwstore")
            .await
            .expect("create a test database on CARTWIRE_TEST_DATABASE_URL"),
        _ => return sqlite_store(dir).await,
    };
    let store = Store::connect(&url, Sealer::new(&[1u8; 32]).unwrap()).await.unwrap();
    store.migrate().await.unwrap();
    store
}
