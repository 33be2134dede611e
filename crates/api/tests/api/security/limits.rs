//! Disk-filling input: lines per order, an order's size, indexed strings, and event-log pages
//! bounded in bytes. Each over-limit write answers 4xx in its dialect's body, on both stores,
//! and writes nothing.

use crate::support::shop::Shop;
use crate::support::{Response, TestServer};
use reqwest::Method;
use serde_json::{Value, json};

/// The start of a body, for assertion messages (some bodies here are megabytes).
fn head(v: &Value) -> String {
    v.to_string().chars().take(300).collect()
}

const MAX_LINES: usize = 500;

async fn threekit(s: &TestServer, token: &str, method: Method, path: &str, body: Value) -> Response {
    s.send(method, &format!("{path}?bearer_token={token}"), None, Some(body)).await
}

fn lines(n: usize) -> Value {
    Value::Array((0..n).map(|i| json!({"configurationId": format!("c{i}"), "count": 1})).collect())
}

#[tokio::test]
async fn threekit_carts_are_capped_in_lines_and_bytes_and_event_pages_in_bytes() {
    let s = TestServer::start().await;
    let r = s.post("/cartwire/v1/tokens", json!({"kind": "private", "name": "t"})).await;
    let tk = r.body["token"].as_str().unwrap().to_owned();
    let r = threekit(&s, &tk, Method::POST, "/api/orders", json!({"name": "big", "cart": lines(MAX_LINES)})).await;
    assert_eq!(r.status, 200, "{}", head(&r.body));
    let id = r.body["id"].as_str().unwrap().to_owned();
    let cart = format!("/api/orders/{id}/cart");

    // One line more, by any route, is refused in Threekit's body and changes nothing.
    for (method, path, body) in [
        (Method::POST, cart.clone(), lines(1)),
        (Method::PUT, cart.clone(), lines(MAX_LINES + 1)),
        (Method::POST, "/api/orders".to_owned(), json!({"cart": lines(MAX_LINES + 1)})),
    ] {
        let r = threekit(&s, &tk, method.clone(), &path, body).await;
        assert_eq!(r.status, 422, "{method} {path}: {}", head(&r.body));
        assert!(r.body["error"]["message"].as_str().unwrap().contains("500 lines"), "{}", head(&r.body));
    }
    let r = threekit(&s, &tk, Method::GET, &format!("/api/orders/{id}"), Value::Null).await;
    assert_eq!(r.body["cart"].as_array().unwrap().len(), MAX_LINES);

    // Metadata that would make the order larger than 256 KiB is refused too.
    let fat = json!({"metadata": {"blob": "x".repeat(200 * 1024)}, "cart": [{"configurationId": "c", "metadata": {"blob": "y".repeat(100 * 1024)}}]});
    let r = threekit(&s, &tk, Method::POST, "/api/orders", fat).await;
    assert_eq!(r.status, 422, "{}", head(&r.body));
    // Indexed strings have a documented maximum, not a database error.
    let r = threekit(&s, &tk, Method::POST, "/api/orders", json!({"customerId": "c".repeat(1024 * 1024 - 100)})).await;
    assert_eq!(r.status, 422, "{}", head(&r.body));
    let r = threekit(&s, &tk, Method::POST, "/api/orders", json!({"originOrgId": "o".repeat(256)})).await;
    assert!(r.status == 422 || r.status == 403, "{}", head(&r.body));

    // Large orders renamed again and again: every event page stays within its byte budget.
    let meta = json!({"blob": "m".repeat(200 * 1024)});
    let r = threekit(&s, &tk, Method::POST, "/api/orders", json!({"name": "n0", "metadata": meta})).await;
    assert_eq!(r.status, 200, "{}", head(&r.body));
    let big = r.body["id"].as_str().unwrap().to_owned();
    for i in 1..=8 {
        let r = threekit(&s, &tk, Method::PUT, &format!("/api/orders/{big}"), json!({"name": format!("n{i}")})).await;
        assert_eq!(r.status, 200, "{}", head(&r.body));
    }
    let (mut after, mut seen, mut pages) = (0, 0, 0);
    loop {
        let res = s
            .http
            .get(s.url(&format!("/cartwire/v1/events?resource_id={big}&limit=1000&after={after}")))
            .bearer_auth(&s.admin_token)
            .send()
            .await
            .unwrap();
        let text = res.text().await.unwrap();
        assert!(text.len() < 2 * 1024 * 1024, "a page is bounded in bytes: {} bytes", text.len());
        let page: Value = serde_json::from_str(&text).unwrap();
        let n = page["data"].as_array().unwrap().len();
        if n == 0 {
            break;
        }
        pages += 1;
        seen += n;
        after = page["next_cursor"].as_i64().unwrap();
    }
    assert_eq!(seen, 9, "every event is reachable through the cursor");
    assert!(pages >= 2, "nine ~200 KiB events do not fit one page");
}

#[tokio::test]
async fn activecampaign_and_ordercloud_enforce_the_same_limits() {
    let shop = Shop::open(&[]).await;
    let s = &shop.s;
    let r = s.post("/cartwire/v1/api-keys", json!({"name": "k"})).await;
    let key = r.body["key"].as_str().unwrap().to_owned();
    let ac = |path: &str, body: Value| s.http.post(s.url(path)).header("Api-Token", key.clone()).json(&body).send();
    let r = ac(
        "/api/3/connections",
        json!({"connection": {"service": "s", "externalid": "e", "name": "n",
               "logoUrl": "https://x.example/l.png", "linkUrl": "https://x.example"}}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 201);
    let r = ac(
        "/api/3/ecomCustomers",
        json!({"ecomCustomer": {"connectionid": "1", "externalid": "c", "email": "a@example.com"}}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 201);
    let order = |externalid: String, products: usize| {
        json!({"ecomOrder": {"externalid": externalid, "email": "a@example.com", "connectionid": "1", "customerid": "1",
               "currency": "USD", "totalPrice": 100, "externalCreatedDate": "2026-01-01T00:00:00-05:00",
               "orderProducts": (0..products).map(|i| json!({"externalid": format!("p{i}"), "name": "P", "price": 1, "quantity": 1})).collect::<Vec<_>>()}})
    };
    for (body, what) in [
        (order("x".repeat(1024 * 1024 - 1000), 1), "a 1 MB externalid"),
        (order("o1".into(), MAX_LINES + 1), "501 products"),
    ] {
        let r = ac("/api/3/ecomOrders", body).await.unwrap();
        let status = r.status();
        let b: Value = r.json().await.unwrap();
        assert_eq!(status, 422, "{what}: {}", head(&b));
        assert!(b["errors"][0]["title"].is_string(), "{what}: {}", head(&b));
    }
    let r = ac("/api/3/ecomOrders", order("o1".into(), MAX_LINES)).await.unwrap();
    assert_eq!(r.status(), 201);

    // OrderCloud: a line that would take the order over its size is a ValidationFailure (the
    // same check as the line count, which the domain's unit tests walk to the edge; 500 line
    // items over HTTP would cost the suite a minute).
    let jane = shop.login("jane").await;
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": "o"}))).await;
    assert_eq!(r.status, 201, "{}", head(&r.body));
    let line = |kib: usize| json!({"ProductID": "chair", "Quantity": 1, "xp": {"blob": "x".repeat(kib * 1024)}});
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o/lineitems", Some(line(200))).await;
    assert_eq!(r.status, 201, "{}", head(&r.body));
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o/lineitems", Some(line(100))).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "ValidationFailure"), "{}", head(&r.body));
    let r = shop.call(&jane, Method::GET, "/v1/orders/Outgoing/o", None).await;
    assert_eq!(r.body["LineItemCount"], 1, "nothing was written");
}
