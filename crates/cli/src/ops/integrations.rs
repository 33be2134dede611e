//! `cartwire integrations list|replay`: the delivery targets, and sending a time range of an
//! integration's deliveries again with a progress bar while they drain.

use super::{Client, Server, cell, print_json, print_table, q};
use anyhow::{Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use std::time::Duration;

/// What to do with integrations.
#[derive(Debug, clap::Subcommand)]
pub enum IntegrationsAction {
    /// Every integration.
    List,
    /// Send every delivery of an integration created in [--from, --to) again, then wait
    /// while they drain.
    Replay {
        /// The integration's id.
        id: String,
        /// Start (RFC 3339), inclusive.
        #[arg(long)]
        from: String,
        /// End (RFC 3339), exclusive.
        #[arg(long)]
        to: String,
        /// Return once requeued instead of waiting for the deliveries.
        #[arg(long)]
        no_wait: bool,
    },
}

/// Runs an `integrations` action.
pub async fn run(s: &Server, action: IntegrationsAction) -> Result<()> {
    let c = Client::login(s).await?;
    match action {
        IntegrationsAction::List => {
            let mut items = Vec::new();
            let mut offset = 0;
            loop {
                let body = c.get(&format!("/v2/integrations?page[limit]=100&page[offset]={offset}")).await?;
                let page = body["data"].as_array().cloned().unwrap_or_default();
                offset += page.len();
                let done = page.len() < 100;
                items.extend(page);
                if done {
                    break;
                }
            }
            if s.json {
                return print_json(&serde_json::Value::Array(items));
            }
            let rows: Vec<Vec<String>> = items
                .iter()
                .map(|i| {
                    let observes: Vec<String> = i["observes"].as_array().into_iter().flatten().map(cell).collect();
                    vec![
                        cell(&i["id"]),
                        cell(&i["name"]),
                        cell(&i["integration_type"]),
                        cell(&i["enabled"]),
                        observes.join(","),
                    ]
                })
                .collect();
            print_table(&["ID", "NAME", "TYPE", "ENABLED", "OBSERVES"], &rows);
            Ok(())
        }
        IntegrationsAction::Replay { id, from, to, no_wait } => {
            let body = json!({"from": from, "to": to});
            let answer = c
                .call(reqwest::Method::POST, &format!("/cartwire/v1/integrations/{}/replay", q(&id)), Some(body))
                .await?;
            let total = answer["requeued"].as_u64().unwrap_or(0);
            if s.json {
                print_json(&answer)?;
            } else {
                println!("{total} deliveries requeued");
            }
            if no_wait || total == 0 {
                return Ok(());
            }
            let bar = if s.json { ProgressBar::hidden() } else { ProgressBar::new(total) };
            bar.set_style(
                ProgressStyle::with_template("{bar:40} {pos}/{len} delivered {msg} [{elapsed}]")
                    .expect("a valid template"),
            );
            let range = format!("integration_id={}&from={}&to={}", q(&id), q(&from), q(&to));
            loop {
                let pending = c.get(&format!("/cartwire/v1/deliveries?{range}&status=pending&limit=1")).await?;
                let dead = c.get(&format!("/cartwire/v1/deliveries?{range}&status=dead&limit=1")).await?;
                let (pending, dead) = (pending["total"].as_u64().unwrap_or(0), dead["total"].as_u64().unwrap_or(0));
                bar.set_position(total.saturating_sub(pending + dead));
                if dead > 0 {
                    bar.set_message(format!("({dead} dead)"));
                }
                if pending == 0 {
                    bar.finish();
                    if dead > 0 {
                        bail!(
                            "{dead} of {total} replayed deliveries are dead (see `cartwire deliveries list --status dead`)"
                        );
                    }
                    return Ok(());
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}
