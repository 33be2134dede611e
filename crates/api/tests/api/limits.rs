//! Request bodies over the 1 MiB limit are refused before any handler runs, in the error body
//! of the dialect the path belongs to.

use crate::support;

use reqwest::Method;
use serde_json::Value;
use support::TestServer;

#[tokio::test]
async fn oversized_bodies_get_each_dialects_error_body() {
    let s = TestServer::start().await;
    let big = format!("{{\"name\":\"{}\"}}", "x".repeat(1024 * 1024 + 1));
    type Shape = fn(&Value) -> bool;
    let cases: Vec<(&str, Shape)> = vec![
        ("/v1/apiclients", |b| b["Errors"][0]["ErrorCode"] == "Request.InvalidRequestBody"),
        ("/oauth/token", |b| b["Errors"][0]["ErrorCode"] == "Request.InvalidRequestBody"),
        ("/v2/integrations", |b| b["errors"][0]["status"] == 413),
        ("/api/orders", |b| b["error"]["code"] == "payload_too_large"),
        ("/api/3/connections", |b| b["message"].as_str().is_some_and(|m| m.contains("larger"))),
        ("/cartwire/v1/tokens", |b| b["status"] == 413 && b["title"] == "Payload Too Large"),
    ];
    for (path, shape) in cases {
        let r = s.send_raw(Method::POST, path, &s.admin_token, "application/json", &big).await;
        assert_eq!(r.status, 413, "{path}");
        assert!(shape(&r.body), "{path}: {}", r.body);
    }
    // Bodies under the limit are untouched by the rewrite.
    let r = s.send_raw(Method::POST, "/v1/apiclients", &s.admin_token, "application/json", "{").await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "Request.InvalidRequestBody"));
}
