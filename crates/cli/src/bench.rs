//! `cartwire bench`: a load driver for the event pipeline. It commits events through the real
//! store (one transaction per event, as a business write does), lets the real dispatcher
//! deliver them to a webhook receiver on loopback, and prints throughput and commit-to-receipt
//! latency percentiles. It measures; it asserts nothing.

use anyhow::{Context, Result};
use cartwire_app::dispatcher::{DeliveryConfig, Dispatcher};
use cartwire_app::passwords::HashCost;
use cartwire_app::{App, AppConfig};
use cartwire_domain::event::NewEvent;
use cartwire_domain::integration::{Integration, IntegrationConfig, Observes};
use cartwire_outbound::guard::TargetPolicy;
use cartwire_store::{Sealer, Store};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `cartwire bench` options.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Database to measure (default: a fresh SQLite file in a temporary directory).
    #[arg(long = "bench-database-url", env = "CARTWIRE_BENCH_DATABASE_URL")]
    database_url: Option<String>,
    /// Events in the burst phase.
    #[arg(long, default_value_t = 10_000)]
    events: usize,
    /// Offered rate of the steady phase (events per second).
    #[arg(long, default_value_t = 1_000)]
    rate: usize,
    /// Length of the steady phase.
    #[arg(long, default_value = "10s", value_parser = crate::config::duration)]
    duration: Duration,
    /// Webhook integrations observing every event (deliveries = events × integrations).
    #[arg(long, default_value_t = 1)]
    integrations: usize,
    /// Concurrent committers in the burst phase.
    #[arg(long, default_value_t = 16)]
    emitters: usize,
    /// Deliveries in flight per integration.
    #[arg(long, default_value_t = 64)]
    delivery_concurrency: usize,
}

#[derive(Default)]
struct Clock {
    committed: HashMap<String, Instant>,
    received: HashMap<String, Instant>,
}

struct Row {
    phase: String,
    events: usize,
    deliveries: usize,
    commit_rate: f64,
    delivery_rate: f64,
    p50: f64,
    p99: f64,
    max: f64,
}

async fn receiver(clock: Arc<Mutex<Clock>>) -> Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let clock = clock.clone();
            async move {
                let now = Instant::now();
                if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body)
                    && let (Some(id), Some(i)) = (v["payload"]["data"]["id"].as_str(), v["integration"]["id"].as_str())
                {
                    clock.lock().expect("clock").received.entry(format!("{i}/{id}")).or_insert(now);
                }
                "ok"
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}

async fn emit(store: &Store, clock: &Arc<Mutex<Clock>>, id: String) -> Result<()> {
    let mut tx = store.begin().await?;
    tx.append_events(&[NewEvent::change(
        "api-client",
        cartwire_domain::event::Change::Created,
        id.clone(),
        json!({"id": id, "bench": true}),
    )])
    .await?;
    tx.commit().await?;
    clock.lock().expect("clock").committed.insert(id, Instant::now());
    Ok(())
}

/// Commits `ids` from `emitters` concurrent tasks.
async fn burst(store: &Store, clock: &Arc<Mutex<Clock>>, ids: &[String], emitters: usize) -> Result<()> {
    let mut tasks = Vec::new();
    for chunk in ids.chunks(ids.len().div_ceil(emitters.max(1)).max(1)) {
        let (store, clock, chunk) = (store.clone(), clock.clone(), chunk.to_vec());
        tasks.push(tokio::spawn(async move {
            for id in chunk {
                emit(&store, &clock, id).await?;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(())
}

pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn settle(
    clock: &Arc<Mutex<Clock>>,
    ids: &[String],
    integrations: &[String],
    started: Instant,
    phase: &str,
    commit_secs: f64,
) -> Row {
    let want = ids.len() * integrations.len();
    let deadline = Instant::now() + Duration::from_secs(300);
    let keys: Vec<String> = ids.iter().flat_map(|id| integrations.iter().map(move |i| format!("{i}/{id}"))).collect();
    loop {
        let got = {
            let c = clock.lock().expect("clock");
            keys.iter().filter(|k| c.received.contains_key(*k)).count()
        };
        if got >= want || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let c = clock.lock().expect("clock");
    let mut latencies = Vec::with_capacity(want);
    let mut last = started;
    for id in ids {
        let Some(committed) = c.committed.get(id) else { continue };
        for i in integrations {
            if let Some(r) = c.received.get(&format!("{i}/{id}")) {
                latencies.push(r.saturating_duration_since(*committed).as_secs_f64() * 1000.0);
                last = last.max(*r);
            }
        }
    }
    latencies.sort_by(f64::total_cmp);
    Row {
        phase: phase.to_owned(),
        events: ids.len(),
        deliveries: latencies.len(),
        commit_rate: ids.len() as f64 / commit_secs,
        delivery_rate: latencies.len() as f64 / last.duration_since(started).as_secs_f64(),
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
        max: latencies.last().copied().unwrap_or(f64::NAN),
    }
}

/// Runs the burst and steady phases and prints the table.
pub async fn run(args: BenchArgs) -> Result<()> {
    let dir = tempfile_dir()?;
    let url = args.database_url.clone().unwrap_or_else(|| format!("sqlite://{}/bench.db?mode=rwc", dir.display()));
    let store = Store::connect(&url, Sealer::new(&Sealer::generate_key())?).await.context("connecting")?;
    store.migrate().await?;
    let backend = format!("{:?}", store.backend()).to_lowercase();
    let delivery = DeliveryConfig {
        policy: TargetPolicy { allow_private: true },
        per_integration_concurrency: args.delivery_concurrency,
        poll_interval: Duration::from_millis(100),
        ..DeliveryConfig::default()
    };
    let app = App::new(
        store.clone(),
        AppConfig {
            public_base_url: "http://bench.invalid".into(),
            password_cost: HashCost::Test,
            delivery,
            abandoned_after: Duration::from_secs(3600),
            callouts: Default::default(),
        },
    )
    .await?;
    let clock = Arc::new(Mutex::new(Clock::default()));
    let url = receiver(clock.clone()).await?;
    let mut integration_ids = Vec::new();
    {
        let mut tx = store.begin().await?;
        for n in 0..args.integrations {
            let now = time::OffsetDateTime::now_utc();
            let i = Integration {
                id: uuid::Uuid::new_v4().to_string(),
                name: format!("bench {n}"),
                description: String::new(),
                enabled: true,
                observes: Observes::parse(&["api-client.created".to_owned()]).expect("known key"),
                config: IntegrationConfig::Webhook {
                    url: url.clone(),
                    secret_key: Some(cartwire_domain::integration::Secret::new("whsec_YmVuY2g=")),
                },
                ordered_delivery: false,
                created_at: now,
                updated_at: now,
            };
            tx.insert_integration(&i).await?;
            integration_ids.push(i.id);
        }
        tx.commit().await?;
    }
    eprintln!(
        "cartwire bench: {backend}, {} integration(s), {} events per burst, then {} events/s for {:?}",
        args.integrations, args.events, args.rate, args.duration
    );
    let mut rows = Vec::new();

    // Backlog: commit the events with no dispatcher running, then time how fast it drains them.
    let ids: Vec<String> = (0..args.events).map(|n| format!("backlog-{n}")).collect();
    let started = Instant::now();
    burst(&store, &clock, &ids, args.emitters).await?;
    let commit_secs = started.elapsed().as_secs_f64();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let drain_started = Instant::now();
    let dispatching = tokio::spawn(Dispatcher::new(app.clone()).await?.run(stopped));
    let mut row = settle(&clock, &ids, &integration_ids, drain_started, "backlog drain", commit_secs).await;
    // Latency here is time spent queued before the dispatcher started, not the pipeline's.
    (row.p50, row.p99, row.max) = (f64::NAN, f64::NAN, f64::NAN);
    rows.push(row);

    // Burst: as fast as the emitters can commit, delivering at the same time.
    let ids: Vec<String> = (0..args.events).map(|n| format!("burst-{n}")).collect();
    let started = Instant::now();
    burst(&store, &clock, &ids, args.emitters).await?;
    let commit_secs = started.elapsed().as_secs_f64();
    rows.push(settle(&clock, &ids, &integration_ids, started, "burst", commit_secs).await);

    // Steady: a fixed offered rate, paced every millisecond.
    let total = (args.rate as f64 * args.duration.as_secs_f64()) as usize;
    let ids: Vec<String> = (0..total).map(|n| format!("steady-{n}")).collect();
    let started = Instant::now();
    let limit = Arc::new(tokio::sync::Semaphore::new(256));
    let mut tasks = Vec::new();
    for (n, id) in ids.iter().enumerate() {
        let due = started + Duration::from_secs_f64(n as f64 / args.rate as f64);
        tokio::time::sleep_until(due.into()).await;
        let permit = limit.clone().acquire_owned().await?;
        let (store, clock, id) = (store.clone(), clock.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            let r = emit(&store, &clock, id).await;
            drop(permit);
            r
        }));
    }
    for t in tasks {
        t.await??;
    }
    let commit_secs = started.elapsed().as_secs_f64();
    rows.push(settle(&clock, &ids, &integration_ids, started, &format!("steady {}/s", args.rate), commit_secs).await);

    println!("| backend | phase | events | deliveries | committed/s | delivered/s | p50 ms | p99 ms | max ms |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {backend} | {} | {} | {} | {:.0} | {:.0} | {:.1} | {:.1} | {:.1} |",
            r.phase, r.events, r.deliveries, r.commit_rate, r.delivery_rate, r.p50, r.p99, r.max
        );
    }
    let _ = stop.send(true);
    let _ = dispatching.await;
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

pub(crate) fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("cartwire-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
