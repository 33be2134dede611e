//! The operator console as a browser meets it over HTTP: signing in sets an HttpOnly,
//! SameSite=Strict cookie; every page is HTML with a CSP that admits only the console's own
//! stylesheet; what a page shows is escaped; forms refuse a missing CSRF token; a client
//! without the role sees a refusal; a dead delivery can be retried from its page. The same
//! flows in a real browser are `scripts/console-check`.

use crate::support::receiver::{Mode, Receiver};
use crate::support::{ADMIN_ID, ADMIN_SECRET, TestServer, eventually};
use reqwest::StatusCode;
use serde_json::json;

/// A browser without a cookie jar of its own: it keeps the session cookie by hand and does
/// not follow redirects, so each answer can be read.
struct Browser<'a> {
    s: &'a TestServer,
    http: reqwest::Client,
    cookie: Option<String>,
}

impl<'a> Browser<'a> {
    fn new(s: &'a TestServer) -> Self {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { s, http, cookie: None }
    }

    async fn sign_in(&mut self, id: &str, secret: &str) -> reqwest::Response {
        let r = self
            .http
            .post(self.s.url("/console/login"))
            .form(&[("client_id", id), ("client_secret", secret)])
            .send()
            .await
            .unwrap();
        if let Some(c) = r.headers().get("set-cookie") {
            self.cookie = Some(c.to_str().unwrap().split(';').next().unwrap().to_owned());
        }
        r
    }

    async fn get(&self, path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let mut req = self.http.get(self.s.url(path));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let r = req.send().await.unwrap();
        (r.status(), r.headers().clone(), r.text().await.unwrap())
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let mut req = self.http.post(self.s.url(path)).form(form);
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let r = req.send().await.unwrap();
        (r.status(), r.headers().clone(), r.text().await.unwrap())
    }
}

/// The CSRF token of the first form on `page`.
fn csrf(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a form with a CSRF token") + 19;
    page[at..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn signing_in_sets_a_strict_http_only_cookie_and_pages_need_it() {
    let s = TestServer::start().await;
    let mut b = Browser::new(&s);
    let (status, headers, _) = b.get("/console/overview").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/console/login");
    let (status, headers, page) = b.get("/console/login").await;
    assert_eq!(status, 200);
    assert!(page.contains("<label for=\"client_id\">"), "{page}");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("style-src 'self'") && !csp.contains("unsafe"), "{csp}");

    let r = b.sign_in(ADMIN_ID, "wrong-secret").await;
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains("role=\"alert\""));
    assert!(b.cookie.is_none());

    let r = b.sign_in(ADMIN_ID, ADMIN_SECRET).await;
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "no Secure over plain http: {cookie}");
    for page in [
        "/console/overview",
        "/console/orders",
        "/console/integrations",
        "/console/integrations/new",
        "/console/deliveries",
        "/console/events?key=api-client.*&follow=on",
        "/console/clients",
        "/console/integration-events",
    ] {
        let (status, headers, body) = b.get(page).await;
        assert_eq!(status, 200, "{page}: {body}");
        assert_eq!(headers["content-type"], "text/html; charset=utf-8");
        assert!(headers.contains_key("content-security-policy"));
        assert!(body.contains("Sign out") && !body.contains("<script"), "{page}");
    }

    // Signing out needs the session's CSRF token, then forgets the cookie.
    let (_, _, page) = b.get("/console/overview").await;
    let (status, _, _) = b.post("/console/logout", &[("csrf", "forged")]).await;
    assert_eq!(status, 403);
    let (status, headers, _) = b.post("/console/logout", &[("csrf", &csrf(&page))]).await;
    assert_eq!(status, 303);
    assert!(headers["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
}

#[tokio::test]
async fn what_a_page_shows_is_escaped() {
    let s = TestServer::start().await;
    let r = s.post("/cartwire/v1/tokens", json!({"kind": "private", "name": "t"})).await;
    let tk = r.body["token"].as_str().unwrap().to_owned();
    let r = s
        .http
        .post(s.url("/api/orders"))
        .bearer_auth(&tk)
        .json(&json!({"name": "<script>alert(1)</script>", "customerId": "\"><img src=x onerror=alert(2)>",
                      "cart": [{"configurationId": "<b>bold</b>", "count": 1}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let id = r.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let mut b = Browser::new(&s);
    b.sign_in(ADMIN_ID, ADMIN_SECRET).await;
    for page in ["/console/orders".to_owned(), format!("/console/orders/{id}")] {
        let (status, _, body) = b.get(&page).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{page}: {body}");
        assert!(!body.contains("<script>alert(1)"), "{page}");
        assert!(!body.contains("<img src=x"), "{page}");
    }
    let (_, _, body) = b.get(&format!("/console/orders/{id}")).await;
    assert!(body.contains("&lt;b&gt;bold&lt;/b&gt;"), "{body}");
    // The overview counts it in its minute.
    let (_, _, body) = b.get("/console/overview").await;
    assert!(body.contains("Orders per minute (1)"), "{body}");
    assert!(body.contains(": 1</title>"), "the minute's bar says 1: {body}");
}

#[tokio::test]
async fn a_client_without_the_role_is_refused_and_its_roles_are_named() {
    let s = TestServer::start().await;
    let (id, secret) = s.client_with_roles(&["MeAdmin"]).await;
    let mut b = Browser::new(&s);
    assert_eq!(b.sign_in(&id, &secret).await.status(), 303);
    let (status, _, body) = b.get("/console/integrations").await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("WebhookReader"), "{body}");
    let (status, _, _) = b.get("/console/deliveries").await;
    assert_eq!(status, 403);
    // The overview shows nothing this client may read: refused as a whole.
    let (status, _, body) = b.get("/console/overview").await;
    assert_eq!(status, 403, "{body}");
    // A reader of integrations sees that page and no other.
    let (id, secret) = s.client_with_roles(&["WebhookReader"]).await;
    let mut reader = Browser::new(&s);
    reader.sign_in(&id, &secret).await;
    assert_eq!(reader.get("/console/integrations").await.0, 200);
    assert_eq!(reader.get("/console/orders").await.0, 403);
    // Its overview has the deliveries part and names the roles of the others.
    let (status, _, body) = reader.get("/console/overview").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("dead letters waiting") && body.contains("Delivery attempts per minute ("), "{body}");
    assert!(!body.contains("Orders per minute (") && body.contains("OrderReader"), "{body}");
    assert!(body.contains("IntegrationEventReader"), "the callouts part names its roles: {body}");
    // An order reader sees the orders part.
    let (id, secret) = s.client_with_roles(&["OrderReader"]).await;
    let mut orders = Browser::new(&s);
    orders.sign_in(&id, &secret).await;
    let (status, _, body) = orders.get("/console/overview").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Orders per minute (") && !body.contains("dead letters waiting"), "{body}");
}

#[tokio::test]
async fn a_dead_delivery_is_retried_from_its_page() {
    let s = TestServer::start().await;
    let rx = Receiver::start(None).await;
    rx.set_mode(Mode::Fail);
    let r = s
        .post(
            "/v2/integrations",
            json!({"data": {"type": "integration", "name": "<i>hook</i>", "enabled": true, "observes": ["api-client.created"],
                            "integration_type": "webhook", "configuration": {"url": rx.url, "secret_key": "whsec_dG9wc2VjcmV0"}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let integration = r.body["data"]["id"].as_str().unwrap().to_owned();
    let r = s.post("/v1/apiclients", json!({"AppName": "emits", "AccessTokenDuration": 60})).await;
    assert_eq!(r.status, 201);
    let dead = eventually(20, "a dead letter", || async {
        let r = s.get("/cartwire/v1/deliveries?status=dead").await;
        r.body["data"][0]["id"].as_str().map(str::to_owned)
    })
    .await;
    let mut b = Browser::new(&s);
    b.sign_in(ADMIN_ID, ADMIN_SECRET).await;
    let (_, _, list) = b.get("/console/deliveries?status=dead").await;
    assert!(list.contains(&format!("/console/deliveries/{dead}")), "{list}");
    let (_, _, integrations) = b.get("/console/integrations").await;
    assert!(integrations.contains("&lt;i&gt;hook&lt;/i&gt;"), "{integrations}");
    assert!(!integrations.contains("whsec_dG9wc2VjcmV0"), "the secret is masked: {integrations}");
    assert!(
        integrations.contains("<span class=\"status-failed\">100.0 %</span> of 4"),
        "its error rate: {integrations}"
    );
    assert!(!integrations.contains(">never<"), "it has a last attempt: {integrations}");
    let (_, _, overview) = b.get("/console/overview").await;
    assert!(overview.contains("(4, 4 failed; success 0.0 %)"), "four failed attempts, none succeeded: {overview}");
    assert!(overview.contains("&lt;i&gt;hook&lt;/i&gt;"), "{overview}");
    let (status, _, page) = b.get(&format!("/console/deliveries/{dead}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("HTTP 500") && page.contains("Retry now"), "{page}");

    let path = format!("/console/deliveries/{dead}/retry");
    assert_eq!(b.post(&path, &[("csrf", "nope")]).await.0, 403, "no retry without the form's token");
    rx.set_mode(Mode::Ok);
    let (status, headers, _) = b.post(&path, &[("csrf", &csrf(&page))]).await;
    assert_eq!(status, 303);
    assert_eq!(headers["location"], format!("/console/deliveries/{dead}"));
    eventually(20, "the retried delivery", || async {
        let (_, _, page) = b.get(&format!("/console/deliveries/{dead}")).await;
        page.contains("status-succeeded").then_some(())
    })
    .await;
    assert!(!rx.accepted().is_empty());
    // The request the page shows is the one the receiver got, its secret and signature masked.
    let (_, _, page) = b.get(&format!("/console/deliveries/{dead}")).await;
    let got = rx.accepted().pop().unwrap();
    assert!(page.contains(&format!("POST {}", rx.url)), "{page}");
    for (name, value) in [("x-moltin-integration-trigger", "api-client.created"), ("webhook-id", dead.as_str())] {
        assert_eq!(got.headers[name], value);
        assert!(page.contains(&format!("<code>{name}</code></td><td><code>{value}</code>")), "{name}: {page}");
    }
    assert!(page.contains("<code>webhook-signature</code></td><td><code>v1,****</code>"), "{page}");
    assert!(!page.contains("whsec_dG9wc2VjcmV0") && !page.contains("dG9wc2VjcmV0"), "the secret is masked: {page}");
    let shown = page.split(" bytes)</summary><pre>").nth(1).and_then(|rest| rest.split("</pre>").next()).unwrap();
    let shown = shown.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    let mut delivered = got.body.clone();
    assert_eq!(delivered["configuration"]["secret_key"], "whsec_dG9wc2VjcmV0", "Elastic Path's body repeats it");
    delivered["configuration"]["secret_key"] = json!("**************cmV0");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&shown).unwrap(), delivered, "the body as delivered");

    // Replay the range from the integration's page: a confirmation first, then progress.
    let (_, _, page) = b.get(&format!("/console/integrations/{integration}")).await;
    assert!(page.contains("type=\"datetime-local\""), "{page}");
    let replay = format!("/console/integrations/{integration}/replay");
    let token = csrf(&page);
    let (status, _, body) =
        b.post(&replay, &[("csrf", &token), ("from", "2000-01-01T00:00"), ("to", "2100-01-01T00:00")]).await;
    assert_eq!(status, 422, "no replay without the confirmation: {body}");
    let (status, _, _) = b
        .post(&replay, &[("csrf", &token), ("from", "2100-01-01T00:00"), ("to", "2000-01-01T00:00"), ("confirm", "on")])
        .await;
    assert_eq!(status, 422, "from after to");
    let before = rx.accepted().len();
    let (status, headers, _) = b
        .post(&replay, &[("csrf", &token), ("from", "2000-01-01T00:00"), ("to", "2100-01-01T00:00"), ("confirm", "on")])
        .await;
    assert_eq!(status, 303);
    let progress = headers["location"].to_str().unwrap().to_owned();
    assert!(progress.ends_with("requeued=1"), "{progress}");
    eventually(20, "the replay drained", || async {
        let (_, _, page) = b.get(&progress).await;
        page.contains("the replay has drained").then_some(())
    })
    .await;
    assert_eq!(rx.accepted().len(), before + 1, "delivered once more");
}

#[tokio::test]
async fn integrations_are_created_edited_and_disabled_through_forms_with_the_apis_rules() {
    let s = TestServer::start().await;
    let mut b = Browser::new(&s);
    b.sign_in(ADMIN_ID, ADMIN_SECRET).await;
    let b = b;
    let (_, _, page) = b.get("/console/integrations/new").await;
    let token = csrf(&page);
    let six = "order.created, order.updated, order.deleted, cart.created, cart.updated, customer.created";
    let form = |observes: &'static str, secret: &'static str| {
        vec![
            ("csrf", token.clone()),
            ("name", "ERP feed".to_owned()),
            ("observes", observes.to_owned()),
            ("integration_type", "webhook".to_owned()),
            ("url", "https://erp.example.com/hooks".to_owned()),
            ("secret_key", secret.to_owned()),
            ("enabled", "on".to_owned()),
        ]
    };
    let post = |pairs: Vec<(&'static str, String)>| {
        let b = &b;
        async move {
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            b.post("/console/integrations", &pairs).await
        }
    };
    let (status, _, page) = post(form(six, "")).await;
    assert_eq!(status, 422, "{page}");
    let at = page.find("id=\"observes\"").unwrap();
    assert!(page[at..].contains("role=\"alert\""), "the error is beside its field: {page}");
    assert!(page.contains("ERP feed"), "what was typed is kept: {page}");
    let r = s.get("/v2/integrations").await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 0, "nothing is saved");

    let (status, headers, _) = post(form("order.created", "whsec_Zm9ybS1zZWNyZXQ")).await;
    assert_eq!(status, 303);
    let location = headers["location"].to_str().unwrap().to_owned();
    let id = location.rsplit('/').next().unwrap().to_owned();
    let r = s.get(&format!("/v2/integrations/{id}")).await;
    assert_eq!(r.body["data"]["observes"], json!(["order.created"]));
    assert_eq!(r.body["data"]["configuration"]["secret_key"], "whsec_Zm9ybS1zZWNyZXQ");
    assert_eq!(r.body["data"]["enabled"], true);

    // Editing with the secret left empty keeps it; the page never shows it.
    let (_, _, page) = b.get(&location).await;
    assert!(!page.contains("Zm9ybS1zZWNyZXQ"), "{page}");
    let (status, _, _) = b
        .post(
            &location,
            &[
                ("csrf", csrf(&page).as_str()),
                ("name", "ERP feed v2"),
                ("observes", "order.created order.updated"),
                ("integration_type", "webhook"),
                ("url", "https://erp.example.com/hooks/v2"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let r = s.get(&format!("/v2/integrations/{id}")).await;
    assert_eq!(r.body["data"]["name"], "ERP feed v2");
    assert_eq!(r.body["data"]["configuration"]["url"], "https://erp.example.com/hooks/v2");
    assert_eq!(r.body["data"]["configuration"]["secret_key"], "whsec_Zm9ybS1zZWNyZXQ");

    let (status, _, _) =
        b.post(&format!("{location}/enabled"), &[("csrf", csrf(&page).as_str()), ("enabled", "false")]).await;
    assert_eq!(status, 303);
    let r = s.get(&format!("/v2/integrations/{id}")).await;
    assert_eq!(r.body["data"]["enabled"], false);
    // A reader may look but not change.
    let (rid, rsecret) = s.client_with_roles(&["WebhookReader"]).await;
    let mut reader = Browser::new(&s);
    reader.sign_in(&rid, &rsecret).await;
    let (_, _, page) = reader.get(&location).await;
    let (status, _, _) =
        reader.post(&format!("{location}/enabled"), &[("csrf", csrf(&page).as_str()), ("enabled", "true")]).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn an_orders_page_shows_every_delivery_of_its_events() {
    let s = TestServer::start().await;
    let rx = Receiver::start(None).await;
    let r = s
        .post(
            "/v2/integrations",
            json!({"data": {"type": "integration", "name": "orders", "enabled": true, "observes": ["order.created"],
                            "integration_type": "webhook", "configuration": {"url": rx.url}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = s.post("/cartwire/v1/tokens", json!({"kind": "private", "name": "t"})).await;
    let tk = r.body["token"].as_str().unwrap().to_owned();
    let order: serde_json::Value = s
        .http
        .post(s.url("/api/orders"))
        .bearer_auth(&tk)
        .json(&json!({"name": "Order 7", "cart": [{"configurationId": "c", "count": 1}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = order["id"].as_str().unwrap().to_owned();
    let delivery = eventually(20, "the order's delivery", || async {
        let r = s.get(&format!("/cartwire/v1/deliveries?resource_id={id}&status=succeeded")).await;
        r.body["data"][0]["id"].as_str().map(str::to_owned)
    })
    .await;
    let r = s.get("/cartwire/v1/deliveries?resource_id=some-other-order").await;
    assert_eq!(r.body["total"], 0, "{}", r.body);
    let mut b = Browser::new(&s);
    b.sign_in(ADMIN_ID, ADMIN_SECRET).await;
    let (_, _, page) = b.get(&format!("/console/orders/{id}")).await;
    assert!(page.contains(&format!("/console/deliveries/{delivery}")), "{page}");
    assert!(page.contains("status-succeeded"), "{page}");
    // Found by its id (straight to its page) or its short id (the list, filtered).
    let (status, headers, _) = b.get(&format!("/console/orders?find={id}")).await;
    assert_eq!(
        (status, headers["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, format!("/console/orders/{id}").as_str())
    );
    let short = order["shortId"].as_str().unwrap();
    let (status, headers, _) = b.get(&format!("/console/orders?find={short}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = b.get(headers["location"].to_str().unwrap()).await;
    assert!(page.contains("Order 7") && page.contains(&id), "{page}");
    let (_, _, list) = b.get("/console/orders?find=no-such-order").await;
    assert!(list.contains("0 orders"), "{list}");
    // By source and creation time; an email or an external id in the search box.
    let (_, _, list) = b.get("/console/orders?source=threekit&from=2000-01-01T00:00&to=2100-01-01T00:00").await;
    assert!(list.contains("1 orders") && list.contains("Order 7"), "{list}");
    let (_, _, list) = b.get("/console/orders?source=activecampaign").await;
    assert!(list.contains("0 orders"), "{list}");
    let (_, _, list) = b.get("/console/orders?from=2100-01-01T00:00").await;
    assert!(list.contains("0 orders"), "{list}");
    assert_eq!(b.get("/console/orders?to=tomorrow").await.0, 400);
    // Deliveries by creation time.
    let (_, _, list) = b.get("/console/deliveries?from=2000-01-01T00:00&to=2100-01-01T00:00").await;
    assert!(list.contains("1 deliveries"), "{list}");
    let (_, _, list) = b.get("/console/deliveries?from=2100-01-01T00:00").await;
    assert!(list.contains("0 deliveries"), "{list}");
    assert_eq!(b.get("/console/deliveries?from=yesterday").await.0, 400);
    // An order reader without a webhook role sees the order, and why its deliveries are not shown.
    let (rid, rsecret) = s.client_with_roles(&["OrderReader"]).await;
    let mut reader = Browser::new(&s);
    reader.sign_in(&rid, &rsecret).await;
    let (status, _, page) = reader.get(&format!("/console/orders/{id}")).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Order 7") && page.contains("Not shown"), "{page}");
    // An ActiveCampaign order, found by its buyer's email (any case) or its external id.
    let ac = crate::activecampaign::setup(&s).await;
    let r = ac.post("/api/3/ecomOrders", crate::activecampaign::one_product_order("EXT-42", "alice@example.com")).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let ac_id = r.body["ecomOrder"]["id"].as_str().unwrap().to_owned();
    for find in ["ALICE%40example.com", "EXT-42"] {
        let (_, _, list) = b.get(&format!("/console/orders?find={find}")).await;
        assert!(
            list.contains("1 orders")
                && list.contains(&format!("/console/orders/{ac_id}"))
                && list.contains("activecampaign"),
            "{find}: {list}"
        );
    }
}

#[tokio::test]
async fn the_callouts_page_shows_each_call_with_its_status_and_error_body() {
    use crate::support::middleware::Reply;
    use crate::support::shop::Shop;
    use reqwest::Method;
    let shop = Shop::open(&["OrderCheckoutIntegrationEventID"]).await;
    shop.script_checkout();
    shop.mw.reply("/ordercalculate", Reply::Json(500, json!({"message": "<b>tax engine down</b>"})));
    let jane = shop.login("jane").await;
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing", Some(json!({"ID": "o1"}))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = shop
        .call(
            &jane,
            Method::POST,
            "/v1/orders/Outgoing/o1/lineitems",
            Some(json!({"ProductID": "chair", "Quantity": 1})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o1/estimateshipping", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = shop.call(&jane, Method::POST, "/v1/orders/Outgoing/o1/calculate", None).await;
    assert!(r.status.is_client_error(), "{}", r.body);

    let mut b = Browser::new(&shop.s);
    b.sign_in(ADMIN_ID, ADMIN_SECRET).await;
    let (status, _, page) = b.get("/console/callouts").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<code>/shippingrates</code>") && page.contains("<code>/ordercalculate</code>"), "{page}");
    assert!(page.contains("<td>500</td>") && page.contains(">rejected<"), "{page}");
    assert!(page.contains("&lt;b&gt;tax engine down&lt;/b&gt;"), "the error body, escaped: {page}");
    // Reading the log needs an integration-event reader.
    let (id, secret) = shop.s.client_with_roles(&["WebhookReader"]).await;
    let mut other = Browser::new(&shop.s);
    other.sign_in(&id, &secret).await;
    assert_eq!(other.get("/console/callouts").await.0, 403);
    // The overview sums them per integration event.
    let (_, _, overview) = b.get("/console/overview").await;
    let at = overview.find("Callouts, last hour").expect("the callouts table");
    assert!(overview[at..].contains("(OrderCheckout)</td><td>2</td><td>1</td>"), "two calls, one failed: {overview}");
    // The client's page names its checkout event; the event's page, its latest calls.
    let (status, _, page) = b.get(&format!("/console/clients/{}", shop.client)).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Storefront") && page.contains("<th>Secret</th><td>none</td>"), "a public client: {page}");
    assert!(page.contains("href=\"/console/integration-events/checkout\""), "{page}");
    let (status, _, page) = b.get("/console/integration-events/checkout").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("OrderCheckout") && page.contains("ProductReader") && page.contains("taxRate"), "{page}");
    assert!(
        page.contains("<code>/ordercalculate</code>") && page.contains("&lt;b&gt;tax engine down&lt;/b&gt;"),
        "{page}"
    );
    assert!(!page.contains(crate::support::shop::HASH_KEY), "the hash key is never shown: {page}");
    assert_eq!(b.get("/console/integration-events/no-such-event").await.0, 404);
    assert_eq!(b.get("/console/clients/no-such-client").await.0, 404);
    assert_eq!(other.get(&format!("/console/clients/{}", shop.client)).await.0, 403, "an API client reader's page");
}

#[tokio::test]
async fn the_deliveries_list_pages_with_its_filters_kept() {
    let s = TestServer::start().await;
    let rx = Receiver::start(None).await;
    let r = s
        .post(
            "/v2/integrations",
            json!({"data": {"type": "integration", "name": "clients", "enabled": true, "observes": ["api-client.created"],
                            "integration_type": "webhook", "configuration": {"url": rx.url}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let integration = r.body["data"]["id"].as_str().unwrap().to_owned();
    for n in 0..51 {
        let r = s.post("/v1/apiclients", json!({"AppName": format!("app {n}"), "AccessTokenDuration": 60})).await;
        assert_eq!(r.status, 201);
    }
    let mut b = Browser::new(&s);
    b.sign_in(ADMIN_ID, ADMIN_SECRET).await;
    let (_, _, list) = b.get(&format!("/console/deliveries?integration={integration}&from=2000-01-01T00:00")).await;
    assert!(list.contains("51 deliveries, showing 1–50"), "{list}");
    let next = list.split("href=\"/console/deliveries?").find(|part| part.contains("offset=50")).unwrap();
    let next = next.split('"').next().unwrap().replace("&amp;", "&");
    assert!(next.contains("from=2000-01-01T00%3A00") && next.contains(&format!("integration={integration}")), "{next}");
    let (status, _, page) = b.get(&format!("/console/deliveries?{next}")).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("51 deliveries, showing 51–51"), "the second page, same filters: {page}");
}
