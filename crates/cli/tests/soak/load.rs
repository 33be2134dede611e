//! The soak's load: orders at a steady rate through every order entry point — a Threekit
//! storefront order, an ActiveCampaign shop order, an OrderCloud checkout (create, a line,
//! submit) — spread over the nodes the way a load balancer would (a request that cannot
//! connect goes to the next node; one that was sent is never resent, since it may have been
//! committed). An order counts as acknowledged when its final 2xx answer arrived whole.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// An order entry point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Entry {
    Threekit,
    ActiveCampaign,
    OrderCloud,
}

pub const ENTRIES: [Entry; 3] = [Entry::Threekit, Entry::ActiveCampaign, Entry::OrderCloud];

/// The credentials each entry point uses, made once by [`prepare`].
#[derive(Clone)]
pub struct Credentials {
    pub admin: String,
    threekit: String,
    api_key: String,
    shopper: String,
}

/// An acknowledged order.
pub struct Ack {
    pub id: String,
    pub entry: Entry,
    pub at: Instant,
    /// From the order's first request to its acknowledgement.
    pub took: Duration,
}

/// What the generator saw.
#[derive(Default)]
pub struct Outcome {
    pub acks: Mutex<Vec<Ack>>,
    /// Orders not acknowledged, by entry point and the reason (`HTTP 503`, `connection`, …).
    pub refused: Mutex<BTreeMap<(Entry, String), u64>>,
    /// The longest a refusal took (all of an order's requests), by reason: a database outage
    /// must be answered fast, not after a hang.
    pub slowest_refusal: Mutex<BTreeMap<String, Duration>>,
}

fn ok(res: reqwest::Response) -> Result<reqwest::Response, String> {
    if res.status().is_success() { Ok(res) } else { Err(format!("HTTP {}", res.status().as_u16())) }
}

async fn checked(req: reqwest::RequestBuilder) -> Value {
    let res = req.send().await.expect("set-up request");
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "set-up: {status} {body}");
    body
}

/// Everything the entry points need, made through node `base`: a Threekit private token, an
/// ActiveCampaign API key with a connection and a customer, and an OrderCloud marketplace
/// with a priced product and a shopper.
pub async fn prepare(http: &reqwest::Client, base: &str) -> Credentials {
    let admin = crate::nodes::token(http, base).await;
    let post = |path: &str, body: Value| http.post(format!("{base}{path}")).bearer_auth(&admin).json(&body);
    let threekit = checked(post("/cartwire/v1/tokens", json!({"kind": "private", "name": "soak"}))).await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let api_key =
        checked(post("/cartwire/v1/api-keys", json!({"name": "soak"}))).await["key"].as_str().unwrap().to_owned();
    let ac = |path: &str, body: Value| http.post(format!("{base}{path}")).header("Api-Token", &api_key).json(&body);
    checked(ac(
        "/api/3/connections",
        json!({"connection": {"service": "soak", "externalid": "soakstore", "name": "Soak store",
               "logoUrl": "https://example.com/logo.png", "linkUrl": "https://example.com/admin"}}),
    ))
    .await;
    checked(ac(
        "/api/3/ecomCustomers",
        json!({"ecomCustomer": {"connectionid": "1", "externalid": "c1", "email": "soak@example.com"}}),
    ))
    .await;
    for (path, body) in [
        (
            "/v1/priceschedules",
            json!({"ID": "ps", "Name": "Chairs", "Currency": "USD", "PriceBreaks": [{"Quantity": 1, "Price": 9.99}]}),
        ),
        ("/v1/products", json!({"ID": "chair", "Name": "Chair", "Active": true, "DefaultPriceScheduleID": "ps"})),
        ("/v1/buyers", json!({"ID": "b", "Name": "Buyer", "Active": true})),
        (
            "/v1/buyers/b/users",
            json!({"ID": "jane", "Username": "jane", "FirstName": "Jane", "LastName": "Doe",
                   "Email": "jane@example.com", "Active": true, "Password": "pass-word-123"}),
        ),
        ("/v1/securityprofiles", json!({"ID": "shopper", "Name": "Shopper", "Roles": ["Shopper"]})),
        ("/v1/securityprofiles/assignments", json!({"SecurityProfileID": "shopper", "BuyerID": "b"})),
    ] {
        checked(post(path, body)).await;
    }
    let client = checked(post(
        "/v1/apiclients",
        json!({"AppName": "Storefront", "Active": true, "AllowAnyBuyer": true, "AccessTokenDuration": 600}),
    ))
    .await["ID"]
        .as_str()
        .unwrap()
        .to_owned();
    let login = [
        ("grant_type", "password"),
        ("client_id", client.as_str()),
        ("username", "jane"),
        ("password", "pass-word-123"),
    ];
    let shopper = checked(http.post(format!("{base}/oauth/token")).form(&login)).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    Credentials { admin, threekit, api_key, shopper }
}

/// Sends a request to the nodes starting at `first`, moving on only when it could not connect.
async fn send(
    bases: &[String],
    first: usize,
    build: impl Fn(&str) -> reqwest::RequestBuilder,
) -> Result<reqwest::Response, String> {
    let mut last = String::new();
    for k in 0..bases.len() {
        match build(&bases[(first + k) % bases.len()]).send().await {
            Ok(res) => return Ok(res),
            Err(e) if e.is_connect() => last = "connection refused".into(),
            Err(e) => return Err(if e.is_timeout() { "timeout".into() } else { "connection lost".into() }),
        }
    }
    Err(last)
}

/// The whole answer's JSON, or why it is not an acknowledgement.
async fn body(res: Result<reqwest::Response, String>) -> Result<Value, String> {
    let res = ok(res?)?;
    res.json::<Value>().await.map_err(|_| "answer cut off".to_owned())
}

/// Places order `n` through `entry` on the node `n` maps to; the order's id when acknowledged.
async fn place(
    http: &reqwest::Client,
    bases: &[String],
    c: &Credentials,
    entry: Entry,
    n: u64,
) -> Result<String, String> {
    let first = n as usize % bases.len();
    match entry {
        Entry::Threekit => {
            let order = json!({"name": format!("soak {n}"), "cart": [{"configurationId": "chair", "count": 1,
                               "metadata": {"color": "red", "n": n.to_string()}}]});
            let v = body(
                send(bases, first, |b| http.post(format!("{b}/api/orders")).bearer_auth(&c.threekit).json(&order))
                    .await,
            )
            .await?;
            v["id"].as_str().map(str::to_owned).ok_or_else(|| "no id".into())
        }
        Entry::ActiveCampaign => {
            let order = json!({"ecomOrder": {"externalid": format!("soak-{n}"), "source": 1, "email": "soak@example.com",
                "orderProducts": [{"name": "Pogo", "price": 4900, "quantity": 1}], "totalPrice": 4900, "currency": "EUR",
                "connectionid": 1, "customerid": 1, "externalCreatedDate": "2026-11-01T10:00:00Z"}});
            let v = body(
                send(bases, first, |b| {
                    http.post(format!("{b}/api/3/ecomOrders")).header("Api-Token", &c.api_key).json(&order)
                })
                .await,
            )
            .await?;
            v["ecomOrder"]["id"].as_str().map(str::to_owned).ok_or_else(|| "no id".into())
        }
        Entry::OrderCloud => {
            let id = format!("soak-{n}");
            let path = format!("/v1/orders/Outgoing/{id}");
            body(
                send(bases, first, |b| {
                    http.post(format!("{b}/v1/orders/Outgoing")).bearer_auth(&c.shopper).json(&json!({"ID": id}))
                })
                .await,
            )
            .await?;
            let line = json!({"ProductID": "chair", "Quantity": 1});
            body(
                send(bases, first, |b| http.post(format!("{b}{path}/lineitems")).bearer_auth(&c.shopper).json(&line))
                    .await,
            )
            .await?;
            let v = body(send(bases, first, |b| http.post(format!("{b}{path}/submit")).bearer_auth(&c.shopper)).await)
                .await?;
            v["ID"].as_str().map(str::to_owned).ok_or_else(|| "no id".into())
        }
    }
}

/// Offers `orders` orders at `rate` a second (entry points in turn), at most 512 in flight.
pub async fn run(
    http: reqwest::Client,
    bases: Arc<Vec<String>>,
    c: Credentials,
    orders: u64,
    rate: f64,
) -> Arc<Outcome> {
    let outcome = Arc::new(Outcome::default());
    let in_flight = Arc::new(tokio::sync::Semaphore::new(512));
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..orders {
        tick.tick().await;
        let permit = in_flight.clone().acquire_owned().await.unwrap();
        let (http, bases, c, outcome) = (http.clone(), bases.clone(), c.clone(), outcome.clone());
        let entry = ENTRIES[n as usize % ENTRIES.len()];
        tasks.spawn(async move {
            let began = Instant::now();
            match place(&http, &bases, &c, entry, n).await {
                Ok(id) => {
                    outcome.acks.lock().unwrap().push(Ack { id, entry, at: Instant::now(), took: began.elapsed() })
                }
                Err(why) => {
                    let took = began.elapsed();
                    let mut slowest = outcome.slowest_refusal.lock().unwrap();
                    let longest = slowest.entry(why.clone()).or_default();
                    *longest = (*longest).max(took);
                    drop(slowest);
                    *outcome.refused.lock().unwrap().entry((entry, why)).or_default() += 1;
                }
            }
            drop(permit);
        });
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
    outcome
}
