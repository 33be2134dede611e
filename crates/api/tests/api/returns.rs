//! Order returns through OrderCloud's API: items by line and quantity, the OrderReturn
//! integration event pricing them (`/calculateorderreturn`, signed), the return's lifecycle and
//! its events.

use crate::support;

use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;
use support::middleware::Reply;
use support::shop::{Shop, event_keys, money};

/// Jane's submitted order `o` with 3 chairs (line `a`) and 1 chair (line `b`).
async fn submitted_order(shop: &Shop, jane: &str) {
    let r = shop.call(jane, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": "o"}))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    for (id, qty) in [("a", 3), ("b", 1)] {
        let r = shop
            .call(
                jane,
                Method::POST,
                "/v1/orders/Outgoing/o/lineitems",
                Some(json!({"ID": id, "ProductID": "chair", "Quantity": qty})),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let r = shop.call(jane, Method::POST, "/v1/orders/Outgoing/o/submit", None).await;
    assert_eq!(r.body["Status"], "Open", "{}", r.body);
}

#[tokio::test]
async fn the_middleware_prices_a_return_and_the_seller_completes_it() {
    let shop = Shop::open(&["OrderReturnIntegrationEventID"]).await;
    let jane = shop.login("jane").await;
    submitted_order(&shop, &jane).await;
    shop.mw.reply(
        "/calculateorderreturn",
        Reply::Json(200, json!({"RefundAmount": 24.97, "ItemsToReturnCalcs": [{"LineItemID": "a", "RefundAmount": 19.98},
                                                                               {"LineItemID": "b", "RefundAmount": 4.99}]})),
    );
    let r = shop
        .call(&jane, Method::POST, "/v1/orderreturns", Some(json!({"ID": "r1", "OrderID": "o", "Comments": "too big",
               "ItemsToReturn": [{"LineItemID": "a", "Quantity": 2, "Comments": "wobbly"}, {"LineItemID": "b", "Quantity": 1}]})))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.headers["location"], format!("{}/v1/orderreturns/r1", shop.s.base).as_str());
    assert_eq!((r.body["Status"].as_str(), money(&r.body["RefundAmount"])), (Some("Unsubmitted"), 24.97));
    assert_eq!(money(&r.body["ItemsToReturn"][0]["RefundAmount"]), 19.98);
    let call = shop.mw.calls_to("/calculateorderreturn").pop().expect("the middleware was asked");
    assert!(call.hash_ok, "signed like every callout");
    assert_eq!(call.body["OrderReturn"]["ID"], "r1");
    assert_eq!(call.body["OrderReturn"]["ItemsToReturn"][0]["Quantity"], 2);
    assert_eq!(call.body["OrderReturn"]["RefundAmount"], Value::Null);
    assert_eq!(call.body["OrderWorksheet"]["Order"]["ID"], "o");
    assert!(call.body["OrderCloudAccessToken"].is_string() && call.body["Environment"] == "Sandbox");
    assert_eq!(call.body["ConfigData"], json!({"taxRate": 0.1}));

    // Jane edits her comment: the stored amounts stay, no new callout.
    let r = shop.call(&jane, Method::PATCH, "/v1/orderreturns/r1", Some(json!({"Comments": "much too big"}))).await;
    assert_eq!((r.status.as_u16(), money(&r.body["RefundAmount"])), (200, 24.97), "{}", r.body);
    assert_eq!(shop.mw.calls_to("/calculateorderreturn").len(), 1);
    // Changing the items asks again.
    shop.mw.reply("/calculateorderreturn", Reply::Json(200, json!({"RefundAmount": 9.99})));
    let r = shop
        .call(
            &jane,
            Method::PATCH,
            "/v1/orderreturns/r1",
            Some(json!({"ItemsToReturn": [{"LineItemID": "a", "Quantity": 1}]})),
        )
        .await;
    assert_eq!((r.status.as_u16(), money(&r.body["RefundAmount"])), (200, 9.99), "{}", r.body);
    assert_eq!(shop.mw.calls_to("/calculateorderreturn").len(), 2);

    // Submit (awaits the seller), approve, complete.
    let r = shop.call(&jane, Method::POST, "/v1/orderreturns/r1/submit", None).await;
    assert_eq!(r.body["Status"], "AwaitingApproval", "{}", r.body);
    let r = shop.call(&jane, Method::POST, "/v1/orderreturns/r1/approve", None).await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "InsufficientRoles"));
    let r = shop.s.post("/v1/orderreturns/r1/approve", json!({"Comments": "ok"})).await;
    assert_eq!(r.body["Status"], "Open", "{}", r.body);
    let r = shop.call(&jane, Method::PUT, "/v1/orderreturns/r1", Some(json!({"OrderID": "o"}))).await;
    assert_eq!(r.code(), "Order.InvalidStatus", "only unsubmitted returns change");
    let r = shop.s.post("/v1/orderreturns/r1/complete", json!({})).await;
    assert_eq!((r.body["Status"].as_str(), r.body["DateCompleted"].is_string()), (Some("Completed"), true));
    let keys = event_keys(&shop.s, "r1").await;
    assert_eq!(keys.first().map(String::as_str), Some("order-return.created"), "{keys:?}");
    assert!(keys.iter().filter(|k| *k == "order-return.updated").count() >= 4, "{keys:?}");
    let r = shop.s.get("/cartwire/v1/events?resource_id=o&key=order.refunded").await;
    assert_eq!(
        r.body["data"][0]["payload"]["refund"],
        json!({"order_return_id": "r1", "amount": 999, "currency": "USD"})
    );
    assert_eq!(shop.call(&jane, Method::GET, "/v1/orderreturns", None).await.body["Meta"]["TotalCount"], 1);
}

#[tokio::test]
async fn returns_cannot_exceed_what_was_ordered_and_bad_middleware_answers_write_nothing() {
    let shop = Shop::open(&["OrderReturnIntegrationEventID"]).await;
    let jane = shop.login("jane").await;
    submitted_order(&shop, &jane).await;
    shop.mw.reply("/calculateorderreturn", Reply::Json(200, json!({"RefundAmount": 10})));
    let ret = |id: &str, line: &str, qty: i64| json!({"ID": id, "OrderID": "o", "ItemsToReturn": [{"LineItemID": line, "Quantity": qty}]});
    assert_eq!(shop.call(&jane, Method::POST, "/v1/orderreturns", Some(ret("r1", "a", 2))).await.status, 201);
    for (body, field) in [
        (ret("r2", "a", 2), "ItemsToReturn[0].Quantity"),
        (ret("r2", "zz", 1), "ItemsToReturn[0].LineItemID"),
        (ret("r2", "b", 0), "ItemsToReturn[0].Quantity"),
        (
            json!({"ID": "r2", "OrderID": "o", "ItemsToReturn": [{"LineItemID": "b", "Quantity": 1}, {"LineItemID": "b", "Quantity": 1}]}),
            "ItemsToReturn[1].LineItemID",
        ),
    ] {
        let r = shop.call(&jane, Method::POST, "/v1/orderreturns", Some(body.clone())).await;
        assert_eq!((r.status.as_u16(), r.code()), (400, "ValidationFailure"), "{body}: {}", r.body);
        assert_eq!(r.body["Errors"][0]["Data"]["PropertyName"], field, "{body}");
    }
    // The last chair of line a is still returnable; a canceled return frees its units.
    assert_eq!(shop.call(&jane, Method::POST, "/v1/orderreturns", Some(ret("r2", "a", 1))).await.status, 201);
    assert_eq!(shop.call(&jane, Method::POST, "/v1/orderreturns/r1/cancel", None).await.body["Status"], "Canceled");
    assert_eq!(shop.call(&jane, Method::POST, "/v1/orderreturns", Some(ret("r3", "a", 2))).await.status, 201);

    let before = shop.s.event_count().await;
    for (reply, status) in [
        (Reply::Json(500, json!({"Message": "down"})), 500u64),
        (Reply::Garbage, 200),
        (Reply::Slow(Duration::from_secs(3), json!({"RefundAmount": 1})), 0),
        (Reply::Json(200, json!({"RefundAmount": 1.234})), 200),
        (Reply::Json(200, json!({"ItemsToReturnCalcs": [{"LineItemID": "a", "RefundAmount": 1}]})), 200),
        (Reply::Json(200, json!({})), 200),
    ] {
        let shown = format!("{reply:?}");
        shop.mw.reply("/calculateorderreturn", reply);
        let r = shop.call(&jane, Method::POST, "/v1/orderreturns", Some(ret("r4", "b", 1))).await;
        assert_eq!((r.status.as_u16(), r.code()), (400, "IntegrationEvent.BadRequest"), "{shown}: {}", r.body);
        assert_eq!(r.body["Errors"][0]["Data"]["HttpStatusCode"], status, "{shown}");
    }
    assert_eq!(shop.call(&jane, Method::GET, "/v1/orderreturns/r4", None).await.status, 404);
    assert_eq!(shop.s.event_count().await, before, "no failed callout wrote anything");
}

#[tokio::test]
async fn without_an_event_amounts_are_the_sellers_to_set() {
    let shop = Shop::open(&[]).await;
    let jane = shop.login("jane").await;
    submitted_order(&shop, &jane).await;
    let r = shop
        .call(
            &jane,
            Method::POST,
            "/v1/orderreturns",
            Some(json!({"ID": "r1", "OrderID": "o", "ItemsToReturn": [{"LineItemID": "b", "Quantity": 1}]})),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.body["RefundAmount"].clone()), (201, Value::Null), "{}", r.body);
    // A shopper may not set a refund; the seller may, per item (the total follows) or in all.
    let r = shop
        .call(
            &jane,
            Method::PUT,
            "/v1/orderreturns/r1",
            Some(json!({"OrderID": "o", "RefundAmount": 100, "ItemsToReturn": [{"LineItemID": "b", "Quantity": 1}]})),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "InsufficientRoles"));
    let r = shop
        .s
        .put(
            "/v1/orderreturns/r1",
            json!({"OrderID": "o", "ItemsToReturn": [{"LineItemID": "b", "Quantity": 1, "RefundAmount": 9.99}]}),
        )
        .await;
    assert_eq!((r.status.as_u16(), money(&r.body["RefundAmount"])), (200, 9.99), "{}", r.body);
    let r = shop.s.put("/v1/orderreturns/r1", json!({"OrderID": "o", "RefundAmount": 9.999})).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "ValidationFailure"), "inexact money is refused");
    // Seller-submitted returns are open at once; returns of someone else's order are hidden.
    let r = shop.s.post("/v1/orderreturns/r1/submit", json!({})).await;
    assert_eq!(r.body["Status"], "Open", "{}", r.body);
    let joe = shop.login("joe").await;
    assert_eq!(shop.call(&joe, Method::GET, "/v1/orderreturns/r1", None).await.status, 404);
    assert_eq!(shop.call(&joe, Method::GET, "/v1/orderreturns", None).await.body["Meta"]["TotalCount"], 0);
    let r = shop.call(&joe, Method::POST, "/v1/orderreturns", Some(json!({"OrderID": "o", "ItemsToReturn": []}))).await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "NotFound"));
    // Unsubmitted orders cannot be returned; unsubmitted returns can be deleted.
    shop.call(&jane, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": "cart"}))).await;
    let r = shop.call(&jane, Method::POST, "/v1/orderreturns", Some(json!({"OrderID": "cart"}))).await;
    assert_eq!(r.code(), "Order.InvalidStatus");
    let r = shop.call(&jane, Method::POST, "/v1/orderreturns", Some(json!({"ID": "r2", "OrderID": "o"}))).await;
    assert_eq!(r.status, 201);
    let r = shop.call(&jane, Method::POST, "/v1/orderreturns/r2/submit", None).await;
    assert_eq!(r.code(), "ValidationFailure", "nothing to return");
    assert_eq!(shop.call(&jane, Method::DELETE, "/v1/orderreturns/r2", None).await.status, 204);
    assert_eq!(shop.call(&jane, Method::GET, "/v1/orderreturns/r2", None).await.status, 404);
    let r = shop.call(&jane, Method::POST, "/v1/orderreturns", Some(json!({"ItemsToReturn": []}))).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "ValidationFailure"));
}
