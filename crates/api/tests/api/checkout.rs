//! Checkout through OrderCloud's API with a real middleware: orders, line items, the cart, the
//! OrderCheckout and AddToCart integration events (signed with `X-oc-hash`, verified here by the
//! middleware's own HMAC code), approval, and every failure path.

use crate::support;

use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;
use support::middleware::Reply;
use support::shop::{HASH_KEY, Shop, event_keys, money};
use support::{TestServer, eventually};

#[tokio::test]
async fn a_whole_checkout_calls_the_middleware_signed_and_keeps_the_worksheet() {
    let shop = Shop::open(&["OrderCheckoutIntegrationEventID"]).await;
    shop.script_checkout();
    let jane = shop.login("jane").await;
    let s = &shop.s;

    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": "o1", "Comments": "hi"}))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.headers["location"], format!("{}/v1/orders/Outgoing/o1", s.base).as_str());
    assert_eq!((r.body["Status"].as_str(), r.body["FromUserID"].as_str()), (Some("Unsubmitted"), Some("jane")));
    assert_eq!((r.body["FromCompanyID"].as_str(), r.body["Currency"].as_str()), (Some("b"), Some("USD")));
    assert_eq!(r.body["FromUser"]["Username"], "jane");

    let r = shop
        .call(
            &jane,
            Method::POST,
            "/v1/orders/Outgoing/o1/lineitems",
            Some(json!({"ID": "line1", "ProductID": "chair", "Quantity": 2})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!((money(&r.body["UnitPrice"]), money(&r.body["LineTotal"])), (9.99, 19.98));
    assert_eq!((r.body["PriceScheduleID"].as_str(), r.body["Product"]["Name"].as_str()), (Some("ps"), Some("Chair")));
    let address = json!({"FirstName": "Jane", "Street1": "1 Main St", "City": "Springfield", "State": "IL", "Zip": "62701", "Country": "US"});
    let r = shop.call(&jane, Method::PUT, "/v1/orders/Outgoing/o1/shipto", Some(address.clone())).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!((money(&r.body["Subtotal"]), money(&r.body["Total"])), (19.98, 19.98));

    // Submitting before calculating is refused for a client with an OrderCheckout event.
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o1/submit", None).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "Order.CannotSubmitUncalculatedOrder"), "{}", r.body);
    let r = shop
        .call(
            &jane,
            Method::POST,
            "/v1/orders/Outgoing/o1/shipmethods",
            Some(json!({"ShipMethodSelections": [{"ShipEstimateID": "est1", "ShipMethodID": "air"}]})),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "IntegrationEvent.MustCalculateShipping"));

    // estimateshipping: the middleware gets the worksheet, signed, with the envelope.
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o1/estimateshipping", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["ShipEstimateResponse"]["ShipEstimates"][0]["ID"], "est1");
    assert_eq!(r.body["ShipEstimateResponse"]["HttpStatusCode"], 200);
    let call = shop.mw.calls_to("/shippingrates").pop().expect("the middleware was called");
    assert!(call.hash_ok, "X-oc-hash verifies with the middleware's own HMAC");
    assert_eq!(call.headers["x-api-key"], "mw-key", "the custom auth header is sent");
    assert_eq!(call.body["ConfigData"], json!({"taxRate": 0.1}));
    assert_eq!(call.body["Environment"], "Sandbox");
    assert_eq!(call.body["OrderWorksheet"]["Order"]["ID"], "o1");
    assert_eq!(call.body["OrderWorksheet"]["LineItems"][0]["ID"], "line1");
    assert_eq!(call.body["OrderWorksheet"]["LineItems"][0]["ShippingAddress"]["City"], "Springfield");
    // The callout token is the shopper's plus the event's elevated roles, valid on cartwire.
    let callout_token = call.body["OrderCloudAccessToken"].as_str().unwrap().to_owned();
    assert_eq!(shop.call(&callout_token, Method::GET, "/v1/products", None).await.status, 200);
    assert_eq!(shop.call(&jane, Method::GET, "/v1/products", None).await.status, 403);
    assert_eq!(shop.call(&callout_token, Method::GET, "/v1/orders/Outgoing/o1", None).await.status, 200);

    let r = shop
        .call(
            &jane,
            Method::POST,
            "/v1/orders/Outgoing/o1/shipmethods",
            Some(json!({"ShipMethodSelections": [{"ShipEstimateID": "est1", "ShipMethodID": "air"}]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["ShipEstimateResponse"]["ShipEstimates"][0]["SelectedShipMethodID"], "air");
    assert_eq!((money(&r.body["Order"]["ShippingCost"]), money(&r.body["Order"]["Total"])), (25.5, 45.48));
    let r = shop
        .call(
            &jane,
            Method::POST,
            "/v1/orders/Outgoing/o1/shipmethods",
            Some(json!({"ShipMethodSelections": [{"ShipEstimateID": "est1", "ShipMethodID": "teleport"}]})),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "ValidationFailure"));

    // calculate applies shipping, tax and fees.
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o1/calculate", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let o = &r.body["Order"];
    assert_eq!((money(&o["ShippingCost"]), money(&o["TaxCost"]), money(&o["Fees"])), (12.0, 2.5, 0.25));
    assert_eq!(money(&o["Total"]), 34.73, "19.98 + 12 + 2.5 + 0.25");
    assert_eq!(r.body["OrderCalculateResponse"]["HttpStatusCode"], 200);
    assert!(shop.mw.calls_to("/ordercalculate").iter().all(|c| c.hash_ok));
    // The callout token is reused while it has most of its life left (it is not re-signed per call).
    let calc = shop.mw.calls_to("/ordercalculate").pop().unwrap();
    assert_eq!(calc.body["OrderCloudAccessToken"], callout_token.as_str());

    // A change that moves the total makes the calculation stale again.
    let r =
        shop.call(&jane, Method::PATCH, "/v1/orders/Outgoing/o1/lineitems/line1", Some(json!({"Quantity": 10}))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(money(&r.body["UnitPrice"]), 8.5, "the price break for 10 applies");
    let r = shop.call(&jane, Method::GET, "/v1/orders/Outgoing/o1/worksheet", None).await;
    assert_eq!(r.body["OrderCalculateResponse"], Value::Null);
    assert_eq!(r.body["ShipEstimateResponse"], Value::Null);
    assert_eq!((money(&r.body["Order"]["TaxCost"]), money(&r.body["Order"]["Total"])), (0.0, 85.0));
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o1/validate", None).await;
    assert_eq!(r.code(), "Order.CannotSubmitUncalculatedOrder");
    // xp counts as such a change; comments do not.
    assert_eq!(shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o1/calculate", None).await.status, 200);
    let r = shop.call(&jane, Method::PATCH, "/v1/orders/Outgoing/o1", Some(json!({"Comments": "leave at door"}))).await;
    assert_eq!((r.status.as_u16(), money(&r.body["TaxCost"])), (200, 2.5), "{}", r.body);
    let r = shop.call(&jane, Method::PATCH, "/v1/orders/Outgoing/o1", Some(json!({"xp": {"gift": true}}))).await;
    assert_eq!(money(&r.body["TaxCost"]), 0.0);
    assert_eq!(shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o1/calculate", None).await.status, 200);
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o1/validate", None).await;
    assert_eq!(r.status, 204, "{}", r.body);

    // submit: Open, then /ordersubmit recorded on the worksheet.
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o1/submit", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!((r.body["Status"].as_str(), r.body["IsSubmitted"].as_bool()), (Some("Open"), Some(true)));
    assert!(r.body["DateSubmitted"].is_string());
    let submit = shop.mw.calls_to("/ordersubmit").pop().expect("/ordersubmit called");
    assert!(submit.hash_ok);
    assert_eq!(submit.body["OrderWorksheet"]["Order"]["Status"], "Open");
    let r = shop.call(&jane, Method::GET, "/v1/orders/Outgoing/o1/worksheet", None).await;
    assert_eq!(r.body["OrderSubmitResponse"]["xp"]["erpId"], "erp/ordersubmit");
    assert_eq!(r.body["OrderSubmitResponse"]["HttpStatusCode"], 200);
    // A submitted order no longer changes.
    let r = shop
        .call(
            &jane,
            Method::POST,
            "/v1/orders/Outgoing/o1/lineitems",
            Some(json!({"ProductID": "chair", "Quantity": 1})),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "Order.InvalidStatus"));
    // In OrderCloud's words: the status is "Open", not the one model's "placed".
    assert_eq!(r.body["Errors"][0]["Message"], "Cannot add a line item to order o1 while its status is Open");

    // The seller completes it.
    let r = s.post("/v1/orders/Incoming/o1/complete", json!({})).await;
    assert_eq!((r.status.as_u16(), r.body["Status"].as_str()), (200, Some("Completed")), "{}", r.body);
    let keys = event_keys(s, "o1").await;
    assert_eq!(keys.first().map(String::as_str), Some("cart.updated"), "{keys:?}");
    for expected in ["order.created", "order.updated", "order.fulfilled"] {
        assert!(keys.iter().any(|k| k == expected), "{expected} in {keys:?}");
    }
    // The order event carries priced items and the total in minor units.
    let r = s.get("/cartwire/v1/events?resource_id=o1&key=order.fulfilled").await;
    let payload = &r.body["data"][0]["payload"];
    assert_eq!(payload["included"]["items"][0]["unit_price"]["amount"], 850);
    assert_eq!(payload["totals"]["currency"], "USD");
}

#[tokio::test]
async fn middleware_failures_are_bad_requests_and_recorded_on_the_worksheet() {
    let shop = Shop::open(&["OrderCheckoutIntegrationEventID"]).await;
    let jane = shop.login("jane").await;
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": "o2"}))).await;
    assert_eq!(r.status, 201);
    let r = shop
        .call(
            &jane,
            Method::POST,
            "/v1/orders/Outgoing/o2/lineitems",
            Some(json!({"ID": "l", "ProductID": "chair", "Quantity": 1})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);

    let cases: Vec<(&str, Reply, u64)> = vec![
        ("500", Reply::Json(500, json!({"Message": "boom"})), 500),
        ("not JSON", Reply::Garbage, 200),
        ("timeout", Reply::Slow(Duration::from_secs(3), json!({"ShippingTotal": 1})), 0),
        ("inexact money", Reply::Json(200, json!({"TaxTotal": 1.005})), 200),
        ("unknown line", Reply::Json(200, json!({"LineItemOverrides": [{"LineItemID": "nope", "UnitPrice": 1}]})), 200),
    ];
    for (what, reply, status) in cases {
        shop.mw.reply("/ordercalculate", reply);
        let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o2/calculate", None).await;
        assert_eq!((r.status.as_u16(), r.code()), (400, "IntegrationEvent.BadRequest"), "{what}: {}", r.body);
        assert_eq!(r.body["Errors"][0]["Data"]["HttpStatusCode"], status, "{what}");
        let w = shop.call(&jane, Method::GET, "/v1/orders/Outgoing/o2/worksheet", None).await;
        assert_eq!(w.body["OrderCalculateResponse"]["HttpStatusCode"], status, "{what}");
        assert_eq!(w.body["OrderCalculateResponse"]["Succeeded"], false, "{what}");
        assert!(w.body["OrderCalculateResponse"]["UnhandledErrorBody"].is_string(), "{what}");
        assert_eq!(money(&w.body["Order"]["TaxCost"]), 0.0, "{what}: nothing applied");
        let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o2/submit", None).await;
        assert_eq!(r.code(), "Order.CannotSubmitUncalculatedOrder", "{what}");
    }
    // A shipping-rates failure is recorded and ship methods cannot be chosen from it.
    shop.mw.reply("/shippingrates", Reply::Json(503, json!({})));
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o2/estimateshipping", None).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "IntegrationEvent.BadRequest"));
    let r = shop
        .call(
            &jane,
            Method::POST,
            "/v1/orders/Outgoing/o2/shipmethods",
            Some(json!({"ShipMethodSelections": [{"ShipEstimateID": "x", "ShipMethodID": "y"}]})),
        )
        .await;
    assert_eq!(r.code(), "IntegrationEvent.MustCalculateShipping");
    shop.mw.reply("/shippingrates", Reply::Json(200, json!({"ShipEstimates": []})));
    assert_eq!(shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o2/estimateshipping", None).await.status, 200);
    let r = shop
        .call(
            &jane,
            Method::POST,
            "/v1/orders/Outgoing/o2/shipmethods",
            Some(json!({"ShipMethodSelections": [{"ShipEstimateID": "x", "ShipMethodID": "y"}]})),
        )
        .await;
    assert_eq!(r.code(), "IntegrationEvent.MustHaveShipEstimates");

    // A failing /ordersubmit does not undo the submit; the failure is on the worksheet.
    shop.mw.reply("/ordercalculate", Reply::Json(200, json!({"TaxTotal": 1})));
    assert_eq!(shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o2/calculate", None).await.status, 200);
    shop.mw.reply("/ordersubmit", Reply::Json(500, json!({"Message": "ERP down"})));
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o2/submit", None).await;
    assert_eq!((r.status.as_u16(), r.body["Status"].as_str()), (200, Some("Open")), "{}", r.body);
    let w = shop.call(&jane, Method::GET, "/v1/orders/Outgoing/o2/worksheet", None).await;
    assert_eq!(w.body["OrderSubmitResponse"]["HttpStatusCode"], 500);
    assert!(w.body["OrderSubmitResponse"]["UnhandledErrorBody"].as_str().unwrap().contains("ERP down"));
    assert!(shop.mw.calls().iter().all(|c| c.hash_ok), "every callout was signed correctly");
}

#[tokio::test]
async fn without_a_checkout_event_calculation_is_refused_and_submit_needs_none() {
    let shop = Shop::open(&[]).await;
    let jane = shop.login("jane").await;
    shop.call(&jane, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": "o3"}))).await;
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o3/calculate", None).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "IntegrationEvent.ApiClientNotConfiguredForOrderCalculate"));
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o3/estimateshipping", None).await;
    assert_eq!(r.code(), "IntegrationEvent.ApiClientNotConfiguredForOrderCalculate");
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o3/submit", None).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "Order.CannotSubmitEmptyOrder"));
    shop.call(
        &jane,
        Method::POST,
        "/v1/orders/Outgoing/o3/lineitems",
        Some(json!({"ProductID": "chair", "Quantity": 3})),
    )
    .await;
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o3/submit", None).await;
    assert_eq!((r.status.as_u16(), r.body["Status"].as_str()), (200, Some("Open")), "{}", r.body);
    assert_eq!(money(&r.body["Total"]), 29.97);
    assert!(shop.mw.calls().is_empty(), "no callouts without an event");
    // The event type must match the field (checked when the client is saved).
    let r = shop
        .s
        .post(
            "/v1/integrationEvents",
            json!({"ID": "ret", "Name": "ret", "EventType": "OrderReturn",
               "CustomImplementationUrl": shop.mw.url, "HashKey": HASH_KEY}),
        )
        .await;
    assert_eq!(r.status, 201);
    let r = shop
        .s
        .patch(&format!("/v1/apiclients/{}", shop.client), json!({"OrderCheckoutIntegrationEventID": "ret"}))
        .await;
    assert_eq!(r.code(), "IntegrationEvent.IncompatibleEventType");
}

#[tokio::test]
async fn add_to_cart_prices_lines_through_the_middleware_and_writes_nothing_on_failure() {
    let shop = Shop::open(&["AddToCartIntegrationEventID"]).await;
    let jane = shop.login("jane").await;
    shop.call(&jane, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": "o4"}))).await;
    shop.mw.reply(
        "/",
        Reply::Json(200, json!({"Product": {"ID": "custom-sofa", "Name": "Custom sofa", "Description": "Velvet",
                                            "QuantityMultiplier": 1, "ShipWeight": 40, "Returnable": false, "xp": {"fabric": "velvet"}},
                                "UnitPrice": 1299.95})),
    );
    let r = shop
        .call(
            &jane,
            Method::POST,
            "/v1/orders/Outgoing/o4/lineitems",
            Some(json!({"ProductID": "custom-sofa", "Quantity": 2})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!((money(&r.body["UnitPrice"]), money(&r.body["LineTotal"])), (1299.95, 2599.9));
    assert_eq!(r.body["Product"]["Name"], "Custom sofa");
    assert_eq!(r.body["Product"]["xp"]["fabric"], "velvet");
    let call = shop.mw.calls_to("/").pop().unwrap();
    assert!(call.hash_ok);
    assert_eq!((call.body["ProductID"].as_str(), call.body["Quantity"].as_i64()), (Some("custom-sofa"), Some(2)));
    assert_eq!((call.body["BuyerID"].as_str(), call.body["BuyerUser"]["Username"].as_str()), (Some("b"), Some("jane")));
    assert!(call.body["OrderCloudAccessToken"].is_string() && call.body["SellerID"].is_string());

    let before = shop.call(&jane, Method::GET, "/v1/orders/Outgoing/o4", None).await.body;
    let failures: Vec<(Reply, u16, &str)> = vec![
        (Reply::Json(200, json!({"Product": null, "UnitPrice": null})), 404, "NotFound"),
        (Reply::Json(500, json!({"oops": true})), 400, "IntegrationEvent.BadRequest"),
        (Reply::Garbage, 400, "IntegrationEvent.BadRequest"),
        (Reply::Slow(Duration::from_secs(3), json!({})), 400, "IntegrationEvent.BadRequest"),
        (
            Reply::Json(200, json!({"Product": {"ID": "x", "Name": ""}, "UnitPrice": 1})),
            400,
            "IntegrationEvent.BadRequest",
        ),
        (Reply::Json(200, json!({"Product": {"ID": "x", "Name": "X"}})), 400, "IntegrationEvent.BadRequest"),
        (
            Reply::Json(200, json!({"Product": {"ID": "x", "Name": "X"}, "UnitPrice": 0.001})),
            400,
            "IntegrationEvent.BadRequest",
        ),
    ];
    for (reply, status, code) in failures {
        let shown = format!("{reply:?}");
        shop.mw.reply("/", reply);
        let r = shop
            .call(
                &jane,
                Method::POST,
                "/v1/orders/Outgoing/o4/lineitems",
                Some(json!({"ProductID": "x", "Quantity": 1})),
            )
            .await;
        assert_eq!((r.status.as_u16(), r.code()), (status, code), "{shown}: {}", r.body);
    }
    let after = shop.call(&jane, Method::GET, "/v1/orders/Outgoing/o4", None).await.body;
    assert_eq!(before["LineItemCount"], after["LineItemCount"], "no failed callout wrote a line");
    assert_eq!(before["LastUpdated"], after["LastUpdated"]);
}

#[tokio::test]
async fn approval_rules_hold_orders_until_the_seller_decides() {
    let shop = Shop::open(&["OrderCheckoutIntegrationEventID"]).await;
    shop.script_checkout();
    let s = &shop.s;
    let r = s
        .post(
            "/v1/buyers/b/approvalrules",
            json!({"ID": "big", "Name": "Big orders", "RuleExpression": "order.Total > 50"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = s.post("/v1/buyers/b/approvalrules", json!({"Name": "xp", "RuleExpression": "order.xp.Foo = 'x'"})).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "ValidationFailure"), "unsupported expressions are refused");
    assert_eq!(s.get("/v1/buyers/b/approvalrules").await.body["Meta"]["TotalCount"], 1);
    let jane = shop.login("jane").await;
    for (id, qty) in [("small", 1), ("large", 10), ("third", 10)] {
        shop.call(&jane, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": id}))).await;
        let r = shop
            .call(
                &jane,
                Method::POST,
                &format!("/v1/orders/Outgoing/{id}/lineitems"),
                Some(json!({"ProductID": "chair", "Quantity": qty})),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(
            shop.call(&jane, Method::POST, &format!("/v1/orders/Outgoing/{id}/calculate"), None).await.status,
            200
        );
    }
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/small/submit", None).await;
    assert_eq!(r.body["Status"], "Open", "{}", r.body);
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/large/submit", None).await;
    assert_eq!(r.body["Status"], "AwaitingApproval", "{}", r.body);
    assert_eq!(shop.mw.calls_to("/ordersubmitforapproval").len(), 1);
    // Only the seller approves.
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/large/approve", Some(json!({"Comments": "me"}))).await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "InsufficientRoles"));
    let r = s.post("/v1/orders/Incoming/large/approve", json!({"Comments": "ok"})).await;
    assert_eq!((r.status.as_u16(), r.body["Status"].as_str()), (200, Some("Open")), "{}", r.body);
    assert!(r.body["DateApproved"].is_string());
    let approved = shop.mw.calls_to("/orderapproved");
    assert_eq!(approved.len(), 0, "the admin's client has no checkout event: no /orderapproved");
    let r = s.post("/v1/orders/Incoming/large/approve", json!({})).await;
    assert_eq!(r.code(), "Order.InvalidStatus");

    // Decline, then cancel.
    assert_eq!(
        shop.call(&jane, Method::POST, "/v1/orders/Outgoing/third/submit", None).await.body["Status"],
        "AwaitingApproval"
    );
    let r = s.post("/v1/orders/Incoming/third/decline", json!({"Comments": "too many"})).await;
    assert_eq!((r.body["Status"].as_str(), r.body["Comments"].as_str()), (Some("Declined"), Some("too many")));
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/third/cancel", None).await;
    assert_eq!((r.status.as_u16(), r.body["Status"].as_str()), (200, Some("Canceled")), "{}", r.body);
    let keys = event_keys(s, "third").await;
    assert!(keys.iter().any(|k| k == "order.cancelled"), "{keys:?}");

    // An approver whose client has the checkout event: /orderapproved is called and recorded.
    let r =
        s.post("/v1/securityprofiles", json!({"ID": "approver", "Name": "Approver", "Roles": ["OrderAdmin"]})).await;
    assert_eq!(r.status, 201);
    assert_eq!(
        s.post(
            "/v1/securityprofiles/assignments",
            json!({"SecurityProfileID": "approver", "BuyerID": "b", "UserID": "joe"})
        )
        .await
        .status,
        204
    );
    shop.call(&jane, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": "fourth"}))).await;
    shop.call(
        &jane,
        Method::POST,
        "/v1/orders/Outgoing/fourth/lineitems",
        Some(json!({"ProductID": "chair", "Quantity": 10})),
    )
    .await;
    shop.call(&jane, Method::POST, "/v1/orders/Outgoing/fourth/calculate", None).await;
    assert_eq!(
        shop.call(&jane, Method::POST, "/v1/orders/Outgoing/fourth/submit", None).await.body["Status"],
        "AwaitingApproval"
    );
    let joe = shop.login("joe").await;
    let r = shop.call(&joe, Method::POST, "/v1/orders/Incoming/fourth/approve", Some(json!({}))).await;
    assert_eq!(r.body["Status"], "Open", "{}", r.body);
    assert_eq!(shop.mw.calls_to("/orderapproved").len(), 1);
    let w = s.get("/v1/orders/All/fourth/worksheet").await;
    assert_eq!(w.body["OrderApprovedResponse"]["xp"]["erpId"], "erp/orderapproved");
}

#[tokio::test]
async fn shoppers_see_only_their_own_orders_and_readers_cannot_write() {
    let shop = Shop::open(&[]).await;
    let (jane, joe) = (shop.login("jane").await, shop.login("joe").await);
    shop.call(&jane, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": "janes"}))).await;
    shop.call(&joe, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": "joes"}))).await;
    let r = shop.call(&jane, Method::GET, "/v1/orders/Outgoing", None).await;
    assert_eq!(
        r.body["Items"].as_array().unwrap().iter().map(|o| o["ID"].clone()).collect::<Vec<_>>(),
        [json!("janes")]
    );
    for (method, path, body) in [
        (Method::GET, "/v1/orders/Outgoing/joes", None),
        (Method::PATCH, "/v1/orders/Outgoing/joes", Some(json!({"Comments": "mine now"}))),
        (Method::POST, "/v1/orders/Outgoing/joes/lineitems", Some(json!({"ProductID": "chair", "Quantity": 1}))),
        (Method::POST, "/v1/orders/Outgoing/joes/submit", None),
        (Method::DELETE, "/v1/orders/Outgoing/joes", None),
    ] {
        let r = shop.call(&jane, method.clone(), path, body).await;
        assert_eq!((r.status.as_u16(), r.code()), (404, "NotFound"), "{method} {path}");
        assert_eq!(r.body["Errors"][0]["Data"]["ObjectType"], "Order");
    }
    let reader = shop.s.token_with_roles(&["OrderReader"]).await;
    let r = shop.call(&reader, Method::GET, "/v1/orders/Incoming?sortBy=ID", None).await;
    assert_eq!(r.body["Meta"]["TotalCount"], 2);
    let r = shop.call(&reader, Method::PATCH, "/v1/orders/Incoming/joes", Some(json!({"Comments": "x"}))).await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "InsufficientRoles"));
    assert_eq!(r.body["Errors"][0]["Data"]["SufficientRoles"], json!(["FullAccess", "OrderAdmin"]));
    let nobody = shop.s.token_with_roles(&["MeAdmin"]).await;
    let r = shop.call(&nobody, Method::GET, "/v1/orders/Incoming", None).await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "InsufficientRoles"));
    let r = shop.s.send(Method::GET, "/v1/orders/Incoming", None, None).await;
    assert_eq!((r.status.as_u16(), r.code()), (401, "InvalidToken"));
    // A hand-set price needs OverrideUnitPrice.
    let r = shop
        .call(
            &jane,
            Method::POST,
            "/v1/orders/Outgoing/janes/lineitems",
            Some(json!({"ProductID": "chair", "Quantity": 1, "UnitPrice": 0.01})),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "InsufficientRoles"));
    let r = shop
        .s
        .post(
            "/v1/orders/Incoming/janes/lineitems",
            json!({"ID": "cheap", "ProductID": "chair", "Quantity": 1, "UnitPrice": 0.01}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), money(&r.body["UnitPrice"]), r.body["PriceOverridden"].as_bool()),
        (201, 0.01, Some(true))
    );
    // Sending the current price back (GET then PUT) is not an override.
    let line = shop.call(&jane, Method::GET, "/v1/orders/Outgoing/janes/lineitems/cheap", None).await.body;
    let r = shop.call(&jane, Method::PUT, "/v1/orders/Outgoing/janes/lineitems/cheap", Some(line)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Jane deletes her own order.
    assert_eq!(shop.call(&jane, Method::DELETE, "/v1/orders/Outgoing/janes", None).await.status, 204);
    assert_eq!(shop.call(&jane, Method::GET, "/v1/orders/Outgoing/janes", None).await.status, 404);
    assert!(event_keys(&shop.s, "janes").await.iter().any(|k| k == "cart.deleted"));
}

#[tokio::test]
async fn the_cart_is_the_callers_current_order() {
    let shop = Shop::open(&["OrderCheckoutIntegrationEventID"]).await;
    shop.script_checkout();
    let jane = shop.login("jane").await;
    let r = shop.call(&jane, Method::GET, "/v1/cart", None).await;
    assert_eq!((r.status.as_u16(), r.body["Status"].as_str()), (200, Some("Unsubmitted")), "{}", r.body);
    let cart = r.body["ID"].as_str().unwrap().to_owned();
    assert_eq!(shop.call(&jane, Method::GET, "/v1/cart", None).await.body["ID"], cart.as_str(), "same cart");
    let r =
        shop.call(&jane, Method::POST, "/v1/cart/lineitems", Some(json!({"ProductID": "chair", "Quantity": 2}))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let line = r.body["ID"].as_str().unwrap().to_owned();
    let r = shop.call(&jane, Method::PATCH, &format!("/v1/cart/lineitems/{line}"), Some(json!({"Quantity": 3}))).await;
    assert_eq!(r.body["Quantity"], 3);
    let r = shop.call(&jane, Method::GET, "/v1/cart/lineitems", None).await;
    assert_eq!(r.body["Meta"]["TotalCount"], 1);
    let address = json!({"Street1": "1 Main", "City": "X", "Country": "US"});
    assert_eq!(
        shop.call(&jane, Method::PUT, "/v1/cart/billto", Some(address.clone())).await.body["BillingAddress"]["City"],
        "X"
    );
    let r = shop.call(&jane, Method::PATCH, "/v1/cart/shipto", Some(address)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The SDK sends action calls with a JSON content type and no body.
    let res = shop
        .s
        .http
        .post(shop.s.url("/v1/Cart/EstimateShipping"))
        .bearer_auth(&jane)
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(shop.call(&jane, Method::POST, "/v1/cart/calculate", None).await.status, 200);
    let r = shop.call(&jane, Method::GET, "/v1/cart/worksheet", None).await;
    assert_eq!(money(&r.body["Order"]["TaxCost"]), 2.5);
    let r = shop.call(&jane, Method::POST, "/v1/cart/submit", None).await;
    assert_eq!((r.body["ID"].as_str(), r.body["Status"].as_str()), (Some(cart.as_str()), Some("Open")), "{}", r.body);
    let next = shop.call(&jane, Method::GET, "/v1/cart", None).await;
    assert_ne!(next.body["ID"], cart.as_str(), "a new cart after submit");
    assert_eq!(shop.call(&jane, Method::DELETE, "/v1/cart/lineitems/nope", None).await.code(), "NotFound");
    assert_eq!(shop.call(&jane, Method::POST, "/v1/cart/approve", None).await.status, 404);
}

#[tokio::test]
async fn bad_checkout_input_gets_ordercloud_errors_and_writes_nothing() {
    let shop = Shop::open(&[]).await;
    let jane = shop.login("jane").await;
    shop.call(&jane, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": "o5"}))).await;
    let before = shop.s.event_count().await;
    let cases: Vec<(Method, &str, Value, u16, &str)> = vec![
        (Method::POST, "/v1/orders/Sideways", json!({}), 400, "ValidationFailure"),
        (Method::POST, "/v1/orders/Outgoing", json!({"ID": "o5"}), 409, "IdExists"),
        (Method::POST, "/v1/orders/Outgoing", json!({"ID": "bad id!"}), 400, "ValidationFailure"),
        (Method::POST, "/v1/orders/Outgoing", json!({"Currency": "usd"}), 400, "ValidationFailure"),
        (Method::POST, "/v1/orders/Outgoing", json!({"xp": [1]}), 400, "ValidationFailure"),
        (
            Method::POST,
            "/v1/orders/Outgoing/o5/lineitems",
            json!({"ProductID": "chair", "Quantity": 0}),
            400,
            "ValidationFailure",
        ),
        (Method::POST, "/v1/orders/Outgoing/o5/lineitems", json!({"ProductID": "chair"}), 400, "ValidationFailure"),
        (
            Method::POST,
            "/v1/orders/Outgoing/o5/lineitems",
            json!({"ProductID": "ghost", "Quantity": 1}),
            404,
            "NotFound",
        ),
        (
            Method::POST,
            "/v1/orders/Outgoing/o5/lineitems",
            json!({"ProductID": "chair", "Quantity": "2"}),
            400,
            "ValidationFailure",
        ),
        (
            Method::POST,
            "/v1/orders/Outgoing/o5/lineitems",
            json!({"ProductID": "chair", "Quantity": 1, "ShippingAddress": {"Street1": "x", "City": "y", "Country": "USA"}}),
            400,
            "ValidationFailure",
        ),
        (
            Method::PUT,
            "/v1/orders/Outgoing/o5/shipto",
            json!({"Street1": "x", "Country": "US"}),
            400,
            "ValidationFailure",
        ),
        (
            Method::PUT,
            "/v1/orders/Outgoing/o5/billto",
            json!({"Street1": "x".repeat(101), "City": "c", "Country": "US"}),
            400,
            "ValidationFailure",
        ),
        (Method::PUT, "/v1/orders/Outgoing/o5", json!({"ID": "renamed"}), 400, "ValidationFailure"),
        (
            Method::POST,
            "/v1/orders/Outgoing/o5/shipmethods",
            json!({"ShipMethodSelections": "x"}),
            400,
            "ValidationFailure",
        ),
        (Method::POST, "/v1/orders/Outgoing/o5/teleport", json!({}), 404, "NotFound"),
        (Method::GET, "/v1/orders/Outgoing/o5/lineitems/none", Value::Null, 404, "NotFound"),
    ];
    for (method, path, body, status, code) in cases {
        let body = if body.is_null() { None } else { Some(body) };
        let r = shop.call(&jane, method.clone(), path, body.clone()).await;
        assert_eq!((r.status.as_u16(), r.code()), (status, code), "{method} {path} {body:?}: {}", r.body);
    }
    // The property of a nested record is its path, in OrderCloud's words.
    let r = shop
        .call(
            &jane,
            Method::POST,
            "/v1/orders/Outgoing/o5/lineitems",
            Some(json!({"ProductID": "chair", "Quantity": 1, "ShippingAddress": {"Street1": "x", "City": "y", "Country": "USA"}})),
        )
        .await;
    assert_eq!(r.body["Errors"][0]["Data"]["PropertyName"], "ShippingAddress.Country", "{}", r.body);
    assert_eq!(r.body["Errors"][0]["Message"], "ShippingAddress.Country must be a two-letter country code");
    let r =
        shop.s.send_raw(Method::POST, "/v1/orders/Outgoing/o5/lineitems", &jane, "application/json", "{broken").await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "Request.InvalidRequestBody"));
    // A product in another currency, an inactive one, one without a price.
    shop.s
        .post(
            "/v1/priceschedules",
            json!({"ID": "eur", "Name": "E", "Currency": "EUR", "PriceBreaks": [{"Quantity": 1, "Price": 1}]}),
        )
        .await;
    shop.s
        .post("/v1/products", json!({"ID": "euro", "Name": "Euro", "Active": true, "DefaultPriceScheduleID": "eur"}))
        .await;
    shop.s
        .post("/v1/products", json!({"ID": "off", "Name": "Off", "Active": false, "DefaultPriceScheduleID": "ps"}))
        .await;
    shop.s.post("/v1/products", json!({"ID": "free", "Name": "Unpriced", "Active": true})).await;
    let before_products = shop.s.event_count().await;
    for (product, status) in [("euro", 400), ("off", 404), ("free", 400)] {
        let r = shop
            .call(
                &jane,
                Method::POST,
                "/v1/orders/Outgoing/o5/lineitems",
                Some(json!({"ProductID": product, "Quantity": 1})),
            )
            .await;
        assert_eq!(r.status.as_u16(), status, "{product}: {}", r.body);
        if product == "euro" {
            assert_eq!(r.body["Errors"][0]["Data"]["PropertyName"], "ProductID", "{}", r.body);
            let message = r.body["Errors"][0]["Message"].as_str().unwrap();
            assert!(message.starts_with("ProductID must name a product priced in the order's currency"), "{message}");
        }
    }
    assert_eq!(shop.s.event_count().await, before_products);
    assert!(before <= before_products);
    let o = shop.call(&jane, Method::GET, "/v1/orders/Outgoing/o5", None).await;
    assert_eq!(o.body["LineItemCount"], 0);
}

#[tokio::test]
async fn callouts_to_private_addresses_are_refused_unless_allowed() {
    let delivery = cartwire_app::dispatcher::DeliveryConfig {
        policy: cartwire_outbound::guard::TargetPolicy { allow_private: false },
        ..support::fast_delivery()
    };
    let shop = Shop::open_on(TestServer::start_with(delivery).await, &["OrderCheckoutIntegrationEventID"]).await;
    shop.script_checkout();
    let jane = shop.login("jane").await;
    shop.call(&jane, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": "o6"}))).await;
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o6/calculate", None).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "IntegrationEvent.BadRequest"), "{}", r.body);
    assert!(r.body["Errors"][0]["Data"]["UnhandledErrorBody"].as_str().unwrap().contains("private"), "{}", r.body);
    assert!(shop.mw.calls().is_empty(), "nothing reached the loopback middleware");
}

#[tokio::test]
async fn callouts_are_counted_in_metrics_without_secrets() {
    // This is the only test of this binary that installs a recorder.
    let handle = metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder().expect("recorder");
    let shop = Shop::open(&["OrderCheckoutIntegrationEventID"]).await;
    shop.script_checkout();
    let jane = shop.login("jane").await;
    shop.call(&jane, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": "o7"}))).await;
    assert_eq!(shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o7/calculate", None).await.status, 200);
    shop.mw.reply("/shippingrates", Reply::Json(500, json!({})));
    assert_eq!(shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o7/estimateshipping", None).await.status, 400);
    let text = eventually(5, "callout metrics", || async {
        let text = handle.render();
        text.contains("cartwire_callouts_total").then_some(text)
    })
    .await;
    assert!(
        text.lines().any(|l| l.starts_with("cartwire_callouts_total")
            && l.contains("path=\"/ordercalculate\"")
            && l.contains("outcome=\"ok\"")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.contains("path=\"/shippingrates\"") && l.contains("outcome=\"rejected\"")),
        "{text}"
    );
    assert!(text.contains("cartwire_callout_seconds"), "{text}");
    assert!(!text.contains(HASH_KEY) && !text.contains("mw-key"), "no secrets in metrics");
}

#[tokio::test]
async fn other_dialects_see_checkout_orders_but_cannot_bypass_checkout() {
    let shop = Shop::open(&[]).await;
    let jane = shop.login("jane").await;
    shop.call(&jane, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": "o8"}))).await;
    let r = shop
        .call(
            &jane,
            Method::POST,
            "/v1/orders/Outgoing/o8/lineitems",
            Some(json!({"ProductID": "chair", "Quantity": 2})),
        )
        .await;
    assert_eq!(r.status, 201);
    let r = shop.s.post("/cartwire/v1/tokens", json!({"kind": "private", "name": "back office"})).await;
    let tk = r.body["token"].as_str().unwrap().to_owned();
    // Threekit reads it: one order model, the OrderCloud cart is "In Cart" with its lines.
    let r = shop.s.send(Method::GET, "/api/orders/o8", Some(&tk), None).await;
    assert_eq!((r.status.as_u16(), r.body["status"].as_str()), (200, Some("In Cart")), "{}", r.body);
    assert_eq!(r.body["cart"][0]["configurationId"], "chair");
    assert_eq!(r.body["cart"][0]["count"], 2);
    // …but cannot place, change or delete it behind the checkout's back.
    for (method, body) in [(Method::PUT, Some(json!({"status": "New"}))), (Method::DELETE, None)] {
        let r = shop.s.send(method.clone(), "/api/orders/o8", Some(&tk), body).await;
        assert_eq!(
            (r.status.as_u16(), r.body["error"]["code"].as_str()),
            (403, Some("forbidden")),
            "{method}: {}",
            r.body
        );
    }
    let r = shop.call(&jane, Method::GET, "/v1/orders/Outgoing/o8", None).await;
    assert_eq!((r.body["Status"].as_str(), money(&r.body["Total"])), (Some("Unsubmitted"), 19.98));
}

#[tokio::test]
async fn the_first_order_of_a_fresh_deployment_does_not_wait_on_itself() {
    // No bootstrap and no dispatcher: nothing has read the deployment ids yet, so creating the
    // order is the first to. That read once waited for the SQLite writer lock its own
    // transaction held.
    use cartwire_app::{App, AppConfig, Principal};
    use cartwire_domain::RoleSet;
    let dir = tempfile::tempdir().unwrap();
    let url = support::database_url(dir.path()).await;
    let store = cartwire_store::Store::connect(&url, cartwire_store::Sealer::new(&[3u8; 32]).unwrap()).await.unwrap();
    store.migrate().await.unwrap();
    let app = App::new(
        store,
        AppConfig {
            public_base_url: "http://cartwire.test".into(),
            password_cost: cartwire_app::passwords::HashCost::Test,
            delivery: support::fast_delivery(),
            abandoned_after: Duration::from_secs(3600),
            callouts: Default::default(),
        },
    )
    .await
    .unwrap();
    let admin = Principal {
        client_id: "c".into(),
        user_id: "u".into(),
        username: "u".into(),
        user_type: cartwire_domain::user::UserType::Admin,
        buyer_id: None,
        roles: RoleSet::from_names(["FullAccess"]),
        anonymous_order_id: None,
        token_generation: 0,
    };
    let draft = cartwire_app::checkout::OrderDraft { id: Some("first".into()), xp: json!({}), ..Default::default() };
    let created = tokio::time::timeout(Duration::from_secs(10), app.create_checkout_order(&admin, draft))
        .await
        .expect("creating the first order finishes")
        .unwrap();
    assert_eq!(created.id, "first");
    let cart =
        tokio::time::timeout(Duration::from_secs(10), app.current_cart_id(&admin)).await.expect("finishes").unwrap();
    assert_eq!(cart, "first");
}

#[tokio::test]
async fn an_anonymous_shoppers_cart_is_the_order_named_in_their_token() {
    let shop = Shop::open(&[]).await;
    let r = shop
        .s
        .post(
            "/v1/apiclients",
            json!({"AppName": "anon", "Active": true, "AllowAnyBuyer": true, "IsAnonBuyer": true,
                   "DefaultContextUserName": "jane", "AnonymousTokenDuration": 60, "AccessTokenDuration": 60}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let client = r.body["ID"].as_str().unwrap().to_owned();
    let anon = || async {
        let (status, body) =
            shop.s.token_request(&[("grant_type", "client_credentials"), ("client_id", &client)]).await;
        assert_eq!(status, 200, "{body}");
        let token = body["access_token"].as_str().unwrap().to_owned();
        let claims: Value = serde_json::from_slice(
            &base64::Engine::decode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                token.split('.').nth(1).unwrap(),
            )
            .unwrap(),
        )
        .unwrap();
        (token, claims["orderid"].as_str().unwrap().to_owned())
    };
    let (first, first_order) = anon().await;
    let r = shop.call(&first, Method::GET, "/v1/cart", None).await;
    assert_eq!((r.status.as_u16(), r.body["ID"].as_str()), (200, Some(first_order.as_str())), "{}", r.body);
    let r =
        shop.call(&first, Method::POST, "/v1/cart/lineitems", Some(json!({"ProductID": "chair", "Quantity": 1}))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let (second, second_order) = anon().await;
    assert_ne!(first_order, second_order);
    assert_eq!(shop.call(&second, Method::GET, "/v1/cart", None).await.body["LineItemCount"], 0, "a cart of its own");
    let r = shop.call(&second, Method::GET, &format!("/v1/orders/Outgoing/{first_order}"), None).await;
    assert_eq!(r.status, 404, "one anonymous shopper cannot see another's cart");
    let r = shop.call(&first, Method::POST, "/v1/cart/submit", None).await;
    assert_eq!(r.body["Status"], "Open", "{}", r.body);
}
