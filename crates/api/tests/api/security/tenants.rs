//! Buyers are walls: user ids are unique only within a buyer, so two buyers may each have a
//! user `jane`. Each sees and changes only her own orders, cart and returns.

use crate::support::shop::{PASSWORD, Shop};
use reqwest::Method;
use serde_json::json;

/// The shop's buyer `b` has `jane`; a second buyer `b2` gets another user whose ID is also
/// `jane` (username `jane-of-b2`), a shopper too. Returns her token.
async fn second_jane(shop: &Shop) -> String {
    let s = &shop.s;
    let r = s.post("/v1/buyers", json!({"ID": "b2", "Name": "Other buyer", "Active": true})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = s
        .post(
            "/v1/buyers/b2/users",
            json!({"ID": "jane", "Username": "jane-of-b2", "FirstName": "Jane", "LastName": "Two",
                   "Email": "jane2@example.com", "Active": true, "Password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = s.post("/v1/securityprofiles/assignments", json!({"SecurityProfileID": "shopper", "BuyerID": "b2"})).await;
    assert_eq!(r.status, 204, "{}", r.body);
    shop.login("jane-of-b2").await
}

#[tokio::test]
async fn users_with_the_same_id_in_two_buyers_never_share_orders_or_carts() {
    let shop = Shop::open(&[]).await;
    let jane = shop.login("jane").await;
    let other = second_jane(&shop).await;

    // Jane of buyer b fills her cart.
    let r =
        shop.call(&jane, Method::POST, "/v1/cart/lineitems", Some(json!({"ProductID": "chair", "Quantity": 1}))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = shop.call(&jane, Method::GET, "/v1/cart", None).await;
    assert_eq!((r.status.as_u16(), r.body["FromCompanyID"].as_str()), (200, Some("b")), "{}", r.body);
    let hers = r.body["ID"].as_str().unwrap().to_owned();
    assert_eq!(r.body["LineItemCount"], 1, "{}", r.body);

    // The other Jane's cart is her own, new and empty.
    let r = shop.call(&other, Method::GET, "/v1/cart", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_ne!(r.body["ID"], hers.as_str());
    assert_eq!((r.body["FromCompanyID"].as_str(), r.body["LineItemCount"].as_i64()), (Some("b2"), Some(0)));
    assert_eq!(r.body["FromUser"]["Username"], "jane-of-b2");

    // Jane's order is "not found" to her in every form, and untouched by trying.
    let path = format!("/v1/orders/Outgoing/{hers}");
    let address =
        json!({"FirstName": "X", "Street1": "1 Evil St", "City": "C", "State": "S", "Zip": "1", "Country": "US"});
    for (method, suffix, body) in [
        (Method::GET, "", None),
        (Method::PATCH, "", Some(json!({"Comments": "mine now"}))),
        (Method::PUT, "/shipto", Some(address.clone())),
        (Method::GET, "/lineitems", None),
        (Method::POST, "/lineitems", Some(json!({"ProductID": "chair", "Quantity": 5}))),
        (Method::POST, "/submit", None),
        (Method::DELETE, "", None),
    ] {
        let r = shop.call(&other, method.clone(), &format!("{path}{suffix}"), body).await;
        assert_eq!((r.status.as_u16(), r.code()), (404, "NotFound"), "{method} {suffix}: {}", r.body);
    }
    let r = shop.call(&other, Method::GET, "/v1/orders/Outgoing", None).await;
    let ids: Vec<&str> = r.body["Items"].as_array().unwrap().iter().filter_map(|o| o["ID"].as_str()).collect();
    assert!(!ids.contains(&hers.as_str()), "{ids:?}");
    let r = shop.call(&jane, Method::GET, &path, None).await;
    assert!(r.body["Comments"].is_null() && r.body["Status"] == "Unsubmitted", "{}", r.body);
    assert_eq!(r.body["LineItemCount"], 1, "{}", r.body);
    let r = shop.call(&jane, Method::GET, &format!("{path}/lineitems"), None).await;
    assert_eq!(r.body["Items"][0]["ShippingAddress"], serde_json::Value::Null, "{}", r.body);
}

#[tokio::test]
async fn a_return_belongs_to_the_orders_owner_in_her_buyer() {
    let shop = Shop::open(&[]).await;
    let jane = shop.login("jane").await;
    let other = second_jane(&shop).await;
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": "o"}))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let line = json!({"ID": "a", "ProductID": "chair", "Quantity": 2});
    assert_eq!(shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o/lineitems", Some(line)).await.status, 201);
    assert_eq!(shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o/submit", None).await.status, 200);
    let ret = json!({"ID": "r1", "OrderID": "o", "ItemsToReturn": [{"LineItemID": "a", "Quantity": 1}]});
    let r = shop.call(&jane, Method::POST, "/v1/orderreturns", Some(ret)).await;
    assert_eq!(r.status, 201, "{}", r.body);

    // The other Jane can neither file a return on the order nor see or change Jane's.
    let ret = json!({"ID": "r2", "OrderID": "o", "ItemsToReturn": [{"LineItemID": "a", "Quantity": 1}]});
    let r = shop.call(&other, Method::POST, "/v1/orderreturns", Some(ret)).await;
    assert_eq!(r.status, 404, "{}", r.body);
    for (method, path) in [
        (Method::GET, "/v1/orderreturns/r1"),
        (Method::PATCH, "/v1/orderreturns/r1"),
        (Method::POST, "/v1/orderreturns/r1/submit"),
    ] {
        let body = (method == Method::PATCH).then(|| json!({"Comments": "x"}));
        let r = shop.call(&other, method.clone(), path, body).await;
        assert_eq!((r.status.as_u16(), r.code()), (404, "NotFound"), "{method} {path}: {}", r.body);
    }
    let r = shop.call(&other, Method::GET, "/v1/orderreturns", None).await;
    assert_eq!(r.body["Items"], json!([]), "{}", r.body);
    let r = shop.call(&jane, Method::GET, "/v1/orderreturns", None).await;
    assert_eq!(r.body["Items"][0]["ID"], "r1", "{}", r.body);
}
