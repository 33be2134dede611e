//! `cartwire loadtest`: measures cartwire the way a user meets it. It starts the server binary
//! as its own process (release build, default settings but for loopback targets), a webhook
//! receiver on loopback, and drives Threekit `POST /api/orders` with a private token over
//! keep-alive HTTP, with one Elastic Path webhook integration observing `order.created`.
//!
//! Phases: (a) closed loop, N connections for a while; (b) a burst of orders as fast as the
//! connections go, then the drain; (c) open loop at fixed rates. For each it prints orders/s,
//! HTTP latency, HTTP-response → webhook-receipt latency, the share delivered, deliveries/s,
//! the server's CPU per order (from /proc) and its peak RSS; and the requests/s of a trivial
//! handler in a process of its own, the ceiling of this machine's HTTP stack. It measures; it
//! asserts nothing.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
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

/// `cartwire trivial-server`: the ceiling's process, one handler that answers `ok`.
#[derive(Debug, clap::Args)]
pub struct TrivialArgs {
    /// Address to listen on.
    #[arg(long)]
    listen: String,
}

pub async fn trivial_server(args: TrivialArgs) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(&args.listen).await?;
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
    axum::serve(listener, app).await?;
    Ok(())
}

/// Receipt times of delivered orders, by order id.
#[derive(Default)]
struct Receipts {
    at: Mutex<HashMap<String, Instant>>,
    total: AtomicU64,
    /// While true the receiver holds each request (an outage that fails nothing), so that a
    /// backlog builds up; `released` wakes the held ones.
    held: std::sync::atomic::AtomicBool,
    released: tokio::sync::Notify,
}

async fn receiver(receipts: Arc<Receipts>) -> Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let receipts = receipts.clone();
            async move {
                // Held at most 8 s: under the server's default 10 s delivery timeout, so the
                // outage fails no attempt (a timeout would wait out the 60 s overload floor).
                let deadline = tokio::time::Instant::now() + Duration::from_secs(8);
                while receipts.held.load(Ordering::Acquire) {
                    let released = receipts.released.notified();
                    if !receipts.held.load(Ordering::Acquire) {
                        break;
                    }
                    if tokio::time::timeout_at(deadline, released).await.is_err() {
                        break;
                    }
                }
                let now = Instant::now();
                if let Ok(v) = serde_json::from_slice::<Value>(&body) {
                    let id = v["payload"]["data"]["id"].as_str().or(v["data"]["id"].as_str()).unwrap_or("");
                    receipts.total.fetch_add(1, Ordering::Relaxed);
                    receipts.at.lock().unwrap().entry(id.to_owned()).or_insert(now);
                }
                "ok"
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}

/// The server under test, as a child process.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// (user + system CPU seconds, resident set in bytes) from /proc.
    fn usage(&self) -> (f64, u64) {
        let pid = self.child.id();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // Fields after the command name, which is parenthesised and may hold spaces.
        let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
        let f: Vec<&str> = after.split_whitespace().collect();
        let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the name.
        let cpu = (ticks(11) + ticks(12)) / 100.0;
        let rss = f.get(21).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0) * 4096;
        (cpu, rss)
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

async fn wait_healthy(http: &reqwest::Client, base: &str, child: &mut Child) -> Result<()> {
    for _ in 0..300 {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        if let Some(status) = child.try_wait()? {
            bail!("the server exited: {status}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the server did not become healthy at {base}")
}

async fn start_server(args: &LoadArgs, dir: &std::path::Path) -> Result<Server> {
    let bin = match &args.server_bin {
        Some(b) => b.clone(),
        None => std::env::current_exe()?,
    };
    let port = free_port()?;
    let mut cmd = Command::new(bin);
    cmd.arg("serve")
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--allow-private-targets")
        .env("CARTWIRE_DATA_DIR", dir)
        .env("CARTWIRE_ADMIN_CLIENT_ID", "load-admin")
        .env("CARTWIRE_ADMIN_CLIENT_SECRET", "load-admin-secret-0123456789")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    match &args.database_url {
        Some(url) => cmd.env("DATABASE_URL", url),
        None => cmd.env_remove("DATABASE_URL"),
    };
    let child = cmd.spawn().context("start the server")?;
    let mut server = Server { child, base: format!("http://127.0.0.1:{port}") };
    let http = reqwest::Client::new();
    wait_healthy(&http, &server.base, &mut server.child).await?;
    Ok(server)
}

/// Admin token, a private Threekit token, and the webhook integration.
async fn set_up(http: &reqwest::Client, base: &str, hook: &str) -> Result<String> {
    let token: Value = http
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "load-admin"),
            ("client_secret", "load-admin-secret-0123456789"),
        ])
        .send()
        .await?
        .json()
        .await?;
    let admin = token["access_token"].as_str().context("admin token")?.to_owned();
    let tk: Value = http
        .post(format!("{base}/cartwire/v1/tokens"))
        .bearer_auth(&admin)
        .json(&json!({"kind": "private", "name": "load"}))
        .send()
        .await?
        .json()
        .await?;
    let private = tk["token"].as_str().context("private token")?.to_owned();
    let integration = json!({"data": {"type": "integration", "name": "load receiver", "enabled": true,
        "observes": ["order.created"], "integration_type": "webhook", "configuration": {"url": hook}}});
    let r = http.post(format!("{base}/v2/integrations")).bearer_auth(&admin).json(&integration).send().await?;
    if !r.status().is_success() {
        bail!("create the integration: {} {}", r.status(), r.text().await?);
    }
    Ok(private)
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
struct Sent {
    id: Option<String>,
    status: u16,
    latency: Duration,
    answered: Instant,
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

/// One line of the report.
struct Line {
    phase: String,
    sent: Vec<Sent>,
    wall: Duration,
    delivered_share: f64,
    deliveries_per_s: Option<f64>,
    cpu: f64,
    rss: u64,
    receipt: Vec<f64>,
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn summary(ms: &mut [f64]) -> String {
    ms.sort_by(f64::total_cmp);
    format!("{:.1} / {:.1} / {:.0}", pct(ms, 0.5), pct(ms, 0.99), ms.last().copied().unwrap_or(f64::NAN))
}

impl Line {
    fn render(mut self) -> String {
        let ok = self.sent.iter().filter(|s| s.status == 200).count();
        let shed = self.sent.iter().filter(|s| s.status == 503).count();
        let other = self.sent.len() - ok - shed;
        let mut http: Vec<f64> = self.sent.iter().map(|s| s.latency.as_secs_f64() * 1e3).collect();
        format!(
            "| {} | {:.0} | {} | {} | {:.1} % | {} | {:.0} | {:.0} | {ok} / {shed} / {other} |",
            self.phase,
            ok as f64 / self.wall.as_secs_f64(),
            summary(&mut http),
            summary(&mut self.receipt),
            self.delivered_share * 100.0,
            self.deliveries_per_s.map_or("–".into(), |d| format!("{d:.0}")),
            self.cpu / ok.max(1) as f64 * 1e6,
            self.rss as f64 / 1e6,
        )
    }
}

/// Polls the server's RSS, keeping the peak since the last [`Peak::take`].
struct Peak(Arc<AtomicU64>);

impl Peak {
    fn watch(server: &Server) -> Self {
        let pid = server.child.id();
        let peak = Arc::new(AtomicU64::new(0));
        let p = peak.clone();
        tokio::spawn(async move {
            loop {
                let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
                let Some(kb) = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                else {
                    return;
                };
                p.fetch_max(kb * 1024, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
        Self(peak)
    }

    fn take(&self) -> u64 {
        self.0.swap(0, Ordering::Relaxed)
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

async fn ceiling(args: &LoadArgs) -> Result<f64> {
    let bin = match &args.server_bin {
        Some(b) => b.clone(),
        None => std::env::current_exe()?,
    };
    let port = free_port()?;
    let child = Command::new(bin)
        .args(["trivial-server", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .spawn()?;
    let _guard = Server { child, base: String::new() };
    let http = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/");
    for _ in 0..100 {
        if http.get(&url).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let count = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.connections {
        let (http, url, count) = (http.clone(), url.clone(), count.clone());
        tasks.push(tokio::spawn(async move {
            while started.elapsed() < Duration::from_secs(5) {
                if let Ok(r) = http.get(&url).send().await
                    && r.bytes().await.is_ok()
                {
                    count.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    Ok(count.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
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
