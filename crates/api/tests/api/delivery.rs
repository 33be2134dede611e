//! The delivery engine end to end over webhooks: a real HTTP receiver (tests/support/receiver.rs)
//! verifies signatures on its own and can fail, hang or throttle.

use crate::support;

use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;
use support::receiver::{Mode, Receiver};
use support::{TestServer, eventually};

/// Creates an enabled webhook integration observing `observes`; returns its id.
pub(crate) async fn webhook(
    s: &TestServer,
    url: &str,
    secret: Option<&str>,
    observes: &[&str],
    extra: Value,
) -> String {
    let mut config = json!({"url": url});
    if let Some(sec) = secret {
        config["secret_key"] = json!(sec);
    }
    let mut data = json!({"type": "integration", "name": "hook", "description": "test receiver", "enabled": true,
                          "observes": observes, "integration_type": "webhook", "configuration": config});
    if let Some(obj) = extra.as_object() {
        for (k, v) in obj {
            data[k] = v.clone();
        }
    }
    let r = s.send(Method::POST, "/v2/integrations", Some(&s.admin_token), Some(json!({"data": data}))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["data"]["id"].as_str().unwrap().to_owned()
}

/// Emits one `api-client.created` event; returns the client id.
pub(crate) async fn emit(s: &TestServer, name: &str) -> String {
    let r = s.post("/v1/apiclients", json!({"AppName": name, "AccessTokenDuration": 60})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["ID"].as_str().unwrap().to_owned()
}

async fn deliveries(s: &TestServer, query: &str) -> Vec<Value> {
    let r = s.get(&format!("/cartwire/v1/deliveries?{query}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_webhook_arrives_signed_with_the_documented_headers_and_body() {
    let s = TestServer::start().await;
    let rx = Receiver::start(Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).await;
    let integration =
        webhook(&s, &rx.url, Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), &["api-client.created"], json!({})).await;
    let client = emit(&s, "Shop").await;
    let got = eventually(10, "the webhook", || async { rx.accepted().into_iter().next() }).await;
    assert_eq!(got.signature_ok, Some(true), "the Standard Webhooks signature verifies independently");
    assert_eq!(got.headers["x-moltin-secret-key"], "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    assert_eq!(got.headers["x-moltin-integration-trigger"], "api-client.created");
    assert_eq!(got.headers["content-type"], "application/json");
    let b = &got.body;
    assert_eq!(got.headers["webhook-id"], b["id"].as_str().unwrap());
    assert_eq!(b["triggered_by"], "api-client.created");
    assert_eq!(b["attempt"], 1);
    assert_eq!(
        b["integration"],
        json!({"id": integration, "integration_type": "webhook", "name": "hook", "description": "test receiver"})
    );
    assert_eq!(b["payload"]["data"]["id"], client.as_str());
    assert_eq!(b["payload"]["data"]["type"], "api-client");
    assert_eq!(b["payload"]["data"]["app_name"], "Shop");
    let resources: Value = serde_json::from_str(b["resources"].as_str().unwrap()).unwrap();
    assert_eq!(resources, b["payload"]);
    assert_eq!(b["configuration"]["url"], rx.url.as_str());
    // The job and its log, through the EP endpoints.
    let jobs = eventually(10, "a succeeded job", || async {
        let r = s.get(&format!("/v2/integrations/{integration}/jobs")).await;
        let jobs = r.body["data"].as_array().cloned().unwrap_or_default();
        jobs.iter().any(|j| j["meta"]["status"] == "succeeded").then_some(jobs)
    })
    .await;
    let job = jobs[0]["id"].as_str().unwrap();
    assert_eq!(job, b["id"].as_str().unwrap(), "the webhook id is the job id");
    let logs = s.get(&format!("/v2/integrations/{integration}/jobs/{job}/logs")).await;
    assert_eq!(logs.status, 200);
    let log = &logs.body["data"][0];
    assert_eq!(log["type"], "integration-log");
    assert_eq!(log["succeeded"], true);
    assert_eq!(log["attempt"], 1);
    assert_eq!(log["status_code"], 200);
    assert_eq!(log["body"], "receiver says hi");
    assert_eq!(log["relationships"]["job"]["data"], json!({"type": "integration-job", "id": job}));
    assert_eq!(logs.body["results"]["total"], 1);
    // A webhook without secret has no signature headers but the trigger header.
    let plain = Receiver::start(None).await;
    webhook(&s, &plain.url, None, &["api-client.created"], json!({})).await;
    emit(&s, "Another").await;
    let got = eventually(10, "the unsigned webhook", || async { plain.accepted().into_iter().next() }).await;
    assert!(got.headers.get("x-moltin-secret-key").is_none());
    assert!(got.headers.get("webhook-signature").is_none());
    assert!(got.headers.get("webhook-id").is_some());
}

#[tokio::test]
async fn failures_retry_with_a_stable_id_then_dead_letter_and_manual_retry_redrives() {
    let s = TestServer::start().await;
    let rx = Receiver::start(Some("plain-secret")).await;
    rx.set_mode(Mode::Fail);
    let integration = webhook(&s, &rx.url, Some("plain-secret"), &["api-client.created"], json!({})).await;
    emit(&s, "Shop").await;
    // 1 + 3 retries with the test schedule, then a dead letter.
    let dead =
        eventually(10, "a dead letter", || async { deliveries(&s, "status=dead").await.into_iter().next() }).await;
    assert_eq!(dead["attempts"], 4);
    let got = rx.received();
    assert_eq!(got.len(), 4);
    let ids: Vec<&str> = got.iter().map(|r| r.body["id"].as_str().unwrap()).collect();
    assert!(ids.iter().all(|i| *i == dead["id"].as_str().unwrap()), "one job id across attempts");
    let attempts: Vec<i64> = got.iter().map(|r| r.body["attempt"].as_i64().unwrap()).collect();
    assert_eq!(attempts, [1, 2, 3, 4]);
    assert!(got.iter().all(|r| r.signature_ok == Some(true)), "every attempt is signed afresh");
    let logs = s.get(&format!("/v2/integrations/{integration}/logs")).await;
    assert_eq!(logs.body["results"]["total"], 4);
    let log = &logs.body["data"][0];
    assert_eq!(log["succeeded"], false);
    assert_eq!(log["status_code"], 500);
    assert_eq!(log["error_detail"], "Received a status code outside of 2xx range - treating webhook as a fail");

    // The receiver recovers; an operator redrives the dead letter.
    rx.set_mode(Mode::Ok);
    let r = s
        .send(
            Method::POST,
            &format!("/cartwire/v1/deliveries/{}/retry", dead["id"].as_str().unwrap()),
            Some(&s.admin_token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    eventually(10, "the redriven delivery", || async { (rx.accepted().len() == 1).then_some(()) }).await;
    assert_eq!(rx.accepted()[0].body["attempt"], 5);
    eventually(10, "succeeded status", || async {
        (deliveries(&s, "status=succeeded").await.len() == 1).then_some(())
    })
    .await;
    let r = s.send(Method::POST, "/cartwire/v1/deliveries/nope/retry", Some(&s.admin_token), None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.headers["content-type"], "application/problem+json");
}

#[tokio::test]
async fn throttling_and_timeouts_wait_at_least_the_floor_and_honour_retry_after() {
    // A schedule slow enough that the delivery waits with one attempt made for most of a
    // second: the test polls for that state, and a 100 ms window was missed on a loaded machine.
    let mut cfg = support::fast_delivery();
    cfg.retry.delays = vec![Duration::from_millis(400), Duration::from_millis(800)];
    cfg.retry.overload_floor = Duration::from_millis(800);
    let s = TestServer::start_with(cfg).await;
    let rx = Receiver::start(None).await;
    rx.set_mode(Mode::TooMany(1));
    let throttled = webhook(&s, &rx.url, None, &["api-client.created"], json!({})).await;
    emit(&s, "Shop").await;
    let pending = eventually(10, "a throttled attempt", || async {
        deliveries(&s, "status=pending").await.into_iter().find(|d| d["attempts"] == 1)
    })
    .await;
    // The retry is scheduled the moment the attempt ends: measure from the end of the logged
    // attempt (its start plus its processing time), not from the row's `updated_at`, which is
    // written later by however long a loaded machine takes to get there.
    let logs = s.get(&format!("/v2/integrations/{throttled}/logs")).await;
    let log = logs.body["data"].as_array().and_then(|a| a.first().cloned()).expect("the attempt is logged");
    let started = time::OffsetDateTime::parse(
        log["meta"]["timestamps"]["created_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let ended_ms =
        (started.unix_timestamp_nanos() / 1_000_000) as f64 + log["processing_time"].as_f64().unwrap() * 1000.0;
    let next = pending["next_attempt_at"].as_i64().unwrap();
    let wait_ms = next as f64 - ended_ms;
    // Scheduled 400 ms, floor 800 ms; Retry-After 1 s is honoured only up to twice the
    // schedule (with the schedule's jitter, and a millisecond of rounding either side).
    assert!((795.0..=1000.0).contains(&wait_ms), "waited {wait_ms} ms");
    assert_eq!(pending["last_error"], "Received a status code outside of 2xx range - treating webhook as a fail");

    let slow = Receiver::start(None).await;
    slow.set_mode(Mode::Hang);
    let hanging = webhook(&s, &slow.url, None, &["integration-event.created"], json!({})).await;
    s.post(
        "/v1/integrationEvents",
        json!({"ID": "ie", "Name": "n", "CustomImplementationUrl": "https://x.example", "HashKey": "k"}),
    )
    .await;
    let log = eventually(10, "a timed-out attempt", || async {
        let r = s.get(&format!("/v2/integrations/{hanging}/logs")).await;
        r.body["data"].as_array().and_then(|a| a.first().cloned())
    })
    .await;
    assert_eq!(log["succeeded"], false);
    assert_eq!(log["error_detail"], "The receiver did not answer in time");
    assert_eq!(log["status_code"], Value::Null);
}

#[tokio::test]
async fn a_slow_receiver_does_not_starve_the_others() {
    let mut cfg = support::fast_delivery();
    cfg.per_integration_concurrency = 2;
    cfg.timeout = Duration::from_secs(20);
    let s = TestServer::start_with(cfg).await;
    let slow = Receiver::start(None).await;
    slow.set_mode(Mode::Hang);
    let fast = Receiver::start(None).await;
    webhook(&s, &slow.url, None, &["api-client.created"], json!({})).await;
    webhook(&s, &fast.url, None, &["api-client.created"], json!({})).await;
    for n in 0..20 {
        emit(&s, &format!("c{n}")).await;
    }
    // All twenty reach the fast receiver while the slow one still holds its two in flight.
    eventually(15, "the fast receiver to get every event", || async { (fast.accepted().len() == 20).then_some(()) })
        .await;
    assert!(slow.received().len() <= 2, "the slow integration is capped at its concurrency");
}

#[tokio::test]
async fn ordered_integrations_deliver_one_resource_in_event_order() {
    let s = TestServer::start().await;
    let rx = Receiver::start(None).await;
    rx.set_mode(Mode::Fail);
    webhook(&s, &rx.url, None, &["api-client.created", "api-client.updated"], json!({"ordered_delivery": true})).await;
    let id = emit(&s, "v0").await;
    for n in 1..=3 {
        assert_eq!(s.patch(&format!("/v1/apiclients/{id}"), json!({"AppName": format!("v{n}")})).await.status, 200);
    }
    eventually(10, "the first attempts", || async { (rx.received().len() >= 2).then_some(()) }).await;
    // While the first event keeps failing nothing later is sent.
    assert!(rx.received().iter().all(|r| r.body["triggered_by"] == "api-client.created"));
    rx.set_mode(Mode::Ok);
    let dead = deliveries(&s, "status=dead").await;
    for d in dead {
        s.send(
            Method::POST,
            &format!("/cartwire/v1/deliveries/{}/retry", d["id"].as_str().unwrap()),
            Some(&s.admin_token),
            None,
        )
        .await;
    }
    eventually(10, "all four in order", || async { (rx.accepted().len() == 4).then_some(()) }).await;
    let names: Vec<String> =
        rx.accepted().iter().map(|r| r.body["payload"]["data"]["app_name"].as_str().unwrap().to_owned()).collect();
    assert_eq!(names, ["v0", "v1", "v2", "v3"]);
}

#[tokio::test]
async fn private_targets_are_refused_unless_allowed() {
    let mut cfg = support::fast_delivery();
    cfg.policy.allow_private = false;
    let s = TestServer::start_with(cfg).await;
    let rx = Receiver::start(None).await;
    let integration = webhook(&s, &rx.url, None, &["api-client.created"], json!({})).await;
    emit(&s, "Shop").await;
    let log = eventually(10, "a refused attempt", || async {
        let r = s.get(&format!("/v2/integrations/{integration}/logs")).await;
        r.body["data"].as_array().and_then(|a| a.first().cloned())
    })
    .await;
    assert_eq!(log["succeeded"], false);
    assert!(log["error_detail"].as_str().unwrap().contains("private or reserved address"), "{log}");
    assert!(rx.received().is_empty(), "nothing reached the loopback receiver");
}

#[tokio::test]
async fn replay_resends_a_time_range_and_disabled_integrations_receive_nothing() {
    let s = TestServer::start().await;
    let rx = Receiver::start(None).await;
    let integration = webhook(&s, &rx.url, None, &["api-client.created"], json!({})).await;
    let before = time::OffsetDateTime::now_utc() - Duration::from_secs(1);
    emit(&s, "a").await;
    emit(&s, "b").await;
    eventually(10, "two deliveries", || async { (rx.accepted().len() == 2).then_some(()) }).await;
    let after = time::OffsetDateTime::now_utc() + Duration::from_secs(1);
    let fmt = |t: time::OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).unwrap();
    let r = s
        .post(
            &format!("/cartwire/v1/integrations/{integration}/replay"),
            json!({"from": fmt(before), "to": fmt(after)}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["requeued"], 2);
    eventually(10, "the replay", || async { (rx.accepted().len() == 4).then_some(()) }).await;
    let ids: std::collections::HashSet<String> =
        rx.accepted().iter().map(|r| r.body["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 2, "replays keep the job ids so receivers can dedupe");
    let r = s
        .post(
            &format!("/cartwire/v1/integrations/{integration}/replay"),
            json!({"from": fmt(after), "to": fmt(before)}),
        )
        .await;
    assert_eq!(r.status, 400);

    let r = s
        .send(
            Method::PUT,
            &format!("/v2/integrations/{integration}"),
            Some(&s.admin_token),
            Some(json!({"data": {"type": "integration", "enabled": false}})),
        )
        .await;
    assert_eq!(r.status, 200);
    emit(&s, "c").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.accepted().len(), 4, "a disabled integration gets no new deliveries");
    assert_eq!(deliveries(&s, &format!("integration_id={integration}")).await.len(), 2);
}

#[tokio::test]
async fn a_disabled_integration_holds_its_pending_deliveries_until_enabled_again() {
    let mut cfg = support::fast_delivery();
    cfg.retry.delays = vec![Duration::from_millis(100); 30];
    let s = TestServer::start_with(cfg).await;
    let rx = Receiver::start(None).await;
    rx.set_mode(Mode::Fail);
    let integration =
        webhook(&s, &rx.url, Some("whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM="), &["api-client.created"], json!({})).await;
    emit(&s, "held").await;
    eventually(10, "a failed attempt", || async { (!rx.received().is_empty()).then_some(()) }).await;
    let disable = json!({"data": {"type": "integration", "enabled": false}});
    assert_eq!(
        s.send(Method::PUT, &format!("/v2/integrations/{integration}"), Some(&s.admin_token), Some(disable))
            .await
            .status,
        200
    );
    let attempts_then = rx.received().len();
    tokio::time::sleep(Duration::from_millis(500)).await;
    // At most one attempt that was already in flight when the integration was disabled.
    assert!(rx.received().len() <= attempts_then + 1, "a disabled integration is not attempted");
    assert_eq!(deliveries(&s, "status=pending").await.len(), 1, "the delivery waits, unspent");
    rx.set_mode(Mode::Ok);
    let enable = json!({"data": {"type": "integration", "enabled": true}});
    assert_eq!(
        s.send(Method::PUT, &format!("/v2/integrations/{integration}"), Some(&s.admin_token), Some(enable))
            .await
            .status,
        200
    );
    eventually(10, "delivery after re-enabling", || async { (rx.accepted().len() == 1).then_some(()) }).await;
    // Integration events carry the webhook secret masked: they go to other receivers.
    let events = s.get("/cartwire/v1/events?key=integration.created").await;
    let secret = events.body["data"][0]["payload"]["configuration"]["secret_key"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("****") && !secret.contains("c2VjcmV0"), "{secret}");
}
