//! Secrets cartwire must send later are shown only to the admin role that manages them: a
//! reader sees an integration event's `HashKey` and a webhook's `secret_key` masked. And the
//! integration-event body takes what its documentation says: `ConfigData` an object,
//! `EventType` one of the enum (never null).

use crate::support::TestServer;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn readers_see_hash_keys_and_webhook_secrets_masked() {
    let s = TestServer::start().await;
    let event = json!({"ID": "ie", "Name": "e", "EventType": "OrderCheckout", "CustomImplementationUrl": "https://mw.example",
                       "HashKey": "super-secret-hash-key"});
    assert_eq!(s.post("/v1/integrationEvents", event).await.status, 201);
    let reader = s.token_with_roles(&["IntegrationEventReader"]).await;
    for path in ["/v1/integrationEvents/ie", "/v1/integrationEvents"] {
        let r = s.send(Method::GET, path, Some(&reader), None).await;
        let text = r.body.to_string();
        assert!(!text.contains("super-secret"), "{path}: {text}");
        assert!(text.contains("*****************-key"), "{path}: masked to its last four: {text}");
    }
    assert_eq!(s.get("/v1/integrationEvents/ie").await.body["HashKey"], "super-secret-hash-key", "the admin sees it");

    let r = s
        .post(
            "/v2/integrations",
            json!({"data": {"type": "integration", "name": "hook", "integration_type": "webhook",
               "enabled": false, "observes": ["order.created"],
               "configuration": {"url": "https://hooks.example/in", "secret_key": "whsec_dGhpcyBpcyBzZWNyZXQ"}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["data"]["id"].as_str().unwrap().to_owned();
    let reader = s.token_with_roles(&["WebhookReader"]).await;
    for path in [format!("/v2/integrations/{id}"), "/v2/integrations".to_owned()] {
        let r = s.send(Method::GET, &path, Some(&reader), None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let text = r.body.to_string();
        assert!(!text.contains("whsec_") && text.contains("*yZXQ"), "{path}: masked to its last four: {text}");
    }
    let r = s.get(&format!("/v2/integrations/{id}")).await;
    assert_eq!(r.body["data"]["configuration"]["secret_key"], "whsec_dGhpcyBpcyBzZWNyZXQ", "the admin sees it");
}

#[tokio::test]
async fn config_data_is_an_object_and_event_type_is_never_null() {
    let s = TestServer::start().await;
    let base = |extra: serde_json::Value| {
        let mut e = json!({"ID": "ie", "Name": "e", "CustomImplementationUrl": "https://mw.example", "HashKey": "k",
                           "EventType": "OrderCheckout"});
        for (k, v) in extra.as_object().unwrap() {
            e[k] = v.clone();
        }
        e
    };
    for (extra, field) in [
        (json!({"ConfigData": [1, 2]}), "ConfigData"),
        (json!({"ConfigData": "text"}), "ConfigData"),
        (json!({"ConfigData": 5}), "ConfigData"),
        (json!({"EventType": null}), "EventType"),
    ] {
        let r = s.post("/v1/integrationEvents", base(extra.clone())).await;
        assert_eq!((r.status.as_u16(), r.code()), (400, "ValidationFailure"), "{extra}: {}", r.body);
        assert!(r.body.to_string().contains(field), "{extra}: {}", r.body);
    }
    assert_eq!(s.get("/v1/integrationEvents/ie").await.status, 404, "nothing was written");
    let r = s.post("/v1/integrationEvents", base(json!({"ConfigData": {"taxRate": 0.1}}))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = s.put("/v1/integrationEvents/ie", base(json!({"ConfigData": null}))).await;
    assert_eq!((r.status.as_u16(), &r.body["ConfigData"]), (200, &serde_json::Value::Null), "{}", r.body);
}
