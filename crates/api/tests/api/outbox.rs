//! The outbox: events commit with the change that causes them, or not at all; and the event log
//! an operator reads.

use crate::support;

use reqwest::Method;
use serde_json::json;
use support::TestServer;

/// Installs a trigger that fails any outbox insert whose payload mentions FAIL-ME: a failure
/// injected after the order row was written, inside the same transaction.
async fn inject_outbox_failure(s: &TestServer) {
    let url = support::database_url_of(s);
    let ddl = if url.starts_with("postgres") {
        "CREATE FUNCTION cw_fail() RETURNS trigger AS $$ BEGIN \
           IF NEW.payload LIKE '%FAIL-ME%' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; \
         END $$ LANGUAGE plpgsql; \
         CREATE TRIGGER cw_fail BEFORE INSERT ON outbox_events FOR EACH ROW EXECUTE FUNCTION cw_fail();"
    } else {
        "CREATE TRIGGER cw_fail BEFORE INSERT ON outbox_events WHEN NEW.payload LIKE '%FAIL-ME%' \
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
    };
    cartwire_store::raw::execute_batch(&url, ddl).await.unwrap();
}

#[tokio::test]
async fn a_failure_after_the_order_write_rolls_back_the_order_its_events_and_deliveries() {
    let s = TestServer::start().await;
    let token = s.post("/cartwire/v1/tokens", json!({"kind": "private", "name": "t"})).await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let hook = json!({"data": {"type": "integration", "name": "h", "enabled": true, "observes": ["order.created"],
                               "integration_type": "webhook", "configuration": {"url": "https://receiver.example.com/x"}}});
    assert_eq!(s.send(Method::POST, "/v2/integrations", Some(&s.admin_token), Some(hook)).await.status, 201);
    inject_outbox_failure(&s).await;
    let create = |name: &str| {
        s.http
            .post(s.url("/api/orders"))
            .bearer_auth(&token)
            .json(&json!({"name": name, "cart": [{"configurationId": "c", "count": 1}]}))
            .send()
    };
    assert_eq!(create("fine").await.unwrap().status(), 200);
    let events_before = s.event_count().await;
    let res = create("FAIL-ME").await.unwrap();
    assert_eq!(res.status(), 500);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "internal_error");
    let list: serde_json::Value =
        s.http.get(s.url("/api/orders")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["count"], 1, "the order row was rolled back with its event");
    assert!(list["orders"].as_array().unwrap().iter().all(|o| o["name"] != "FAIL-ME"));
    assert_eq!(s.event_count().await, events_before);
    let deliveries = s.get("/cartwire/v1/deliveries").await;
    assert_eq!(deliveries.body["total"], 1, "only the successful order has a delivery");
}

#[tokio::test]
async fn the_event_log_filters_by_key_resource_and_time_with_a_cursor() {
    let s = TestServer::start().await;
    let token = s.post("/cartwire/v1/tokens", json!({"kind": "private", "name": "t"})).await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut ids = Vec::new();
    for status in ["New", "In Cart", "New"] {
        let o: serde_json::Value = s
            .http
            .post(s.url("/api/orders"))
            .bearer_auth(&token)
            .json(&json!({"status": status}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids.push(o["id"].as_str().unwrap().to_owned());
    }
    let r = s.get("/cartwire/v1/events?key=order.created").await;
    let got: Vec<&str> =
        r.body["data"].as_array().unwrap().iter().map(|e| e["resource_id"].as_str().unwrap()).collect();
    assert_eq!(got, [ids[0].as_str(), ids[2].as_str()]);
    let r = s.get(&format!("/cartwire/v1/events?resource_id={}", ids[1])).await;
    assert_eq!(r.body["data"][0]["key"], "cart.updated");
    assert_eq!(r.body["data"][0]["resource_type"], "cart");
    let r = s.get("/cartwire/v1/events?resource_type=order&limit=1").await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 1);
    let cursor = r.body["next_cursor"].as_i64().unwrap();
    let r = s.get(&format!("/cartwire/v1/events?resource_type=order&after={cursor}")).await;
    assert_eq!(r.body["data"][0]["resource_id"], ids[2].as_str());
    let future = (time::OffsetDateTime::now_utc() + std::time::Duration::from_secs(3600))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    assert_eq!(s.get(&format!("/cartwire/v1/events?from={future}")).await.body["data"], json!([]));
    assert_eq!(s.get("/cartwire/v1/events?key=order.exploded").await.status, 400);
    assert_eq!(s.get("/cartwire/v1/events?from=yesterday").await.status, 400);

    // `resource.*` is every key of a resource; `tail=N` is the last N, oldest first.
    let r = s.get("/cartwire/v1/events?key=cart.*").await;
    let keys: Vec<&str> = r.body["data"].as_array().unwrap().iter().map(|e| e["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["cart.updated"]);
    let r = s.get("/cartwire/v1/events?key=order.*&tail=1").await;
    assert_eq!(
        (r.body["data"].as_array().unwrap().len(), r.body["data"][0]["resource_id"].as_str()),
        (1, Some(ids[2].as_str()))
    );
    let all = s.get("/cartwire/v1/events?limit=1000").await.body["data"].as_array().unwrap().len();
    let r = s.get("/cartwire/v1/events?tail=2").await;
    let seqs: Vec<i64> = r.body["data"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.len() == 2 && seqs[0] < seqs[1] && all >= 2, "the newest two, oldest first: {seqs:?}");
    for bad in ["key=nothing.*", "tail=0", "tail=1001", "tail=1&after=1"] {
        let r = s.get(&format!("/cartwire/v1/events?{bad}")).await;
        assert_eq!((r.status.as_u16(), r.body["status"].as_u64()), (400, Some(400)), "{bad}: {}", r.body);
    }

    // Orders across every API, in the operator's words.
    let r = s.get("/cartwire/v1/orders?status=placed").await;
    let listed: Vec<&str> = r.body["data"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(listed, [ids[2].as_str(), ids[0].as_str()], "newest first: {}", r.body);
    assert_eq!((r.body["total"].as_i64(), r.body["data"][0]["source"].as_str()), (Some(2), Some("threekit")));
    let r = s.get(&format!("/cartwire/v1/orders/{}", ids[1])).await;
    assert_eq!((r.body["status"].as_str(), r.body["events"][0]["key"].as_str()), (Some("cart"), Some("cart.updated")));
    assert_eq!(s.get("/cartwire/v1/orders/nope").await.status, 404);
    assert_eq!(s.get("/cartwire/v1/orders?status=shipped").await.status, 400);
}
