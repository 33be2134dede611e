//! `cartwire clients list`: the API clients, through OrderCloud's `/v1/apiclients`.

use super::{Client, Server, cell, print_json, print_table};
use anyhow::Result;

/// What to do with API clients.
#[derive(Debug, clap::Subcommand)]
pub enum ClientsAction {
    /// Every API client (secrets are never shown).
    List,
}

/// Runs a `clients` action.
pub async fn run(s: &Server, action: ClientsAction) -> Result<()> {
    let c = Client::login(s).await?;
    match action {
        ClientsAction::List => {
            let mut items = Vec::new();
            let mut page = 1;
            loop {
                let body = c.get(&format!("/v1/apiclients?pageSize=100&page={page}")).await?;
                items.extend(body["Items"].as_array().cloned().unwrap_or_default());
                let pages = body["Meta"]["TotalPages"].as_i64().unwrap_or(1);
                if page >= pages {
                    break;
                }
                page += 1;
            }
            if s.json {
                return print_json(&serde_json::Value::Array(items));
            }
            let rows: Vec<Vec<String>> = items
                .iter()
                .map(|i| {
                    vec![
                        cell(&i["ID"]),
                        cell(&i["AppName"]),
                        cell(&i["Active"]),
                        cell(&i["DefaultContextUserName"]),
                        cell(&i["AccessTokenDuration"]),
                    ]
                })
                .collect();
            print_table(&["ID", "NAME", "ACTIVE", "DEFAULT USER", "TOKEN MINUTES"], &rows);
            Ok(())
        }
    }
}
