//! A marketplace for checkout and return tests: one priced product, a buyer with two
//! shoppers, a storefront API client whose integration events point at a real middleware.

#![allow(dead_code)]

use super::middleware::{Middleware, Reply};
use super::{Response, TestServer};
use reqwest::Method;
use serde_json::{Value, json};

pub const HASH_KEY: &str = "supersecrethash";
pub const PASSWORD: &str = "pass-word-123";

/// A marketplace with one priced product, a buyer with shoppers, and a storefront API client.
pub struct Shop {
    pub s: TestServer,
    pub mw: Middleware,
    pub client: String,
}

impl Shop {
    /// Sets up the shop; `attach` names the client's integration-event fields to fill, each
    /// with an event of the matching type pointing at the middleware.
    pub async fn open(attach: &[&str]) -> Self {
        Self::open_on(TestServer::start().await, attach).await
    }

    pub async fn open_on(s: TestServer, attach: &[&str]) -> Self {
        let mw = Middleware::start(HASH_KEY).await;
        let ok = |r: &Response| assert!(r.status.is_success(), "{}", r.body);
        ok(&s
            .post(
                "/v1/priceschedules",
                json!({"ID": "ps", "Name": "Chairs", "Currency": "USD",
                       "PriceBreaks": [{"Quantity": 1, "Price": 9.99}, {"Quantity": 10, "Price": 8.5}]}),
            )
            .await);
        ok(&s
            .post(
                "/v1/products",
                json!({"ID": "chair", "Name": "Chair", "Active": true, "DefaultPriceScheduleID": "ps"}),
            )
            .await);
        ok(&s.post("/v1/buyers", json!({"ID": "b", "Name": "Buyer", "Active": true})).await);
        for u in ["jane", "joe"] {
            ok(&s
                .post(
                    "/v1/buyers/b/users",
                    json!({"ID": u, "Username": u, "FirstName": u, "LastName": "Doe", "Email": format!("{u}@example.com"),
                           "Active": true, "Password": PASSWORD}),
                )
                .await);
        }
        ok(&s.post("/v1/securityprofiles", json!({"ID": "shopper", "Name": "Shopper", "Roles": ["Shopper"]})).await);
        ok(&s.post("/v1/securityprofiles/assignments", json!({"SecurityProfileID": "shopper", "BuyerID": "b"})).await);
        let mut client = json!({"AppName": "Storefront", "Active": true, "AllowAnyBuyer": true,
                                "AccessTokenDuration": 60});
        for field in attach {
            let (id, kind) = match *field {
                "OrderCheckoutIntegrationEventID" => ("checkout", "OrderCheckout"),
                "AddToCartIntegrationEventID" => ("addtocart", "AddToCart"),
                "OrderReturnIntegrationEventID" => ("returns", "OrderReturn"),
                other => panic!("unknown attachment {other}"),
            };
            ok(&s
                .post(
                    "/v1/integrationEvents",
                    json!({"ID": id, "Name": id, "EventType": kind, "CustomImplementationUrl": mw.url,
                           "HashKey": HASH_KEY, "ElevatedRoles": ["ProductReader"], "ConfigData": {"taxRate": 0.1},
                           "CustomAuthHeaderName": "X-Api-Key", "CustomAuthHeaderValue": "mw-key"}),
                )
                .await);
            client[*field] = json!(id);
        }
        let r = s.post("/v1/apiclients", client).await;
        ok(&r);
        let client = r.body["ID"].as_str().unwrap().to_owned();
        Self { s, mw, client }
    }

    pub async fn login(&self, user: &str) -> String {
        let (status, body) = self
            .s
            .token_request(&[
                ("grant_type", "password"),
                ("client_id", &self.client),
                ("username", user),
                ("password", PASSWORD),
            ])
            .await;
        assert_eq!(status, 200, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn call(&self, token: &str, method: Method, path: &str, body: Option<Value>) -> Response {
        self.s.send(method, path, Some(token), body).await
    }

    /// Fixtures for every checkout path.
    pub fn script_checkout(&self) {
        self.mw.reply(
            "/shippingrates",
            Reply::Json(
                200,
                json!({"ShipEstimates": [{"ID": "est1", "ShipEstimateItems": [{"LineItemID": "line1", "Quantity": 2}],
                        "ShipMethods": [{"ID": "ground", "Name": "Ground", "Cost": 10, "EstimatedTransitDays": 5},
                                        {"ID": "air", "Name": "Air", "Cost": 25.5, "EstimatedTransitDays": 1}]}]}),
            ),
        );
        self.mw.reply(
            "/ordercalculate",
            Reply::Json(200, json!({"ShippingTotal": 12, "TaxTotal": 2.5, "FeeTotal": 0.25, "LineItemOverrides": []})),
        );
        for path in ["/ordersubmit", "/ordersubmitforapproval", "/orderapproved"] {
            self.mw.reply(path, Reply::Json(200, json!({"xp": {"erpId": format!("erp{path}")}})));
        }
    }
}

pub fn money(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

pub async fn event_keys(s: &TestServer, resource: &str) -> Vec<String> {
    let r = s.get(&format!("/cartwire/v1/events?resource_id={resource}&limit=100")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["data"].as_array().unwrap().iter().map(|e| e["key"].as_str().unwrap().to_owned()).collect()
}
