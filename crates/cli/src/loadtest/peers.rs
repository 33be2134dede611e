//! The load test's peers: the server under test as a child process (its CPU and RSS read
//! from /proc), the webhook receiver on loopback, the set-up every run needs (admin token,
//! storefront token, integration), and the trivial handler whose requests/s is the ceiling.

use super::LoadArgs;
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
pub(super) struct Receipts {
    pub(super) at: Mutex<HashMap<String, Instant>>,
    pub(super) total: AtomicU64,
    /// While true the receiver holds each request (an outage that fails nothing), so that a
    /// backlog builds up; `released` wakes the held ones.
    pub(super) held: std::sync::atomic::AtomicBool,
    pub(super) released: tokio::sync::Notify,
}

pub(super) async fn receiver(receipts: Arc<Receipts>) -> Result<String> {
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
pub(super) struct Server {
    pub(super) child: Child,
    pub(super) base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// (user + system CPU seconds, resident set in bytes) from /proc.
    pub(super) fn usage(&self) -> (f64, u64) {
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

pub(super) fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

pub(super) async fn wait_healthy(http: &reqwest::Client, base: &str, child: &mut Child) -> Result<()> {
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

pub(super) async fn start_server(args: &LoadArgs, dir: &std::path::Path) -> Result<Server> {
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
pub(super) async fn set_up(http: &reqwest::Client, base: &str, hook: &str) -> Result<String> {
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

/// Polls the server's RSS, keeping the peak since the last [`Peak::take`].
pub(super) struct Peak(Arc<AtomicU64>);

impl Peak {
    pub(super) fn watch(server: &Server) -> Self {
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

    pub(super) fn take(&self) -> u64 {
        self.0.swap(0, Ordering::Relaxed)
    }
}

pub(super) async fn ceiling(args: &LoadArgs) -> Result<f64> {
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
