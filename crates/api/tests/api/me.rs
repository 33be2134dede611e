//! `/v1/me…` as the OrderCloud SDK's signed-in shopper uses it: their user, orders, products,
//! saved addresses (and those addresses in checkout), and revoking tokens.

use crate::support;

use reqwest::Method;
use serde_json::json;
use support::shop::Shop;

/// Gives `user` of buyer `b` the roles of a new profile `id`.
async fn grant(shop: &Shop, id: &str, user: &str, roles: &[&str]) {
    let r = shop.s.post("/v1/securityprofiles", json!({"ID": id, "Name": id, "Roles": roles})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = shop
        .s
        .post("/v1/securityprofiles/assignments", json!({"SecurityProfileID": id, "BuyerID": "b", "UserID": user}))
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
}

fn address(city: &str) -> serde_json::Value {
    json!({"FirstName": "Jane", "Street1": "1 Main St", "City": city, "Zip": "62701", "Country": "US"})
}

#[tokio::test]
async fn me_is_the_callers_own_user_and_changes_only_within_its_roles() {
    let shop = Shop::open(&[]).await;
    let jane = shop.login("jane").await;
    let r = shop.call(&jane, Method::GET, "/v1/me", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!((r.body["ID"].as_str(), r.body["CompanyID"].as_str()), (Some("jane"), Some("b")));
    assert!(r.body["Password"].is_null(), "a password is never shown");
    let joe = shop.login("joe").await;
    assert_eq!(shop.call(&joe, Method::GET, "/v1/me", None).await.body["ID"], "joe");

    // A shopper reads but does not write.
    let r = shop.call(&jane, Method::PATCH, "/v1/me", Some(json!({"FirstName": "J"}))).await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "InsufficientRoles"), "{}", r.body);

    // MeXpAdmin changes xp and nothing else.
    grant(&shop, "xp", "jane", &["MeXpAdmin"]).await;
    let jane = shop.login("jane").await;
    let r = shop.call(&jane, Method::PATCH, "/v1/me", Some(json!({"xp": {"size": "M"}}))).await;
    assert_eq!((r.status.as_u16(), r.body["xp"]["size"].as_str()), (200, Some("M")), "{}", r.body);
    let r = shop.call(&jane, Method::PATCH, "/v1/me", Some(json!({"FirstName": "J"}))).await;
    assert_eq!(r.status, 403, "{}", r.body);

    // MeAdmin changes the profile; activity and the password are not theirs to change here.
    grant(&shop, "me", "jane", &["MeAdmin"]).await;
    let jane = shop.login("jane").await;
    let r = shop.call(&jane, Method::PATCH, "/v1/me", Some(json!({"FirstName": "J", "Active": false}))).await;
    assert_eq!((r.status.as_u16(), r.body["FirstName"].as_str()), (200, Some("J")), "{}", r.body);
    assert_eq!(r.body["Active"], true);
    let stored = shop.s.get("/v1/buyers/b/users/jane").await;
    assert_eq!((stored.body["FirstName"].as_str(), stored.body["xp"]["size"].as_str()), (Some("J"), Some("M")));
    let mut whole = r.body.clone();
    whole["Password"] = json!("a-new-password-1");
    let r = shop.call(&jane, Method::PUT, "/v1/me", Some(whole)).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "ValidationFailure"), "{}", r.body);
    let r = shop.call(&jane, Method::PATCH, "/v1/me", Some(json!({"Email": ""}))).await;
    assert_eq!(r.status, 400, "a profile still validates: {}", r.body);

    // An anonymous shopper's user is the client's template: readable, never writable.
    let s = &shop.s;
    assert_eq!(
        s.post(
            "/v1/buyers/b/users",
            json!({"ID": "tmpl", "Username": "anon-template", "FirstName": "A", "LastName": "T",
                   "Email": "a@example.com", "Active": true}),
        )
        .await
        .status,
        201
    );
    grant(&shop, "anon-me", "tmpl", &["MeAdmin"]).await;
    let r = s
        .post(
            "/v1/apiclients",
            json!({"AppName": "anon", "AccessTokenDuration": 30, "Active": true, "AllowAnyBuyer": true,
                   "IsAnonBuyer": true, "DefaultContextUserName": "anon-template"}),
        )
        .await;
    let client = r.body["ID"].as_str().unwrap().to_owned();
    let (status, body) = s.token_request(&[("grant_type", "client_credentials"), ("client_id", &client)]).await;
    assert_eq!(status, 200, "{body}");
    let anon = body["access_token"].as_str().unwrap().to_owned();
    let r = shop.call(&anon, Method::GET, "/v1/me", None).await;
    assert_eq!((r.status.as_u16(), r.body["Username"].as_str()), (200, Some("anon-template")), "{}", r.body);
    let r = shop.call(&anon, Method::PATCH, "/v1/me", Some(json!({"FirstName": "Mallory"}))).await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "Me.AnonymousUser"), "{}", r.body);
    assert_eq!(s.get("/v1/buyers/b/users/tmpl").await.body["FirstName"], "A");
}

#[tokio::test]
async fn me_orders_are_the_callers_and_me_products_are_priced() {
    let shop = Shop::open(&[]).await;
    let (jane, joe) = (shop.login("jane").await, shop.login("joe").await);
    for (token, id) in [(&jane, "jane-1"), (&joe, "joe-1")] {
        let r = shop.call(token, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": id}))).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let r = shop.call(&jane, Method::GET, "/v1/me/orders", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let ids: Vec<&str> = r.body["Items"].as_array().unwrap().iter().map(|o| o["ID"].as_str().unwrap()).collect();
    assert_eq!(ids, ["jane-1"]);
    assert_eq!(r.body["Meta"]["TotalCount"], 1);
    let r = shop.call(&jane, Method::GET, "/v1/me/orders?search=joe", None).await;
    assert_eq!(r.body["Items"].as_array().unwrap().len(), 0);

    let r = shop
        .s
        .post(
            "/v1/products",
            json!({"ID": "hidden", "Name": "Hidden", "Active": false, "DefaultPriceScheduleID": "ps"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = shop.call(&jane, Method::GET, "/v1/me/products", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let items = r.body["Items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "only active, priced products: {}", r.body);
    assert_eq!((items[0]["ID"].as_str(), items[0]["PriceSchedule"]["ID"].as_str()), (Some("chair"), Some("ps")));
    assert_eq!(items[0]["PriceSchedule"]["PriceBreaks"][0]["Price"], 9.99);
}

#[tokio::test]
async fn saved_addresses_belong_to_their_user_and_ship_orders_by_id() {
    let shop = Shop::open(&[]).await;
    grant(&shop, "addr", "jane", &["MeAddressAdmin"]).await;
    let (jane, joe) = (shop.login("jane").await, shop.login("joe").await);
    let mut home = address("Springfield");
    home["ID"] = json!("home");
    home["Billing"] = json!(false);
    let r = shop.call(&jane, Method::POST, "/v1/me/addresses", Some(home.clone())).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.headers["location"], format!("{}/v1/me/addresses/home", shop.s.base).as_str());
    assert_eq!((r.body["Shipping"].as_bool(), r.body["Billing"].as_bool()), (Some(true), Some(false)));
    let r = shop.call(&jane, Method::POST, "/v1/me/addresses", Some(home)).await;
    assert_eq!((r.status.as_u16(), r.code()), (409, "IdExists"), "{}", r.body);
    let r = shop.call(&jane, Method::PATCH, "/v1/me/addresses/home", Some(json!({"City": "Shelbyville"}))).await;
    assert_eq!((r.status.as_u16(), r.body["City"].as_str()), (200, Some("Shelbyville")), "{}", r.body);
    let r = shop.call(&jane, Method::PATCH, "/v1/me/addresses/home", Some(json!({"Country": "USA"}))).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "ValidationFailure"), "{}", r.body);
    // A shopper without MeAddressAdmin reads their own (none) and writes nothing.
    let r = shop.call(&joe, Method::GET, "/v1/me/addresses", None).await;
    assert_eq!((r.status.as_u16(), r.body["Items"].as_array().map(Vec::len)), (200, Some(0)));
    assert_eq!(shop.call(&joe, Method::GET, "/v1/me/addresses/home", None).await.status, 404);
    assert_eq!(shop.call(&joe, Method::POST, "/v1/me/addresses", Some(address("X"))).await.status, 403);

    // In checkout: an order takes a saved address by id, as a copy.
    let r = shop
        .call(&jane, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": "o1", "ShippingAddressID": "home"})))
        .await;
    assert_eq!((r.status.as_u16(), r.body["ShippingAddressID"].as_str()), (201, Some("home")), "{}", r.body);
    let line = json!({"ID": "l1", "ProductID": "chair", "Quantity": 1});
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o1/lineitems", Some(line)).await;
    assert_eq!(
        (r.status.as_u16(), r.body["ShippingAddress"]["City"].as_str()),
        (201, Some("Shelbyville")),
        "{}",
        r.body
    );
    let r = shop.call(&jane, Method::PATCH, "/v1/orders/Outgoing/o1", Some(json!({"BillingAddressID": "home"}))).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "ValidationFailure"), "not a billing address: {}", r.body);
    let r = shop
        .call(&joe, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": "o2", "ShippingAddressID": "home"})))
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "NotFound"), "another user's address: {}", r.body);
    assert_eq!(shop.call(&jane, Method::DELETE, "/v1/me/addresses/home", None).await.status, 204);
    let r = shop.call(&jane, Method::GET, "/v1/orders/Outgoing/o1/lineitems/l1", None).await;
    assert_eq!(r.body["ShippingAddress"]["City"], "Shelbyville", "the order keeps its copy: {}", r.body);

    // At most 100 addresses a user.
    for n in 0..100 {
        let mut a = address("Town");
        a["ID"] = json!(format!("a{n}"));
        let r = shop.call(&jane, Method::POST, "/v1/me/addresses", Some(a)).await;
        assert_eq!(r.status, 201, "{n}: {}", r.body);
    }
    let r = shop.call(&jane, Method::POST, "/v1/me/addresses", Some(address("One too many"))).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "ValidationFailure"), "{}", r.body);
    let r = shop.call(&jane, Method::GET, "/v1/me/addresses?pageSize=5", None).await;
    assert_eq!(r.body["Meta"]["TotalCount"], 100);

    // A line item ships to a saved address of its own.
    let line = json!({"ID": "l2", "ProductID": "chair", "Quantity": 1, "ShippingAddressID": "a5"});
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o1/lineitems", Some(line)).await;
    assert_eq!((r.status.as_u16(), r.body["ShippingAddressID"].as_str()), (201, Some("a5")), "{}", r.body);
    assert_eq!(r.body["ShippingAddress"]["City"], "Town");
    let r = shop.call(&jane, Method::PATCH, "/v1/orders/Outgoing/o1/lineitems/l2", Some(json!({"Quantity": 3}))).await;
    assert_eq!((r.status.as_u16(), r.body["ShippingAddressID"].as_str()), (200, Some("a5")), "{}", r.body);
    let r = shop
        .call(&jane, Method::PATCH, "/v1/orders/Outgoing/o1/lineitems/l2", Some(json!({"ShippingAddressID": "nope"})))
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
}

#[tokio::test]
async fn revoked_tokens_stop_working_at_once_and_cannot_be_refreshed() {
    let shop = Shop::open(&[]).await;
    let r = shop.s.patch(&format!("/v1/apiclients/{}", shop.client), json!({"RefreshTokenDuration": 60})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let login = || async {
        let (status, body) = shop
            .s
            .token_request(&[
                ("grant_type", "password"),
                ("client_id", &shop.client),
                ("username", "jane"),
                ("password", support::shop::PASSWORD),
            ])
            .await;
        assert_eq!(status, 200, "{body}");
        (body["access_token"].as_str().unwrap().to_owned(), body["refresh_token"].as_str().unwrap().to_owned())
    };
    let (a, refresh) = login().await;
    let (b, _) = login().await;
    let joe = shop.login("joe").await;
    assert_eq!(shop.call(&a, Method::GET, "/v1/me", None).await.status, 200);

    assert_eq!(shop.call(&a, Method::DELETE, "/v1/me/tokens", None).await.status, 204);
    for token in [&a, &b] {
        let r = shop.call(token, Method::GET, "/v1/me", None).await;
        assert_eq!((r.status.as_u16(), r.code()), (401, "Auth.TokenRevoked"), "{}", r.body);
    }
    assert_eq!(shop.call(&joe, Method::GET, "/v1/me", None).await.status, 200, "another user's tokens live on");
    let (status, body) = shop
        .s
        .token_request(&[("grant_type", "refresh_token"), ("client_id", &shop.client), ("refresh_token", &refresh)])
        .await;
    assert_eq!((status.as_u16(), body["Errors"][0]["ErrorCode"].as_str()), (401, Some("Auth.TokenRevoked")), "{body}");

    // A new sign-in works; the user's admin revokes it again.
    let (c, _) = login().await;
    assert_eq!(shop.call(&c, Method::GET, "/v1/me", None).await.status, 200);
    assert_eq!(shop.s.delete("/v1/buyers/b/users/jane/tokens").await.status, 204);
    assert_eq!(shop.call(&c, Method::GET, "/v1/me", None).await.status, 401);
    let r = shop.s.delete("/v1/buyers/b/users/nobody/tokens").await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "NotFound"), "{}", r.body);
    let r = shop.call(&joe, Method::DELETE, "/v1/buyers/b/users/jane/tokens", None).await;
    assert_eq!(r.status, 403, "a shopper does not revoke others' tokens: {}", r.body);
}
