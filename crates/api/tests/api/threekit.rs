//! The Threekit orders dialect: tokens, the create / list / get / update / items / cart /
//! delete endpoints, the public-token rules and the events they write.

use crate::support;

use reqwest::Method;
use serde_json::{Value, json};
use support::TestServer;

async fn issue(s: &TestServer, kind: &str, domains: Value) -> String {
    let r = s
        .post("/cartwire/v1/tokens", json!({"kind": kind, "name": format!("{kind} token"), "allowed_domains": domains}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["kind"], kind);
    r.body["token"].as_str().unwrap().to_owned()
}

/// A Threekit call: `private` goes in the Authorization header, `public` in the query with an
/// Origin header.
async fn tk(s: &TestServer, method: Method, path: &str, auth: Auth<'_>, body: Option<Value>) -> support::Response {
    let url = s.url(path);
    let mut req = match auth {
        Auth::Private(t) => s.http.request(method, &url).bearer_auth(t),
        Auth::Public(t, origin) => {
            let sep = if url.contains('?') { '&' } else { '?' };
            let req = s.http.request(method, format!("{url}{sep}bearer_token={t}"));
            match origin {
                Some(o) => req.header("origin", o),
                None => req,
            }
        }
        Auth::None => s.http.request(method, &url),
    };
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    support::Response { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::Null) }
}

#[derive(Clone, Copy)]
enum Auth<'a> {
    Private(&'a str),
    Public(&'a str, Option<&'a str>),
    None,
}

async fn event_keys(s: &TestServer) -> Vec<(String, String)> {
    let r = s.get("/cartwire/v1/events?limit=1000").await;
    r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["dialect"] == "threekit")
        .map(|e| (e["key"].as_str().unwrap().to_owned(), e["resource_id"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn create_get_list_update_delete_with_a_private_token() {
    let s = TestServer::start().await;
    let private = issue(&s, "private", json!([])).await;
    let p = Auth::Private(&private);
    // The spec's minimal create request, verbatim.
    let seed = r#"{"name":"Order #1001","platform":{"id":"1001","platform":"shopify","storeName":"my-store"},
 "cart":[{"configurationId":"8d7c1a2e-4a5b-4c3d-9e8f-0a1b2c3d4e5f","count":2,"metadata":{"SKU":"CHAIR-1"}}],
 "metadata":{},"status":"New"}"#;
    let res = s
        .http
        .post(s.url("/api/orders"))
        .bearer_auth(&private)
        .header("content-type", "application/json")
        .body(seed)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let o: Value = res.json().await.unwrap();
    let id = o["id"].as_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    let short = o["shortId"].as_str().unwrap().to_owned();
    assert_eq!(short.len(), 10);
    assert!(short.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(o["status"], "New");
    assert_eq!(o["platform"], json!({"id": "1001", "platform": "shopify", "storeName": "my-store"}));
    assert_eq!(
        o["cart"],
        json!([{"configurationId": "8d7c1a2e-4a5b-4c3d-9e8f-0a1b2c3d4e5f", "count": 2, "metadata": {"SKU": "CHAIR-1"}}])
    );
    assert_eq!(o["items"], json!([]));
    let org = s.get("/cartwire/v1/deployment").await.body["org_id"].as_str().unwrap().to_owned();
    assert_eq!(o["orgId"], org.as_str());

    // Defaults: status New, name and customerId rendered as null.
    let r = tk(&s, Method::POST, "/api/orders", p, Some(json!({"cart": []}))).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "New");
    assert_eq!(r.body["name"], Value::Null);
    assert_eq!(r.body["customerId"], Value::Null);

    // Get by id and by short id.
    assert_eq!(tk(&s, Method::GET, &format!("/api/orders/{id}"), p, None).await.body["id"], id.as_str());
    assert_eq!(tk(&s, Method::GET, &format!("/api/orders/{short}"), p, None).await.body["id"], id.as_str());
    let r = tk(&s, Method::GET, "/api/orders/nope", p, None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["error"]["code"], "not_found");

    // Listing and its filters.
    for i in 0..3 {
        tk(
            &s,
            Method::POST,
            "/api/orders",
            p,
            Some(json!({"name": format!("c{i}"), "customerId": "cust-1", "status": "In Cart"})),
        )
        .await;
    }
    let r = tk(&s, Method::GET, "/api/orders?perPage=2&page=1&sort=name", p, None).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        (r.body["count"].as_i64(), r.body["page"].as_i64(), r.body["perPage"].as_i64()),
        (Some(5), Some(1), Some(2))
    );
    assert_eq!(r.body["sort"], "name");
    assert_eq!(r.body["orders"].as_array().unwrap().len(), 2);
    // A page far past the end is empty, not an overflow (Schemathesis found page=1.3e17).
    let r = tk(&s, Method::GET, "/api/orders?perPage=100&page=133174367093410960", p, None).await;
    assert_eq!((r.status.as_u16(), r.body["orders"].as_array().map(Vec::len)), (200, Some(0)), "{}", r.body);
    assert_eq!(
        tk(&s, Method::GET, "/api/orders", p, None).await.body["sort"],
        "-createdAt",
        "sort is a string, never null"
    );
    assert_eq!(tk(&s, Method::GET, &format!("/api/orders?shortId={short}"), p, None).await.body["count"], 1);
    assert_eq!(tk(&s, Method::GET, "/api/orders?customerId=cust-1&status=In%20Cart", p, None).await.body["count"], 3);
    let plat = urlencode(r#"{"platform":"shopify","storeName":"my-store"}"#);
    assert_eq!(tk(&s, Method::GET, &format!("/api/orders?platform={plat}"), p, None).await.body["count"], 1);
    assert_eq!(tk(&s, Method::GET, &format!("/api/orders?orgId={org}"), p, None).await.body["count"], 5);
    assert_eq!(tk(&s, Method::GET, "/api/orders?orgId=someone-else", p, None).await.body["count"], 0);
    assert_eq!(tk(&s, Method::GET, "/api/orders?perPage=101", p, None).await.status, 422);

    // Update, then soft delete.
    let r = tk(
        &s,
        Method::PUT,
        &format!("/api/orders/{short}"),
        p,
        Some(json!({"status": "Complete", "name": "Shipped", "derivative": {"a": "b"}})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!((r.body["status"].as_str(), r.body["name"].as_str()), (Some("Complete"), Some("Shipped")));
    assert!(r.body["updatedAt"].is_string());
    let r = tk(&s, Method::DELETE, &format!("/api/orders/{id}"), p, None).await;
    assert_eq!(r.status, 200);
    assert!(r.body["deletedAt"].is_string());
    assert_eq!(tk(&s, Method::GET, &format!("/api/orders/{id}"), p, None).await.status, 404);
    assert_eq!(tk(&s, Method::GET, "/api/orders", p, None).await.body["count"], 4);
    assert_eq!(tk(&s, Method::GET, "/api/orders/healthcheck", Auth::None, None).await.body, json!(true));

    let keys = event_keys(&s).await;
    assert_eq!(keys.iter().filter(|(k, i)| k == "order.created" && *i == id).count(), 1);
    assert!(keys.contains(&("order.fulfilled".into(), id.clone())));
    assert_eq!(keys.iter().filter(|(k, _)| k == "cart.updated").count(), 3);
}

fn urlencode(s: &str) -> String {
    let url = reqwest::Url::parse_with_params("http://x/", &[("v", s)]).unwrap();
    url.query().unwrap().trim_start_matches("v=").to_owned()
}

#[tokio::test]
async fn deprecated_items_are_kept_and_converted_to_cart() {
    let s = TestServer::start().await;
    let private = issue(&s, "private", json!([])).await;
    let p = Auth::Private(&private);
    let r =
        tk(&s, Method::POST, "/api/orders", p, Some(json!({"items": [{"configurationId": "c1", "count": 3}, "c2"]})))
            .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["items"], json!([{"configurationId": "c1", "count": 3}, "c2"]));
    assert_eq!(r.body["cart"], json!([{"configurationId": "c1", "count": 3}, {"configurationId": "c2", "count": 1}]));
    // Malformed items are stored untouched and not converted.
    let r = tk(&s, Method::POST, "/api/orders", p, Some(json!({"items": [{"nope": true}]}))).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["items"], json!([{"nope": true}]));
    assert_eq!(r.body["cart"], json!([]));
    // Adding items and cart lines.
    let id = r.body["id"].as_str().unwrap().to_owned();
    let r = tk(&s, Method::POST, &format!("/api/orders/{id}/items"), p, Some(json!(["c9"]))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["cart"], json!([{"configurationId": "c9", "count": 1}]));
    let r = tk(
        &s,
        Method::POST,
        &format!("/api/orders/{id}/cart"),
        p,
        Some(json!([{"configurationId": "c10", "count": 2}])),
    )
    .await;
    assert_eq!(r.body["cart"].as_array().unwrap().len(), 2);
    let r = tk(
        &s,
        Method::PUT,
        &format!("/api/orders/{id}/cart"),
        p,
        Some(json!([{"configurationId": "only", "count": 1}])),
    )
    .await;
    assert_eq!(r.body["cart"], json!([{"configurationId": "only", "count": 1}]));
    let r = tk(&s, Method::POST, &format!("/api/orders/{id}/items"), p, Some(json!({"items": 5}))).await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn public_tokens_are_held_to_their_domains_and_to_carts() {
    let s = TestServer::start().await;
    let public = issue(&s, "public", json!(["*.shop.example", "configurator.example"])).await;
    let private = issue(&s, "private", json!([])).await;
    let ok_origin = Some("https://www.shop.example");
    // Origin checks.
    for (origin, status) in [
        (None, 403),
        (Some("https://evil.example"), 403),
        (Some("https://shop.example"), 403),
        (ok_origin, 200),
        (Some("https://configurator.example:8443"), 200),
    ] {
        let r = tk(&s, Method::POST, "/api/orders", Auth::Public(&public, origin), Some(json!({"status": "In Cart"})))
            .await;
        assert_eq!(r.status, status, "{origin:?}: {}", r.body);
    }
    let res = s
        .http
        .post(s.url(&format!("/api/orders?bearer_token={public}")))
        .header("referer", "https://a.shop.example/page")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "Referer's host is used when there is no Origin");
    // A public token changes carts (and may place them), never placed orders.
    let cart = tk(&s, Method::POST, "/api/orders", Auth::Public(&public, ok_origin), Some(json!({"status": "List"})))
        .await
        .body;
    let cart_id = cart["id"].as_str().unwrap();
    let r = tk(
        &s,
        Method::PUT,
        &format!("/api/orders/{cart_id}"),
        Auth::Public(&public, ok_origin),
        Some(json!({"status": "In Cart"})),
    )
    .await;
    assert_eq!(r.status, 200);
    let r = tk(
        &s,
        Method::PUT,
        &format!("/api/orders/{cart_id}"),
        Auth::Public(&public, ok_origin),
        Some(json!({"status": "New"})),
    )
    .await;
    assert_eq!(r.status, 200, "placing a cart: its current status is In Cart");
    let r = tk(
        &s,
        Method::PUT,
        &format!("/api/orders/{cart_id}"),
        Auth::Public(&public, ok_origin),
        Some(json!({"name": "late change"})),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.body["error"]["code"], "forbidden");
    let r = tk(
        &s,
        Method::POST,
        &format!("/api/orders/{cart_id}/cart"),
        Auth::Public(&public, ok_origin),
        Some(json!([{"configurationId": "x"}])),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        tk(&s, Method::GET, &format!("/api/orders/{cart_id}"), Auth::Public(&public, ok_origin), None).await.status,
        200
    );
    let r = tk(&s, Method::DELETE, &format!("/api/orders/{cart_id}"), Auth::Public(&public, ok_origin), None).await;
    assert_eq!(r.status, 403);
    // The private token may change it; the events tell the story.
    let r = tk(
        &s,
        Method::PUT,
        &format!("/api/orders/{cart_id}"),
        Auth::Private(&private),
        Some(json!({"name": "late change"})),
    )
    .await;
    assert_eq!(r.status, 200);
    let keys: Vec<String> = event_keys(&s).await.into_iter().filter(|(_, i)| i == cart_id).map(|(k, _)| k).collect();
    assert_eq!(keys, ["cart.updated", "cart.updated", "order.created", "order.updated"]);
    // A private token works from the query too; a revoked one does not work at all.
    assert_eq!(tk(&s, Method::GET, "/api/orders", Auth::Public(&private, None), None).await.status, 200);
    let tokens = s.get("/cartwire/v1/tokens").await;
    assert_eq!(tokens.body["data"].as_array().unwrap().len(), 2);
    assert!(tokens.body["data"][0].get("token").is_none(), "secrets are shown once");
    let pub_id = tokens.body["data"].as_array().unwrap().iter().find(|t| t["kind"] == "public").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(s.delete(&format!("/cartwire/v1/tokens/{pub_id}")).await.status, 204);
    let r = tk(&s, Method::GET, "/api/orders", Auth::Public(&public, ok_origin), None).await;
    assert_eq!(r.status, 401);
    assert_eq!(tk(&s, Method::GET, "/api/orders", Auth::None, None).await.status, 401);
    let r = tk(&s, Method::GET, "/api/orders", Auth::Private("00000000-0000-4000-8000-000000000000"), None).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn bad_input_gets_threekit_errors_and_writes_nothing() {
    let s = TestServer::start().await;
    let private = issue(&s, "private", json!([])).await;
    let p = Auth::Private(&private);
    let before = s.event_count().await;
    let cases: Vec<(Value, u16)> = vec![
        (json!({"name": "x".repeat(256)}), 422),
        (json!({"status": "Shipped"}), 422),
        (json!({"status": "new"}), 422),
        (json!({"cart": [{"configurationId": "c", "count": 0}]}), 422),
        (json!({"cart": [{"configurationId": "c", "count": 1.5}]}), 422),
        (json!({"cart": [{"count": 1}]}), 422),
        (json!({"cart": {"configurationId": "c"}}), 422),
        (json!({"metadata": "flat"}), 422),
        (json!({"derivative": {"a": 1}}), 422),
        (json!({"platform": {"id": 7}}), 422),
        (json!({"customerId": 12}), 422),
        (json!({"orgId": "another-org"}), 403),
        (json!([1, 2]), 400),
    ];
    for (body, status) in cases {
        let r = tk(&s, Method::POST, "/api/orders", p, Some(body.clone())).await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
        assert!(r.body["error"]["code"].is_string() && r.body["error"]["message"].is_string(), "{}", r.body);
    }
    let res = s
        .http
        .post(s.url("/api/orders"))
        .bearer_auth(&private)
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(tk(&s, Method::GET, "/api/orders", p, None).await.body["count"], 0);
    assert_eq!(s.event_count().await, before);
    // Operator API input checks.
    assert_eq!(s.post("/cartwire/v1/tokens", json!({"kind": "public", "name": "no domains"})).await.status, 400);
    assert_eq!(s.post("/cartwire/v1/tokens", json!({"kind": "secret", "name": "x"})).await.status, 400);
    assert_eq!(
        s.post("/cartwire/v1/tokens", json!({"kind": "public", "name": "x", "allowed_domains": ["bad domain"]}))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn idle_carts_are_abandoned_once_and_placing_one_recovers_it() {
    let s = TestServer::start().await;
    let private = issue(&s, "private", json!([])).await;
    let p = Auth::Private(&private);
    let cart = tk(&s, Method::POST, "/api/orders", p, Some(json!({"status": "In Cart"}))).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = tk(&s, Method::POST, "/api/orders", p, Some(json!({"status": "List"}))).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let placed = tk(&s, Method::POST, "/api/orders", p, Some(json!({"status": "New"}))).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The test server abandons carts idle for 1 s; sweep after that.
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    let fresh = tk(&s, Method::POST, "/api/orders", p, Some(json!({"status": "In Cart"}))).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(s.app.abandon_idle_carts().await.unwrap(), 2);
    assert_eq!(s.app.abandon_idle_carts().await.unwrap(), 0, "a cart is abandoned once");
    let abandoned: Vec<String> =
        event_keys_all(&s).await.into_iter().filter(|(k, _)| k == "cart.abandoned").map(|(_, id)| id).collect();
    assert_eq!(abandoned.len(), 2);
    assert!(abandoned.contains(&cart) && abandoned.contains(&list));
    assert!(!abandoned.contains(&placed) && !abandoned.contains(&fresh));
    // Placing the abandoned cart recovers it.
    let r = tk(&s, Method::PUT, &format!("/api/orders/{cart}"), p, Some(json!({"status": "New"}))).await;
    assert_eq!(r.status, 200);
    let keys: Vec<String> =
        event_keys_all(&s).await.into_iter().filter(|(_, id)| *id == cart).map(|(k, _)| k).collect();
    assert_eq!(keys, ["cart.updated", "cart.abandoned", "order.created", "cart.recovered"]);
    // Placing a cart that was never abandoned is just an order.
    tk(&s, Method::PUT, &format!("/api/orders/{fresh}"), p, Some(json!({"status": "New"}))).await;
    let keys: Vec<String> =
        event_keys_all(&s).await.into_iter().filter(|(_, id)| *id == fresh).map(|(k, _)| k).collect();
    assert_eq!(keys, ["cart.updated", "order.created"]);
}

async fn event_keys_all(s: &TestServer) -> Vec<(String, String)> {
    let r = s.get("/cartwire/v1/events?limit=1000").await;
    r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["key"].as_str().unwrap().to_owned(), e["resource_id"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn concurrent_sweeps_claim_each_cart_once() {
    let s = TestServer::start().await;
    let private = issue(&s, "private", json!([])).await;
    for _ in 0..30 {
        tk(&s, Method::POST, "/api/orders", Auth::Private(&private), Some(json!({"status": "In Cart"}))).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    let (a, b, c, d) = tokio::join!(
        s.app.abandon_idle_carts(),
        s.app.abandon_idle_carts(),
        s.app.abandon_idle_carts(),
        s.app.abandon_idle_carts()
    );
    assert_eq!(a.unwrap() + b.unwrap() + c.unwrap() + d.unwrap(), 30);
    let abandoned = event_keys_all(&s).await.into_iter().filter(|(k, _)| k == "cart.abandoned").count();
    assert_eq!(abandoned, 30);
}
