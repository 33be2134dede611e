//! SQS (against moto) and STOMP (against RabbitMQ) deliveries. Each test needs its peer's
//! address in the environment (`CARTWIRE_TEST_SQS_ENDPOINT`, `CARTWIRE_TEST_STOMP`), which
//! scripts/test always sets; under a plain `cargo test` without them they say loudly that they
//! did not run.

use crate::support;

use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;
use support::peers::{Subscriber, peer, sqs_client};
use support::{TestServer, eventually};

async fn integration(s: &TestServer, kind: &str, config: Value) -> String {
    let body = json!({"data": {"type": "integration", "name": kind, "enabled": true, "observes": ["api-client.created"],
                               "integration_type": kind, "configuration": config}});
    let r = s.send(Method::POST, "/v2/integrations", Some(&s.admin_token), Some(body)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["data"]["id"].as_str().unwrap().to_owned()
}

async fn emit(s: &TestServer, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let r = s.post("/v1/apiclients", json!({"AppName": format!("c{i}"), "AccessTokenDuration": 60})).await;
        assert_eq!(r.status, 201);
        ids.push(r.body["ID"].as_str().unwrap().to_owned());
    }
    ids
}

async fn drain(client: &aws_sdk_sqs::Client, url: &str, want: usize) -> Vec<aws_sdk_sqs::types::Message> {
    let mut got = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while got.len() < want && tokio::time::Instant::now() < deadline {
        let out = client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .message_attribute_names("All")
            .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        for m in out.messages() {
            client.delete_message().queue_url(url).receipt_handle(m.receipt_handle().unwrap()).send().await.unwrap();
            got.push(m.clone());
        }
    }
    got
}

#[tokio::test]
async fn sqs_receives_cloud_events_in_batches_and_fifo_groups_by_resource() {
    let Some(endpoint) = peer("CARTWIRE_TEST_SQS_ENDPOINT") else { return };
    let s = TestServer::start().await;
    let sqs = sqs_client(&endpoint);
    let name = format!("cartwire-{}", uuid::Uuid::new_v4().simple());
    let url = sqs.create_queue().queue_name(&name).send().await.unwrap().queue_url().unwrap().to_owned();
    let id = integration(
        &s,
        "aws_sqs",
        json!({"url": url, "aws_access_key_id": "AKIATESTTESTTEST1234",
        "aws_secret_access_key": "secretsecretsecretsecretsecretsecret1234", "region": "us-east-1"}),
    )
    .await;
    let clients = emit(&s, 12).await;
    let messages = drain(&sqs, &url, 12).await;
    assert_eq!(messages.len(), 12);
    let store_id = s.get("/cartwire/v1/deployment").await.body["store_id"].as_str().unwrap().to_owned();
    let mut seen = Vec::new();
    for m in &messages {
        let body: Value = serde_json::from_str(m.body().unwrap()).unwrap();
        assert_eq!(body["specversion"], "1.0");
        assert_eq!(body["type"], "api-client.created");
        assert_eq!(body["source"], s.base.as_str());
        assert_eq!(body["integrationid"], id.as_str());
        assert_eq!(body["storeid"], store_id.as_str());
        assert_eq!(body["datacontenttype"], "application/json");
        assert_eq!(m.message_attributes().unwrap()["triggered_by"].string_value(), Some("api-client.created"));
        seen.push(body["data"]["id"].as_str().unwrap().to_owned());
    }
    seen.sort();
    let mut want = clients.clone();
    want.sort();
    assert_eq!(seen, want);
    let logs = s.get(&format!("/v2/integrations/{id}/logs")).await;
    assert_eq!(logs.body["results"]["total"], 12);
    assert!(logs.body["data"].as_array().unwrap().iter().all(|l| l["succeeded"] == true));

    // FIFO: group = resource id, deduplication = job id.
    let fifo = sqs
        .create_queue()
        .queue_name(format!("{name}.fifo"))
        .attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true")
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned();
    let body = json!({"data": {"type": "integration", "name": "fifo", "enabled": true, "observes": ["api-client.updated"],
        "integration_type": "aws_sqs", "configuration": {"url": fifo, "aws_access_key_id": "AKIATESTTESTTEST1234",
        "aws_secret_access_key": "secretsecretsecretsecretsecretsecret1234", "region": "us-east-1"}}});
    assert_eq!(s.send(Method::POST, "/v2/integrations", Some(&s.admin_token), Some(body)).await.status, 201);
    assert_eq!(s.patch(&format!("/v1/apiclients/{}", clients[0]), json!({"AppName": "renamed"})).await.status, 200);
    let messages = drain(&sqs, &fifo, 1).await;
    assert_eq!(messages.len(), 1);
    let attrs = messages[0].attributes().unwrap();
    assert_eq!(attrs[&aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId], clients[0]);
    let body: Value = serde_json::from_str(messages[0].body().unwrap()).unwrap();
    assert_eq!(
        attrs[&aws_sdk_sqs::types::MessageSystemAttributeName::MessageDeduplicationId],
        body["id"].as_str().unwrap()
    );
}

#[tokio::test]
async fn sqs_errors_are_logged_and_retried() {
    let Some(endpoint) = peer("CARTWIRE_TEST_SQS_ENDPOINT") else { return };
    let s = TestServer::start().await;
    let id = integration(&s, "aws_sqs", json!({"url": format!("{endpoint}/123456789012/no-such-queue"),
        "aws_access_key_id": "AKIATESTTESTTEST1234", "aws_secret_access_key": "secretsecretsecretsecretsecretsecret1234",
        "region": "us-east-1"})).await;
    emit(&s, 1).await;
    let dead = eventually(15, "a dead letter", || async {
        let r = s.get("/cartwire/v1/deliveries?status=dead").await;
        r.body["data"].as_array().and_then(|a| a.first().cloned())
    })
    .await;
    assert_eq!(dead["attempts"], 4);
    let logs = s.get(&format!("/v2/integrations/{id}/logs")).await;
    assert!(logs.body["data"][0]["error_detail"].as_str().unwrap().to_lowercase().contains("queue"), "{}", logs.body);
}

#[tokio::test]
async fn stomp_sends_with_receipts_and_fails_over_to_the_next_address() {
    let Some(broker) = peer("CARTWIRE_TEST_STOMP") else { return };
    let s = TestServer::start().await;
    let destination = format!("/queue/cartwire-test-{}", uuid::Uuid::new_v4().simple());
    let mut sub = Subscriber::connect(&broker, &destination).await;
    // The first address refuses connections: the transport moves on to the broker.
    let id = integration(
        &s,
        "stomp",
        json!({"username": "guest", "password": "guest", "destination": destination,
        "addresses": ["stomp://127.0.0.1:1", format!("stomp://{broker}")]}),
    )
    .await;
    let clients = emit(&s, 3).await;
    let mut seen = Vec::new();
    for _ in 0..3 {
        let f = sub.next().await;
        assert_eq!(f.command, "MESSAGE");
        assert_eq!(f.get("x-moltin-integration-trigger"), Some("api-client.created"));
        assert_eq!(f.get("content-type"), Some("application/json"));
        let body: Value = serde_json::from_slice(&f.body).unwrap();
        assert_eq!(f.get("cartwire-job-id"), body["id"].as_str());
        assert_eq!(body["specversion"], "1.0");
        assert_eq!(body["integrationid"], id.as_str());
        seen.push(body["data"]["id"].as_str().unwrap().to_owned());
    }
    seen.sort();
    let mut want = clients;
    want.sort();
    assert_eq!(seen, want);
    eventually(10, "three succeeded logs", || async {
        let r = s.get(&format!("/v2/integrations/{id}/logs")).await;
        (r.body["results"]["total"] == 3 && r.body["data"].as_array().unwrap().iter().all(|l| l["succeeded"] == true))
            .then_some(())
    })
    .await;
}

#[tokio::test]
async fn stomp_login_failures_are_logged() {
    let Some(broker) = peer("CARTWIRE_TEST_STOMP") else { return };
    let s = TestServer::start().await;
    let id = integration(
        &s,
        "stomp",
        json!({"username": "guest", "password": "wrong-password", "destination": "/queue/never",
        "addresses": [format!("stomp://{broker}")]}),
    )
    .await;
    emit(&s, 1).await;
    let log = eventually(15, "a refused attempt", || async {
        let r = s.get(&format!("/v2/integrations/{id}/logs")).await;
        r.body["data"].as_array().and_then(|a| a.first().cloned())
    })
    .await;
    assert_eq!(log["succeeded"], false);
    assert!(log["error_detail"].as_str().unwrap().contains("cannot connect"), "{log}");
}
