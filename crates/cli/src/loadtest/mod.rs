//! `cartwire loadtest`: measures cartwire the way a user meets it. It starts the server binary
//! as its own process (release build, default settings but for loopback targets), a webhook
//! receiver on loopback, and drives Threekit `POST /api/orders` with a private token over
//! keep-alive HTTP, with one Elastic Path webhook integration observing `order.created`.
//!
//! Phases: (a) closed loop, N connections for a while; (b) a burst of orders as fast as the
//! connections go, then the drain; (b′) a backlog built while the receiver holds its requests,
//! then its drain; (c) open loop at fixed rates. For each it prints orders/s,
//! HTTP latency, HTTP-response → webhook-receipt latency, the share delivered, deliveries/s,
//! the server's CPU per order (from /proc) and its peak RSS; and the requests/s of a trivial
//! handler in a process of its own, the ceiling of this machine's HTTP stack. It measures; it
//! asserts nothing.

mod peers;
mod report;

pub use peers::{TrivialArgs, trivial_server};

use anyhow::{Result, bail};
use peers::{Peak, Receipts, ceiling, receiver, set_up, start_server};
use report::Line;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// `cartwire loadtest` options.
#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    /// The server binary to measure (default: this binary).
    #[arg(long)]
    server_bin: Option<std::path::PathBuf>,
    /// Database of the server (default: a fresh SQLite file in a temporary directory).
    #[arg(long = "load-database-url", env = "CARTWIRE_LOAD_DATABASE_URL")]
    database_url: Option<String>,
    /// Keep-alive connections of the closed-loop and burst phases.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Length of the closed-loop phase.
    #[arg(long, default_value = "25s", value_parser = crate::config::duration)]
    closed: Duration,
    /// Orders of the burst phase.
    #[arg(long, default_value_t = 50_000)]
    burst: usize,
    /// Orders of the backlog phase (sent while the receiver holds its requests; then the
    /// dispatcher's drain rate is measured).
    #[arg(long, default_value_t = 10_000)]
    backlog: usize,
    /// Offered rates of the open-loop phases (orders per second).
    #[arg(long, value_delimiter = ',', default_value = "200,1000,2000")]
    rates: Vec<u64>,
    /// Length of each open-loop phase.
    #[arg(long, default_value = "60s", value_parser = crate::config::duration)]
    open: Duration,
    /// Skip the trivial-handler ceiling measurement.
    #[arg(long)]
    no_ceiling: bool,
    /// Fail (exit non-zero) unless every request was answered 200 and every acknowledged
    /// order reached the receiver (waiting up to two minutes at the end). Checks correctness
    /// under load, never a time: the short form in scripts/test uses it.
    #[arg(long)]
    check: bool,
}

/// One order as a storefront sends it: one cart line, ~230 bytes of metadata.
fn order_body(n: u64) -> String {
    json!({
        "name": format!("Load order {n}"),
        "platform": {"id": n.to_string(), "platform": "shopify", "storeName": "load-store"},
        "cart": [{"configurationId": "8d7c1a2e-4a5b-4c3d-9e8f-0a1b2c3d4e5f", "count": 1,
                  "metadata": {"SKU": "CHAIR-1", "Finish": "Walnut", "Fabric": "Linen, natural",
                               "Width": "180 cm", "Depth": "95 cm", "Legs": "Brushed steel",
                               "Note": "Deliver to the side entrance; call ahead."}}],
        "metadata": {"channel": "web", "campaign": "winter"},
        "status": "New"
    })
    .to_string()
}

/// What one request saw.
pub(super) struct Sent {
    pub(super) id: Option<String>,
    pub(super) status: u16,
    pub(super) latency: Duration,
    pub(super) answered: Instant,
}

struct Driver {
    http: reqwest::Client,
    base: String,
    token: String,
    seq: AtomicU64,
}

impl Driver {
    async fn send(&self) -> Sent {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let res = self
            .http
            .post(format!("{}/api/orders", self.base))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(order_body(n))
            .send()
            .await;
        let (status, id) = match res {
            Ok(r) => {
                let status = r.status().as_u16();
                let body: Value = r.json().await.unwrap_or(Value::Null);
                (status, body["id"].as_str().map(str::to_owned))
            }
            Err(_) => (0, None),
        };
        let answered = Instant::now();
        Sent { id: id.filter(|_| status == 200), status, latency: answered - started, answered }
    }
}

fn receipt_latencies(sent: &[Sent], receipts: &Receipts) -> (usize, Vec<f64>) {
    let at = receipts.at.lock().unwrap();
    let mut lat = Vec::new();
    for s in sent {
        if let Some(r) = s.id.as_ref().and_then(|id| at.get(id)) {
            // A receipt can precede the client reading the response: that counts as 0.
            lat.push(r.saturating_duration_since(s.answered).as_secs_f64() * 1e3);
        }
    }
    (lat.len(), lat)
}

async fn closed_loop(
    d: &Arc<Driver>,
    connections: usize,
    until: impl Fn(usize, Instant) -> bool + Send + Sync + 'static,
) -> Vec<Sent> {
    let until = Arc::new(until);
    let count = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (d, until, count) = (d.clone(), until.clone(), count.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            while !until(count.fetch_add(1, Ordering::Relaxed), started) {
                out.push(d.send().await);
            }
            out
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    all
}

async fn open_loop(d: &Arc<Driver>, rate: u64, length: Duration) -> Vec<Sent> {
    let started = Instant::now();
    let total = (rate as f64 * length.as_secs_f64()) as u64;
    let mut tasks = Vec::with_capacity(total as usize);
    for i in 0..total {
        let due = started + Duration::from_secs_f64(i as f64 / rate as f64);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            tokio::time::sleep(wait).await;
        }
        let d = d.clone();
        tasks.push(tokio::spawn(async move { d.send().await }));
    }
    let mut all = Vec::with_capacity(tasks.len());
    for t in tasks {
        if let Ok(s) = t.await {
            all.push(s);
        }
    }
    all
}

async fn wait_delivered(sent: &[Sent], receipts: &Receipts, limit: Duration) -> Duration {
    let want = sent.iter().filter(|s| s.id.is_some()).count();
    let started = Instant::now();
    while started.elapsed() < limit {
        if receipt_latencies(sent, receipts).0 >= want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    started.elapsed()
}

pub async fn run(args: LoadArgs) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("cartwire-load-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    let receipts = Arc::new(Receipts::default());
    let hook = receiver(receipts.clone()).await?;
    let server = start_server(&args, &dir).await?;
    let http = reqwest::Client::builder().pool_max_idle_per_host(4096).build()?;
    let token = set_up(&http, &server.base, &hook).await?;
    let backend = if args.database_url.is_some() { "PostgreSQL" } else { "SQLite" };
    let d = Arc::new(Driver { http, base: server.base.clone(), token, seq: AtomicU64::new(0) });
    let peak = Peak::watch(&server);

    println!("cartwire loadtest — {backend}, {} cores, {}", num_cpus(), time::OffsetDateTime::now_utc().date());
    println!();
    println!(
        "| phase | orders/s | HTTP p50 / p99 / max ms | response→receipt p50 / p99 / max ms | delivered | deliveries/s | server CPU µs/order | peak RSS MB | 200 / 503 / other |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");

    // Every acknowledged order and every answer other than 200, over all phases (for --check).
    let tally = std::cell::RefCell::new((Vec::<String>::new(), 0usize));
    let measure = |phase: String, sent: Vec<Sent>, wall: Duration, cpu: f64, deliveries_per_s: Option<f64>| {
        {
            let mut t = tally.borrow_mut();
            t.0.extend(sent.iter().filter_map(|s| s.id.clone()));
            t.1 += sent.iter().filter(|s| s.status != 200).count();
        }
        let (delivered, receipt) = receipt_latencies(&sent, &receipts);
        let ok = sent.iter().filter(|s| s.id.is_some()).count();
        Line {
            phase,
            delivered_share: delivered as f64 / ok.max(1) as f64,
            sent,
            wall,
            deliveries_per_s,
            cpu,
            rss: peak.take(),
            receipt,
        }
    };

    // (a) closed loop.
    peak.take();
    let (cpu0, _) = server.usage();
    let t0 = Instant::now();
    let length = args.closed;
    let sent = closed_loop(&d, args.connections, move |_, started| started.elapsed() >= length).await;
    let wall = t0.elapsed();
    let (cpu1, _) = server.usage();
    wait_delivered(&sent, &receipts, Duration::from_secs(120)).await;
    let line = measure(
        format!("closed loop, {} connections, {}s", args.connections, length.as_secs()),
        sent,
        wall,
        cpu1 - cpu0,
        None,
    );
    println!("{}", line.render());

    // (b) burst, then drain.
    let (cpu0, _) = server.usage();
    let t0 = Instant::now();
    let burst = args.burst;
    let sent = closed_loop(&d, args.connections, move |n, _| n >= burst).await;
    let wall = t0.elapsed();
    let (cpu1, _) = server.usage();
    let during = receipt_latencies(&sent, &receipts).0;
    let drain = wait_delivered(&sent, &receipts, Duration::from_secs(300)).await;
    let ok = sent.iter().filter(|s| s.id.is_some()).count().max(1);
    let phase = format!(
        "burst of {burst}: {:.0} % delivered during ingest, drain {:.1} s",
        during as f64 / ok as f64 * 100.0,
        drain.as_secs_f64()
    );
    let delivered_per_s = ok as f64 / (wall + drain).as_secs_f64();
    let line = measure(phase, sent, wall, cpu1 - cpu0, Some(delivered_per_s));
    println!("{}", line.render());

    // (b') backlog: the receiver holds every request while the orders go in, then lets go;
    // deliveries/s is the dispatcher's drain rate with work always waiting.
    receipts.held.store(true, Ordering::Release);
    let (cpu0, _) = server.usage();
    let t0 = Instant::now();
    let backlog = args.backlog;
    let sent = closed_loop(&d, args.connections, move |n, _| n >= backlog).await;
    let wall = t0.elapsed();
    let at_release = receipts.total.load(Ordering::Relaxed);
    receipts.held.store(false, Ordering::Release);
    receipts.released.notify_waiters();
    let drain = wait_delivered(&sent, &receipts, Duration::from_secs(300)).await;
    let (cpu1, _) = server.usage();
    let drained = receipts.total.load(Ordering::Relaxed) - at_release;
    let phase = format!("backlog of {backlog} while the receiver holds, then the drain ({:.1} s)", drain.as_secs_f64());
    let line = measure(phase, sent, wall, cpu1 - cpu0, Some(drained as f64 / drain.as_secs_f64().max(1e-3)));
    println!("{}", line.render());

    // (c) open loop at each rate.
    for &rate in &args.rates {
        peak.take();
        let (cpu0, _) = server.usage();
        let t0 = Instant::now();
        let sent = open_loop(&d, rate, args.open).await;
        let wall = t0.elapsed();
        let (cpu1, _) = server.usage();
        // What was delivered within 3 s of the end; then let the rest drain before the next phase.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let phase = format!("open loop {rate}/s for {}s (delivered within 3 s of the end)", args.open.as_secs());
        let line = measure(phase, sent, wall, cpu1 - cpu0, None);
        println!("{}", line.render());
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    if args.check {
        let (acknowledged, failed) = tally.into_inner();
        let sent: Vec<Sent> = acknowledged
            .into_iter()
            .map(|id| Sent { id: Some(id), status: 200, latency: Duration::ZERO, answered: Instant::now() })
            .collect();
        wait_delivered(&sent, &receipts, Duration::from_secs(120)).await;
        let delivered = receipt_latencies(&sent, &receipts).0;
        println!();
        println!("check: {} acknowledged, {delivered} delivered, {failed} answers other than 200", sent.len());
        if failed > 0 || delivered < sent.len() {
            bail!(
                "the check failed: {failed} answers other than 200, {} acknowledged orders not delivered",
                sent.len() - delivered
            );
        }
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);

    if !args.no_ceiling {
        let c = ceiling(&args).await?;
        println!();
        println!(
            "Ceiling: a trivial axum handler in its own process answers {c:.0} requests/s with {} connections.",
            args.connections
        );
    }
    Ok(())
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}
