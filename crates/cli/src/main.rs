//! `cartwire`: the server (`serve`), its migrations (`migrate`), operator commands that talk to
//! a running server (`deliveries`, `integrations`, `events`, `orders`, `clients`, `admin …`)
//! and shell completions.

// glibc malloc was a sixth of the server's CPU under load (arena locking and consolidation
// across the runtime's threads); mimalloc's thread-local heaps avoid most of it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bench;
mod bench_checkout;
mod config;
mod loadtest;
mod ops;

use anyhow::{Context, Result};
use cartwire_app::dispatcher::{DeliveryConfig, Dispatcher};
use cartwire_app::passwords::HashCost;
use cartwire_app::{App, AppConfig};
use cartwire_domain::delivery::RetryPolicy;
use cartwire_outbound::guard::TargetPolicy;
use cartwire_store::{Sealer, Store};
use clap::{Parser, Subcommand};
use config::{Common, FileConfig};
use std::time::Duration;

#[derive(Parser)]
#[command(name = "cartwire", version, about = "Self-hosted commerce order-and-integration engine")]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (migrates the store and creates the admin client on first start).
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate,
    /// Operator commands.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Measure the event pipeline: commits, deliveries to a loopback webhook, latency.
    Bench(bench::BenchArgs),
    /// Measure checkout with integration-event callouts over HTTP: checkouts/s, latency per step.
    BenchCheckout(bench_checkout::CheckoutBenchArgs),
    /// Measure the release binary over real HTTP: closed loop, burst and drain, open loop.
    Loadtest(loadtest::LoadArgs),
    /// Deliveries: list, show every attempt, retry (through a running server).
    Deliveries {
        #[command(flatten)]
        server: ops::Server,
        #[command(subcommand)]
        action: ops::deliveries::DeliveriesAction,
    },
    /// Integrations: list, replay a time range (through a running server).
    Integrations {
        #[command(flatten)]
        server: ops::Server,
        #[command(subcommand)]
        action: ops::integrations::IntegrationsAction,
    },
    /// The event log: tail, follow (through a running server).
    Events {
        #[command(flatten)]
        server: ops::Server,
        #[command(subcommand)]
        action: ops::events::EventsAction,
    },
    /// Orders from every API: list, show (through a running server).
    Orders {
        #[command(flatten)]
        server: ops::Server,
        #[command(subcommand)]
        action: ops::orders::OrdersAction,
    },
    /// API clients: list (through a running server).
    Clients {
        #[command(flatten)]
        server: ops::Server,
        #[command(subcommand)]
        action: ops::clients::ClientsAction,
    },
    /// Print a shell completion script (`cartwire completions bash > /etc/bash_completion.d/cartwire`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Write the OpenAPI 3.1 documents (the ones `/openapi/*.json` serves) into a directory.
    Openapi {
        /// Where to write `ordercloud.json`, `cartwire.json`, ….
        #[arg(long, default_value = ".")]
        out: std::path::PathBuf,
        /// The server URL the documents name (token URLs).
        #[arg(long, default_value = "http://localhost:8080")]
        public_base_url: String,
    },
    /// The load test's ceiling: a trivial HTTP handler in a process of its own.
    #[command(hide = true)]
    TrivialServer(loadtest::TrivialArgs),
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the bound address is printed).
    #[arg(long, env = "CARTWIRE_LISTEN")]
    listen: Option<String>,
    /// Public base URL (JWT issuer and audience, Location headers); defaults to http://LISTEN.
    #[arg(long, env = "CARTWIRE_PUBLIC_BASE_URL")]
    public_base_url: Option<String>,
    /// Admin client id to create on first start instead of a generated one.
    #[arg(long, env = "CARTWIRE_ADMIN_CLIENT_ID", requires = "admin_client_secret")]
    admin_client_id: Option<String>,
    /// Admin client secret to create on first start instead of a generated one.
    #[arg(long, env = "CARTWIRE_ADMIN_CLIENT_SECRET", hide_env_values = true, requires = "admin_client_id")]
    admin_client_secret: Option<String>,
    /// Allow integrations and callouts to target loopback, private and link-local addresses.
    #[arg(long, env = "CARTWIRE_ALLOW_PRIVATE_TARGETS")]
    allow_private_targets: bool,
    /// Per-attempt delivery timeout (e.g. `10s`, `500ms`).
    #[arg(long, env = "CARTWIRE_DELIVERY_TIMEOUT", default_value = "10s", value_parser = config::duration)]
    delivery_timeout: Duration,
    /// Delays before attempts 2, 3, … (comma-separated); after the last the delivery is dead.
    #[arg(long, env = "CARTWIRE_RETRY_SCHEDULE", default_value = "5s,5m,30m,2h,5h,10h,10h")]
    retry_schedule: String,
    /// Least wait after a timeout or a 429 (the retry schedule still caps it).
    #[arg(long, env = "CARTWIRE_RETRY_OVERLOAD_FLOOR", default_value = "60s", value_parser = config::duration)]
    retry_overload_floor: Duration,
    /// Most deliveries in flight per integration on this node.
    #[arg(long, env = "CARTWIRE_DELIVERY_CONCURRENCY", default_value_t = 16)]
    delivery_concurrency: usize,
    /// How long a claimed delivery stays with this node before another may take it over.
    #[arg(long, env = "CARTWIRE_DELIVERY_LEASE", default_value = "60s", value_parser = config::duration)]
    delivery_lease: Duration,
    /// How long a cart may stay untouched before it is marked abandoned (`cart.abandoned`).
    #[arg(long, env = "CARTWIRE_ABANDONED_AFTER", default_value = "60m", value_parser = config::duration)]
    abandoned_after: Duration,
    /// Deadline of one integration-event callout (the API caller waits for it; no retries).
    #[arg(long, env = "CARTWIRE_CALLOUT_TIMEOUT", default_value = "10s", value_parser = config::duration)]
    callout_timeout: Duration,
    /// The `Environment` integration-event callouts carry.
    #[arg(long, env = "CARTWIRE_ENVIRONMENT", default_value = "Sandbox",
          value_parser = ["Sandbox", "Staging", "Production"])]
    environment: String,
    /// Requests in flight past which new ones are answered 503 with `Retry-After` (load shedding).
    #[arg(long, env = "CARTWIRE_MAX_IN_FLIGHT", default_value_t = cartwire_api::shed::DEFAULT_MAX_IN_FLIGHT)]
    max_in_flight: usize,
    /// Password hashing cost: `standard`, or `test` for fast test suites only.
    #[arg(long, env = "CARTWIRE_PASSWORD_HASH_COST", default_value = "standard", hide = true)]
    password_hash_cost: String,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Generate a new JWT signing key; the old ones keep verifying the tokens they signed.
    RotateSigningKey,
    /// Storefront (Threekit) tokens, through a running server's operator API.
    Tokens {
        #[command(flatten)]
        server: ops::Server,
        #[command(subcommand)]
        action: ops::keys::TokenAction,
    },
    /// ActiveCampaign API keys, through a running server's operator API.
    ApiKeys {
        #[command(flatten)]
        server: ops::Server,
        #[command(subcommand)]
        action: ops::keys::KeyAction,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    init_logging();
    let file = FileConfig::load(cli.common.config.as_deref())?;
    match cli.command {
        Command::Serve(args) => serve(&cli.common, &file, *args).await,
        Command::Migrate => {
            let store = open_store(&cli.common, &file).await?;
            let applied = store.migrate().await?;
            if applied.is_empty() {
                println!("cartwire: the store is up to date");
            }
            for m in applied {
                println!("cartwire: applied migration {m}");
            }
            Ok(())
        }
        Command::Bench(args) => bench::run(args).await,
        Command::BenchCheckout(args) => bench_checkout::run(args).await,
        Command::Loadtest(args) => loadtest::run(args).await,
        Command::TrivialServer(args) => loadtest::trivial_server(args).await,
        Command::Deliveries { server, action } => ops::deliveries::run(&server, action).await,
        Command::Integrations { server, action } => ops::integrations::run(&server, action).await,
        Command::Events { server, action } => ops::events::run(&server, action).await,
        Command::Orders { server, action } => ops::orders::run(&server, action).await,
        Command::Clients { server, action } => ops::clients::run(&server, action).await,
        Command::Openapi { out, public_base_url } => {
            std::fs::create_dir_all(&out)?;
            for (name, _, doc) in cartwire_api::documents(&public_base_url).0 {
                let path = out.join(format!("{name}.json"));
                std::fs::write(&path, serde_json::to_vec_pretty(&doc)?)?;
                println!("{}", path.display());
            }
            Ok(())
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            use std::io::Write;
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "cartwire", &mut script);
            // A closed pipe (`| head`) is the reader's choice, not a failure.
            match std::io::stdout().write_all(&script) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
                _ => Ok(()),
            }
        }
        Command::Admin(AdminCommand::Tokens { server, action }) => ops::keys::tokens(&server, action).await,
        Command::Admin(AdminCommand::ApiKeys { server, action }) => ops::keys::api_keys(&server, action).await,
        Command::Admin(AdminCommand::RotateSigningKey) => {
            let store = open_store(&cli.common, &file).await?;
            store.migrate().await?;
            let ring = cartwire_app::keys::KeyRing::load_or_create(&store).await?;
            let kid = ring.rotate().await?;
            println!("cartwire: new signing key {kid}; servers pick it up within a minute");
            Ok(())
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if std::env::var("CARTWIRE_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn open_store(common: &Common, file: &FileConfig) -> Result<Store> {
    let settings = common.store_settings(file)?;
    let sealer = Sealer::new(&settings.master_key)?;
    Store::connect(&settings.database_url, sealer).await.context("connecting to the database")
}

async fn serve(common: &Common, file: &FileConfig, args: ServeArgs) -> Result<()> {
    let listen = args.listen.clone().or_else(|| file.listen.clone()).unwrap_or_else(|| "127.0.0.1:8080".into());
    let store = open_store(common, file).await?;
    for m in store.migrate().await? {
        tracing::info!(migration = %m, "applied migration");
    }
    let listener = tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("binding {listen}"))?;
    let bound = listener.local_addr()?;
    let base = match args.public_base_url.clone().or_else(|| file.public_base_url.clone()) {
        Some(url) => config::public_base_url(&url)?,
        None => format!("http://{bound}"),
    };
    let cost = match args.password_hash_cost.as_str() {
        "standard" => HashCost::Standard,
        "test" => HashCost::Test,
        other => anyhow::bail!("unknown password hash cost '{other}'"),
    };
    let delivery = DeliveryConfig {
        policy: TargetPolicy { allow_private: args.allow_private_targets },
        timeout: args.delivery_timeout,
        retry: RetryPolicy {
            delays: config::schedule(&args.retry_schedule).map_err(anyhow::Error::msg)?,
            jitter: 0.2,
            overload_floor: args.retry_overload_floor,
        },
        per_integration_concurrency: args.delivery_concurrency.max(1),
        lease: args.delivery_lease.max(args.delivery_timeout * 3),
        ..DeliveryConfig::default()
    };
    let app = App::new(
        store.clone(),
        AppConfig {
            public_base_url: base.clone(),
            password_cost: cost,
            delivery,
            abandoned_after: args.abandoned_after,
            callouts: cartwire_app::callout::CalloutConfig {
                deadline: args.callout_timeout,
                environment: args.environment.clone(),
            },
        },
    )
    .await?;
    let requested = match (args.admin_client_id, args.admin_client_secret) {
        (Some(client_id), Some(client_secret)) => {
            Some(cartwire_app::bootstrap::AdminCredentials { client_id, client_secret })
        }
        _ => None,
    };
    let boot = app.bootstrap(requested).await?;
    if let Some(creds) = boot.created_admin {
        println!("cartwire: created the admin API client (FullAccess). The secret is shown once: keep it now.");
        println!("  client_id:     {}", creds.client_id);
        println!("  client_secret: {}", creds.client_secret);
    }
    // Another node or `cartwire admin rotate-signing-key` may rotate the key: pick it up.
    let keys_app = app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        tick.tick().await;
        loop {
            tick.tick().await;
            if let Err(e) = keys_app.keys().reload().await {
                tracing::warn!(error = %e, "reloading signing keys failed");
            }
        }
    });
    let (stop_dispatch, dispatch_stopped) = tokio::sync::watch::channel(false);
    let dispatcher = Dispatcher::new(app.clone()).await?;
    let dispatching = tokio::spawn(dispatcher.run(dispatch_stopped.clone()));
    // Sweep often enough that a cart is marked within a quarter of the threshold (at most a minute).
    let sweep = (args.abandoned_after / 4).clamp(Duration::from_secs(1), Duration::from_secs(60));
    let abandoning = tokio::spawn(app.clone().run_abandonment(sweep, dispatch_stopped));
    println!("cartwire: listening on http://{bound} (public base URL {base}, {:?} store)", store.backend());
    let metrics = metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .map_err(|e| tracing::warn!(error = %e, "metrics disabled"))
        .ok();
    let options = cartwire_api::ServeOptions { metrics, max_in_flight: args.max_in_flight };
    cartwire_api::serve_with(listener, app, options, shutdown_signal()).await?;
    let _ = stop_dispatch.send(true);
    let _ = dispatching.await;
    let _ = abandoning.await;
    store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
