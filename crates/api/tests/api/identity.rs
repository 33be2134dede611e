//! Admin users, buyers, buyer users, security profiles and assignments — and how they decide
//! what a token holds.

use crate::support;

use serde_json::{Value, json};
use support::TestServer;

fn user(id: &str) -> Value {
    json!({"ID": id, "Username": id, "Password": "pass-word-123", "FirstName": "F", "LastName": "L",
           "Email": format!("{id}@example.com"), "Active": true, "xp": {"tier": {"level": 1}}})
}

#[tokio::test]
async fn users_buyers_and_profiles_round_trip() {
    let s = TestServer::start().await;
    let r = s.post("/v1/buyers", json!({"ID": "acme", "Name": "Acme", "Active": true, "xp": {"region": "eu"}})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.headers["location"], format!("{}/v1/buyers/acme", s.base).as_str());
    assert_eq!(s.post("/v1/buyers", json!({"ID": "acme", "Name": "Again"})).await.code(), "IdExists");

    let r = s.post("/v1/buyers/acme/users", user("jane")).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["CompanyID"], "acme");
    assert_eq!(r.body["Password"], Value::Null, "passwords are write-only");
    assert!(r.body["PasswordLastSetDate"].is_string());
    let r = s.patch("/v1/buyers/acme/users/jane", json!({"xp": {"tier": {"vip": true}}, "Phone": "555"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["xp"], json!({"tier": {"level": 1, "vip": true}}));
    assert_eq!(r.body["Phone"], "555");
    let r = s.put("/v1/buyers/acme/users/jane", json!({"Username": "jane", "FirstName": "Jane", "LastName": "Doe", "Email": "jane@example.com", "Active": true})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["xp"], json!({}), "PUT replaces");
    assert_eq!(s.get("/v1/buyers/acme/users?search=doe").await.body["Meta"]["TotalCount"], 1);
    assert_eq!(s.get("/v1/buyers/acme/users?xp.tier=!*").await.body["Meta"]["TotalCount"], 1);

    // Usernames are unique across the marketplace, case-insensitively.
    let mut dup = user("other");
    dup["Username"] = json!("JANE");
    let r = s.post("/v1/adminusers", dup).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "User.UsernameMustBeUnique"));
    // Ids are unique per company.
    assert_eq!(s.post("/v1/buyers/acme/users", user("jane2")).await.status, 201);
    let mut same_id = user("jane2");
    same_id["Username"] = json!("jane2-admin");
    assert_eq!(s.post("/v1/adminusers", same_id).await.status, 201, "an admin user may share an id with a buyer user");
    let mut clash = user("jane2");
    clash["Username"] = json!("jane2-again");
    assert_eq!(s.post("/v1/buyers/acme/users", clash).await.code(), "IdExists");

    let r = s.get("/v1/buyers/nope/users").await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "NotFound"));
    assert_eq!(r.body["Errors"][0]["Data"]["ObjectType"], "Buyer");

    let r = s
        .post(
            "/v1/securityprofiles",
            json!({"ID": "sp", "Name": "Shoppers", "Roles": ["Shopper", "MeAdmin"], "CustomRoles": ["Vip"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        s.patch("/v1/securityprofiles/sp", json!({"Name": "Renamed"})).await.body["Roles"],
        json!(["Shopper", "MeAdmin"])
    );
    for body in [
        json!({"SecurityProfileID": "sp", "BuyerID": "acme"}),
        json!({"SecurityProfileID": "sp", "BuyerID": "acme", "UserID": "jane"}),
        json!({"SecurityProfileID": "sp", "UserID": "jane2"}),
        json!({"SecurityProfileID": "sp"}),
    ] {
        let r = s.post("/v1/securityprofiles/assignments", body.clone()).await;
        assert_eq!(r.status, 204, "{body}: {}", r.body);
    }
    let list = s.get("/v1/securityprofiles/assignments?securityProfileID=sp&pageSize=10").await;
    assert_eq!(list.body["Meta"]["TotalCount"], 4, "{}", list.body);
    assert_eq!(s.get("/v1/securityprofiles/assignments?buyerID=acme").await.body["Meta"]["TotalCount"], 2);
    for (body, status, code) in [
        (json!({"SecurityProfileID": "nope"}), 404, "NotFound"),
        (json!({"SecurityProfileID": "sp", "BuyerID": "nope"}), 404, "NotFound"),
        (json!({"SecurityProfileID": "sp", "BuyerID": "acme", "UserID": "nope"}), 404, "NotFound"),
        (json!({"SecurityProfileID": "sp", "SupplierID": "s1"}), 400, "ValidationFailure"),
        (json!({"BuyerID": "acme"}), 400, "ValidationFailure"),
    ] {
        let r = s.post("/v1/securityprofiles/assignments", body.clone()).await;
        assert_eq!((r.status.as_u16(), r.code()), (status, code), "{body}");
    }
    assert_eq!(s.delete("/v1/securityprofiles/sp/assignments?buyerID=acme&userID=jane").await.status, 204);
    assert_eq!(s.delete("/v1/securityprofiles/sp/assignments?buyerID=acme&userID=jane").await.status, 404);
    assert_eq!(s.get("/v1/securityprofiles/assignments?securityProfileID=sp").await.body["Meta"]["TotalCount"], 3);

    for (body, field) in [
        (json!({"ID": "x", "Username": "x", "FirstName": "F", "LastName": "L", "Email": "not-an-email"}), "Email"),
        (json!({"ID": "x", "Username": "x", "FirstName": "F", "LastName": "L"}), "Email"),
        (
            json!({"ID": "x", "Username": "x", "FirstName": "F", "LastName": "L", "Email": "x@example.com", "Password": "short"}),
            "Password",
        ),
        (json!({"ID": "x y", "Username": "x", "FirstName": "F", "LastName": "L", "Email": "x@example.com"}), "ID"),
    ] {
        let r = s.post("/v1/adminusers", body.clone()).await;
        assert_eq!((r.status.as_u16(), r.code()), (400, "ValidationFailure"), "{body}");
        assert!(r.body["Errors"][0]["Message"].as_str().unwrap().contains(field), "{}", r.body);
    }
    let r = s.post("/v1/securityprofiles", json!({"Name": "bad", "Roles": ["Nope"]})).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "ValidationFailure"));

    // Deleting a buyer removes its users and emits customer.deleted for each.
    let before = s.event_count().await;
    assert_eq!(s.delete("/v1/buyers/acme").await.status, 204);
    assert_eq!(s.get("/v1/buyers/acme/users/jane").await.status, 404);
    assert_eq!(s.event_count().await, before + 2);
}

#[tokio::test]
async fn roles_come_from_user_buyer_and_marketplace_assignments() {
    let s = TestServer::start().await;
    assert_eq!(s.post("/v1/buyers", json!({"ID": "b", "Name": "B", "Active": true})).await.status, 201);
    assert_eq!(s.post("/v1/buyers/b/users", user("shopper")).await.status, 201);
    assert_eq!(s.post("/v1/adminusers", user("clerk")).await.status, 201);
    for (id, roles) in
        [("company", json!(["Shopper"])), ("personal", json!(["MeAdmin"])), ("market", json!(["OrderReader"]))]
    {
        assert_eq!(s.post("/v1/securityprofiles", json!({"ID": id, "Name": id, "Roles": roles})).await.status, 201);
    }
    for body in [
        json!({"SecurityProfileID": "company", "BuyerID": "b"}),
        json!({"SecurityProfileID": "personal", "BuyerID": "b", "UserID": "shopper"}),
        json!({"SecurityProfileID": "market"}),
    ] {
        assert_eq!(s.post("/v1/securityprofiles/assignments", body).await.status, 204);
    }
    let r = s.post("/v1/apiclients", json!({"AppName": "both", "AccessTokenDuration": 60, "Active": true, "AllowAnyBuyer": true, "AllowSeller": true})).await;
    let client = r.body["ID"].as_str().unwrap().to_owned();
    let roles_of = |body: Value| -> Value {
        use base64::Engine;
        let token = body["access_token"].as_str().unwrap();
        let claims = token.split('.').nth(1).unwrap();
        let claims: Value =
            serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
        claims["role"].clone()
    };
    let login = |u: &'static str| {
        [("grant_type", "password"), ("client_id", ""), ("username", u), ("password", "pass-word-123")]
    };
    let mut form = login("shopper");
    form[1].1 = &client;
    let (status, body) = s.token_request(&form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(roles_of(body), json!(["MeAdmin", "Shopper"]), "buyer users do not get marketplace-level profiles");
    let mut form = login("clerk");
    form[1].1 = &client;
    let (status, body) = s.token_request(&form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(roles_of(body), json!(["OrderReader"]), "admin users get marketplace-level profiles");
    // Changing a password takes effect.
    assert_eq!(s.patch("/v1/adminusers/clerk", json!({"Password": "a-new-pass-99"})).await.status, 200);
    let (status, _) = s.token_request(&form).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn role_lists_come_back_in_the_order_they_were_sent() {
    let s = TestServer::start().await;
    let roles = json!(["Shopper", "MeAdmin", "BuyerReader", "MeAdmin"]);
    let r = s.post("/v1/securityprofiles", json!({"ID": "ordered", "Name": "O", "Roles": roles})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["Roles"], json!(["Shopper", "MeAdmin", "BuyerReader"]), "in order, each once");
    assert_eq!(s.get("/v1/securityprofiles/ordered").await.body["Roles"], json!(["Shopper", "MeAdmin", "BuyerReader"]));
    let r = s
        .post(
            "/v1/apiclients",
            json!({"AppName": "o", "Active": true, "AccessTokenDuration": 60,
                   "MaximumGrantedRoles": ["OrderAdmin", "BuyerAdmin", "AddressAdmin"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["MaximumGrantedRoles"], json!(["OrderAdmin", "BuyerAdmin", "AddressAdmin"]));
}
