//! Threekit tokens and ActiveCampaign API keys share a table but never cross: each operator
//! endpoint lists and revokes its own kind only, and neither secret authenticates the other
//! dialect.

use crate::support::TestServer;
use serde_json::json;

#[tokio::test]
async fn tokens_and_api_keys_are_revoked_and_used_only_as_their_own_kind() {
    let s = TestServer::start().await;
    let r = s.post("/cartwire/v1/tokens", json!({"kind": "private", "name": "storefront"})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let (tk_id, tk) = (r.body["id"].as_str().unwrap().to_owned(), r.body["token"].as_str().unwrap().to_owned());
    let r = s.post("/cartwire/v1/api-keys", json!({"name": "shop"})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let (key_id, key) = (r.body["id"].as_str().unwrap().to_owned(), r.body["key"].as_str().unwrap().to_owned());

    // Listings hold their own kind only.
    let tokens = s.get("/cartwire/v1/tokens").await.body.to_string();
    let keys = s.get("/cartwire/v1/api-keys").await.body.to_string();
    assert!(tokens.contains(&tk_id) && !tokens.contains(&key_id), "{tokens}");
    assert!(keys.contains(&key_id) && !keys.contains(&tk_id), "{keys}");

    // Neither secret works as the other: each is refused like a made-up one.
    let bogus = s.http.get(s.url("/api/3/connections")).header("Api-Token", "made-up").send().await.unwrap().status();
    assert!(bogus.is_client_error());
    let r = s.http.get(s.url("/api/3/connections")).header("Api-Token", &tk).send().await.unwrap();
    assert_eq!(r.status(), bogus);
    let r = s.http.get(s.url(&format!("/api/orders?bearer_token={key}"))).send().await.unwrap();
    assert_eq!(r.status(), 401);

    // Revoking across kinds is "not found" and changes nothing.
    assert_eq!(s.delete(&format!("/cartwire/v1/api-keys/{tk_id}")).await.status, 404);
    assert_eq!(s.delete(&format!("/cartwire/v1/tokens/{key_id}")).await.status, 404);
    let r = s.http.get(s.url(&format!("/api/orders?bearer_token={tk}"))).send().await.unwrap();
    assert_eq!(r.status(), 200, "the Threekit token still works");
    let r = s.http.get(s.url("/api/3/connections")).header("Api-Token", &key).send().await.unwrap();
    assert_eq!(r.status(), 200, "the API key still works");

    // Each endpoint revokes its own.
    assert_eq!(s.delete(&format!("/cartwire/v1/tokens/{tk_id}")).await.status, 204);
    assert_eq!(s.delete(&format!("/cartwire/v1/api-keys/{key_id}")).await.status, 204);
    let r = s.http.get(s.url(&format!("/api/orders?bearer_token={tk}"))).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = s.http.get(s.url("/api/3/connections")).header("Api-Token", &key).send().await.unwrap();
    assert_eq!(r.status(), bogus);
}
