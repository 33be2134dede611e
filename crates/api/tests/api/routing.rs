//! OrderCloud paths match case-insensitively on their route words only: every SDK's casing
//! reaches the route, and an id keeps its case even when it is spelled like a route word.

use crate::support;

use reqwest::Method;
use serde_json::json;
use support::TestServer;

#[tokio::test]
async fn every_route_template_is_reached_in_any_casing() {
    let s = TestServer::start().await;
    for template in cartwire_api::ordercloud::route_templates() {
        let path: String = template
            .split('/')
            .map(|seg| match seg {
                "{direction}" => "ALL".to_owned(),
                "{action}" => "Submit".to_owned(),
                s if s.starts_with('{') => "x".to_owned(),
                // Words in an SDK's casing: first letter upper-cased.
                s => s.chars().enumerate().map(|(i, c)| if i == 0 { c.to_ascii_uppercase() } else { c }).collect(),
            })
            .collect::<Vec<_>>()
            .join("/");
        let r = s.send(Method::GET, &path, None, None).await;
        let unknown = r.status == 404 && r.body["Errors"][0]["Data"]["ObjectType"] == "Route";
        assert!(!unknown, "{template} as {path}: {} {}", r.status, r.body);
    }
}

#[tokio::test]
async fn ids_spelled_like_route_words_keep_their_case() {
    let s = TestServer::start().await;
    assert_eq!(
        s.post(
            "/v1/priceschedules",
            json!({"ID": "Submit", "Name": "P", "PriceBreaks": [{"Quantity": 1, "Price": 1}]})
        )
        .await
        .status,
        201
    );
    assert_eq!(
        s.post("/v1/products", json!({"ID": "Cart", "Name": "C", "Active": true, "DefaultPriceScheduleID": "Submit"}))
            .await
            .status,
        201
    );
    let r = s.get("/v1/Products/Cart").await;
    assert_eq!((r.status.as_u16(), r.body["ID"].as_str()), (200, Some("Cart")), "{}", r.body);
    assert_eq!(s.get("/v1/PriceSchedules/Submit").await.body["ID"], "Submit");
    assert_eq!(s.post("/v1/orders/Outgoing", json!({"ID": "Complete"})).await.status, 201);
    let r = s
        .post("/v1/Orders/Outgoing/Complete/LineItems", json!({"ID": "Cancel", "ProductID": "Cart", "Quantity": 1}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = s.get("/v1/orders/All/Complete/lineitems/Cancel").await;
    assert_eq!((r.status.as_u16(), r.body["ID"].as_str()), (200, Some("Cancel")), "{}", r.body);
    assert_eq!(s.get("/v1/ORDERS/incoming/Complete").await.body["ID"], "Complete");
    // The lower-case spelling of such an id is another id.
    assert_eq!(s.get("/v1/products/cart").await.status, 404);
}
