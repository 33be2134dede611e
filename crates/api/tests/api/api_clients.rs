//! `/v1/apiclients`, including the seed page's create-or-overwrite PUT.

use crate::support;

use reqwest::Method;
use serde_json::{Value, json};
use support::{ADMIN_ID, TestServer};

/// Every request-body field of the seed page (../shared/seeds/001), each one set.
fn seed_client() -> Value {
    json!({
        "ClientSecret": "seed-secret-value",
        "AccessTokenDuration": 600,
        "Active": true,
        "AppName": "Seed storefront",
        "RefreshTokenDuration": 43200,
        "DefaultContextUserName": "cartwire-admin",
        "xp": {"brand": "acme", "deep": {"a": 1, "b": 2}},
        "AllowAnyBuyer": true,
        "AllowAnySupplier": false,
        "AllowSeller": true,
        "IsAnonBuyer": false,
        "OrderCheckoutIntegrationEventID": "oc",
        "OrderReturnIntegrationEventID": "or",
        "AddToCartIntegrationEventID": "atc",
        "MinimumRequiredRoles": ["MeAdmin"],
        "MinimumRequiredCustomRoles": ["Staff"],
        "MaximumGrantedRoles": ["FullAccess"],
        "MaximumGrantedCustomRoles": ["Staff"]
    })
}

async fn events(s: &TestServer) {
    for (id, t) in [("oc", "OrderCheckout"), ("or", "OrderReturn"), ("atc", "AddToCart")] {
        let r = s
            .post("/v1/integrationEvents", json!({"ID": id, "Name": format!("{t} event"), "EventType": t, "CustomImplementationUrl": "https://mw.example.com", "HashKey": "k"}))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
}

#[tokio::test]
async fn seed_put_creates_then_overwrites_with_every_field() {
    let s = TestServer::start().await;
    events(&s).await;
    let r = s.put("/v1/apiclients/SEED-CLIENT", seed_client()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let b = &r.body;
    assert_eq!(b["ID"], "SEED-CLIENT");
    assert_eq!(b["ClientSecret"], Value::Null, "secrets are stored hashed, never returned");
    assert_eq!(b["AccessTokenDuration"], 600);
    assert_eq!(b["RefreshTokenDuration"], 43200);
    assert_eq!(b["AssignedBuyerCount"], 0);
    assert_eq!(b["AssignedSupplierCount"], 0);
    assert_eq!(b["OrderCheckoutIntegrationEventName"], "OrderCheckout event");
    assert_eq!(b["OrderReturnIntegrationEventName"], "OrderReturn event");
    assert_eq!(b["AddToCartIntegrationEventName"], "AddToCart event");
    assert_eq!(b["MinimumRequiredRoles"], json!(["MeAdmin"]));
    assert_eq!(b["MaximumGrantedCustomRoles"], json!(["Staff"]));
    assert_eq!(b["xp"], json!({"brand": "acme", "deep": {"a": 1, "b": 2}}));
    // The secret works (the admin user holds FullAccess, which satisfies MeAdmin; Staff is custom
    // and missing, so the minimum refuses).
    let (status, body) = s
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", "SEED-CLIENT"),
            ("client_secret", "seed-secret-value"),
        ])
        .await;
    assert_eq!((status.as_u16(), body["Errors"][0]["ErrorCode"].as_str()), (400, Some("Auth.InsufficientRoles")));
    // PUT again overwrites: omitted fields reset, read-only fields in the body are ignored,
    // the secret (write-only) is kept.
    let mut again = s.get("/v1/apiclients/SEED-CLIENT").await.body;
    again["AppName"] = json!("Renamed");
    again["AssignedBuyerCount"] = json!(99);
    again["MinimumRequiredCustomRoles"] = json!([]);
    again.as_object_mut().unwrap().remove("xp");
    let r = s.put("/v1/apiclients/SEED-CLIENT", again).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["AppName"], "Renamed");
    assert_eq!(r.body["AssignedBuyerCount"], 0);
    assert_eq!(r.body["xp"], json!({}));
    let (status, body) = s
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", "SEED-CLIENT"),
            ("client_secret", "seed-secret-value"),
        ])
        .await;
    assert_eq!(status, 200, "{body}");
    // The seed request sent verbatim as text.
    let raw = r#"{"ClientSecret":"s3cret-text","AccessTokenDuration":10,"Active":true,"AppName":"Verbatim","RefreshTokenDuration":0,"DefaultContextUserName":"cartwire-admin","xp":{},"AllowAnyBuyer":false,"AllowAnySupplier":false,"AllowSeller":true,"IsAnonBuyer":false,"OrderCheckoutIntegrationEventID":"oc","OrderReturnIntegrationEventID":"or","AddToCartIntegrationEventID":"atc","MinimumRequiredRoles":[],"MinimumRequiredCustomRoles":[],"MaximumGrantedRoles":[],"MaximumGrantedCustomRoles":[]}"#;
    let r = s.send_raw(Method::PUT, "/v1/apiclients/VERBATIM", &s.admin_token, "application/json", raw).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn post_patch_delete_and_events() {
    let s = TestServer::start().await;
    events(&s).await;
    let before = s.event_count().await;
    let r = s
        .post(
            "/v1/apiclients",
            json!({"AppName": "Shop", "AccessTokenDuration": 60, "xp": {"a": {"x": 1}, "keep": true}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["ID"].as_str().unwrap().to_owned();
    assert_eq!(r.headers["location"], format!("{}/v1/apiclients/{id}", s.base).as_str());
    assert_eq!(r.body["Active"], false, "booleans default to false");
    assert_eq!(r.body["RefreshTokenDuration"], 0);
    // An ID in a POST body is read-only and ignored.
    let r2 = s.post("/v1/apiclients", json!({"ID": "chosen", "AppName": "Shop2", "AccessTokenDuration": 60})).await;
    assert_ne!(r2.body["ID"], "chosen");

    let r = s
        .patch(
            &format!("/v1/apiclients/{id}"),
            json!({"xp": {"a": {"y": 2}}, "AddToCartIntegrationEventID": "atc", "Active": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["xp"], json!({"a": {"x": 1, "y": 2}, "keep": true}), "PATCH deep-merges xp");
    assert_eq!(r.body["AppName"], "Shop");
    assert_eq!(r.body["AddToCartIntegrationEventName"], "AddToCart event");

    // A secret set by PATCH is required from then on; "" removes it.
    assert_eq!(s.patch(&format!("/v1/apiclients/{id}"), json!({"ClientSecret": "patched-secret"})).await.status, 200);
    let stored = s.app.store().begin().await.unwrap().api_client(&id).await.unwrap().unwrap();
    let hash = stored.client.secret_hash.unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains("patched-secret"));
    assert_eq!(s.patch(&format!("/v1/apiclients/{id}"), json!({"ClientSecret": ""})).await.status, 200);
    assert!(s.app.store().begin().await.unwrap().api_client(&id).await.unwrap().unwrap().client.secret_hash.is_none());

    assert_eq!(s.delete(&format!("/v1/apiclients/{id}")).await.status, 204);
    assert_eq!(s.get(&format!("/v1/apiclients/{id}")).await.status, 404);
    let r = s.patch(&format!("/v1/apiclients/{id}"), json!({"Active": true})).await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "NotFound"));
    assert_eq!(r.body["Errors"][0]["Data"], json!({"ObjectType": "ApiClient", "ObjectID": id}));

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
    let keys: Vec<(String, String)> = log["data"].as_array().unwrap()[before..]
        .iter()
        .map(|e| (e["key"].as_str().unwrap().to_owned(), e["resource_id"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(keys.first().unwrap(), &("api-client.created".to_owned(), id.clone()));
    assert_eq!(keys.last().unwrap(), &("api-client.deleted".to_owned(), id.clone()));
    assert_eq!(keys.iter().filter(|(k, i)| k == "api-client.updated" && *i == id).count(), 3);
}

/// A valid API client body with one property replaced.
fn valid_client_with(k: &str, v: Value) -> Value {
    let mut c = json!({"AppName": "ok", "AccessTokenDuration": 60});
    c[k] = v;
    c
}

#[tokio::test]
async fn bad_input_is_rejected_and_nothing_is_written() {
    let s = TestServer::start().await;
    events(&s).await;
    let with = valid_client_with;
    let before_clients = s.get("/v1/apiclients").await.body["Meta"]["TotalCount"].clone();
    let before_events = s.event_count().await;
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({"AppName": "no duration"}), 400, "ValidationFailure"),
        (json!({"AccessTokenDuration": 60}), 400, "ValidationFailure"),
        (with("AppName", json!("")), 400, "ValidationFailure"),
        (with("AccessTokenDuration", json!(9)), 400, "ValidationFailure"),
        (with("AccessTokenDuration", json!(601)), 400, "ValidationFailure"),
        (with("AccessTokenDuration", json!("60")), 400, "ValidationFailure"),
        (with("AccessTokenDuration", json!(60.5)), 400, "ValidationFailure"),
        (with("RefreshTokenDuration", json!(-1)), 400, "ValidationFailure"),
        (with("RefreshTokenDuration", json!(524161)), 400, "ValidationFailure"),
        (with("Active", json!("yes")), 400, "ValidationFailure"),
        (with("xp", json!([1])), 400, "ValidationFailure"),
        (with("MaximumGrantedRoles", json!(["Superuser"])), 400, "ValidationFailure"),
        (with("MinimumRequiredCustomRoles", json!(["has space"])), 400, "ValidationFailure"),
        (with("OrderCheckoutIntegrationEventID", json!("missing")), 404, "NotFound"),
        (with("OrderCheckoutIntegrationEventID", json!("or")), 400, "IntegrationEvent.IncompatibleEventType"),
        (with("AddToCartIntegrationEventID", json!("oc")), 400, "IntegrationEvent.IncompatibleEventType"),
        (with("OrderReturnIntegrationEventID", json!("bad id")), 400, "ValidationFailure"),
        (with("DefaultContextUserName", json!("nobody")), 404, "NotFound"),
        (json!({"AppName": "anon", "AccessTokenDuration": 60, "IsAnonBuyer": true}), 400, "ValidationFailure"),
        (
            json!({"AppName": "anon", "AccessTokenDuration": 60, "IsAnonBuyer": true, "DefaultContextUserName": "cartwire-admin"}),
            400,
            "ApiClient.RequiredNotAnonBuyer",
        ),
    ];
    for (i, (body, status, code)) in cases.into_iter().enumerate() {
        let r = s.post("/v1/apiclients", body.clone()).await;
        assert_eq!((r.status.as_u16(), r.code()), (status, code), "{body}: {}", r.body);
        let r = s.put("/v1/apiclients/PUT-TARGET", body.clone()).await;
        assert_eq!((r.status.as_u16(), r.code()), (status, code), "PUT {body}: {}", r.body);
        // The first two only lack required fields, which a PATCH may leave out.
        if i >= 2 {
            let r = s.patch(&format!("/v1/apiclients/{ADMIN_ID}"), body.clone()).await;
            assert_ne!(r.status, 200, "PATCH {body}: {}", r.body);
        }
    }
    let r = s.send_raw(Method::POST, "/v1/apiclients", &s.admin_token, "application/json", "{not json").await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "Request.InvalidRequestBody"));
    assert_eq!(s.get("/v1/apiclients").await.body["Meta"]["TotalCount"], before_clients);
    assert_eq!(s.event_count().await, before_events);
    assert_eq!(s.get(&format!("/v1/apiclients/{ADMIN_ID}")).await.body["AppName"], "cartwire admin");
}

#[tokio::test]
async fn the_last_full_access_client_cannot_be_deleted() {
    let s = TestServer::start().await;
    let r = s.delete(&format!("/v1/apiclients/{ADMIN_ID}")).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "ApiClient.CannotDeleteLastFullAccess"));
    let r = s
        .post(
            "/v1/apiclients",
            json!({"AppName": "second admin", "AccessTokenDuration": 60, "Active": true, "AllowSeller": true,
        "ClientSecret": "another-secret", "DefaultContextUserName": "cartwire-admin"}),
        )
        .await;
    assert_eq!(r.status, 201);
    let second = r.body["ID"].as_str().unwrap().to_owned();
    assert_eq!(s.delete(&format!("/v1/apiclients/{ADMIN_ID}")).await.status, 204);
    let token = s.client_token(&second, "another-secret").await;
    let r = s.send(Method::DELETE, &format!("/v1/apiclients/{second}"), Some(&token), None).await;
    assert_eq!(r.code(), "ApiClient.CannotDeleteLastFullAccess");
}

/// App names the domain's fields; the dialect words them: OrderCloud's property in
/// `Data.PropertyName`, and a message that starts with it.
#[tokio::test]
async fn validation_errors_name_the_property_in_ordercloud_words() {
    let s = TestServer::start().await;
    events(&s).await;
    let with = valid_client_with;
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            with("AccessTokenDuration", json!(601)),
            "AccessTokenDuration",
            "AccessTokenDuration must be between 10 and 600",
        ),
        (
            with("RefreshTokenDuration", json!(-1)),
            "RefreshTokenDuration",
            "RefreshTokenDuration must be between 0 and 524160",
        ),
        (with("xp", json!([1])), "xp", "xp must be an object"),
        (with("AppName", json!(" ")), "AppName", "AppName is required"),
        (
            with("OrderReturnIntegrationEventID", json!("bad id")),
            "OrderReturnIntegrationEventID",
            "OrderReturnIntegrationEventID may contain only letters, digits, '-' and '_'",
        ),
        (
            json!({"AppName": "anon", "AccessTokenDuration": 60, "IsAnonBuyer": true}),
            "DefaultContextUserName",
            "DefaultContextUserName is required for an anonymous buyer client",
        ),
    ];
    for (body, property, message) in cases {
        let r = s.post("/v1/apiclients", body.clone()).await;
        assert_eq!((r.status.as_u16(), r.code()), (400, "ValidationFailure"), "{body}: {}", r.body);
        let e = &r.body["Errors"][0];
        assert_eq!(e["Data"]["PropertyName"], property, "{body}: {}", r.body);
        assert_eq!(e["Message"], message, "{body}: {}", r.body);
    }
    // A rule about one of the client's integration event slots names the slot.
    let r = s.post("/v1/apiclients", with("OrderCheckoutIntegrationEventID", json!("or"))).await;
    assert_eq!(r.code(), "IntegrationEvent.IncompatibleEventType");
    let message = r.body["Errors"][0]["Message"].as_str().unwrap();
    assert!(
        message
            .starts_with("OrderCheckoutIntegrationEventID must reference an integration event of type OrderCheckout"),
        "{message}"
    );
}
