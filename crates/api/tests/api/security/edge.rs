//! Malformed input at the edge: NUL in every place text arrives, duplicate JSON keys, broken
//! path segments, wrong methods and content types, unknown paths, bad query strings. Each
//! answers a 4xx in the error body of the path's own dialect, on both stores — never a 500 and
//! never a bare text body.

use crate::support::{Response, TestServer};
use reqwest::Method;
use serde_json::Value;

/// Which error body a path's dialect speaks.
#[derive(Debug, Clone, Copy)]
enum Body {
    OrderCloud,
    ElasticPath,
    ActiveCampaign,
    Threekit,
    Operator,
}

fn check(r: &Response, status: u16, body: Body, what: &str) {
    assert_eq!(r.status.as_u16(), status, "{what}: {}", r.body);
    let ct = r.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(ct.contains("json"), "{what}: content-type {ct}");
    let b = &r.body;
    let ok = match body {
        Body::OrderCloud => b["Errors"][0]["ErrorCode"].is_string() && b["Errors"][0]["Message"].is_string(),
        Body::ElasticPath => b["errors"][0]["status"] == status && b["errors"][0]["title"].is_string(),
        Body::ActiveCampaign => b["message"].is_string() || b["errors"][0]["title"].is_string(),
        Body::Threekit => b["error"]["code"].is_string() && b["error"]["message"].is_string(),
        Body::Operator => ct.starts_with("application/problem+json") && b["status"] == status,
    };
    assert!(ok, "{what}: not a {body:?} error body: {b}");
}

async fn raw(s: &TestServer, method: Method, path: &str, token: Option<&str>, ct: &str, body: &str) -> Response {
    match token {
        Some(t) => s.send_raw(method, path, t, ct, body).await,
        None => {
            let res = s
                .http
                .request(method, s.url(path))
                .header("content-type", ct)
                .body(body.to_owned())
                .send()
                .await
                .unwrap();
            let status = res.status();
            let headers = res.headers().clone();
            let text = res.text().await.unwrap();
            Response { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::String(text)) }
        }
    }
}

/// method, path, token, content type, body, dialect (and status, for the bare rejections).
type Case<'a> = (Method, String, Option<&'a str>, &'a str, &'a str, Body);
type BareCase<'a> = (Method, String, Option<&'a str>, &'a str, &'a str, u16, Body);

#[tokio::test]
async fn nul_duplicate_keys_and_bare_rejections_answer_in_each_dialects_body() {
    let s = TestServer::start().await;
    let admin = s.admin_token.clone();
    let r = s.post("/cartwire/v1/tokens", serde_json::json!({"kind": "private", "name": "t"})).await;
    let tk = r.body["token"].as_str().or(r.body["secret"].as_str()).map(str::to_owned);
    let tk = tk.unwrap_or_else(|| panic!("a private token: {}", r.body));
    let r = s.post("/cartwire/v1/api-keys", serde_json::json!({"name": "k"})).await;
    let ac_key = r.body["key"].as_str().unwrap().to_owned();
    let json = "application/json";
    let form = "application/x-www-form-urlencoded";
    use Body::*;

    // NUL in JSON strings, JSON keys, path ids, queries and form fields.
    let cases: Vec<Case> = vec![
        (
            Method::POST,
            "/v1/apiclients".into(),
            Some(&admin),
            json,
            r#"{"AppName": "a\u0000b", "AccessTokenDuration": 60}"#,
            OrderCloud,
        ),
        (
            Method::POST,
            "/v1/apiclients".into(),
            Some(&admin),
            json,
            r#"{"AppName\u0000": "a", "AccessTokenDuration": 60}"#,
            OrderCloud,
        ),
        (Method::GET, "/v1/apiclients/a%00b".into(), Some(&admin), json, "", OrderCloud),
        (Method::GET, "/v1/buyers?search=a%00".into(), Some(&admin), json, "", OrderCloud),
        (
            Method::POST,
            "/oauth/token".into(),
            None,
            form,
            "grant_type=client_credentials&client_id=a%00b&client_secret=x",
            OrderCloud,
        ),
        (
            Method::POST,
            "/oauth/access_token".into(),
            None,
            form,
            "grant_type=client_credentials&client_id=a%00",
            ElasticPath,
        ),
        (
            Method::POST,
            "/v2/integrations".into(),
            Some(&admin),
            json,
            r#"{"data": {"type": "integration", "name": "\u0000"}}"#,
            ElasticPath,
        ),
        (Method::POST, format!("/api/orders?bearer_token={tk}"), None, json, r#"{"customerId": "c\u0000"}"#, Threekit),
        (Method::GET, format!("/api/orders/x%00?bearer_token={tk}"), None, json, "", Threekit),
        (Method::GET, "/cartwire/v1/events?key=a%00".into(), Some(&admin), json, "", Operator),
        (
            Method::POST,
            "/cartwire/v1/tokens".into(),
            Some(&admin),
            json,
            r#"{"kind": "private", "name": "\u0000"}"#,
            Operator,
        ),
    ];
    for (method, path, token, ct, body, dialect) in cases {
        let r = raw(&s, method.clone(), &path, token, ct, body).await;
        check(&r, 400, dialect, &format!("{method} {path} {body}"));
    }
    // ActiveCampaign authenticates with its own header.
    for body in [
        r#"{"connection": {"service": "s\u0000", "externalid": "e", "name": "n", "logoUrl": "https://x.example", "linkUrl": "https://x.example"}}"#,
        r#"{"connection": {"service": "s", "service": "t", "externalid": "e", "name": "n"}}"#,
    ] {
        let res = s
            .http
            .post(s.url("/api/3/connections"))
            .header("Api-Token", &ac_key)
            .header("content-type", json)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let b: Value = res.json().await.unwrap_or(Value::Null);
        check(&Response { status, headers, body: b }, 400, ActiveCampaign, body);
    }

    // Duplicate keys, one rule for every dialect.
    for (path, token, body, dialect) in [
        (
            "/v1/apiclients".to_owned(),
            Some(admin.as_str()),
            r#"{"AppName": "a", "AppName": "b", "AccessTokenDuration": 60}"#,
            OrderCloud,
        ),
        (
            "/v2/integrations".to_owned(),
            Some(admin.as_str()),
            r#"{"data": {"type": "integration", "type": "x"}}"#,
            ElasticPath,
        ),
        (format!("/api/orders?bearer_token={tk}"), None, r#"{"name": "a", "name": "b"}"#, Threekit),
        (
            "/cartwire/v1/tokens".to_owned(),
            Some(admin.as_str()),
            r#"{"kind": "private", "kind": "public", "name": "n"}"#,
            Operator,
        ),
    ] {
        let r = raw(&s, Method::POST, &path, token, json, body).await;
        check(&r, 400, dialect, &format!("duplicate keys at {path}"));
        let message = r.body.to_string();
        assert!(message.contains("appears twice"), "{path}: {message}");
    }

    // Bare rejections of the layers in front of the dialects.
    let bare: Vec<BareCase> = vec![
        (Method::GET, "/v1/apiclients/%FF%FE".into(), Some(&admin), json, "", 400, OrderCloud),
        (Method::GET, format!("/api/orders/%FF%FE?bearer_token={tk}"), None, json, "", 400, Threekit),
        (Method::PATCH, "/oauth/token".into(), None, form, "", 405, OrderCloud),
        (Method::DELETE, "/v2/integrations".into(), Some(&admin), json, "", 405, ElasticPath),
        (Method::PATCH, format!("/api/orders?bearer_token={tk}"), None, json, "{}", 405, Threekit),
        (Method::PATCH, "/cartwire/v1/events".into(), Some(&admin), json, "", 405, Operator),
        (Method::GET, "/api/3/nothing".into(), None, json, "", 404, ActiveCampaign),
        (Method::GET, "/v2/nothing".into(), Some(&admin), json, "", 404, ElasticPath),
        (Method::GET, "/api/orders/x/y/z".into(), None, json, "", 404, Threekit),
        (Method::GET, "/nothing".into(), None, json, "", 404, Operator),
        (Method::POST, "/ocrpcode".into(), None, "text/plain", "state=x", 415, OrderCloud),
        (Method::GET, "/cartwire/v1/events?limit=abc".into(), Some(&admin), json, "", 400, Operator),
        (Method::GET, "/cartwire/v1/deliveries?limit=-1x".into(), Some(&admin), json, "", 400, Operator),
    ];
    for (method, path, token, ct, body, status, dialect) in bare {
        let r = raw(&s, method.clone(), &path, token, ct, body).await;
        check(&r, status, dialect, &format!("{method} {path}"));
    }
}
