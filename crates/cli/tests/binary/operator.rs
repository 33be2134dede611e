//! The operator CLI against a real server: a webhook that fails until its delivery dies, the
//! dead letter found, shown and retried from the command line, a replay drained, the event log
//! tailed, orders and clients listed — tables for people, `--json` for scripts, and a refusal
//! exiting non-zero with the server's message.

use super::support;
use super::{cartwire, start};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;
use support::receiver::{Mode, Receiver};
use tokio::process::Command;

const ID: &str = "OPS-ADMIN";
const SECRET: &str = "ops-secret";

/// Runs `cartwire ARGS --url BASE` with the admin credentials; (success, stdout, stderr).
async fn cli(dir: &Path, base: &str, args: &[&str]) -> (bool, String, String) {
    let mut c: Command = cartwire(dir);
    c.args(args).args(["--url", base]).env("CARTWIRE_CLIENT_ID", ID).env("CARTWIRE_CLIENT_SECRET", SECRET);
    let out = c.output().await.unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs a `--json` command that must succeed and parses its output.
async fn json_of(dir: &Path, base: &str, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let (ok, out, err) = cli(dir, base, &all).await;
    assert!(ok, "{args:?} failed: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {out}"))
}

async fn until_json(dir: &Path, base: &str, args: &[&str], what: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..200 {
        let v = json_of(dir, base, args).await;
        if done(&v) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen in time");
}

#[tokio::test]
async fn the_operator_cli_finds_shows_retries_and_replays_deliveries_and_reads_orders_and_events() {
    let dir = tempfile::tempdir().unwrap();
    let url = support::database_url(dir.path()).await;
    let mut cmd = cartwire(dir.path());
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--allow-private-targets", "--retry-schedule", "50ms,50ms"])
        .args(["--delivery-timeout", "2s"])
        .env("DATABASE_URL", &url)
        .env("CARTWIRE_ADMIN_CLIENT_ID", ID)
        .env("CARTWIRE_ADMIN_CLIENT_SECRET", SECRET);
    let server = start(cmd).await;
    let base = server.base.clone();
    let d = dir.path();
    let http = reqwest::Client::new();

    // A webhook integration whose receiver fails, and an order that it must hear about.
    let rx = Receiver::start(None).await;
    rx.set_mode(Mode::Fail);
    let token = http
        .post(format!("{base}/oauth/token"))
        .form(&[("grant_type", "client_credentials"), ("client_id", ID), ("client_secret", SECRET)])
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let data = json!({"type": "integration", "name": "erp-hook", "enabled": true, "observes": ["order.created"],
                      "integration_type": "webhook", "configuration": {"url": rx.url}});
    let res = http
        .post(format!("{base}/v2/integrations"))
        .bearer_auth(&token)
        .json(&json!({"data": data}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let integration = res.json::<Value>().await.unwrap()["data"]["id"].as_str().unwrap().to_owned();
    let private = json_of(d, &base, &["admin", "tokens", "create", "--kind", "private", "--name", "shop"]).await;
    let res = http
        .post(format!("{base}/api/orders"))
        .bearer_auth(private["token"].as_str().unwrap())
        .json(&json!({"name": "Chair order", "cart": [{"configurationId": "chair", "count": 2}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let order = res.json::<Value>().await.unwrap();
    let order_id = order["id"].as_str().unwrap().to_owned();

    // The delivery dies (three failed attempts) and the CLI finds it.
    let dead = until_json(d, &base, &["deliveries", "list", "--status", "dead"], "the delivery dying", |v| {
        v.as_array().is_some_and(|a| a.len() == 1)
    })
    .await;
    let delivery = dead[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(dead[0]["integration_id"], integration.as_str());
    let (ok, table, _) = cli(d, &base, &["deliveries", "show", &delivery]).await;
    assert!(ok);
    assert!(table.contains("dead") && table.contains("failed") && table.contains("500"), "{table}");
    let shown = json_of(d, &base, &["deliveries", "show", &delivery]).await;
    assert_eq!(shown["attempt_log"].as_array().unwrap().len(), 3, "every attempt: {shown}");

    // With the receiver back, a retry from the CLI delivers it.
    rx.set_mode(Mode::Ok);
    let (ok, out, err) = cli(d, &base, &["deliveries", "retry", &delivery]).await;
    assert!(ok, "{err}");
    assert!(out.contains("due again"), "{out}");
    until_json(d, &base, &["deliveries", "list", "--status", "succeeded"], "the retried delivery arriving", |v| {
        v.as_array().is_some_and(|a| a.len() == 1)
    })
    .await;
    assert_eq!(rx.accepted().len(), 1);

    // A replay of the day sends it again and waits until it has drained.
    let (ok, table, _) = cli(d, &base, &["integrations", "list"]).await;
    assert!(ok && table.contains("erp-hook") && table.contains("webhook"), "{table}");
    let now = time::OffsetDateTime::now_utc();
    let rfc = |t: time::OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).unwrap();
    let (from, to) = (rfc(now - time::Duration::hours(1)), rfc(now + time::Duration::hours(1)));
    let (ok, out, err) = cli(d, &base, &["integrations", "replay", &integration, "--from", &from, "--to", &to]).await;
    assert!(ok, "{err}");
    assert!(out.contains("1 deliveries requeued"), "{out}");
    assert_eq!(rx.accepted().len(), 2, "the replay was delivered before the command returned");

    // The event log, orders across APIs, clients.
    let (ok, out, _) = cli(d, &base, &["events", "tail", "--key", "order.*", "--json"]).await;
    assert!(ok);
    let keys: Vec<Value> = out.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["key"].clone()).collect();
    assert_eq!(keys, [json!("order.created")], "{out}");
    let (ok, table, _) = cli(d, &base, &["orders", "list"]).await;
    assert!(ok && table.contains(&order_id) && table.contains("threekit") && table.contains("placed"), "{table}");
    let listed = json_of(d, &base, &["orders", "list", "--source", "threekit", "--from", &from, "--to", &to]).await;
    assert_eq!(listed.as_array().map(|a| a.len()), Some(1), "{listed}");
    let listed = json_of(d, &base, &["orders", "list", "--source", "activecampaign"]).await;
    assert_eq!(listed, json!([]), "no ActiveCampaign order was made");
    let shown = json_of(d, &base, &["orders", "show", order["shortId"].as_str().unwrap()]).await;
    assert_eq!((shown["id"].as_str(), shown["line_items"][0]["quantity"].as_i64()), (Some(order_id.as_str()), Some(2)));
    assert_eq!(shown["events"][0]["key"], "order.created");
    let (ok, table, _) = cli(d, &base, &["clients", "list"]).await;
    assert!(ok && table.contains(ID), "{table}");

    // Refusals exit non-zero with the server's message.
    let (ok, _, err) = cli(d, &base, &["deliveries", "show", "no-such-delivery"]).await;
    assert!(!ok && err.contains("404") && err.contains("not found"), "{err}");
    let (ok, _, err) = cli(d, &base, &["orders", "list", "--status", "shipped"]).await;
    assert!(!ok && err.contains("status must be one of"), "{err}");
    let mut wrong = cartwire(d);
    wrong.args(["clients", "list", "--url", &base, "--client-id", ID, "--client-secret", "wrong"]);
    let out = wrong.output().await.unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("login refused"));

    // Completions for the shells clap knows.
    let out = cartwire(d).args(["completions", "bash"]).output().await.unwrap();
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("_cartwire"));
}
