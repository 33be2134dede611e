//! The token endpoint and the tokens it issues, as a client and as third-party middleware
//! (which verifies them with its own JWT library against `/oauth/certs/{kid}`).

use crate::support;

use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use reqwest::Method;
use serde_json::{Value, json};
use support::{ADMIN_ID, ADMIN_SECRET, TestServer};

/// Verifies a token the way OrderCloud middleware (Catalyst) does.
async fn verify_like_middleware(s: &TestServer, token: &str) -> Value {
    let header = decode_header(token).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    let kid = header.kid.expect("kid header");
    let jwk: Value = s.http.get(s.url(&format!("/oauth/certs/{kid}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(jwk["kty"], "RSA");
    assert_eq!(jwk["alg"], "RS256");
    assert_eq!(jwk["kid"], kid.as_str());
    let key = DecodingKey::from_rsa_components(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap()).unwrap();
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&[s.base.as_str()]);
    v.set_issuer(&[s.base.as_str()]);
    decode::<Value>(token, &key, &v).expect("token verifies against the published key").claims
}

/// A buyer with one user holding `roles`, and an API client for buyers.
async fn buyer_setup(s: &TestServer, client: Value, roles: &[&str]) -> String {
    assert_eq!(s.post("/v1/buyers", json!({"ID": "b1", "Name": "Buyer One", "Active": true})).await.status, 201);
    let r = s
        .post(
            "/v1/buyers/b1/users",
            json!({"ID": "shopper1", "Username": "shopper1", "Password": "correct-horse-1", "FirstName": "S", "LastName": "One",
                   "Email": "s1@example.com", "Active": true}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        s.post(
            "/v1/securityprofiles",
            json!({"ID": "shopper", "Name": "Shopper", "Roles": roles, "CustomRoles": ["Vip"]})
        )
        .await
        .status,
        201
    );
    let r = s.post("/v1/securityprofiles/assignments", json!({"SecurityProfileID": "shopper", "BuyerID": "b1"})).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r = s.post("/v1/apiclients", client).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["ID"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn client_credentials_token_carries_the_documented_claims() {
    let s = TestServer::start().await;
    let (status, body) = s
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", ADMIN_ID),
            ("client_secret", ADMIN_SECRET),
        ])
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 600 * 60);
    assert_eq!(body["refresh_token"], Value::Null, "the admin client has RefreshTokenDuration 0");
    let claims = verify_like_middleware(&s, body["access_token"].as_str().unwrap()).await;
    assert_eq!(claims["usr"], "cartwire-admin");
    assert_eq!(claims["cid"], ADMIN_ID);
    assert_eq!(claims["usrtype"], "admin");
    assert_eq!(claims["role"], json!(["FullAccess"]));
    assert_eq!(claims["iss"], s.base.as_str());
    assert_eq!(claims["aud"], s.base.as_str());
    assert!(claims["nbf"].as_i64().unwrap() <= claims["exp"].as_i64().unwrap());
    assert!(claims.get("orderid").is_none());
    // HTTP Basic client authentication works too.
    let res = s
        .http
        .post(s.url("/oauth/token"))
        .basic_auth(ADMIN_ID, Some(ADMIN_SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn password_grant_scope_intersection_and_single_use_refresh_tokens() {
    let s = TestServer::start().await;
    let client = buyer_setup(
        &s,
        json!({"AppName": "storefront", "AccessTokenDuration": 30, "RefreshTokenDuration": 60, "Active": true, "AllowAnyBuyer": true}),
        &["Shopper", "MeAdmin"],
    )
    .await;
    // No scope: every held role.
    let (status, body) = s
        .token_request(&[
            ("grant_type", "password"),
            ("client_id", &client),
            ("username", "shopper1"),
            ("password", "correct-horse-1"),
        ])
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expires_in"], 1800);
    let claims = verify_like_middleware(&s, body["access_token"].as_str().unwrap()).await;
    assert_eq!(claims["role"], json!(["MeAdmin", "Shopper", "Vip"]));
    assert_eq!(claims["usrtype"], "buyer");
    assert_eq!(claims["u"], "shopper1");
    // Scope asks for one held role, one not held: the token gets the intersection.
    let (status, body) = s
        .token_request(&[
            ("grant_type", "password"),
            ("client_id", &client),
            ("username", "SHOPPER1"),
            ("password", "correct-horse-1"),
            ("scope", "Shopper OrderAdmin"),
        ])
        .await;
    assert_eq!(status, 200, "{body}");
    let claims = verify_like_middleware(&s, body["access_token"].as_str().unwrap()).await;
    assert_eq!(claims["role"], json!(["Shopper"]));
    // Nothing requested is held.
    let (status, body) = s
        .token_request(&[
            ("grant_type", "password"),
            ("client_id", &client),
            ("username", "shopper1"),
            ("password", "correct-horse-1"),
            ("scope", "OrderAdmin"),
        ])
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["Errors"][0]["ErrorCode"], "Auth.InsufficientRoles");
    // Refresh: works once, keeps the scope, without a client secret (the client has none).
    let (_, body) = s
        .token_request(&[
            ("grant_type", "password"),
            ("client_id", &client),
            ("username", "shopper1"),
            ("password", "correct-horse-1"),
            ("scope", "Shopper"),
        ])
        .await;
    let refresh = body["refresh_token"].as_str().expect("refresh token when RefreshTokenDuration > 0").to_owned();
    let (status, again) =
        s.token_request(&[("grant_type", "refresh_token"), ("client_id", &client), ("refresh_token", &refresh)]).await;
    assert_eq!(status, 200, "{again}");
    let claims = verify_like_middleware(&s, again["access_token"].as_str().unwrap()).await;
    assert_eq!(claims["role"], json!(["Shopper"]));
    assert_ne!(again["refresh_token"], Value::Null);
    let (status, reused) =
        s.token_request(&[("grant_type", "refresh_token"), ("client_id", &client), ("refresh_token", &refresh)]).await;
    assert_eq!(status, 400);
    assert_eq!(reused["error"], "invalid_grant");
    assert_eq!(reused["Errors"][0]["ErrorCode"], "Auth.InvalidRefreshToken");
    // A refresh token is bound to its client.
    let next = again["refresh_token"].as_str().unwrap();
    let (status, _) = s
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("client_id", ADMIN_ID),
            ("client_secret", ADMIN_SECRET),
            ("refresh_token", next),
        ])
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn anonymous_shopper_gets_an_orderid_and_no_refresh_token() {
    let s = TestServer::start().await;
    let client = buyer_setup(
        &s,
        json!({"AppName": "anon", "AccessTokenDuration": 30, "RefreshTokenDuration": 60, "Active": true, "AllowAnyBuyer": true,
               "IsAnonBuyer": true, "DefaultContextUserName": "shopper1", "AnonymousTokenDuration": 120}),
        &["Shopper"],
    )
    .await;
    let (status, body) = s.token_request(&[("grant_type", "client_credentials"), ("client_id", &client)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["refresh_token"], Value::Null);
    assert_eq!(body["expires_in"], 120 * 60);
    let claims = verify_like_middleware(&s, body["access_token"].as_str().unwrap()).await;
    assert_eq!(claims["usr"], "shopper1");
    assert!(claims["orderid"].as_str().is_some_and(|o| !o.is_empty()));
    assert!(claims["u"].as_str().unwrap().starts_with("anon-"));
    let (_, second) = s.token_request(&[("grant_type", "client_credentials"), ("client_id", &client)]).await;
    let claims2 = verify_like_middleware(&s, second["access_token"].as_str().unwrap()).await;
    assert_ne!(claims["orderid"], claims2["orderid"], "each anonymous shopper is new");
}

#[tokio::test]
async fn client_role_limits_narrow_and_gate_tokens() {
    let s = TestServer::start().await;
    let client = buyer_setup(
        &s,
        json!({"AppName": "limited", "AccessTokenDuration": 30, "Active": true, "AllowAnyBuyer": true,
               "MaximumGrantedRoles": ["Shopper"], "MaximumGrantedCustomRoles": ["Other"]}),
        &["Shopper", "MeAdmin"],
    )
    .await;
    let (status, body) = s
        .token_request(&[
            ("grant_type", "password"),
            ("client_id", &client),
            ("username", "shopper1"),
            ("password", "correct-horse-1"),
        ])
        .await;
    assert_eq!(status, 200, "{body}");
    let claims = verify_like_middleware(&s, body["access_token"].as_str().unwrap()).await;
    assert_eq!(claims["role"], json!(["Shopper"]), "MeAdmin and the custom role Vip are capped away");
    let r = s.patch(&format!("/v1/apiclients/{client}"), json!({"MinimumRequiredRoles": ["OrderAdmin"]})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let (status, body) = s
        .token_request(&[
            ("grant_type", "password"),
            ("client_id", &client),
            ("username", "shopper1"),
            ("password", "correct-horse-1"),
        ])
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["Errors"][0]["ErrorCode"], "Auth.InsufficientRoles");
}

#[tokio::test]
async fn refused_grants_answer_with_oauth_error_bodies() {
    let s = TestServer::start().await;
    let client = buyer_setup(
        &s,
        json!({"AppName": "secretive", "AccessTokenDuration": 30, "Active": true, "AllowAnyBuyer": true, "ClientSecret": "client-secret-1"}),
        &["Shopper"],
    )
    .await;
    type Form<'a> = Vec<(&'a str, &'a str)>;
    let cases: Vec<(Form, &str, &str)> = vec![
        (
            vec![("grant_type", "implicit"), ("client_id", ADMIN_ID)],
            "unsupported_grant_type",
            "Auth.UnsupportedGrantType",
        ),
        (vec![("grant_type", "client_credentials")], "invalid_request", "ApiClient.InvalidClientID"),
        (
            vec![("grant_type", "client_credentials"), ("client_id", "nope"), ("client_secret", "x")],
            "invalid_client",
            "ApiClient.InvalidClientID",
        ),
        (
            vec![("grant_type", "client_credentials"), ("client_id", ADMIN_ID), ("client_secret", "wrong")],
            "invalid_client",
            "Auth.InvalidClientSecret",
        ),
        (
            vec![("grant_type", "client_credentials"), ("client_id", ADMIN_ID)],
            "invalid_client",
            "Auth.InvalidClientSecret",
        ),
        // A client with a secret needs it on the password grant too ("elevated login").
        (
            vec![
                ("grant_type", "password"),
                ("client_id", &client),
                ("username", "shopper1"),
                ("password", "correct-horse-1"),
            ],
            "invalid_client",
            "Auth.InvalidClientSecret",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", &client),
                ("client_secret", "client-secret-1"),
                ("username", "shopper1"),
                ("password", "wrong-password-1"),
            ],
            "invalid_grant",
            "Auth.InvalidUsernameOrPassword",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", &client),
                ("client_secret", "client-secret-1"),
                ("username", "nobody"),
                ("password", "wrong-password-1"),
            ],
            "invalid_grant",
            "Auth.InvalidUsernameOrPassword",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", &client),
                ("client_secret", "client-secret-1"),
                ("username", "shopper1"),
            ],
            "invalid_request",
            "Auth.UsernameAndPasswordRequired",
        ),
        (
            vec![("grant_type", "refresh_token"), ("client_id", &client), ("refresh_token", "forged")],
            "invalid_grant",
            "Auth.InvalidRefreshToken",
        ),
        // Admin users may not log in through a buyer client.
        (
            vec![("grant_type", "client_credentials"), ("client_id", &client), ("client_secret", "client-secret-1")],
            "invalid_client",
            "Auth.UserNotFound",
        ),
    ];
    for (form, error, code) in cases {
        let (status, body) = s.token_request(&form).await;
        assert_eq!(status, 400, "{form:?}: {body}");
        assert_eq!(body["error"], error, "{form:?}: {body}");
        assert_eq!(body["Errors"][0]["ErrorCode"], code, "{form:?}: {body}");
    }
    // Wrong content type.
    let res =
        s.http.post(s.url("/oauth/token")).json(&json!({"grant_type": "client_credentials"})).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["Errors"][0]["ErrorCode"], "Request.InvalidContentType");
    // Inactive user, inactive client, user type not allowed by the client.
    assert_eq!(s.patch("/v1/buyers/b1/users/shopper1", json!({"Active": false})).await.status, 200);
    let login = [
        ("grant_type", "password"),
        ("client_id", client.as_str()),
        ("client_secret", "client-secret-1"),
        ("username", "shopper1"),
        ("password", "correct-horse-1"),
    ];
    let (_, body) = s.token_request(&login).await;
    assert_eq!(body["Errors"][0]["ErrorCode"], "Auth.UserNotActive");
    assert_eq!(s.patch("/v1/buyers/b1/users/shopper1", json!({"Active": true})).await.status, 200);
    assert_eq!(s.patch("/v1/buyers/b1", json!({"Active": false})).await.status, 200);
    let (_, body) = s.token_request(&login).await;
    assert_eq!(body["Errors"][0]["ErrorCode"], "Auth.CompanyNotActive");
    assert_eq!(s.patch("/v1/buyers/b1", json!({"Active": true})).await.status, 200);
    assert_eq!(s.patch(&format!("/v1/apiclients/{client}"), json!({"AllowAnyBuyer": false})).await.status, 200);
    let (_, body) = s.token_request(&login).await;
    assert_eq!(body["Errors"][0]["ErrorCode"], "Auth.UserNotAllowedThroughClient");
    assert_eq!(s.patch(&format!("/v1/apiclients/{client}"), json!({"Active": false})).await.status, 200);
    let (_, body) = s.token_request(&login).await;
    assert_eq!(body["Errors"][0]["ErrorCode"], "Auth.ClientNotActive");
}

#[tokio::test]
async fn expired_tampered_and_foreign_tokens_get_401() {
    let s = TestServer::start().await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims = |exp: i64, aud: &str| cartwire_app::keys::Claims {
        usr: "cartwire-admin".into(),
        cid: ADMIN_ID.into(),
        u: "cartwire-admin".into(),
        usrtype: "admin".into(),
        role: vec!["FullAccess".into()],
        iss: aud.into(),
        aud: aud.into(),
        exp,
        nbf: now - 7200,
        iat: now - 7200,
        jti: "t".into(),
        orderid: None,
        cmp: None,
        elv: vec![],
        r#gen: 0,
    };
    let expired = s.app.keys().sign(&claims(now - 3600, &s.base)).unwrap();
    let foreign = s.app.keys().sign(&claims(now + 3600, "https://api.ordercloud.io")).unwrap();
    let good = s.app.keys().sign(&claims(now + 3600, &s.base)).unwrap();
    assert_eq!(s.send(Method::GET, "/v1/apiclients", Some(&good), None).await.status, 200);
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    parts[1] = {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut c: Value = serde_json::from_slice(&b64.decode(&parts[1]).unwrap()).unwrap();
        c["usr"] = json!("someone-else");
        b64.encode(serde_json::to_vec(&c).unwrap())
    };
    let tampered = parts.join(".");
    for (name, token) in
        [("expired", expired), ("foreign audience", foreign), ("tampered", tampered), ("garbage", "a.b.c".into())]
    {
        let r = s.send(Method::GET, "/v1/apiclients", Some(&token), None).await;
        assert_eq!(r.status, 401, "{name}");
        assert_eq!(r.code(), "InvalidToken", "{name}");
    }
    let r = s.send(Method::GET, "/v1/apiclients", None, None).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.code(), "InvalidToken");
}

#[tokio::test]
async fn rotated_keys_sign_new_tokens_and_old_tokens_keep_verifying() {
    let s = TestServer::start().await;
    let old = s.admin_token.clone();
    let old_kid = decode_header(&old).unwrap().kid.unwrap();
    let new_kid = s.app.keys().rotate().await.unwrap();
    assert_ne!(old_kid, new_kid);
    let fresh = s.client_token(ADMIN_ID, ADMIN_SECRET).await;
    assert_eq!(decode_header(&fresh).unwrap().kid.unwrap(), new_kid);
    verify_like_middleware(&s, &fresh).await;
    verify_like_middleware(&s, &old).await;
    assert_eq!(s.send(Method::GET, "/v1/apiclients", Some(&old), None).await.status, 200);
    let r = s.send(Method::GET, "/oauth/certs/unknown", None, None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.code(), "NotFound");
    let all: Value = s.http.get(s.url("/oauth/certs")).send().await.unwrap().json().await.unwrap();
    assert_eq!(all["keys"].as_array().unwrap().len(), 2);
}
