//! Every write that can change what a token may do, tried by a caller who lacks the roles it
//! would open: API clients (default context user, secret, anonymous template), security
//! profiles, assignments, passwords, integration events' elevated roles and URL, and single
//! sign-on configurations. Each is refused with 403 `InsufficientRoles` and leaves nothing
//! behind; the same write reaching only held roles passes (the control).

use crate::support::TestServer;
use reqwest::Method;
use serde_json::{Value, json};

fn refused(r: &crate::support::Response, what: &str) {
    assert_eq!((r.status.as_u16(), r.code()), (403, "InsufficientRoles"), "{what}: {}", r.body);
}

async fn as_caller(s: &TestServer, token: &str, method: Method, path: &str, body: Value) -> crate::support::Response {
    s.send(method, path, Some(token), Some(body)).await
}

/// The bootstrap admin client's default context user: it holds FullAccess.
async fn full_access_username(s: &TestServer) -> String {
    let r = s.get(&format!("/v1/apiclients/{}", crate::support::ADMIN_ID)).await;
    r.body["DefaultContextUserName"].as_str().expect("the admin client has a default user").to_owned()
}

#[tokio::test]
async fn an_api_client_admin_cannot_make_a_client_that_carries_roles_it_lacks() {
    let s = TestServer::start().await;
    let admin_user = full_access_username(&s).await;
    let t = s.token_with_roles(&["ApiClientAdmin", "ApiClientReader"]).await;
    let escalate = json!({"AppName": "esc", "AccessTokenDuration": 60, "Active": true, "AllowSeller": true,
                          "ClientSecret": "i-know-this", "DefaultContextUserName": admin_user});

    // The exact request, and its POST form.
    let r = as_caller(&s, &t, Method::PUT, "/v1/apiclients/ESCALATE", escalate.clone()).await;
    refused(&r, "PUT");
    assert!(r.body["Errors"][0]["Data"]["MissingRoles"].as_array().unwrap().contains(&json!("FullAccess")));
    assert_eq!(s.get("/v1/apiclients/ESCALATE").await.status, 404, "nothing was written");
    refused(&as_caller(&s, &t, Method::POST, "/v1/apiclients", escalate.clone()).await, "POST");
    let (status, _) = s
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", "ESCALATE"),
            ("client_secret", "i-know-this"),
        ])
        .await;
    assert_eq!(status, 400, "no token through a client that does not exist");

    // A harmless client of its own, then a PATCH pointing it at the admin user.
    let r = as_caller(
        &s,
        &t,
        Method::POST,
        "/v1/apiclients",
        json!({"AppName": "mine", "AccessTokenDuration": 60,
                      "Active": true, "AllowSeller": true, "ClientSecret": "i-know-this"}),
    )
    .await;
    assert_eq!(r.status, 201, "a client reaching no roles is fine: {}", r.body);
    let mine = r.body["ID"].as_str().unwrap().to_owned();
    let path = format!("/v1/apiclients/{mine}");
    refused(&as_caller(&s, &t, Method::PATCH, &path, json!({"DefaultContextUserName": admin_user})).await, "PATCH");

    // Nor may it learn the way into an existing FullAccess client by setting its secret, or
    // turn that client into an anonymous one.
    let admin_path = format!("/v1/apiclients/{}", crate::support::ADMIN_ID);
    refused(&as_caller(&s, &t, Method::PATCH, &admin_path, json!({"ClientSecret": "now-mine"})).await, "secret");
    let (status, _) = s
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", crate::support::ADMIN_ID),
            ("client_secret", "now-mine"),
        ])
        .await;
    assert_eq!(status, 400);
    // Nor may it point an anonymous-buyer client (whose tokens anyone fetches, no secret) at a
    // buyer user holding OrderAdmin.
    let ok = |r: crate::support::Response| assert!(r.status.is_success(), "{}", r.body);
    ok(s.post("/v1/buyers", json!({"ID": "ab", "Name": "B", "Active": true})).await);
    ok(s.post(
        "/v1/buyers/ab/users",
        json!({"ID": "tmpl", "Username": "tmpl", "FirstName": "T", "LastName": "U",
               "Email": "t@example.com", "Active": true}),
    )
    .await);
    ok(s.post("/v1/securityprofiles", json!({"ID": "ab-admins", "Name": "x", "Roles": ["OrderAdmin"]})).await);
    ok(s.post("/v1/securityprofiles/assignments", json!({"SecurityProfileID": "ab-admins", "BuyerID": "ab"})).await);
    let anon = json!({"AppName": "anon", "AccessTokenDuration": 60, "Active": true, "AllowAnyBuyer": true,
                      "IsAnonBuyer": true, "DefaultContextUserName": "tmpl"});
    refused(&as_caller(&s, &t, Method::POST, "/v1/apiclients", anon).await, "anonymous template");
    // Renaming it opens nothing new and is allowed.
    let r = as_caller(&s, &t, Method::PATCH, &admin_path, json!({"AppName": "Operator"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn a_security_profile_admin_hands_out_only_roles_it_holds() {
    let s = TestServer::start().await;
    let t = s.token_with_roles(&["SecurityProfileAdmin", "Shopper"]).await;
    let profile = |roles: Value| json!({"Name": "p", "Roles": roles});
    for roles in [json!(["FullAccess"]), json!(["OrderAdmin"]), json!(["Shopper", "ApiClientAdmin"])] {
        let r = as_caller(&s, &t, Method::POST, "/v1/securityprofiles", profile(roles.clone())).await;
        refused(&r, &format!("profile {roles}"));
    }
    let r = as_caller(&s, &t, Method::PUT, "/v1/securityprofiles/ok", profile(json!(["Shopper"]))).await;
    assert!(r.status.is_success(), "{}", r.body);
    // Adding a role it lacks to an existing profile is refused too, and so is a custom role.
    refused(
        &as_caller(&s, &t, Method::PATCH, "/v1/securityprofiles/ok", json!({"Roles": ["Shopper", "OrderAdmin"]})).await,
        "patch",
    );
    refused(
        &as_caller(&s, &t, Method::PATCH, "/v1/securityprofiles/ok", json!({"CustomRoles": ["Warehouse"]})).await,
        "custom",
    );
    assert_eq!(s.get("/v1/securityprofiles/ok").await.body["Roles"], json!(["Shopper"]));

    // Assigning a profile it could not have written: refused at every level.
    let r = s.post("/v1/securityprofiles", json!({"ID": "admins", "Name": "admins", "Roles": ["OrderAdmin"]})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = s.post("/v1/buyers", json!({"ID": "b", "Name": "B", "Active": true})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    for level in [json!({}), json!({"BuyerID": "b"})] {
        let mut a = level.clone();
        a["SecurityProfileID"] = json!("admins");
        refused(&as_caller(&s, &t, Method::POST, "/v1/securityprofiles/assignments", a).await, &format!("{level}"));
    }
    let r = s.get("/v1/securityprofiles/assignments?SecurityProfileID=admins").await;
    assert!(!r.body.to_string().contains("\"admins\""), "{}", r.body);
    let r = as_caller(
        &s,
        &t,
        Method::POST,
        "/v1/securityprofiles/assignments",
        json!({"SecurityProfileID": "ok", "BuyerID": "b"}),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.body);
}

#[tokio::test]
async fn a_user_admin_cannot_set_the_password_of_a_user_with_more_roles() {
    let s = TestServer::start().await;
    let ok = |r: crate::support::Response| assert!(r.status.is_success(), "{}", r.body);
    ok(s.post("/v1/buyers", json!({"ID": "b", "Name": "B", "Active": true})).await);
    ok(s.post("/v1/securityprofiles", json!({"ID": "buyer-admins", "Name": "x", "Roles": ["OrderAdmin"]})).await);
    ok(s.post("/v1/securityprofiles/assignments", json!({"SecurityProfileID": "buyer-admins", "BuyerID": "b"})).await);
    let t = s.token_with_roles(&["BuyerUserAdmin", "Shopper"]).await;
    let user = |id: &str, password: Option<&str>| {
        let mut u = json!({"ID": id, "Username": id, "FirstName": "F", "LastName": "L", "Email": "e@example.com", "Active": true});
        if let Some(p) = password {
            u["Password"] = json!(p);
        }
        u
    };
    // Every user of b holds OrderAdmin: creating one with a known password is a way in.
    refused(&as_caller(&s, &t, Method::POST, "/v1/buyers/b/users", user("eve", Some("pass-word-123"))).await, "POST");
    refused(&as_caller(&s, &t, Method::PUT, "/v1/buyers/b/users/eve", user("eve", Some("pass-word-123"))).await, "PUT");
    assert_eq!(s.get("/v1/buyers/b/users/eve").await.status, 404);
    // Without a password the user is created; setting one later is refused.
    let r = as_caller(&s, &t, Method::POST, "/v1/buyers/b/users", user("eve", None)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    refused(
        &as_caller(&s, &t, Method::PATCH, "/v1/buyers/b/users/eve", json!({"Password": "pass-word-123"})).await,
        "PATCH",
    );
    let (status, body) = s
        .token_request(&[
            ("grant_type", "password"),
            ("client_id", crate::support::ADMIN_ID),
            ("username", "eve"),
            ("password", "pass-word-123"),
        ])
        .await;
    assert_eq!(status, 400, "{body}");
    // A seller admin user (FullAccess through the marketplace assignment) likewise.
    let t = s.token_with_roles(&["AdminUserAdmin"]).await;
    let admin = full_access_username(&s).await;
    let r = s.get("/v1/adminusers").await;
    let id =
        r.body["Items"].as_array().unwrap().iter().find(|u| u["Username"] == admin.as_str()).unwrap()["ID"].clone();
    let path = format!("/v1/adminusers/{}", id.as_str().unwrap());
    refused(&as_caller(&s, &t, Method::PATCH, &path, json!({"Password": "pass-word-123"})).await, "admin password");
}

#[tokio::test]
async fn elevated_roles_and_sso_follow_the_same_rule() {
    let s = TestServer::start().await;
    let t = s.token_with_roles(&["IntegrationEventAdmin", "ProductReader"]).await;
    let event = |roles: Value, url: &str| {
        json!({"ID": "ie", "Name": "e", "EventType": "OrderCheckout", "CustomImplementationUrl": url,
               "HashKey": "k", "ElevatedRoles": roles})
    };
    refused(
        &as_caller(&s, &t, Method::POST, "/v1/integrationEvents", event(json!(["FullAccess"]), "https://a.example"))
            .await,
        "POST",
    );
    let r =
        as_caller(&s, &t, Method::POST, "/v1/integrationEvents", event(json!(["ProductReader"]), "https://a.example"))
            .await;
    assert_eq!(r.status, 201, "{}", r.body);
    refused(
        &as_caller(&s, &t, Method::PATCH, "/v1/integrationEvents/ie", json!({"ElevatedRoles": ["OrderAdmin"]})).await,
        "add",
    );
    // An event the operator elevated with OrderAdmin: pointing it elsewhere is refused.
    let r = s.put("/v1/integrationEvents/ie", event(json!(["OrderAdmin"]), "https://a.example")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    refused(
        &as_caller(
            &s,
            &t,
            Method::PATCH,
            "/v1/integrationEvents/ie",
            json!({"CustomImplementationUrl": "https://evil.example"}),
        )
        .await,
        "url",
    );
    assert_eq!(s.get("/v1/integrationEvents/ie").await.body["CustomImplementationUrl"], "https://a.example");
    // Its name can change: the URL and roles stay.
    let r = as_caller(&s, &t, Method::PATCH, "/v1/integrationEvents/ie", json!({"Name": "renamed"})).await;
    assert_eq!(r.status, 200, "{}", r.body);

    // Single sign-on onto a client that admits the FullAccess admin: refused.
    let r = s
        .post(
            "/v1/integrationEvents",
            json!({"ID": "sso", "Name": "sso", "EventType": "OpenIDConnect",
                   "CustomImplementationUrl": "https://mw.example", "HashKey": "k"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = s
        .post(
            "/v1/apiclients",
            json!({"AppName": "sso", "AccessTokenDuration": 60, "Active": true, "AllowSeller": true}),
        )
        .await;
    let client = r.body["ID"].as_str().unwrap().to_owned();
    let t = s.token_with_roles(&["OpenIDConnectAdmin"]).await;
    let config = json!({"ID": "idp", "OrderCloudApiClientID": client, "ConnectClientID": "c", "ConnectClientSecret": "s",
                        "AppStartUrl": "https://a.example/{0}", "AuthorizationEndpoint": "https://idp.example/a",
                        "TokenEndpoint": "https://idp.example/t", "IntegrationEventID": "sso"});
    refused(&as_caller(&s, &t, Method::POST, "/v1/openidconnects", config.clone()).await, "sso config");
    assert_eq!(s.get("/v1/openidconnects/idp").await.status, 404);
    // Once the operator configured it, redirecting its middleware is the same escalation.
    assert_eq!(s.post("/v1/openidconnects", config).await.status, 201);
    let t = s.token_with_roles(&["IntegrationEventAdmin"]).await;
    refused(
        &as_caller(
            &s,
            &t,
            Method::PATCH,
            "/v1/integrationEvents/sso",
            json!({"CustomImplementationUrl": "https://evil.example"}),
        )
        .await,
        "sso url",
    );
}
