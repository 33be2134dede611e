//! The authorization matrix: every route the router serves × who may call it. The table below
//! is the contract; the first test fails when the router serves a method on a route that has
//! no row (every route template of every document is probed with every method: one without
//! a row must answer 405) or when a row names a route that is not served; another checks that
//! the documents name each row's roles. The row-walking test walks
//! every row: no credentials → 401 (403 for ActiveCampaign keys, as ActiveCampaign answers), a
//! token holding none of the accepted roles → 403, an anonymous shopper → 403 unless the row
//! admits `Shopper`, each accepted role → neither; storefront rows with a public token from no
//! allowed domain → 403, and every other kind of credential on every row → refused.
//! Cross-tenant rows for what users own live in `tenants.rs`.

use crate::support::TestServer;
use reqwest::Method;
use std::collections::HashMap;

/// Who may pass a route's gate.
#[derive(Debug, Clone, Copy)]
enum Gate {
    /// Anyone (token endpoints, keys, health, SSO redirects).
    Public,
    /// An OrderCloud JWT with `FullAccess` or any one of these roles.
    Roles(&'static [&'static str]),
    /// A Threekit token (private or public from an allowed domain).
    Storefront,
    /// An ActiveCampaign `Api-Token`.
    ApiKey,
    /// Any valid OrderCloud JWT (a static catalog).
    AnyToken,
    /// Like `Roles`, for a route that revokes the caller's own tokens: every admitted call is
    /// made with a token minted for it, so no other cell loses its token.
    Revoking(&'static [&'static str]),
}
use Gate::*;

const ORDER_ANY: &[&str] = &["Shopper", "OrderAdmin", "OrderReader"];
const ORDER_WRITE: &[&str] = &["Shopper", "OrderAdmin"];
const ME_READ: &[&str] = &["Shopper", "MeAdmin", "MeXpAdmin"];
const ME_WRITE: &[&str] = &["MeAdmin", "MeXpAdmin"];
const ME_ADDRESS_READ: &[&str] = &["Shopper", "MeAddressAdmin"];
const FULL: &[&str] = &[];

/// (methods, route template, gate). `FULL` = FullAccess only (the operator API).
const ROWS: &[(&str, &str, Gate)] = &[
    ("POST", "/oauth/token", Public),
    ("GET", "/oauth/certs", Public),
    ("GET", "/oauth/certs/{kid}", Public),
    ("GET", "/ocrplogin", Public),
    ("GET POST", "/ocrpcode", Public),
    ("GET", "/v1/apiclients", Roles(&["ApiClientAdmin", "ApiClientReader"])),
    ("POST", "/v1/apiclients", Roles(&["ApiClientAdmin"])),
    ("GET", "/v1/apiclients/{id}", Roles(&["ApiClientAdmin", "ApiClientReader"])),
    ("PUT PATCH DELETE", "/v1/apiclients/{id}", Roles(&["ApiClientAdmin"])),
    ("GET", "/v1/integrationevents", Roles(&["IntegrationEventAdmin", "IntegrationEventReader"])),
    ("POST", "/v1/integrationevents", Roles(&["IntegrationEventAdmin"])),
    ("GET", "/v1/integrationevents/{id}", Roles(&["IntegrationEventAdmin", "IntegrationEventReader"])),
    ("PUT PATCH DELETE", "/v1/integrationevents/{id}", Roles(&["IntegrationEventAdmin"])),
    ("GET", "/v1/adminusers", Roles(&["AdminUserAdmin", "AdminUserReader"])),
    ("POST", "/v1/adminusers", Roles(&["AdminUserAdmin"])),
    ("GET", "/v1/adminusers/{id}", Roles(&["AdminUserAdmin", "AdminUserReader"])),
    ("PUT PATCH DELETE", "/v1/adminusers/{id}", Roles(&["AdminUserAdmin"])),
    ("DELETE", "/v1/adminusers/{id}/tokens", Roles(&["AdminUserAdmin"])),
    ("GET", "/v1/buyers", Roles(&["BuyerAdmin", "BuyerReader"])),
    ("POST", "/v1/buyers", Roles(&["BuyerAdmin"])),
    ("GET", "/v1/buyers/{id}", Roles(&["BuyerAdmin", "BuyerReader"])),
    ("PUT PATCH DELETE", "/v1/buyers/{id}", Roles(&["BuyerAdmin"])),
    ("GET", "/v1/buyers/{buyer}/users", Roles(&["BuyerUserAdmin", "BuyerUserReader"])),
    ("POST", "/v1/buyers/{buyer}/users", Roles(&["BuyerUserAdmin"])),
    ("GET", "/v1/buyers/{buyer}/users/{id}", Roles(&["BuyerUserAdmin", "BuyerUserReader"])),
    ("PUT PATCH DELETE", "/v1/buyers/{buyer}/users/{id}", Roles(&["BuyerUserAdmin"])),
    ("DELETE", "/v1/buyers/{buyer}/users/{id}/tokens", Roles(&["BuyerUserAdmin"])),
    ("GET", "/v1/buyers/{buyer}/approvalrules", Roles(&["ApprovalRuleAdmin", "ApprovalRuleReader"])),
    ("POST", "/v1/buyers/{buyer}/approvalrules", Roles(&["ApprovalRuleAdmin"])),
    ("GET", "/v1/buyers/{buyer}/approvalrules/{id}", Roles(&["ApprovalRuleAdmin", "ApprovalRuleReader"])),
    ("PUT PATCH DELETE", "/v1/buyers/{buyer}/approvalrules/{id}", Roles(&["ApprovalRuleAdmin"])),
    ("GET", "/v1/securityprofiles", Roles(&["SecurityProfileAdmin", "SecurityProfileReader"])),
    ("POST", "/v1/securityprofiles", Roles(&["SecurityProfileAdmin"])),
    ("GET", "/v1/securityprofiles/assignments", Roles(&["SecurityProfileAdmin", "SecurityProfileReader"])),
    ("POST", "/v1/securityprofiles/assignments", Roles(&["SecurityProfileAdmin"])),
    ("GET", "/v1/securityprofiles/{id}", Roles(&["SecurityProfileAdmin", "SecurityProfileReader"])),
    ("PUT PATCH DELETE", "/v1/securityprofiles/{id}", Roles(&["SecurityProfileAdmin"])),
    ("DELETE", "/v1/securityprofiles/{id}/assignments", Roles(&["SecurityProfileAdmin"])),
    ("GET", "/v1/products", Roles(&["ProductAdmin", "ProductReader"])),
    ("POST", "/v1/products", Roles(&["ProductAdmin"])),
    ("GET", "/v1/products/{id}", Roles(&["ProductAdmin", "ProductReader"])),
    ("PUT PATCH DELETE", "/v1/products/{id}", Roles(&["ProductAdmin"])),
    ("GET", "/v1/priceschedules", Roles(&["PriceScheduleAdmin", "PriceScheduleReader"])),
    ("POST", "/v1/priceschedules", Roles(&["PriceScheduleAdmin"])),
    ("GET", "/v1/priceschedules/{id}", Roles(&["PriceScheduleAdmin", "PriceScheduleReader"])),
    ("PUT PATCH DELETE", "/v1/priceschedules/{id}", Roles(&["PriceScheduleAdmin"])),
    ("GET", "/v1/openidconnects", Roles(&["OpenIDConnectAdmin", "OpenIDConnectReader"])),
    ("POST", "/v1/openidconnects", Roles(&["OpenIDConnectAdmin"])),
    ("GET", "/v1/openidconnects/{id}", Roles(&["OpenIDConnectAdmin", "OpenIDConnectReader"])),
    ("PUT PATCH DELETE", "/v1/openidconnects/{id}", Roles(&["OpenIDConnectAdmin"])),
    ("GET", "/v1/orderreturns", Roles(ORDER_ANY)),
    ("POST", "/v1/orderreturns", Roles(ORDER_WRITE)),
    ("GET PATCH DELETE", "/v1/orderreturns/{id}", Roles(ORDER_ANY)),
    ("PUT", "/v1/orderreturns/{id}", Roles(ORDER_WRITE)),
    ("POST", "/v1/orderreturns/{id}/{action}", Roles(ORDER_ANY)),
    ("GET", "/v1/orders/{direction}", Roles(ORDER_ANY)),
    ("POST", "/v1/orders/{direction}", Roles(ORDER_WRITE)),
    ("GET PUT PATCH DELETE", "/v1/orders/{direction}/{id}", Roles(ORDER_ANY)),
    ("GET POST", "/v1/orders/{direction}/{id}/lineitems", Roles(ORDER_ANY)),
    ("GET PUT PATCH DELETE", "/v1/orders/{direction}/{id}/lineitems/{line}", Roles(ORDER_ANY)),
    ("PUT PATCH", "/v1/orders/{direction}/{id}/shipto", Roles(ORDER_ANY)),
    ("PUT PATCH", "/v1/orders/{direction}/{id}/billto", Roles(ORDER_ANY)),
    ("GET", "/v1/orders/{direction}/{id}/worksheet", Roles(ORDER_ANY)),
    ("POST", "/v1/orders/{direction}/{id}/{action}", Roles(ORDER_WRITE)),
    ("GET PUT PATCH DELETE", "/v1/cart", Roles(ORDER_WRITE)),
    ("GET POST", "/v1/cart/lineitems", Roles(ORDER_WRITE)),
    ("GET PUT PATCH DELETE", "/v1/cart/lineitems/{line}", Roles(ORDER_WRITE)),
    ("PUT PATCH", "/v1/cart/shipto", Roles(ORDER_WRITE)),
    ("PUT PATCH", "/v1/cart/billto", Roles(ORDER_WRITE)),
    ("GET", "/v1/cart/worksheet", Roles(ORDER_WRITE)),
    ("POST", "/v1/cart/{action}", Roles(ORDER_WRITE)),
    ("GET", "/v1/me", Roles(ME_READ)),
    ("PUT PATCH", "/v1/me", Roles(ME_WRITE)),
    ("GET", "/v1/me/orders", Roles(&["Shopper"])),
    ("GET", "/v1/me/products", Roles(&["Shopper"])),
    ("GET", "/v1/me/addresses", Roles(ME_ADDRESS_READ)),
    ("POST", "/v1/me/addresses", Roles(&["MeAddressAdmin"])),
    ("GET", "/v1/me/addresses/{id}", Roles(ME_ADDRESS_READ)),
    ("PUT PATCH DELETE", "/v1/me/addresses/{id}", Roles(&["MeAddressAdmin"])),
    ("DELETE", "/v1/me/tokens", Revoking(&["Shopper", "MeAdmin", "MeXpAdmin", "MeAddressAdmin"])),
    ("POST", "/oauth/access_token", Public),
    ("GET", "/v2/integrations", Roles(&["WebhookAdmin", "WebhookReader"])),
    ("POST", "/v2/integrations", Roles(&["WebhookAdmin"])),
    ("GET", "/v2/integrations/logs", Roles(&["WebhookAdmin", "WebhookReader"])),
    ("GET", "/v2/integrations/{id}", Roles(&["WebhookAdmin", "WebhookReader"])),
    ("PUT DELETE", "/v2/integrations/{id}", Roles(&["WebhookAdmin"])),
    ("GET", "/v2/integrations/{id}/logs", Roles(&["WebhookAdmin", "WebhookReader"])),
    ("GET", "/v2/integrations/{id}/jobs", Roles(&["WebhookAdmin", "WebhookReader"])),
    ("GET", "/v2/integrations/{id}/jobs/{job}/logs", Roles(&["WebhookAdmin", "WebhookReader"])),
    ("GET POST", "/api/orders", Storefront),
    ("GET", "/api/orders/healthcheck", Public),
    ("GET PUT DELETE", "/api/orders/{id}", Storefront),
    ("POST", "/api/orders/{id}/items", Storefront),
    ("POST PUT", "/api/orders/{id}/cart", Storefront),
    ("GET POST", "/api/3/connections", ApiKey),
    ("GET PUT DELETE", "/api/3/connections/{id}", ApiKey),
    ("GET POST", "/api/3/ecomCustomers", ApiKey),
    ("GET PUT DELETE", "/api/3/ecomCustomers/{id}", ApiKey),
    ("GET POST", "/api/3/ecomOrders", ApiKey),
    ("GET PUT DELETE", "/api/3/ecomOrders/{id}", ApiKey),
    ("GET", "/api/3/ecomOrders/{id}/orderProducts", ApiKey),
    ("GET", "/api/3/ecomOrderProducts", ApiKey),
    ("GET", "/api/3/ecomOrderProducts/{id}", ApiKey),
    ("GET", "/cartwire/v1/deployment", Roles(FULL)),
    ("GET", "/cartwire/v1/events", Roles(FULL)),
    ("GET", "/cartwire/v1/event-types", AnyToken),
    ("GET", "/cartwire/v1/deliveries", Roles(&["WebhookAdmin", "WebhookReader"])),
    ("GET", "/cartwire/v1/deliveries/{id}", Roles(&["WebhookAdmin", "WebhookReader"])),
    ("GET", "/cartwire/v1/orders", Roles(&["OrderAdmin", "OrderReader"])),
    ("GET", "/cartwire/v1/orders/{id}", Roles(&["OrderAdmin", "OrderReader"])),
    ("POST", "/cartwire/v1/deliveries/{id}/retry", Roles(&["WebhookAdmin"])),
    ("POST", "/cartwire/v1/integrations/{id}/replay", Roles(FULL)),
    ("GET POST", "/cartwire/v1/tokens", Roles(FULL)),
    ("DELETE", "/cartwire/v1/tokens/{id}", Roles(FULL)),
    ("GET POST", "/cartwire/v1/api-keys", Roles(FULL)),
    ("DELETE", "/cartwire/v1/api-keys/{id}", Roles(FULL)),
    ("GET", "/healthz", Public),
    ("GET", "/openapi/{file}", Public),
    ("GET", "/docs", Public),
    ("GET", "/docs/{file}", Public),
    ("GET", "/readyz", Public),
    ("GET", "/metrics", Roles(FULL)),
];

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

/// The route templates the router declares: every path of the OpenAPI documents, built by
/// the same calls that mount the routes.
fn served_templates() -> Vec<String> {
    let mut all: Vec<String> = documented().into_iter().map(|(_, template, _)| template).collect();
    all.sort();
    all.dedup();
    all
}

/// Every documented operation: (method, template, operation object).
fn documented() -> Vec<(String, String, serde_json::Value)> {
    let mut ops = Vec::new();
    for (_, _, doc) in cartwire_api::documents("http://127.0.0.1").0 {
        for (template, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                ops.push((method.to_uppercase(), template.clone(), op.clone()));
            }
        }
    }
    ops
}

/// The documents say who may call each operation: the matrix's own answer, which the
/// second test below checks against the server.
#[test]
fn every_documented_operation_names_the_roles_of_its_row() {
    let mut failures = Vec::new();
    for (method, template, op) in documented() {
        let Some((_, gate)) = rows_for(&template).into_iter().find(|(m, _)| *m == method) else {
            failures.push(format!("{method} {template} is documented but has no row"));
            continue;
        };
        let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
        let mut roles: Vec<String> = op["x-roles"]
            .as_array()
            .map(|r| r.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default();
        roles.sort();
        let ok = match gate {
            Public => !secured,
            AnyToken | Storefront | ApiKey => secured && roles.is_empty(),
            Roles(r) | Revoking(r) => {
                let mut expected: Vec<String> =
                    if r.is_empty() { vec!["FullAccess".into()] } else { r.iter().map(|s| (*s).to_owned()).collect() };
                expected.sort();
                secured && roles == expected
            }
        };
        if !ok {
            failures.push(format!("{method} {template}: documented {roles:?} (secured: {secured}), row {gate:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A concrete path for a template.
fn concrete(template: &str, token: &str) -> String {
    let path = template
        .replace("{direction}", "Outgoing")
        .replace("{action}", "submit")
        .split('/')
        .map(|seg| if seg.starts_with('{') { "x" } else { seg })
        .collect::<Vec<_>>()
        .join("/");
    if template.starts_with("/api/orders") { format!("{path}?bearer_token={token}") } else { path }
}

async fn call(s: &TestServer, method: &str, path: &str, bearer: Option<&str>, api_key: Option<&str>) -> u16 {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = s.http.request(method.clone(), s.url(path));
    if let Some(t) = bearer {
        req = req.bearer_auth(t);
    }
    if let Some(k) = api_key {
        req = req.header("Api-Token", k);
    }
    if method != Method::GET && method != Method::DELETE {
        req = req.header("content-type", "application/json").body("{}");
    }
    req.send().await.unwrap().status().as_u16()
}

fn rows_for(template: &str) -> Vec<(&'static str, Gate)> {
    ROWS.iter()
        .filter(|(_, t, _)| t.eq_ignore_ascii_case(template))
        .flat_map(|(methods, _, gate)| methods.split(' ').map(move |m| (m, *gate)))
        .collect()
}

/// A token of an anonymous shopper: a buyer with a Shopper template user and an
/// anonymous-buyer client.
async fn anonymous_shopper(s: &TestServer) -> String {
    use serde_json::json;
    let ok = |r: crate::support::Response| assert!(r.status.is_success(), "{}", r.body);
    ok(s.post("/v1/buyers", json!({"ID": "anon-b", "Name": "B", "Active": true})).await);
    ok(s.post(
        "/v1/buyers/anon-b/users",
        json!({"ID": "tmpl", "Username": "anon-template", "FirstName": "A",
              "LastName": "T", "Email": "t@example.com", "Active": true}),
    )
    .await);
    ok(s.post("/v1/securityprofiles", json!({"ID": "anon-shopper", "Name": "S", "Roles": ["Shopper"]})).await);
    ok(s.post("/v1/securityprofiles/assignments", json!({"SecurityProfileID": "anon-shopper", "BuyerID": "anon-b"}))
        .await);
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
    body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_served_route_has_a_row_and_every_row_is_served() {
    let s = TestServer::start().await;
    let served = served_templates();
    for (_, template, _) in ROWS {
        assert!(
            served.iter().any(|t| t.eq_ignore_ascii_case(template)),
            "row for a route the router does not declare: {template}"
        );
    }
    for template in &served {
        let rows = rows_for(template);
        assert!(!rows.is_empty(), "{template} is served but has no row in the matrix");
        for method in METHODS {
            if rows.iter().any(|(m, _)| m == method) {
                continue;
            }
            let status = call(&s, method, &concrete(template, "t"), Some(&s.admin_token), None).await;
            assert_eq!(status, 405, "{method} {template} is served ({status}) but has no row in the matrix");
        }
    }
}

#[tokio::test]
async fn every_row_refuses_the_uncredentialed_and_the_unentitled_and_admits_its_roles() {
    let s = TestServer::start().await;
    let r = s.post("/cartwire/v1/tokens", serde_json::json!({"kind": "private", "name": "t"})).await;
    let tk = r.body["token"].as_str().unwrap().to_owned();
    let r = s.post("/cartwire/v1/api-keys", serde_json::json!({"name": "k"})).await;
    let key = r.body["key"].as_str().unwrap().to_owned();
    let mut tokens: HashMap<&str, String> = HashMap::new();
    // A role no route of the matrix admits.
    let outsider = s.token_with_roles(&["MeCreditCardAdmin"]).await;
    let anonymous = anonymous_shopper(&s).await;
    let r = s
        .post(
            "/cartwire/v1/tokens",
            serde_json::json!({"kind": "public", "name": "p", "allowed_domains": ["shop.example"]}),
        )
        .await;
    let public = r.body["token"].as_str().unwrap().to_owned();
    // Every failing cell is collected, so one run shows the whole picture.
    let mut failures: Vec<String> = Vec::new();
    let mut expect = |ok: bool, cell: String| {
        if !ok {
            failures.push(cell);
        }
    };
    for (methods, template, gate) in ROWS {
        for method in methods.split(' ') {
            let what = format!("{method} {template}");
            let path = concrete(template, "not-a-token");
            match gate {
                Public => {}
                AnyToken => {
                    let status = call(&s, method, &path, None, None).await;
                    expect(status == 401, format!("{what} without a token: {status}"));
                    let status = call(&s, method, &path, Some(&outsider), None).await;
                    expect(status == 200, format!("{what} with any token: {status}"));
                }
                Roles(roles) | Revoking(roles) => {
                    let revoking = matches!(gate, Revoking(_));
                    let status = call(&s, method, &path, None, None).await;
                    expect(status == 401, format!("{what} without a token: {status}"));
                    let status = call(&s, method, &path, Some(&outsider), None).await;
                    expect(status == 403, format!("{what} with no accepted role: {status}"));
                    let status = call(&s, method, &path, Some(&anonymous), None).await;
                    let shopper_row = roles.contains(&"Shopper");
                    expect(shopper_row || status == 403, format!("{what} as an anonymous shopper: {status}"));
                    expect(status != 401, format!("{what} as an anonymous shopper: {status}"));
                    // Threekit tokens and API keys are not bearer tokens of this API.
                    let status = call(&s, method, &path, Some(&tk), None).await;
                    expect(status == 401, format!("{what} with a Threekit token as bearer: {status}"));
                    for role in *roles {
                        let token = if revoking {
                            s.token_with_roles(&[role]).await
                        } else {
                            if !tokens.contains_key(role) {
                                tokens.insert(role, s.token_with_roles(&[role]).await);
                            }
                            tokens[role].clone()
                        };
                        let status = call(&s, method, &path, Some(&token), None).await;
                        expect(status != 401 && status != 403, format!("{what} with {role}: {status}"));
                    }
                    let full = if revoking { s.token_with_roles(&["FullAccess"]).await } else { s.admin_token.clone() };
                    let status = call(&s, method, &path, Some(&full), None).await;
                    expect(status != 401 && status != 403, format!("{what} with FullAccess: {status}"));
                }
                Storefront => {
                    let status = call(&s, method, &path, None, None).await;
                    expect(status == 401, format!("{what} with a made-up token: {status}"));
                    let status = call(&s, method, &concrete(template, &tk), None, None).await;
                    expect(status != 401 && status != 403, format!("{what} with a private token: {status}"));
                    // A public token from no allowed domain (no Origin, no Referer) is refused.
                    let status = call(&s, method, &concrete(template, &public), None, None).await;
                    expect(status == 403, format!("{what} with a public token from nowhere: {status}"));
                    let status = call(&s, method, &concrete(template, &key), None, None).await;
                    expect(status == 401, format!("{what} with an API key as token: {status}"));
                    // An OrderCloud JWT is not a Threekit token.
                    let status = call(&s, method, &concrete(template, &s.admin_token), None, None).await;
                    expect(status == 401, format!("{what} with an OrderCloud token: {status}"));
                }
                ApiKey => {
                    let status = call(&s, method, &path, None, None).await;
                    expect(status == 403, format!("{what} without a key: {status}"));
                    let status = call(&s, method, &path, None, Some(&tk)).await;
                    expect(status == 403, format!("{what} with a Threekit token: {status}"));
                    let status = call(&s, method, &path, None, Some(&key)).await;
                    expect(status != 401 && status != 403, format!("{what} with an API key: {status}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} cells of the matrix fail:\n{}", failures.len(), failures.join("\n"));
}
