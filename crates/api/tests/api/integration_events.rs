//! `/v1/integrationEvents` as the seed pages and the OrderCloud SDKs use it.

use crate::support;

use reqwest::Method;
use serde_json::{Value, json};
use support::TestServer;

fn seed_event(id: &str) -> Value {
    json!({
        "ID": id,
        "Name": "My checkout",
        "EventType": "OrderCheckout",
        "CustomImplementationUrl": "https://middleware.example.com/api/integrationevent/ordercheckout",
        "HashKey": "supersecrethash",
        "ElevatedRoles": ["OrderAdmin", "ProductReader"],
        "ConfigData": {"taxProvider": "avalara", "nested": {"a": 1}}
    })
}

#[tokio::test]
async fn create_get_list_put_patch_delete() {
    let s = TestServer::start().await;
    let r = s.post("/v1/integrationEvents", seed_event("checkout-1")).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.headers["location"], format!("{}/v1/integrationEvents/checkout-1", s.base).as_str());
    assert_eq!(
        r.body,
        json!({
            "ID": "checkout-1", "Name": "My checkout", "EventType": "OrderCheckout",
            "CustomImplementationUrl": "https://middleware.example.com/api/integrationevent/ordercheckout",
            "HashKey": "supersecrethash", "ElevatedRoles": ["OrderAdmin", "ProductReader"],
            "ConfigData": {"taxProvider": "avalara", "nested": {"a": 1}}, "CustomAuthHeaderName": null
        })
    );
    // Without an ID the server generates one.
    let mut no_id = seed_event("x");
    no_id.as_object_mut().unwrap().remove("ID");
    let r = s.post("/v1/integrationevents", no_id).await;
    assert_eq!(r.status, 201);
    let generated = r.body["ID"].as_str().unwrap().to_owned();
    assert!(!generated.is_empty());

    assert_eq!(s.get("/v1/integrationEvents/checkout-1").await.body["Name"], "My checkout");
    let list = s.get("/v1/IntegrationEvents?sortBy=!ID").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["Meta"]["TotalCount"], 2);
    assert_eq!(
        list.body["Items"][0]["ID"],
        if generated.as_str() > "checkout-1" { generated.as_str() } else { "checkout-1" }
    );

    // PUT overwrites; omitted optional fields reset.
    let r = s
        .put(
            "/v1/integrationEvents/checkout-1",
            json!({"Name": "Renamed", "EventType": "OrderCheckout", "CustomImplementationUrl": "https://mw2.example.com", "HashKey": "k2"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["ElevatedRoles"], json!([]));
    assert_eq!(r.body["ConfigData"], Value::Null);
    // PUT creates when missing.
    let r = s.put("/v1/integrationEvents/add-to-cart", json!({"Name": "ATC", "EventType": "AddToCart", "CustomImplementationUrl": "https://mw.example.com/atc", "HashKey": "k"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(s.get("/v1/integrationEvents/add-to-cart").await.body["EventType"], "AddToCart");

    // PATCH changes only what it names; ConfigData is replaced, not merged.
    let r = s
        .patch("/v1/integrationEvents/checkout-1", json!({"ConfigData": {"b": 2}, "ElevatedRoles": ["Shopper"]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["Name"], "Renamed");
    assert_eq!(r.body["ConfigData"], json!({"b": 2}));
    assert_eq!(r.body["ElevatedRoles"], json!(["Shopper"]));

    let r = s.delete("/v1/integrationEvents/checkout-1").await;
    assert_eq!(r.status, 204);
    let r = s.get("/v1/integrationEvents/checkout-1").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["Errors"][0]["Data"], json!({"ObjectType": "IntegrationEvent", "ObjectID": "checkout-1"}));
    assert_eq!(s.delete("/v1/integrationEvents/checkout-1").await.status, 404);
}

#[tokio::test]
async fn the_seed_example_request_succeeds_verbatim() {
    let s = TestServer::start().await;
    // ../shared/seeds/000: the documented request body fields, every one set.
    let body = r#"{
        "ElevatedRoles": ["FullAccess"],
        "ID": "seed-event",
        "ConfigData": {"any": "thing"},
        "EventType": "OrderReturn",
        "CustomImplementationUrl": "https://example.com/returns",
        "Name": "Seed event",
        "HashKey": "0123456789012345678901234567890123456789012345678X"
    }"#;
    let r = s.send_raw(Method::POST, "/v1/integrationEvents", &s.admin_token, "application/json", body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["HashKey"].as_str().unwrap().len(), 50);
}

#[tokio::test]
async fn bad_input_is_rejected_and_nothing_is_written() {
    let s = TestServer::start().await;
    assert_eq!(s.post("/v1/integrationEvents", seed_event("exists")).await.status, 201);
    let before = s.event_count().await;
    let with = |k: &str, v: Value| {
        let mut e = seed_event("new-one");
        e[k] = v;
        e
    };
    let without = |k: &str| {
        let mut e = seed_event("new-one");
        e.as_object_mut().unwrap().remove(k);
        e
    };
    let cases: Vec<(Value, u16, &str)> = vec![
        (seed_event("exists"), 409, "IdExists"),
        (with("ID", json!("bad id!")), 400, "ValidationFailure"),
        (with("ID", json!("x".repeat(101))), 400, "ValidationFailure"),
        (with("HashKey", json!("k".repeat(51))), 400, "ValidationFailure"),
        (with("HashKey", json!("")), 400, "ValidationFailure"),
        (with("EventType", json!("Webhook")), 400, "ValidationFailure"),
        (with("EventType", json!(3)), 400, "ValidationFailure"),
        (with("ElevatedRoles", json!(["NotARole"])), 400, "ValidationFailure"),
        (with("ElevatedRoles", json!("FullAccess")), 400, "ValidationFailure"),
        (with("CustomImplementationUrl", json!("ftp://nope")), 400, "ValidationFailure"),
        (with("Name", json!(42)), 400, "ValidationFailure"),
        (without("Name"), 400, "ValidationFailure"),
        (without("HashKey"), 400, "ValidationFailure"),
        (without("CustomImplementationUrl"), 400, "ValidationFailure"),
        (with("CustomAuthHeaderName", json!("X-Api-Key")), 400, "Integration.CustomAuthHeaderValueRequired"),
        (with("CustomAuthHeaderValue", json!("v")), 400, "Integration.CustomAuthHeaderNameRequired"),
    ];
    for (body, status, code) in cases {
        let r = s.post("/v1/integrationEvents", body.clone()).await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
        assert_eq!(r.code(), code, "{body}: {}", r.body);
    }
    let r = s.send_raw(Method::POST, "/v1/integrationEvents", &s.admin_token, "application/json", "{\"Name\": ").await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "Request.InvalidRequestBody"));
    let r = s.send_raw(Method::POST, "/v1/integrationEvents", &s.admin_token, "application/json", "[1,2]").await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "Request.InvalidRequestBody"));
    let r = s.send_raw(Method::POST, "/v1/integrationEvents", &s.admin_token, "text/plain", "{}").await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "Request.InvalidContentType"));
    let r = s.put("/v1/integrationEvents/bad%20id", seed_event("x")).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "ValidationFailure"));

    assert_eq!(s.get("/v1/integrationEvents").await.body["Meta"]["TotalCount"], 1);
    assert_eq!(s.event_count().await, before, "no event for a rejected write");
}

#[tokio::test]
async fn event_type_is_immutable_and_in_use_events_cannot_be_deleted() {
    let s = TestServer::start().await;
    assert_eq!(s.post("/v1/integrationEvents", seed_event("co")).await.status, 201);
    let r = s.patch("/v1/integrationEvents/co", json!({"EventType": "AddToCart"})).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "IntegrationEvent.CannotEditType"));
    let mut put = seed_event("co");
    put["EventType"] = json!("OrderReturn");
    let r = s.put("/v1/integrationEvents/co", put).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "IntegrationEvent.CannotEditType"));

    let r = s
        .post(
            "/v1/apiclients",
            json!({"AppName": "shop", "AccessTokenDuration": 60, "OrderCheckoutIntegrationEventID": "co"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let client = r.body["ID"].as_str().unwrap().to_owned();
    let r = s.delete("/v1/integrationEvents/co").await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "IntegrationEvent.CannotDeleteInUse"));
    assert_eq!(r.body["Errors"][0]["Data"]["ApiClientIDs"], json!([client]));

    // Renaming through PATCH moves the reference along.
    let r = s.patch("/v1/integrationEvents/co", json!({"ID": "co-renamed"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let c = s.get(&format!("/v1/apiclients/{client}")).await;
    assert_eq!(c.body["OrderCheckoutIntegrationEventID"], "co-renamed");
    assert_eq!(c.body["OrderCheckoutIntegrationEventName"], "My checkout");

    assert_eq!(
        s.patch(&format!("/v1/apiclients/{client}"), json!({"OrderCheckoutIntegrationEventID": null})).await.status,
        200
    );
    assert_eq!(s.delete("/v1/integrationEvents/co-renamed").await.status, 204);
}

#[tokio::test]
async fn custom_auth_header_value_is_write_only_and_secrets_are_encrypted_at_rest() {
    let s = TestServer::start().await;
    let mut e = seed_event("with-header");
    e["CustomAuthHeaderName"] = json!("X-Api-Key");
    e["CustomAuthHeaderValue"] = json!("very-secret-header-value");
    let r = s.post("/v1/integrationEvents", e).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["CustomAuthHeaderName"], "X-Api-Key");
    assert!(r.body.get("CustomAuthHeaderValue").is_none());
    // A GET-then-PUT round trip keeps the value it could not see.
    let current = s.get("/v1/integrationEvents/with-header").await.body;
    assert_eq!(s.put("/v1/integrationEvents/with-header", current).await.status, 200);
    let stored = s.app.store().begin().await.unwrap().integration_event("with-header").await.unwrap().unwrap();
    assert_eq!(stored.custom_auth_header.unwrap().value, "very-secret-header-value");
    // Removing the name removes the whole header.
    let r = s.patch("/v1/integrationEvents/with-header", json!({"CustomAuthHeaderName": null})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["CustomAuthHeaderName"], Value::Null);

    // At rest, neither the hash key nor the header value appears in the database file or rows.
    let mut e = seed_event("sealed");
    e["HashKey"] = json!("plaintext-hash-key-marker");
    e["CustomAuthHeaderName"] = json!("X-K");
    e["CustomAuthHeaderValue"] = json!("plaintext-header-marker");
    assert_eq!(s.post("/v1/integrationEvents", e).await.status, 201);
    let raw =
        raw_columns(&s, "SELECT hash_key, custom_auth_header_value FROM integration_events WHERE id = 'sealed'").await;
    assert!(raw.iter().all(|v| v.starts_with("v1:")), "{raw:?}");
    assert!(!raw.iter().any(|v| v.contains("marker")));
    assert_eq!(s.get("/v1/integrationEvents/sealed").await.body["HashKey"], "plaintext-hash-key-marker");
}

/// Reads text columns of one row straight from the database.
async fn raw_columns(s: &TestServer, sql: &'static str) -> Vec<String> {
    cartwire_store::raw::first_row_text(&support::database_url_of(s), sql).await.unwrap()
}

#[tokio::test]
async fn list_queries_search_filter_sort_and_page() {
    let s = TestServer::start().await;
    for (id, name, t) in [
        ("a", "Alpha checkout", "OrderCheckout"),
        ("b", "Beta returns", "OrderReturn"),
        ("c", "Gamma checkout", "OrderCheckout"),
    ] {
        let mut e = seed_event(id);
        e["Name"] = json!(name);
        e["EventType"] = json!(t);
        assert_eq!(s.post("/v1/integrationEvents", e).await.status, 201);
    }
    let ids = |r: &support::Response| {
        r.body["Items"].as_array().unwrap().iter().map(|i| i["ID"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&s.get("/v1/integrationEvents?EventType=OrderCheckout").await), ["a", "c"]);
    assert_eq!(ids(&s.get("/v1/integrationEvents?search=returns").await), ["b"]);
    assert_eq!(ids(&s.get("/v1/integrationEvents?search=checkout&searchOn=Name&sortBy=!Name").await), ["c", "a"]);
    assert_eq!(ids(&s.get("/v1/integrationEvents?Name=*a*&EventType=!OrderReturn").await), ["a", "c"]);
    let p = s.get("/v1/integrationEvents?pageSize=2&page=2").await;
    assert_eq!(ids(&p), ["c"]);
    assert_eq!(p.body["Meta"]["TotalPages"], 2);
    assert_eq!(p.body["Meta"]["ItemRange"], json!([3, 3]));
    for (q, code) in [
        ("pageSize=101", "List.InvalidPageSize"),
        ("sortBy=HashKey", "List.InvalidSortProperty"),
        ("searchOn=HashKey", "List.InvalidSearchProperty"),
        ("HashKey=x", "List.InvalidProperty"),
    ] {
        let r = s.get(&format!("/v1/integrationEvents?{q}")).await;
        assert_eq!((r.status.as_u16(), r.code()), (400, code), "{q}");
    }
}
