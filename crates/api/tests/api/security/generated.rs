//! Generated input against every write a client can send a body to: JSON of any shape, with
//! field names taken from the dialects' own vocabulary so that it reaches past the parser into
//! the rules, sent over HTTP as the admin (so that role checks do not stop it first). Whatever
//! arrives, the answer is a 2xx or a 4xx in JSON — never a 5xx — on both stores.

use crate::support::TestServer;
use crate::support::shop::Shop;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use reqwest::Method;
use serde_json::{Map, Value, json};

/// Wire names of the five APIs: a generated object uses them as keys.
const KEYS: &[&str] = &[
    "ID",
    "Name",
    "AppName",
    "AccessTokenDuration",
    "RefreshTokenDuration",
    "Active",
    "AllowSeller",
    "AllowAnyBuyer",
    "IsAnonBuyer",
    "ClientSecret",
    "DefaultContextUserName",
    "MaximumGrantedRoles",
    "Roles",
    "CustomRoles",
    "EventType",
    "CustomImplementationUrl",
    "HashKey",
    "ElevatedRoles",
    "ConfigData",
    "CustomAuthHeaderName",
    "CustomAuthHeaderValue",
    "Username",
    "FirstName",
    "LastName",
    "Email",
    "Password",
    "xp",
    "SecurityProfileID",
    "BuyerID",
    "UserID",
    "ProductID",
    "Quantity",
    "UnitPrice",
    "Comments",
    "OrderID",
    "ItemsToReturn",
    "LineItemID",
    "RuleExpression",
    "Currency",
    "PriceBreaks",
    "Price",
    "DefaultPriceScheduleID",
    "data",
    "type",
    "name",
    "integration_type",
    "enabled",
    "observes",
    "configuration",
    "url",
    "secret_key",
    "aws_access_key_id",
    "region",
    "addresses",
    "destination",
    "cart",
    "items",
    "configurationId",
    "count",
    "metadata",
    "customerId",
    "orgId",
    "originOrgId",
    "status",
    "platform",
    "connection",
    "service",
    "externalid",
    "logoUrl",
    "linkUrl",
    "ecomCustomer",
    "connectionid",
    "email",
    "ecomOrder",
    "externalcheckoutid",
    "orderProducts",
    "totalPrice",
    "abandonedDate",
    "externalCreatedDate",
    "kind",
    "allowed_domains",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z0-9_-]{1,12}",
        "\\PC{0,30}",
        Just("x".repeat(300)),
        // Past PostgreSQL's index-row limit (~2.7 kB, after compression, hence random): every
        // indexed string must have a limit of its own.
        "[a-zA-Z0-9]{3000,4000}",
        Just("https://127.0.0.1/x".to_owned()),
        Just("2026-01-01T00:00:00Z".to_owned()),
        Just("FullAccess".to_owned()),
        Just("order.created".to_owned()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e12f64..1e12).prop_map(|f| json!(f)),
        Just(json!(1e308)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((proptest::sample::select(KEYS), inner), 0..8).prop_map(|pairs| Value::Object(
                pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Map<_, _>>()
            )),
        ]
    })
}

/// A body: mostly an object (what every endpoint expects), sometimes anything at all.
fn body() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => proptest::collection::vec((proptest::sample::select(KEYS), json_value()), 0..10)
            .prop_map(|pairs| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        1 => json_value(),
    ]
}

#[tokio::test]
async fn generated_bodies_never_get_a_server_error() {
    let shop = Shop::open(&[]).await;
    let s: &TestServer = &shop.s;
    let r = s.post("/cartwire/v1/tokens", json!({"kind": "private", "name": "t"})).await;
    let tk = r.body["token"].as_str().unwrap().to_owned();
    let r = s.post("/cartwire/v1/api-keys", json!({"name": "k"})).await;
    let key = r.body["key"].as_str().unwrap().to_owned();
    let r = s.send(Method::POST, &format!("/api/orders?bearer_token={tk}"), None, Some(json!({"name": "o"}))).await;
    let order = r.body["id"].as_str().unwrap().to_owned();
    let r = s.post("/v1/orders/Outgoing", json!({"ID": "oc"})).await;
    assert_eq!(r.status, 201, "{}", r.body);

    let writes: Vec<(Method, String)> = [
        (Method::POST, "/v1/apiclients"),
        (Method::PUT, "/v1/apiclients/gen"),
        (Method::POST, "/v1/integrationEvents"),
        (Method::PUT, "/v1/integrationEvents/gen"),
        (Method::POST, "/v1/buyers"),
        (Method::POST, "/v1/buyers/b/users"),
        (Method::PATCH, "/v1/buyers/b/users/jane"),
        (Method::POST, "/v1/adminusers"),
        (Method::POST, "/v1/securityprofiles"),
        (Method::POST, "/v1/securityprofiles/assignments"),
        (Method::POST, "/v1/buyers/b/approvalrules"),
        (Method::POST, "/v1/priceschedules"),
        (Method::POST, "/v1/products"),
        (Method::PATCH, "/v1/orders/Outgoing/oc"),
        (Method::POST, "/v1/orders/Outgoing/oc/lineitems"),
        (Method::PUT, "/v1/orders/Outgoing/oc/shipto"),
        (Method::POST, "/v1/orderreturns"),
        (Method::POST, "/v1/openidconnects"),
        (Method::POST, "/v2/integrations"),
        (Method::POST, "/cartwire/v1/tokens"),
        (Method::POST, "/cartwire/v1/api-keys"),
    ]
    .into_iter()
    .map(|(m, p)| (m, p.to_owned()))
    .chain([
        (Method::POST, format!("/api/orders?bearer_token={tk}")),
        (Method::PUT, format!("/api/orders/{order}?bearer_token={tk}")),
        (Method::POST, format!("/api/orders/{order}/cart?bearer_token={tk}")),
        (Method::PUT, format!("/api/orders/{order}/cart?bearer_token={tk}")),
        (Method::POST, "/api/3/connections".to_owned()),
        (Method::POST, "/api/3/ecomCustomers".to_owned()),
        (Method::POST, "/api/3/ecomOrders".to_owned()),
    ])
    .collect();

    let cases: u32 = std::env::var("CARTWIRE_GENERATED_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    let mut runner = TestRunner::new(Config { cases, ..Config::default() });
    let strategy = body();
    let mut sent = 0;
    for (method, path) in &writes {
        for _ in 0..cases {
            let value = strategy.new_tree(&mut runner).expect("a value").current();
            let mut req = s.http.request(method.clone(), s.url(path)).json(&value);
            req = if path.starts_with("/api/3/") {
                req.header("Api-Token", &key)
            } else if path.starts_with("/api/orders") {
                req
            } else {
                req.bearer_auth(&s.admin_token)
            };
            let res = req.send().await.unwrap();
            let status = res.status();
            let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            let text = res.text().await.unwrap();
            assert!(status.as_u16() < 500, "{method} {path} with {value}: {status} {text}");
            assert!(
                text.is_empty() || ct.contains("json"),
                "{method} {path} with {value}: {status} answered {ct}: {text}"
            );
            sent += 1;
        }
    }
    assert_eq!(sent, writes.len() * cases as usize);
}
