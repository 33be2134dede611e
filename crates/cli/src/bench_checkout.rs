//! `cartwire bench-checkout`: a load driver for checkout with integration-event callouts. It
//! starts the real server (router, use cases, store) and a signature-checking middleware on
//! loopback, then has concurrent shoppers each run whole checkouts over HTTP — create order,
//! add a line, estimate shipping, select a ship method, calculate, submit — and prints
//! checkouts per second and latency percentiles per step. It measures; it asserts nothing.

use anyhow::{Context, Result, bail};
use cartwire_app::bootstrap::AdminCredentials;
use cartwire_app::dispatcher::DeliveryConfig;
use cartwire_app::passwords::HashCost;
use cartwire_app::{App, AppConfig};
use cartwire_outbound::guard::TargetPolicy;
use cartwire_store::{Sealer, Store};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// `cartwire bench-checkout` options.
#[derive(Debug, clap::Args)]
pub struct CheckoutBenchArgs {
    /// Database to measure (default: a fresh SQLite file in a temporary directory).
    #[arg(long = "bench-database-url", env = "CARTWIRE_BENCH_DATABASE_URL")]
    database_url: Option<String>,
    /// Concurrent shoppers.
    #[arg(long, default_value_t = 16)]
    shoppers: usize,
    /// Checkouts per shopper.
    #[arg(long, default_value_t = 25)]
    checkouts: usize,
}

const HASH_KEY: &str = "bench-hash-key";
const STEPS: [&str; 6] = ["create order", "add line item", "estimateshipping", "shipmethods", "calculate", "submit"];

/// The middleware: verifies `X-oc-hash`, answers every checkout path.
async fn middleware() -> Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let app = axum::Router::new().route(
        "/{step}",
        axum::routing::post(
            |axum::extract::Path(step): axum::extract::Path<String>,
             headers: axum::http::HeaderMap,
             body: axum::body::Bytes| async move {
                let sent = headers.get("x-oc-hash").and_then(|v| v.to_str().ok()).unwrap_or("");
                if !cartwire_outbound::signing::verify_oc_hash(HASH_KEY, &body, sent) {
                    return (axum::http::StatusCode::UNAUTHORIZED, axum::Json(json!({})));
                }
                let answer = match step.as_str() {
                    "shippingrates" => {
                        json!({"ShipEstimates": [{"ID": "e", "ShipMethods": [{"ID": "ground", "Cost": 5}]}]})
                    }
                    "ordercalculate" => json!({"TaxTotal": 1.25}),
                    _ => json!({"xp": {"erp": "ok"}}),
                };
                (axum::http::StatusCode::OK, axum::Json(answer))
            },
        ),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}

async fn call(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Result<Value> {
    let mut req = http.request(method, format!("{base}{path}")).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await?;
    let status = res.status();
    let text = res.text().await?;
    if !status.is_success() {
        bail!("{path}: {status} {text}");
    }
    Ok(if text.is_empty() { Value::Null } else { serde_json::from_str(&text)? })
}

async fn token(http: &reqwest::Client, base: &str, form: &[(&str, &str)]) -> Result<String> {
    let v: Value = http.post(format!("{base}/oauth/token")).form(form).send().await?.json().await?;
    v["access_token"].as_str().map(str::to_owned).with_context(|| format!("token: {v}"))
}

/// Runs the benchmark and prints a Markdown table.
pub async fn run(args: CheckoutBenchArgs) -> Result<()> {
    let dir = crate::bench::tempfile_dir()?;
    let url = args.database_url.clone().unwrap_or_else(|| format!("sqlite://{}/bench.db?mode=rwc", dir.display()));
    let store = Store::connect(&url, Sealer::new(&Sealer::generate_key())?).await.context("connecting")?;
    store.migrate().await?;
    let backend = format!("{:?}", store.backend()).to_lowercase();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = App::new(
        store,
        AppConfig {
            public_base_url: base.clone(),
            password_cost: HashCost::Test,
            delivery: DeliveryConfig { policy: TargetPolicy { allow_private: true }, ..DeliveryConfig::default() },
            abandoned_after: Duration::from_secs(3600),
            callouts: Default::default(),
        },
    )
    .await?;
    app.bootstrap(Some(AdminCredentials { client_id: "BENCH".into(), client_secret: "bench-secret-123".into() }))
        .await?;
    let serving = app.clone();
    tokio::spawn(async move { cartwire_api::serve(listener, serving, std::future::pending()).await });
    let mw = middleware().await?;
    let http = reqwest::Client::builder().pool_max_idle_per_host(args.shoppers * 2).build()?;
    let admin = token(
        &http,
        &base,
        &[("grant_type", "client_credentials"), ("client_id", "BENCH"), ("client_secret", "bench-secret-123")],
    )
    .await?;
    let post = |path: &'static str, body: Value| {
        let (http, base, admin) = (http.clone(), base.clone(), admin.clone());
        async move { call(&http, &base, &admin, reqwest::Method::POST, path, Some(body)).await }
    };
    post("/v1/priceschedules", json!({"ID": "ps", "Name": "P", "PriceBreaks": [{"Quantity": 1, "Price": 9.99}]}))
        .await?;
    post("/v1/products", json!({"ID": "p", "Name": "P", "Active": true, "DefaultPriceScheduleID": "ps"})).await?;
    post("/v1/buyers", json!({"ID": "b", "Name": "B", "Active": true})).await?;
    post("/v1/securityprofiles", json!({"ID": "s", "Name": "S", "Roles": ["Shopper"]})).await?;
    post("/v1/securityprofiles/assignments", json!({"SecurityProfileID": "s", "BuyerID": "b"})).await?;
    post(
        "/v1/integrationEvents",
        json!({"ID": "ie", "Name": "ie", "EventType": "OrderCheckout",
                                         "CustomImplementationUrl": mw, "HashKey": HASH_KEY}),
    )
    .await?;
    let client = post(
        "/v1/apiclients",
        json!({"AppName": "shop", "Active": true, "AllowAnyBuyer": true,
                                                "AccessTokenDuration": 600, "OrderCheckoutIntegrationEventID": "ie"}),
    )
    .await?;
    let client = client["ID"].as_str().context("client id")?.to_owned();
    let mut tokens = Vec::new();
    for n in 0..args.shoppers {
        let user = format!("shopper{n}");
        call(
            &http,
            &base,
            &admin,
            reqwest::Method::POST,
            "/v1/buyers/b/users",
            Some(json!({"ID": user, "Username": user, "FirstName": "S", "LastName": "B", "Email": "s@example.com",
                         "Active": true, "Password": "bench-password-1"})),
        )
        .await?;
        tokens.push(
            token(
                &http,
                &base,
                &[
                    ("grant_type", "password"),
                    ("client_id", &client),
                    ("username", &user),
                    ("password", "bench-password-1"),
                ],
            )
            .await?,
        );
    }

    let started = Instant::now();
    let mut tasks = Vec::new();
    for (n, tok) in tokens.into_iter().enumerate() {
        let (http, base, checkouts) = (http.clone(), base.clone(), args.checkouts);
        tasks.push(tokio::spawn(async move {
            let mut timings: Vec<(usize, f64)> = Vec::new();
            for c in 0..checkouts {
                let id = format!("o{n}x{c}");
                let o = format!("/v1/orders/Outgoing/{id}");
                let steps: [(reqwest::Method, String, Option<Value>); 6] = [
                    (reqwest::Method::POST, "/v1/orders/Outgoing".into(), Some(json!({"ID": id}))),
                    (reqwest::Method::POST, format!("{o}/lineitems"), Some(json!({"ProductID": "p", "Quantity": 2}))),
                    (reqwest::Method::POST, format!("{o}/estimateshipping"), None),
                    (
                        reqwest::Method::POST,
                        format!("{o}/shipmethods"),
                        Some(json!({"ShipMethodSelections": [{"ShipEstimateID": "e", "ShipMethodID": "ground"}]})),
                    ),
                    (reqwest::Method::POST, format!("{o}/calculate"), None),
                    (reqwest::Method::POST, format!("{o}/submit"), None),
                ];
                for (step, (method, path, body)) in steps.into_iter().enumerate() {
                    let t = Instant::now();
                    call(&http, &base, &tok, method, &path, body).await?;
                    timings.push((step, t.elapsed().as_secs_f64() * 1000.0));
                }
            }
            anyhow::Ok(timings)
        }));
    }
    let mut per_step: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for t in tasks {
        for (step, ms) in t.await?? {
            per_step.entry(step).or_default().push(ms);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let total = args.shoppers * args.checkouts;
    println!(
        "\ncartwire bench-checkout on {backend}: {} shoppers × {} checkouts = {total} checkouts ({} HTTP calls, 4 of 6 steps call the middleware) in {elapsed:.1} s: {:.0} checkouts/s\n",
        args.shoppers,
        args.checkouts,
        total * STEPS.len(),
        total as f64 / elapsed
    );
    println!("| step | calls | p50 ms | p99 ms | max ms |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (step, mut v) in per_step {
        v.sort_by(f64::total_cmp);
        println!(
            "| {} | {} | {:.1} | {:.1} | {:.1} |",
            STEPS[step],
            v.len(),
            crate::bench::percentile(&v, 0.5),
            crate::bench::percentile(&v, 0.99),
            v.last().copied().unwrap_or(f64::NAN)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
