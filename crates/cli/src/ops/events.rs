//! `cartwire events tail [--follow] [--key order.*]`: the outbox log as it grows.

use super::{Client, Server, cell, print_table, q};
use anyhow::Result;
use serde_json::Value;
use std::time::Duration;

/// What to do with the event log.
#[derive(Debug, clap::Subcommand)]
pub enum EventsAction {
    /// The last events, then (with --follow) every new one as it is committed.
    Tail {
        /// Keep printing new events until interrupted.
        #[arg(long, short)]
        follow: bool,
        /// Only this key, or every key of a resource (`order.*`).
        #[arg(long)]
        key: Option<String>,
        /// How many of the latest to show first.
        #[arg(long, short = 'n', default_value_t = 20)]
        lines: i64,
        /// How often to ask for new events while following.
        #[arg(long, default_value = "1s", value_parser = crate::config::duration)]
        poll: Duration,
    },
}

fn row(e: &Value) -> Vec<String> {
    vec![
        cell(&e["seq"]),
        cell(&e["occurred_at"]),
        cell(&e["key"]),
        cell(&e["resource_id"]),
        cell(&e["dialect"]),
        cell(&e["actor"]),
    ]
}

fn show(s: &Server, events: &[Value], header: bool) -> Result<()> {
    if s.json {
        // One event per line, so a script can read the stream as it comes.
        for e in events {
            println!("{}", serde_json::to_string(e)?);
        }
    } else if header || !events.is_empty() {
        let rows: Vec<Vec<String>> = events.iter().map(row).collect();
        if header {
            print_table(&["SEQ", "OCCURRED", "KEY", "RESOURCE", "VIA", "ACTOR"], &rows);
        } else {
            for r in rows {
                println!("{}", r.join("  "));
            }
        }
    }
    Ok(())
}

/// Runs an `events` action.
pub async fn run(s: &Server, action: EventsAction) -> Result<()> {
    let c = Client::login(s).await?;
    let EventsAction::Tail { follow, key, lines, poll } = action;
    let filter = key.map(|k| format!("&key={}", q(&k))).unwrap_or_default();
    let first = c.get(&format!("/cartwire/v1/events?tail={}{filter}", lines.clamp(1, 1000))).await?;
    let events = first["data"].as_array().cloned().unwrap_or_default();
    show(s, &events, true)?;
    let mut cursor = first["next_cursor"].as_i64();
    if cursor.is_none() {
        // Nothing matched yet: follow from the end of the whole log.
        let last = c.get("/cartwire/v1/events?tail=1").await?;
        cursor = Some(last["next_cursor"].as_i64().unwrap_or(0));
    }
    let mut cursor = cursor.unwrap_or(0);
    if !follow {
        return Ok(());
    }
    loop {
        tokio::time::sleep(poll).await;
        let page = c.get(&format!("/cartwire/v1/events?after={cursor}&limit=1000{filter}")).await?;
        let events = page["data"].as_array().cloned().unwrap_or_default();
        show(s, &events, false)?;
        if let Some(next) = page["next_cursor"].as_i64() {
            cursor = next;
        }
    }
}
