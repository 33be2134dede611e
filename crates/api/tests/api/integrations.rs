//! `/v2/integrations` as the Elastic Path SDK and the seed page use it.

use crate::support;

use reqwest::Method;
use serde_json::{Value, json};
use support::TestServer;

/// The seed page's example request body, verbatim.
const SEED: &str = r#"{
"data": {
"type": "integration",
"name": "Order shipping notification",
"description": "Send a shipping notification via email with discount code.",
"enabled": true,
"observes": [
"order.fulfilled"
],
"integration_type": "webhook",
"configuration": {
"url": "https://yourwebsite.com/order-created-notification"
}
}
}"#;

async fn ep_token(s: &TestServer) -> String {
    let before = time::OffsetDateTime::now_utc().unix_timestamp();
    let res = s
        .http
        .post(s.url("/oauth/access_token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", support::ADMIN_ID),
            ("client_secret", support::ADMIN_SECRET),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["identifier"], "client_credentials");
    assert_eq!(body["token_type"], "Bearer");
    let after = time::OffsetDateTime::now_utc().unix_timestamp();
    let expires = body["expires"].as_i64().unwrap();
    assert!(expires > after);
    // The server's clock read falls between ours, possibly across a second boundary.
    let issued = expires - body["expires_in"].as_i64().unwrap();
    assert!((before..=after).contains(&issued), "issued at {issued}, not within {before}..={after}");
    body["access_token"].as_str().unwrap().to_owned()
}

async fn ep(s: &TestServer, token: &str, method: Method, path: &str, body: Option<&str>) -> support::Response {
    let mut req = s.http.request(method, s.url(path)).header("authorization", format!("Bearer: {token}"));
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(b.to_owned());
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    support::Response { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::Null) }
}

#[tokio::test]
async fn seed_create_then_read_update_list_delete() {
    let s = TestServer::start().await;
    let token = ep_token(&s).await;
    let r = ep(&s, &token, Method::POST, "/v2/integrations", Some(SEED)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let d = &r.body["data"];
    let id = d["id"].as_str().unwrap().to_owned();
    assert_eq!(d["type"], "integration");
    assert_eq!(d["integration_type"], "webhook");
    assert_eq!(d["name"], "Order shipping notification");
    assert_eq!(d["enabled"], true);
    assert_eq!(d["observes"], json!(["order.fulfilled"]));
    assert_eq!(d["configuration"], json!({"url": "https://yourwebsite.com/order-created-notification"}));
    assert_eq!(d["links"]["self"], format!("{}/v2/integrations/{id}", s.base).as_str());
    let created = d["meta"]["timestamps"]["created_at"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 24, "RFC 3339 with milliseconds: {created}");

    // PUT is partial: only type is required; absent attributes keep their values.
    let r = ep(
        &s,
        &token,
        Method::PUT,
        &format!("/v2/integrations/{id}"),
        Some(r#"{"data":{"type":"integration","enabled":false}}"#),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["enabled"], false);
    assert_eq!(r.body["data"]["name"], "Order shipping notification");

    // An update is validated like a create, with the same error body.
    let six = r#"{"data":{"type":"integration","observes":["order.created","order.updated","order.paid","order.fulfilled","order.cancelled","order.refunded"]}}"#;
    let r = ep(&s, &token, Method::PUT, &format!("/v2/integrations/{id}"), Some(six)).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["detail"], "You have reached the integration event limit of 5");
    assert_eq!(r.body["errors"][0]["source"], "observes");
    let r = ep(
        &s,
        &token,
        Method::PUT,
        &format!("/v2/integrations/{id}"),
        Some(r#"{"data":{"type":"integration","integration_type":"stomp"}}"#),
    )
    .await;
    assert_eq!((r.status.as_u16(), r.body["errors"][0]["source"].as_str()), (422, Some("configuration")));
    let r = ep(&s, &token, Method::GET, &format!("/v2/integrations/{id}"), None).await;
    assert_eq!(r.body["data"]["id"], id.as_str());
    assert_eq!(r.body["data"]["observes"], json!(["order.fulfilled"]), "a rejected update changed nothing");
    for n in 0..3 {
        let body = SEED.replace("Order shipping notification", &format!("extra {n}"));
        assert_eq!(ep(&s, &token, Method::POST, "/v2/integrations", Some(&body)).await.status, 201);
    }
    let r = ep(&s, &token, Method::GET, "/v2/integrations?page[limit]=2&page[offset]=2", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["data"].as_array().unwrap().len(), 2);
    assert_eq!(r.body["meta"]["results"]["total"], 4);
    assert_eq!(r.body["meta"]["page"], json!({"limit": 2, "offset": 2, "current": 2, "total": 2}));
    assert_eq!(r.body["links"]["next"], Value::Null);
    assert!(r.body["links"]["prev"].as_str().unwrap().contains("page[offset]=0"));
    let r = ep(&s, &token, Method::GET, "/v2/integrations?page[limit]=101", None).await;
    assert_eq!(r.status, 400);

    let r = ep(&s, &token, Method::DELETE, &format!("/v2/integrations/{id}"), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, json!({"data": {"type": "integration", "id": id}}));
    let r = ep(&s, &token, Method::GET, &format!("/v2/integrations/{id}"), None).await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.body,
        json!({"errors": [{"status": 404, "title": "Not Found", "detail": "The resource could not be found"}]})
    );

    // Every change was an event.
    let log: Value = s
        .http
        .get(s.url("/cartwire/v1/events"))
        .bearer_auth(&s.admin_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys: Vec<&str> = log["data"].as_array().unwrap().iter().map(|e| e["key"].as_str().unwrap()).collect();
    assert_eq!(keys.iter().filter(|k| **k == "integration.created").count(), 4);
    assert!(keys.contains(&"integration.updated") && keys.contains(&"integration.deleted"));
}

#[tokio::test]
async fn validation_errors_use_the_ep_body_and_write_nothing() {
    let s = TestServer::start().await;
    let token = ep_token(&s).await;
    let with = |path: &str, v: Value| {
        let mut body: Value = serde_json::from_str(SEED).unwrap();
        let mut cur = &mut body["data"];
        let parts: Vec<&str> = path.split('.').collect();
        for p in &parts[..parts.len() - 1] {
            cur = &mut cur[*p];
        }
        if v.is_null() {
            cur.as_object_mut().unwrap().remove(parts[parts.len() - 1]);
        } else {
            cur[parts[parts.len() - 1]] = v;
        }
        body.to_string()
    };
    let six =
        json!(["order.created", "order.updated", "order.paid", "order.fulfilled", "order.cancelled", "order.refunded"]);
    let cases: Vec<(String, u16, &str, &str)> = vec![
        (with("observes", six), 422, "observes", "You have reached the integration event limit of 5"),
        (with("observes", json!(["order.exploded"])), 422, "observes", "'order.exploded' is not an observable event"),
        (with("observes", json!([])), 422, "observes", "observes must contain at least one event"),
        (with("observes", Value::Null), 422, "observes", "observes is required"),
        (with("type", json!("product")), 422, "type", "type must be integration, not product"),
        (with("name", Value::Null), 422, "name", "name is required"),
        (with("name", json!("x".repeat(256))), 422, "name", "name must be at most 255 characters"),
        (
            with("integration_type", json!("aws-sqs")),
            422,
            "integration_type",
            "integration_type must be one of webhook, aws_sqs, stomp; got 'aws-sqs'",
        ),
        (with("configuration", Value::Null), 422, "configuration", "configuration is required"),
        (with("configuration.url", Value::Null), 422, "configuration.url", "url is required"),
        (
            with("configuration.url", json!("ftp://nope")),
            422,
            "configuration.url",
            "url must be an absolute http(s) URL",
        ),
        (with("enabled", json!("yes")), 422, "enabled", ""),
        (
            with("integration_type", json!("aws_sqs")),
            422,
            "configuration.aws_access_key_id",
            "aws_access_key_id is required",
        ),
        (with("integration_type", json!("stomp")), 422, "configuration.addresses", "addresses is required"),
        (r#"{"data": "#.to_owned(), 400, "", ""),
        (r#"{"nodata": {}}"#.to_owned(), 422, "data", "data is required"),
    ];
    for (body, status, source, detail) in cases {
        let r = ep(&s, &token, Method::POST, "/v2/integrations", Some(&body)).await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
        let e = &r.body["errors"][0];
        assert_eq!(e["status"], status, "{}", r.body);
        if status == 422 {
            assert_eq!(e["title"], "Validation Error");
            assert_eq!(e["source"], source, "{}", r.body);
        }
        if !detail.is_empty() {
            assert_eq!(e["detail"], detail, "{}", r.body);
        }
    }
    let r = ep(&s, &token, Method::GET, "/v2/integrations", None).await;
    assert_eq!(r.body["meta"]["results"]["total"], 0);
    assert_eq!(s.event_count().await, 1, "only the bootstrap event");
}

#[tokio::test]
async fn secrets_are_masked_on_read_encrypted_at_rest_and_survive_round_trips() {
    let s = TestServer::start().await;
    let token = ep_token(&s).await;
    let body = json!({"data": {"type": "integration", "name": "queue", "observes": ["order.created"], "integration_type": "aws_sqs",
        "configuration": {"url": "https://sqs.eu-west-1.amazonaws.com/123456789/q", "aws_access_key_id": "AKIAABCDEFGHIJKLPSYQ",
                          "aws_secret_access_key": "abcdefghijklmnopqrstuvwxyz0123456789HK4o", "region": "eu-west-1"}}});
    let r = ep(&s, &token, Method::POST, "/v2/integrations", Some(&body.to_string())).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["data"]["configuration"]["aws_access_key_id"], "****************PSYQ");
    assert_eq!(r.body["data"]["configuration"]["aws_secret_access_key"], format!("{}HK4o", "*".repeat(36)).as_str());
    assert_eq!(r.body["data"]["enabled"], false, "enabled defaults to false");
    // GET-then-PUT with the masked values keeps the real keys.
    let mut back = ep(&s, &token, Method::GET, &format!("/v2/integrations/{id}"), None).await.body;
    back["data"]["name"] = json!("queue renamed");
    let r = ep(&s, &token, Method::PUT, &format!("/v2/integrations/{id}"), Some(&back.to_string())).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let stored = s.app.store().begin().await.unwrap().integration(&id).await.unwrap().unwrap();
    match stored.config {
        cartwire_domain::integration::IntegrationConfig::AwsSqs { aws_secret_access_key, .. } => {
            assert_eq!(aws_secret_access_key.expose(), "abcdefghijklmnopqrstuvwxyz0123456789HK4o")
        }
        other => panic!("{other:?}"),
    }
    // At rest the configuration is sealed.
    let raw =
        cartwire_store::raw::first_row_text(&support::database_url_of(&s), "SELECT configuration FROM integrations")
            .await
            .unwrap()
            .remove(0);
    assert!(raw.starts_with("v1:") && !raw.contains("HK4o") && !raw.contains("amazonaws"));
    // STOMP passwords are masked too; webhook secret_key is shown as EP documents.
    let stomp = json!({"data": {"type": "integration", "name": "broker", "observes": ["order.created"], "integration_type": "stomp",
        "configuration": {"username": "u", "password": "broker-password-CDKn", "destination": "/queue/x", "addresses": ["stomp+ssl://mq.example.com:61614"]}}});
    let r = ep(&s, &token, Method::POST, "/v2/integrations", Some(&stomp.to_string())).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["data"]["configuration"]["password"], "****************CDKn");
}

#[tokio::test]
async fn roles_and_auth_errors() {
    let s = TestServer::start().await;
    let reader = s.token_with_roles(&["WebhookReader"]).await;
    let writer = s.token_with_roles(&["WebhookAdmin"]).await;
    let nobody = s.token_with_roles(&["Shopper"]).await;
    let r = ep(&s, &writer, Method::POST, "/v2/integrations", Some(SEED)).await;
    assert_eq!(r.status, 201);
    let id = r.body["data"]["id"].as_str().unwrap().to_owned();
    for path in [
        "/v2/integrations".to_owned(),
        format!("/v2/integrations/{id}"),
        "/v2/integrations/logs".into(),
        format!("/v2/integrations/{id}/logs"),
        format!("/v2/integrations/{id}/jobs"),
    ] {
        assert_eq!(ep(&s, &reader, Method::GET, &path, None).await.status, 200, "{path}");
        let r = ep(&s, &nobody, Method::GET, &path, None).await;
        assert_eq!(r.status, 403, "{path}");
        assert_eq!(r.body["errors"][0]["title"], "Forbidden");
        let r = s.send(Method::GET, &path, None, None).await;
        assert_eq!(r.status, 401);
        assert_eq!(r.body, json!({"errors": [{"status": 401, "title": "Unable to validate access token"}]}));
    }
    assert_eq!(ep(&s, &reader, Method::POST, "/v2/integrations", Some(SEED)).await.status, 403);
    assert_eq!(ep(&s, &reader, Method::DELETE, &format!("/v2/integrations/{id}"), None).await.status, 403);
    assert_eq!(ep(&s, &writer, Method::DELETE, &format!("/v2/integrations/{id}"), None).await.status, 200);
    let res = s
        .http
        .post(s.url("/oauth/access_token"))
        .form(&[("grant_type", "client_credentials"), ("client_id", support::ADMIN_ID), ("client_secret", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["status"], 401);
    let res = s
        .http
        .post(s.url("/oauth/access_token"))
        .form(&[("grant_type", "implicit"), ("client_id", support::ADMIN_ID)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}
