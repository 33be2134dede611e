//! The delivery queue's leases, at the store: one node holds a claimed delivery until its lease
//! expires, then any node may take it over; a node that lost its lease cannot settle the
//! delivery; disabled and excluded integrations wait; one integration can be topped up alone and
//! claimed deliveries handed back; an ordered integration releases one
//! resource's events one at a time.

use super::test_store;
use cartwire_domain::event::{EventKey, NewEvent};
use cartwire_domain::integration::{Integration, IntegrationConfig, Observes};
use cartwire_store::Store;
use cartwire_store::deliveries::{AttemptOutcome, ClaimScope, Delivery, DeliveryAttempt};
use serde_json::json;
use time::OffsetDateTime;

/// Far enough ahead that every delivery is due.
const LATER: i64 = 4_000_000_000_000;

fn integration(id: &str, ordered: bool) -> Integration {
    Integration {
        id: id.into(),
        name: id.into(),
        description: String::new(),
        enabled: true,
        observes: Observes::parse(&["order.created".into(), "order.updated".into()]).unwrap(),
        config: IntegrationConfig::Webhook { url: "https://receiver.example".into(), secret_key: None },
        ordered_delivery: ordered,
        created_at: OffsetDateTime::now_utc(),
        updated_at: OffsetDateTime::now_utc(),
    }
}

async fn add_integration(store: &Store, i: &Integration) {
    let mut tx = store.begin().await.unwrap();
    tx.insert_integration(i).await.unwrap();
    tx.commit().await.unwrap();
}

async fn emit(store: &Store, key: &str, resource: &str) {
    let mut tx = store.begin().await.unwrap();
    let event = NewEvent {
        key: EventKey::parse(key).unwrap(),
        resource_type: "order",
        resource_id: resource.into(),
        payload: json!({"id": resource}).into(),
        actor: None,
        dialect: cartwire_domain::event::Dialect::Cartwire,
    };
    tx.append_events(&[event]).await.unwrap();
    tx.commit().await.unwrap();
}

async fn claim(store: &Store, node: &str, now: i64, lease_until: i64, exclude: &[String]) -> Vec<Delivery> {
    claim_in(store, node, now, lease_until, 100, ClaimScope::Except(exclude)).await
}

async fn claim_in(
    store: &Store,
    node: &str,
    now: i64,
    lease_until: i64,
    limit: i64,
    scope: ClaimScope<'_>,
) -> Vec<Delivery> {
    let mut tx = store.begin().await.unwrap();
    let claimed = tx.claim_deliveries(node, now, lease_until, limit, scope).await.unwrap();
    tx.commit().await.unwrap();
    claimed
}

async fn settle(store: &Store, node: &str, d: &Delivery) {
    let attempt = DeliveryAttempt {
        id: uuid::Uuid::now_v7().to_string(),
        delivery_id: d.id.clone(),
        integration_id: d.integration_id.clone(),
        attempt: d.attempts + 1,
        started_at: OffsetDateTime::now_utc(),
        duration_ms: 1,
        succeeded: true,
        status_code: Some(200),
        error_detail: None,
        body: None,
        node: node.into(),
    };
    let mut tx = store.begin().await.unwrap();
    tx.record_attempts(node, &[(attempt, AttemptOutcome::Succeeded)]).await.unwrap();
    tx.commit().await.unwrap();
}

async fn status_of(store: &Store, id: &str) -> String {
    let mut tx = store.read().await.unwrap();
    let d = tx.delivery(id).await.unwrap().expect("the delivery exists");
    tx.commit().await.unwrap();
    d.status
}

#[tokio::test]
async fn a_lease_holds_until_it_expires_and_then_another_node_takes_over() {
    let dir = tempfile::tempdir().unwrap();
    let store = test_store(&dir).await;
    add_integration(&store, &integration("hook", false)).await;
    emit(&store, "order.created", "o1").await;

    let a = claim(&store, "node-a", LATER, LATER + 1_000, &[]).await;
    assert_eq!(a.len(), 1, "the one delivery is claimed");
    assert!(claim(&store, "node-b", LATER + 999, LATER + 2_000, &[]).await.is_empty(), "leased to node-a");
    let b = claim(&store, "node-b", LATER + 1_001, LATER + 60_000, &[]).await;
    assert_eq!(b.iter().map(|d| &d.id).collect::<Vec<_>>(), [&a[0].id], "taken over once the lease expired");

    // node-a comes back and reports its attempt: it no longer holds the lease, so the
    // delivery stays pending for node-b, whose report settles it.
    settle(&store, "node-a", &a[0]).await;
    assert_eq!(status_of(&store, &a[0].id).await, "pending");
    settle(&store, "node-b", &b[0]).await;
    assert_eq!(status_of(&store, &a[0].id).await, "succeeded");
    assert!(claim(&store, "node-c", LATER + 120_000, LATER + 180_000, &[]).await.is_empty(), "settled for good");
}

#[tokio::test]
async fn disabled_and_excluded_integrations_wait_without_spending_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let store = test_store(&dir).await;
    let mut off = integration("off", false);
    add_integration(&store, &off).await;
    add_integration(&store, &integration("busy", false)).await;
    add_integration(&store, &integration("free", false)).await;
    emit(&store, "order.created", "o1").await;
    off.enabled = false;
    let mut tx = store.begin().await.unwrap();
    assert!(tx.update_integration(&off).await.unwrap());
    tx.commit().await.unwrap();

    let claimed = claim(&store, "node-a", LATER, LATER + 1_000, &["busy".to_owned()]).await;
    assert_eq!(claimed.iter().map(|d| d.integration_id.as_str()).collect::<Vec<_>>(), ["free"]);
    // Once the integration is no longer at its limit its delivery is claimable, unspent.
    let later = claim(&store, "node-a", LATER, LATER + 1_000, &[]).await;
    assert_eq!(later.iter().map(|d| (d.integration_id.as_str(), d.attempts)).collect::<Vec<_>>(), [("busy", 0)]);
}

#[tokio::test]
async fn an_ordered_integration_releases_a_resources_events_one_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = test_store(&dir).await;
    add_integration(&store, &integration("ordered", true)).await;
    emit(&store, "order.created", "o1").await;
    emit(&store, "order.updated", "o1").await;
    emit(&store, "order.created", "o2").await;

    let first = claim(&store, "node-a", LATER, LATER + 1_000, &[]).await;
    let got: Vec<(&str, &str)> = first.iter().map(|d| (d.resource_id.as_str(), d.event_key.as_str())).collect();
    assert_eq!(got, [("o1", "order.created"), ("o2", "order.created")], "o1's update waits for its create");
    settle(&store, "node-a", &first[0]).await;
    let next = claim(&store, "node-a", LATER, LATER + 1_000, &[]).await;
    let got: Vec<(&str, &str)> = next.iter().map(|d| (d.resource_id.as_str(), d.event_key.as_str())).collect();
    assert_eq!(got, [("o1", "order.updated")]);
}

#[tokio::test]
async fn one_integration_is_topped_up_alone_and_released_deliveries_are_claimable_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = test_store(&dir).await;
    add_integration(&store, &integration("slow", false)).await;
    add_integration(&store, &integration("fast", false)).await;
    for o in ["o1", "o2", "o3"] {
        emit(&store, "order.created", o).await;
    }

    let fast = claim_in(&store, "node-a", LATER, LATER + 1_000, 2, ClaimScope::Only("fast")).await;
    let got: Vec<(&str, &str)> = fast.iter().map(|d| (d.integration_id.as_str(), d.resource_id.as_str())).collect();
    assert_eq!(got, [("fast", "o1"), ("fast", "o2")], "only its own, oldest first, up to the limit");

    // Another node's release leaves node-a's claims alone; node-a's own hands them back.
    let ids: Vec<String> = fast.iter().map(|d| d.id.clone()).collect();
    let mut tx = store.begin().await.unwrap();
    tx.release_deliveries(&ids, "node-b").await.unwrap();
    tx.commit().await.unwrap();
    let rest = claim_in(&store, "node-b", LATER, LATER + 1_000, 10, ClaimScope::Only("fast")).await;
    assert_eq!(rest.iter().map(|d| d.resource_id.as_str()).collect::<Vec<_>>(), ["o3"], "still leased to node-a");
    let mut tx = store.begin().await.unwrap();
    tx.release_deliveries(&ids, "node-a").await.unwrap();
    tx.commit().await.unwrap();
    let again = claim_in(&store, "node-b", LATER, LATER + 1_000, 10, ClaimScope::Only("fast")).await;
    assert_eq!(
        again.iter().map(|d| (d.id.as_str(), d.attempts)).collect::<Vec<_>>(),
        ids.iter().map(|i| (i.as_str(), 0)).collect::<Vec<_>>(),
        "handed back unspent"
    );
    let slow = claim(&store, "node-a", LATER, LATER + 1_000, &["fast".to_owned()]).await;
    assert_eq!(slow.len(), 3, "the other integration's deliveries were never touched");
}
