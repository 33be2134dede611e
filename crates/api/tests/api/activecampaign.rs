//! The ActiveCampaign e-commerce dialect: connections, customers, orders and abandoned carts.

use crate::support;

use reqwest::Method;
use serde_json::{Value, json};
use support::TestServer;

/// The seed page's abandoned-cart request (../shared/seeds/002), verbatim.
const SEED: &str = r#"{
"ecomOrder": {
"externalcheckoutid": "3246315233",
"source": "1",
"email": "alice@example.com",
"orderProducts": [
{
"externalid": "PROD12345",
"name": "Pogo Stick",
"price": "4900",
"quantity": "1",
"category": "Toys",
"description": "The most advanced Pogo Stick ever created!",
"productUrl": "https://example.com/products/pogo-stick",
"imageUrl": "https://example.com/products/pogo-stick.jpg"
},
{
"externalid": "PROD23456",
"name": "Skateboard",
"price": "3000",
"quantity": "1",
"category": "Toys",
"description": "Do a kick flip!",
"productUrl": "https://example.com/products/skateboard",
"imageUrl": "https://example.com/products/skateboard.jpg"
}
],
"orderUrl": "https://example.com/orders/3246315233",
"externalCreatedDate": "2016-09-13T17:41:39-04:00",
"externalUpdatedDate": "2016-09-14T13:20:17-04:00",
"abandonedDate": "2016-09-13T17:41:39-04:00",
"totalPrice": "9111",
"currency": "USD",
"connectionid": "1",
"customerid": "1"
}
}"#;

pub(crate) struct Ac<'a> {
    s: &'a TestServer,
    key: String,
}

impl Ac<'_> {
    async fn call(&self, method: Method, path: &str, body: Option<&str>) -> support::Response {
        let mut req = self.s.http.request(method, self.s.url(path)).header("Api-Token", &self.key);
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_owned());
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        support::Response { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::Null) }
    }
    pub(crate) async fn post(&self, path: &str, body: Value) -> support::Response {
        self.call(Method::POST, path, Some(&body.to_string())).await
    }
    async fn put(&self, path: &str, body: Value) -> support::Response {
        self.call(Method::PUT, path, Some(&body.to_string())).await
    }
    async fn get(&self, path: &str) -> support::Response {
        self.call(Method::GET, path, None).await
    }
}

/// An API key, a connection and a customer (alice@example.com), as a shop's sync makes them.
pub(crate) async fn setup(s: &TestServer) -> Ac<'_> {
    let r = s.post("/cartwire/v1/api-keys", json!({"name": "shop sync"})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let ac = Ac { s, key: r.body["key"].as_str().unwrap().to_owned() };
    let r = ac
        .post(
            "/api/3/connections",
            json!({"connection": {"service": "example", "externalid": "examplestore", "name": "My Example Store",
              "logoUrl": "https://example.com/logo.png", "linkUrl": "https://example.com/admin"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["connection"]["id"], "1");
    let r = ac
        .post(
            "/api/3/ecomCustomers",
            json!({"ecomCustomer": {"connectionid": "1", "externalid": "56789", "email": "alice@example.com"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["ecomCustomer"]["id"], "1");
    ac
}

/// A one-product order (49 EUR) of the customer `setup` made, with its shop's `externalid`
/// and `email` (which may differ in case from the customer's).
pub(crate) fn one_product_order(externalid: &str, email: &str) -> Value {
    json!({"ecomOrder": {"externalid": externalid, "source": 1, "email": email,
           "orderProducts": [{"name": "Pogo", "price": 4900, "quantity": 1}], "totalPrice": 4900,
           "currency": "EUR", "connectionid": 1, "customerid": 1, "externalCreatedDate": "2026-11-01T10:00:00Z"}})
}

fn pointer(r: &support::Response) -> (&str, &str) {
    (
        r.body["errors"][0]["source"]["pointer"].as_str().unwrap_or("-"),
        r.body["errors"][0]["code"].as_str().unwrap_or("-"),
    )
}

async fn keys_for(s: &TestServer, id: &str) -> Vec<String> {
    let r = s.get(&format!("/cartwire/v1/events?resource_id={id}")).await;
    r.body["data"].as_array().unwrap().iter().map(|e| e["key"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_seed_abandoned_cart_is_recovered_by_adding_an_externalid() {
    let s = TestServer::start().await;
    let ac = setup(&s).await;
    let r = ac.call(Method::POST, "/api/3/ecomOrders", Some(SEED)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let o = &r.body["ecomOrder"];
    assert_eq!(o["state"], 2, "a cart with only externalcheckoutid is abandoned");
    assert_eq!(o["totalPrice"], 9111);
    assert_eq!(o["currency"], "USD");
    assert_eq!(o["totalProducts"], 2);
    assert_eq!(o["externalid"], Value::Null);
    assert_eq!(o["abandonedDate"], "2016-09-13T21:41:39+00:00");
    assert_eq!(r.body["connections"][0]["id"], "1");
    let products = r.body["ecomOrderProducts"].as_array().unwrap();
    assert_eq!(products.len(), 2);
    assert_eq!(products[0]["price"], 4900);
    assert_eq!(products[0]["quantity"], 1);
    let id = o["id"].as_str().unwrap().to_owned();
    assert_eq!(keys_for(&s, &id).await, ["cart.updated", "cart.abandoned"]);

    // The shop completes the purchase: the same record gets its externalid.
    let r = ac
        .put(&format!("/api/3/ecomOrders/{id}"), json!({"ecomOrder": {"externalid": "3246315234", "totalPrice": 9311}}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["ecomOrder"]["state"], 3, "recovered");
    assert_eq!(r.body["ecomOrder"]["totalPrice"], 9311);
    assert_eq!(r.body["ecomOrder"]["externalcheckoutid"], "3246315233");
    assert_eq!(keys_for(&s, &id).await, ["cart.updated", "cart.abandoned", "order.created", "cart.recovered"]);

    // Reads: by id, products, the list with filters, the customer's aggregates.
    assert_eq!(ac.get(&format!("/api/3/ecomOrders/{id}")).await.body["ecomOrder"]["state"], 3);
    let p = ac.get(&format!("/api/3/ecomOrders/{id}/orderProducts")).await;
    let product_id = p.body["ecomOrderProducts"][1]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        ac.get(&format!("/api/3/ecomOrderProducts/{product_id}")).await.body["ecomOrderProduct"]["name"],
        "Skateboard"
    );
    assert_eq!(ac.get("/api/3/ecomOrderProducts").await.body["meta"]["total"], "2");
    let l = ac.get("/api/3/ecomOrders?filters[externalcheckoutid]=3246315233").await;
    assert_eq!(l.body["meta"]["total"], "1");
    assert_eq!(ac.get("/api/3/ecomOrders?filters[email]=bob@example.com").await.body["meta"]["total"], "0");
    let c = ac.get("/api/3/ecomCustomers/1").await;
    assert_eq!(
        (c.body["ecomCustomer"]["totalOrders"].as_i64(), c.body["ecomCustomer"]["totalRevenue"].as_i64()),
        (Some(1), Some(9311))
    );

    // Delete answers {} and the record is gone.
    assert_eq!(ac.call(Method::DELETE, &format!("/api/3/ecomOrders/{id}"), None).await.body, json!({}));
    let r = ac.get(&format!("/api/3/ecomOrders/{id}")).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body, json!({"message": format!("No Result found for EcomOrder with id {id}")}));
}

#[tokio::test]
async fn completed_orders_duplicates_and_connections() {
    let s = TestServer::start().await;
    let ac = setup(&s).await;
    let order = |ext: &str| {
        json!({"ecomOrder": {"externalid": ext, "source": 1, "email": "alice@example.com", "orderProducts": [{"name": "Pogo", "price": 4900, "quantity": 2}],
               "totalPrice": 9800, "currency": "EUR", "connectionid": 1, "customerid": 1, "externalCreatedDate": "2026-11-01T10:00:00+01:00"}})
    };
    let mut first = order("A-1");
    first["ecomOrder"]["orderDiscounts"] = json!([{"name": "1OFF", "type": "order", "discountAmount": "100"}]);
    let r = ac.post("/api/3/ecomOrders", first).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["ecomOrder"]["state"], 1);
    assert_eq!(r.body["ecomOrderDiscounts"][0]["discountAmount"], 100);
    assert_eq!(r.body["ecomOrderDiscounts"][0]["type"], "order");
    assert_eq!(r.body["ecomOrder"]["orderDiscounts"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["ecomOrder"]["abandonedDate"], Value::Null);
    let id = r.body["ecomOrder"]["id"].as_str().unwrap().to_owned();
    assert_eq!(keys_for(&s, &id).await, ["order.created"]);
    let r = ac.post("/api/3/ecomOrders", order("A-1")).await;
    assert_eq!((r.status.as_u16(), pointer(&r)), (422, ("/data/attributes/externalid", "duplicate")));
    let mut cart: Value = serde_json::from_str(SEED).unwrap();
    assert_eq!(ac.post("/api/3/ecomOrders", cart.clone()).await.status, 201);
    let r = ac.post("/api/3/ecomOrders", cart.clone()).await;
    assert_eq!((r.status.as_u16(), pointer(&r)), (422, ("/data/attributes/externalcheckoutid", "duplicate")));
    // The same checkout id on another connection is another cart.
    let r = ac.post("/api/3/connections", json!({"connection": {"service": "other", "externalid": "s2", "name": "Two", "logoUrl": "https://x/l.png", "linkUrl": "https://x"}})).await;
    assert_eq!(r.body["connection"]["id"], "2");
    let r = ac
        .post(
            "/api/3/ecomCustomers",
            json!({"ecomCustomer": {"connectionid": "2", "externalid": "c", "email": "alice@example.com"}}),
        )
        .await;
    assert_eq!(r.status, 201, "the same email on another connection is another customer");
    cart["ecomOrder"]["connectionid"] = json!("2");
    cart["ecomOrder"]["customerid"] = json!("2");
    assert_eq!(ac.post("/api/3/ecomOrders", cart).await.status, 201);
    assert_eq!(ac.get("/api/3/ecomOrders?limit=2&offset=1").await.body["ecomOrders"].as_array().unwrap().len(), 2);
    assert_eq!(ac.get("/api/3/ecomOrders?filters[connectionid]=2").await.body["meta"]["total"], "1");

    // Connection and customer duplicates and updates.
    let r = ac.post("/api/3/connections", json!({"connection": {"service": "example", "externalid": "examplestore", "name": "x", "logoUrl": "https://x", "linkUrl": "https://x"}})).await;
    assert_eq!((r.status.as_u16(), pointer(&r)), (422, ("/data/attributes/externalid", "duplicate")));
    let r = ac
        .post(
            "/api/3/ecomCustomers",
            json!({"ecomCustomer": {"connectionid": "1", "externalid": "again", "email": "alice@example.com"}}),
        )
        .await;
    assert_eq!((r.status.as_u16(), pointer(&r)), (422, ("/data/attributes/email", "duplicate")));
    let r = ac.put("/api/3/connections/1", json!({"connection": {"name": "Renamed", "status": "0"}})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (r.body["connection"]["name"].as_str(), r.body["connection"]["status"].as_str()),
        (Some("Renamed"), Some("0"))
    );
    assert_eq!(r.body["connection"]["service"], "example");
    assert_eq!(ac.get("/api/3/connections?filters[service]=other").await.body["meta"]["total"], "1");
    assert_eq!(ac.get("/api/3/ecomCustomers?filters[connectionid]=1").await.body["meta"]["total"], "1");
    let r = ac.put("/api/3/ecomCustomers/1", json!({"ecomCustomer": {"acceptsMarketing": "1"}})).await;
    assert_eq!(r.body["ecomCustomer"]["acceptsMarketing"], "1");
    assert_eq!(ac.call(Method::DELETE, "/api/3/connections/2", None).await.body, json!({}));
    assert_eq!(ac.get("/api/3/connections/2").await.status, 404);
}

#[tokio::test]
async fn bad_input_gets_422_with_a_pointer_and_writes_nothing() {
    let s = TestServer::start().await;
    let ac = setup(&s).await;
    let before = s.event_count().await;
    let base: Value = serde_json::from_str(SEED).unwrap();
    let with = |path: &str, v: Value| {
        let mut b = base.clone();
        let mut cur = &mut b["ecomOrder"];
        let parts: Vec<&str> = path.split('.').collect();
        for p in &parts[..parts.len() - 1] {
            cur = if let Ok(i) = p.parse::<usize>() { &mut cur[i] } else { &mut cur[*p] };
        }
        let last = parts[parts.len() - 1];
        if v.is_null() {
            cur.as_object_mut().unwrap().remove(last);
        } else {
            cur[last] = v;
        }
        b
    };
    let cases: Vec<(Value, &str)> = vec![
        (with("totalPrice", json!(-1)), "totalPrice"),
        (with("totalPrice", json!(91.5)), "totalPrice"),
        (with("totalPrice", json!("91.50")), "totalPrice"),
        (with("totalPrice", Value::Null), "totalPrice"),
        (with("currency", json!("usd")), "currency"),
        (with("currency", json!("US")), "currency"),
        (with("currency", json!("XXQ")), "currency"),
        (with("email", Value::Null), "email"),
        (with("email", json!("not-an-email")), "email"),
        (with("abandonedDate", Value::Null), "abandonedDate"),
        (with("externalCreatedDate", Value::Null), "externalCreatedDate"),
        (with("externalCreatedDate", json!("yesterday")), "externalCreatedDate"),
        (with("externalcheckoutid", Value::Null), "externalid"),
        (with("connectionid", json!("99")), "connectionid"),
        (with("connectionid", json!("abc")), "connectionid"),
        (with("customerid", json!("42")), "customerid"),
        (with("source", json!(7)), "source"),
        (with("orderProducts.0.price", json!(-5)), "orderProducts/0/price"),
        (with("orderProducts.0.price", json!("abc")), "orderProducts/0/price"),
        (with("orderProducts.1.quantity", json!(0)), "orderProducts/1/quantity"),
        (with("orderProducts.0.name", Value::Null), "orderProducts/0/name"),
        (
            with("orderDiscounts", json!([{"name": "x", "type": "everything", "discountAmount": 1}])),
            "orderDiscounts/0/type",
        ),
        (with("orderDiscounts", json!([{"name": "x", "discountAmount": -1}])), "orderDiscounts/0/discountAmount"),
    ];
    for (body, field) in cases {
        let r = ac.post("/api/3/ecomOrders", body.clone()).await;
        assert_eq!(r.status, 422, "{field}: {}", r.body);
        assert_eq!(pointer(&r).0, format!("/data/attributes/{field}"), "{}", r.body);
        assert!(r.body["errors"][0]["title"].is_string());
    }
    let r = ac.call(Method::POST, "/api/3/ecomOrders", Some("{nope")).await;
    assert_eq!(r.status, 400);
    let r = ac.post("/api/3/ecomOrders", json!({"order": {}})).await;
    assert_eq!(r.status, 422);
    assert_eq!(ac.get("/api/3/ecomOrders?limit=101").await.status, 422);
    assert_eq!(ac.get("/api/3/ecomOrders").await.body["meta"]["total"], "0");
    assert_eq!(s.event_count().await, before, "nothing was written");
    // Customers and connections need their required fields; a customer needs its connection.
    let r = ac
        .post(
            "/api/3/ecomCustomers",
            json!({"ecomCustomer": {"connectionid": "9", "externalid": "x", "email": "x@example.com"}}),
        )
        .await;
    assert_eq!((r.status.as_u16(), pointer(&r).0), (422, "/data/attributes/connectionid"));
    let r = ac
        .post(
            "/api/3/connections",
            json!({"connection": {"service": "s", "externalid": "e", "name": "n", "logoUrl": "https://x"}}),
        )
        .await;
    assert_eq!((r.status.as_u16(), pointer(&r)), (422, ("/data/attributes/linkUrl", "field_missing")));
    // Keys: none or a wrong one is refused with AC's 403.
    let r = s.send(Method::GET, "/api/3/ecomOrders", None, None).await;
    assert_eq!(r.status, 403);
    assert!(r.body["message"].is_string());
    let wrong = Ac { s: &s, key: "not-a-key".into() };
    assert_eq!(wrong.get("/api/3/connections").await.status, 403);
    let keys = s.get("/cartwire/v1/api-keys").await;
    let key_id = keys.body["data"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(s.delete(&format!("/cartwire/v1/api-keys/{key_id}")).await.status, 204);
    assert_eq!(ac.get("/api/3/connections").await.status, 403, "a revoked key stops working");
}

#[tokio::test]
async fn order_events_reach_webhooks_in_elastic_paths_order_shape() {
    let s = TestServer::start().await;
    let ac = setup(&s).await;
    let rx = support::receiver::Receiver::start(None).await;
    let hook = json!({"data": {"type": "integration", "name": "orders", "enabled": true, "observes": ["order.created"],
                               "integration_type": "webhook", "configuration": {"url": rx.url}}});
    assert_eq!(s.send(Method::POST, "/v2/integrations", Some(&s.admin_token), Some(hook)).await.status, 201);
    let r = ac
        .post("/api/3/ecomOrders", json!({"ecomOrder": {"externalid": "E-1", "email": "alice@example.com", "currency": "USD",
              "orderProducts": [{"name": "Pogo", "sku": "POGO", "price": 4900, "quantity": 2}], "totalPrice": 10300, "taxAmount": 500,
              "connectionid": 1, "customerid": 1, "externalCreatedDate": "2026-11-01T10:00:00Z"}}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["ecomOrder"]["id"].as_str().unwrap().to_owned();
    let got = support::eventually(10, "the order webhook", || async { rx.accepted().into_iter().next() }).await;
    let data = &got.body["payload"]["data"];
    assert_eq!(data["type"], "order");
    assert_eq!(data["id"], id.as_str());
    assert_eq!(
        (data["status"].as_str(), data["payment"].as_str(), data["shipping"].as_str()),
        (Some("incomplete"), Some("unpaid"), Some("unfulfilled"))
    );
    assert_eq!(data["customer"]["email"], "alice@example.com");
    assert_eq!(
        data["meta"]["display_price"]["with_tax"],
        json!({"amount": 10300, "currency": "USD", "formatted": "103.00"})
    );
    assert_eq!(data["meta"]["display_price"]["without_tax"]["amount"], 9800);
    assert_eq!(data["relationships"]["items"]["data"], json!([{"type": "item", "id": format!("{id}-1")}]));
    assert!(data.get("included").is_none(), "included sits next to data");
    let item = &got.body["payload"]["included"]["items"][0];
    assert_eq!((item["quantity"].as_i64(), item["sku"].as_str()), (Some(2), Some("POGO")));
    assert_eq!(item["unit_price"]["amount"], 4900);
}
