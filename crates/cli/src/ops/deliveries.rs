//! `cartwire deliveries list|show|retry`: what the pipeline delivered, is retrying or gave up
//! on, every attempt of one delivery, and sending dead or failing ones again.

use super::{Client, Server, cell, print_json, print_table, q};
use anyhow::{Result, bail};

/// What to do with deliveries.
#[derive(Debug, clap::Subcommand)]
pub enum DeliveriesAction {
    /// Deliveries, newest first.
    List {
        /// Only `pending` (still being tried), `succeeded` or `dead` (gave up) ones; `failed`
        /// is `pending` ones whose last attempt failed.
        #[arg(long, value_parser = ["pending", "failed", "succeeded", "dead"])]
        status: Option<String>,
        /// Only this integration's.
        #[arg(long)]
        integration: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// One delivery with every attempt (status, duration, the receiver's answer).
    Show {
        /// The delivery's id.
        id: String,
    },
    /// Make deliveries due now with a fresh retry budget (dead ones too).
    Retry {
        /// Delivery ids.
        #[arg(required = true)]
        ids: Vec<String>,
    },
}

/// Runs a `deliveries` action.
pub async fn run(s: &Server, action: DeliveriesAction) -> Result<()> {
    let c = Client::login(s).await?;
    match action {
        DeliveriesAction::List { status, integration, limit } => {
            let failed_only = status.as_deref() == Some("failed");
            let mut path = format!("/cartwire/v1/deliveries?limit={limit}");
            match status.as_deref() {
                Some("failed") => path.push_str("&status=pending"),
                Some(other) => path.push_str(&format!("&status={}", q(other))),
                None => {}
            }
            if let Some(i) = &integration {
                path.push_str(&format!("&integration_id={}", q(i)));
            }
            let body = c.get(&path).await?;
            let mut items = body["data"].as_array().cloned().unwrap_or_default();
            if failed_only {
                items.retain(|d| !d["last_error"].is_null());
            }
            if s.json {
                return print_json(&serde_json::Value::Array(items));
            }
            let rows: Vec<Vec<String>> = items
                .iter()
                .map(|d| {
                    vec![
                        cell(&d["id"]),
                        cell(&d["status"]),
                        cell(&d["event_key"]),
                        cell(&d["integration_id"]),
                        cell(&d["attempts"]),
                        cell(&d["created_at"]),
                        cell(&d["last_error"]).chars().take(60).collect(),
                    ]
                })
                .collect();
            print_table(&["ID", "STATUS", "EVENT", "INTEGRATION", "ATTEMPTS", "CREATED", "LAST ERROR"], &rows);
            if !failed_only {
                println!("({} of {})", items.len(), cell(&body["total"]));
            }
            Ok(())
        }
        DeliveriesAction::Show { id } => {
            let d = c.get(&format!("/cartwire/v1/deliveries/{}", q(&id))).await?;
            if s.json {
                return print_json(&d);
            }
            for (k, label) in [
                ("id", "delivery"),
                ("status", "status"),
                ("event_key", "event"),
                ("resource_id", "resource"),
                ("integration_id", "integration"),
                ("attempts", "attempts"),
                ("next_attempt_at", "next attempt (epoch ms)"),
                ("last_error", "last error"),
                ("created_at", "created"),
            ] {
                println!("{label:>24}: {}", cell(&d[k]));
            }
            println!();
            let rows: Vec<Vec<String>> = d["attempt_log"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| {
                    vec![
                        cell(&a["attempt"]),
                        cell(&a["started_at"]),
                        format!("{} ms", cell(&a["duration_ms"])),
                        if a["succeeded"] == true { "ok".into() } else { "failed".into() },
                        cell(&a["status_code"]),
                        cell(&a["error"]).chars().take(60).collect(),
                        cell(&a["response_body"]).chars().take(40).collect(),
                    ]
                })
                .collect();
            print_table(&["#", "STARTED", "TOOK", "RESULT", "STATUS", "ERROR", "RESPONSE"], &rows);
            Ok(())
        }
        DeliveriesAction::Retry { ids } => {
            let mut failed = 0;
            for id in &ids {
                match c.call(reqwest::Method::POST, &format!("/cartwire/v1/deliveries/{}/retry", q(id)), None).await {
                    Ok(d) if s.json => print_json(&d)?,
                    Ok(d) => println!("{}: due again ({} attempts so far)", id, cell(&d["attempts"])),
                    Err(e) => {
                        eprintln!("{id}: {e}");
                        failed += 1;
                    }
                }
            }
            if failed > 0 {
                bail!("{failed} of {} deliveries could not be retried", ids.len());
            }
            Ok(())
        }
    }
}
