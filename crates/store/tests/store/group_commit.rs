//! SQLite group commit, seen from the store's callers: units that queue together commit in one
//! group, a unit that fails inside the group rolls back alone (its own earlier writes too) and
//! gets its own error, and its neighbours commit.

use super::sqlite_store;
use cartwire_domain::access_key::{AccessKey, Kind};
use cartwire_store::{Store, StoreError};
use time::OffsetDateTime;

fn token(id: &str) -> AccessKey {
    AccessKey {
        id: id.into(),
        kind: Kind::Private,
        name: id.into(),
        allowed_domains: vec![],
        created_at: OffsetDateTime::now_utc(),
        revoked_at: None,
    }
}

async fn ids(store: &Store) -> Vec<String> {
    let mut tx = store.read().await.unwrap();
    let mut ids: Vec<String> = tx.access_keys(&[Kind::Private]).await.unwrap().into_iter().map(|t| t.id).collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_failing_inside_a_group_rolls_back_alone_while_its_neighbours_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir).await;
    let before = store.commit_stats().unwrap();

    // The first unit holds the writer while the others queue behind it, so all of them are in
    // its group when the committer's turn comes.
    let mut first = store.begin().await.unwrap();
    first.insert_access_key(&token("t00"), "digest-t00").await.unwrap();
    let mut tasks = Vec::new();
    for i in 1..=20 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = store.begin().await?;
            tx.insert_access_key(&token(&format!("t{i:02}")), &format!("digest-t{i:02}")).await?;
            if i == 7 {
                // Its own first write succeeded; this one collides with t00 (uncommitted, in
                // the same group) and the unit is dropped with the error.
                tx.insert_access_key(&token("t00"), "other-digest").await?;
            }
            tx.commit().await
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    first.commit().await.unwrap();

    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    for (i, r) in results.iter().enumerate() {
        if i + 1 == 7 {
            assert!(matches!(r, Err(StoreError::Unique { .. })), "unit 7: {r:?}");
        } else {
            assert!(r.is_ok(), "unit {}: {r:?}", i + 1);
        }
    }
    let mut want: Vec<String> = (0..=20).filter(|i| *i != 7).map(|i| format!("t{i:02}")).collect();
    want.sort();
    assert_eq!(ids(&store).await, want, "unit 7's own first write is rolled back with it");

    let after = store.commit_stats().unwrap();
    assert_eq!(after.units - before.units, 20, "twenty units committed");
    assert!(after.groups - before.groups < 20, "queued units shared commits: {before:?} → {after:?}");
}

#[tokio::test]
async fn a_dropped_unit_leaves_nothing_and_the_next_unit_commits() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir).await;
    {
        let mut tx = store.begin().await.unwrap();
        tx.insert_access_key(&token("gone"), "d1").await.unwrap();
    }
    let mut tx = store.begin().await.unwrap();
    tx.insert_access_key(&token("kept"), "d2").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(ids(&store).await, vec!["kept".to_owned()]);
}

#[tokio::test]
async fn readers_do_not_see_a_group_before_it_commits_and_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir).await;
    let mut tx = store.begin().await.unwrap();
    tx.insert_access_key(&token("pending"), "d").await.unwrap();
    assert!(ids(&store).await.is_empty(), "uncommitted writes are invisible to readers");
    tx.commit().await.unwrap();
    assert_eq!(ids(&store).await, vec!["pending".to_owned()]);
    let mut reader = store.read().await.unwrap();
    assert!(reader.insert_access_key(&token("sneak"), "x").await.is_err());
}
