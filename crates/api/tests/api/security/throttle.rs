//! Guessing is slowed down: ten wrong client secrets within a minute hold the client's token
//! endpoint (429 with `Retry-After`, in each dialect's body) even for the right secret; five
//! wrong passwords in a row lock the user out (`Auth.AccountLocked`) while other users of the
//! same client sign in as before.

use crate::support::shop::{PASSWORD, Shop};
use crate::support::{ADMIN_ID, ADMIN_SECRET, TestServer};
use serde_json::json;

#[tokio::test]
async fn wrong_client_secrets_hold_the_client_in_both_token_dialects() {
    let s = TestServer::start().await;
    let r = s
        .post(
            "/v1/apiclients",
            json!({"AppName": "c", "AccessTokenDuration": 60, "Active": true, "AllowSeller": true,
               "ClientSecret": "the-right-secret", "DefaultContextUserName": null}),
        )
        .await;
    let id = r.body["ID"].as_str().unwrap().to_owned();
    for i in 0..10 {
        let (status, body) = s
            .token_request(&[("grant_type", "client_credentials"), ("client_id", &id), ("client_secret", "wrong")])
            .await;
        assert_eq!(status, 400, "attempt {i}: {body}");
    }
    // The right secret, once the client is held.
    let right_secret = |endpoint: &'static str| {
        let form =
            [("grant_type", "client_credentials"), ("client_id", id.as_str()), ("client_secret", "the-right-secret")];
        s.http.post(s.url(endpoint)).form(&form).send()
    };
    let res = right_secret("/oauth/token").await.unwrap();
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["Errors"][0]["ErrorCode"], "Auth.TooManyAttempts", "{body}");

    // Elastic Path's token endpoint is the same door.
    let res = right_secret("/oauth/access_token").await.unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["status"], 429, "{body}");

    // Another client is not held.
    let (status, _) = s
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", ADMIN_ID),
            ("client_secret", ADMIN_SECRET),
        ])
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_user_and_no_one_else() {
    let shop = Shop::open(&[]).await;
    let s = &shop.s;
    let login = |user: &'static str, password: &'static str| {
        let client = shop.client.clone();
        async move {
            s.token_request(&[
                ("grant_type", "password"),
                ("client_id", &client),
                ("username", user),
                ("password", password),
            ])
            .await
        }
    };
    for _ in 0..5 {
        let (status, body) = login("jane", "not-her-password-1").await;
        assert_eq!(
            (status.as_u16(), body["Errors"][0]["ErrorCode"].as_str()),
            (400, Some("Auth.InvalidUsernameOrPassword"))
        );
    }
    let (status, body) = login("jane", PASSWORD).await;
    assert_eq!((status.as_u16(), body["Errors"][0]["ErrorCode"].as_str()), (400, Some("Auth.AccountLocked")), "{body}");
    let (status, body) = login("joe", PASSWORD).await;
    assert_eq!(status, 200, "{body}");
}
