//! Access ends with its grant: a token stops working once its client is deactivated, deleted
//! or given a new secret, or its user is deactivated, deleted or loses the assignment its
//! roles came from — on this node at once (the write clears the cache), elsewhere within the
//! cache's two seconds. Each refusal is OrderCloud's 401 `InvalidToken`.

use crate::support::shop::Shop;
use crate::support::{Response, TestServer};
use reqwest::Method;
use serde_json::json;

fn revoked(r: &Response, what: &str) {
    assert_eq!((r.status.as_u16(), r.code()), (401, "InvalidToken"), "{what}: {}", r.body);
}

async fn client_with_secret(s: &TestServer, roles: &[&str]) -> (String, String) {
    let token = s.token_with_roles(roles).await;
    let r = s.send(Method::GET, "/v1/apiclients", Some(&token), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // token_with_roles names its client "roles" with this secret; find the newest one.
    let r = s.get("/v1/apiclients").await;
    let id = r.body["Items"].as_array().unwrap().iter().rev().find(|c| c["AppName"] == "roles").unwrap()["ID"]
        .as_str()
        .unwrap()
        .to_owned();
    (id, token)
}

#[tokio::test]
async fn client_changes_revoke_the_tokens_issued_through_it() {
    let s = TestServer::start().await;
    let read = |t: String| {
        let s = &s;
        async move { s.send(Method::GET, "/v1/apiclients", Some(&t), None).await }
    };

    // Deactivated: refused; active again: the same token works again.
    let (id, token) = client_with_secret(&s, &["ApiClientReader"]).await;
    assert_eq!(s.patch(&format!("/v1/apiclients/{id}"), json!({"Active": false})).await.status, 200);
    revoked(&read(token.clone()).await, "deactivated client");
    assert_eq!(s.patch(&format!("/v1/apiclients/{id}"), json!({"Active": true})).await.status, 200);
    assert_eq!(read(token.clone()).await.status, 200);

    // A new secret: tokens from before it stop, a token from the new secret works.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await; // iat has one-second resolution
    assert_eq!(s.patch(&format!("/v1/apiclients/{id}"), json!({"ClientSecret": "rotated-secret-1"})).await.status, 200);
    revoked(&read(token.clone()).await, "rotated secret");
    let fresh = s.client_token(&id, "rotated-secret-1").await;
    assert_eq!(read(fresh.clone()).await.status, 200);
    // Other changes leave tokens alone.
    assert_eq!(s.patch(&format!("/v1/apiclients/{id}"), json!({"AppName": "renamed"})).await.status, 200);
    assert_eq!(read(fresh.clone()).await.status, 200);

    // Deleted.
    assert_eq!(s.delete(&format!("/v1/apiclients/{id}")).await.status, 204);
    revoked(&read(fresh).await, "deleted client");
}

#[tokio::test]
async fn user_changes_revoke_the_users_tokens() {
    let shop = Shop::open(&[]).await;
    let s = &shop.s;
    let shop = &shop;
    let cart = |t: String| async move { shop.call(&t, Method::GET, "/v1/cart", None).await };

    let jane = shop.login("jane").await;
    assert_eq!(cart(jane.clone()).await.status, 200);
    assert_eq!(s.patch("/v1/buyers/b/users/jane", json!({"Active": false})).await.status, 200);
    revoked(&cart(jane.clone()).await, "deactivated user");
    assert_eq!(s.patch("/v1/buyers/b/users/jane", json!({"Active": true})).await.status, 200);
    assert_eq!(cart(jane.clone()).await.status, 200);

    // The buyer deactivated: every user's token of it stops.
    let joe = shop.login("joe").await;
    assert_eq!(s.patch("/v1/buyers/b", json!({"Active": false})).await.status, 200);
    revoked(&cart(joe.clone()).await, "deactivated buyer");
    assert_eq!(s.patch("/v1/buyers/b", json!({"Active": true})).await.status, 200);
    assert_eq!(cart(joe.clone()).await.status, 200);

    // The assignment that gave Shopper removed: the token carries a role no longer held.
    let r = s.delete("/v1/securityprofiles/shopper/assignments?buyerID=b").await;
    assert_eq!(r.status, 204, "{}", r.body);
    revoked(&cart(jane.clone()).await, "assignment removed");
    revoked(&cart(joe.clone()).await, "assignment removed");

    // Deleted.
    let r = s.post("/v1/securityprofiles/assignments", json!({"SecurityProfileID": "shopper", "BuyerID": "b"})).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let joe = shop.login("joe").await;
    assert_eq!(cart(joe.clone()).await.status, 200);
    assert_eq!(s.delete("/v1/buyers/b/users/joe").await.status, 204);
    revoked(&cart(joe).await, "deleted user");
}
