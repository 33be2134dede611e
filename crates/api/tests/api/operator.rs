//! The operator API's order search: one list over every dialect's orders, found by source,
//! creation time, the buyer's email and ids from other systems.

use crate::activecampaign;
use crate::support::shop::Shop;
use reqwest::Method;
use serde_json::{Value, json};

fn ids(r: &Value) -> Vec<&str> {
    r["data"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn orders_of_every_dialect_are_found_by_source_time_email_and_external_id() {
    let shop = Shop::open(&[]).await;
    let s = &shop.s;
    // OrderCloud: jane's cart (jane@example.com).
    let jane = shop.login("jane").await;
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": "oc-1"}))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    // ActiveCampaign: alice's order A-7 (alice@example.com).
    let ac = activecampaign::setup(s).await;
    let r = ac.post("/api/3/ecomOrders", activecampaign::one_product_order("A-7", "Alice@Example.com")).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let ac_id = r.body["ecomOrder"]["id"].as_str().unwrap().to_owned();
    // Threekit: an order from a platform whose own id is SHOP-99.
    let token = s.post("/cartwire/v1/tokens", json!({"kind": "private", "name": "t"})).await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = s
        .send(
            Method::POST,
            "/api/orders",
            Some(&token),
            Some(json!({"cart": [{"configurationId": "c", "count": 1}], "platform": {"id": "SHOP-99", "platform": "shopify"}})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let tk_id = r.body["id"].as_str().unwrap().to_owned();

    let r = s.get("/cartwire/v1/orders").await;
    assert_eq!(r.body["total"], 3, "{}", r.body);
    for (source, id) in [("threekit", tk_id.as_str()), ("activecampaign", ac_id.as_str()), ("ordercloud", "oc-1")] {
        let r = s.get(&format!("/cartwire/v1/orders?source={source}")).await;
        assert_eq!(ids(&r.body), [id], "{source}: {}", r.body);
        assert_eq!(r.body["data"][0]["source"], source);
    }
    // Email without case, from a shop's customer or a checkout's user.
    let r = s.get("/cartwire/v1/orders?email=alice%40example.com").await;
    assert_eq!((ids(&r.body), r.body["data"][0]["email"].as_str()), (vec![ac_id.as_str()], Some("Alice@Example.com")));
    let r = s.get("/cartwire/v1/orders?email=JANE%40example.com").await;
    assert_eq!(ids(&r.body), ["oc-1"], "{}", r.body);
    assert_eq!(s.get("/cartwire/v1/orders?email=nobody%40example.com").await.body["total"], 0);
    // External ids: a shop's externalid, a platform's order id.
    assert_eq!(ids(&s.get("/cartwire/v1/orders?external_id=A-7").await.body), [ac_id.as_str()]);
    assert_eq!(ids(&s.get("/cartwire/v1/orders?external_id=SHOP-99").await.body), [tk_id.as_str()]);
    // Creation time, combined with the other filters.
    let rfc = |t: time::OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).unwrap();
    let now = time::OffsetDateTime::now_utc();
    let (hour_ago, in_an_hour) = (rfc(now - time::Duration::hours(1)), rfc(now + time::Duration::hours(1)));
    let r = s.get(&format!("/cartwire/v1/orders?from={hour_ago}&to={in_an_hour}&source=ordercloud")).await;
    assert_eq!(ids(&r.body), ["oc-1"], "{}", r.body);
    assert_eq!(s.get(&format!("/cartwire/v1/orders?from={in_an_hour}")).await.body["total"], 0);
    assert_eq!(s.get(&format!("/cartwire/v1/orders?to={hour_ago}")).await.body["total"], 0);
    // Bad filters are the operator API's 400 problem.
    for bad in ["source=shopify", "from=yesterday", "to=2026-13-01"] {
        let r = s.get(&format!("/cartwire/v1/orders?{bad}")).await;
        assert_eq!((r.status.as_u16(), r.body["status"].as_u64()), (400, Some(400)), "{bad}: {}", r.body);
    }
}
