//! Operator commands: a client of a running server's HTTP API (`/cartwire/v1/…`, and the
//! dialects' own routes where they already say it, such as `/v1/apiclients`), authenticated
//! as an API client holding `FullAccess`. Tables for people, `--json` for scripts; any
//! refusal exits non-zero with the server's own message.

pub mod clients;
pub mod deliveries;
pub mod events;
pub mod integrations;
pub mod keys;
pub mod orders;

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// Which server, and the API client to call it as.
#[derive(Debug, Clone, clap::Args)]
pub struct Server {
    /// The server's base URL.
    #[arg(long, env = "CARTWIRE_URL", default_value = "http://127.0.0.1:8080", global = true)]
    url: String,
    /// An API client holding FullAccess (also read from CARTWIRE_ADMIN_CLIENT_ID).
    #[arg(long, env = "CARTWIRE_CLIENT_ID", global = true)]
    client_id: Option<String>,
    /// Its secret (also read from CARTWIRE_ADMIN_CLIENT_SECRET).
    #[arg(long, env = "CARTWIRE_CLIENT_SECRET", hide_env_values = true, global = true)]
    client_secret: Option<String>,
    /// Print the server's JSON instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
}

/// A signed-in client of the server.
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    /// Signs in with the client credentials grant.
    pub async fn login(s: &Server) -> Result<Self> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let id = s.client_id.clone().or_else(|| env("CARTWIRE_ADMIN_CLIENT_ID"));
        let secret = s.client_secret.clone().or_else(|| env("CARTWIRE_ADMIN_CLIENT_SECRET"));
        let (Some(id), Some(secret)) = (id, secret) else {
            bail!("--client-id and --client-secret (or CARTWIRE_CLIENT_ID / CARTWIRE_CLIENT_SECRET) are required");
        };
        let http = reqwest::Client::new();
        let base = s.url.trim_end_matches('/').to_owned();
        let res = http
            .post(format!("{base}/oauth/token"))
            .form(&[("grant_type", "client_credentials"), ("client_id", &id), ("client_secret", &secret)])
            .send()
            .await
            .with_context(|| format!("reaching {base}"))?;
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        let Some(token) = body["access_token"].as_str() else {
            bail!("login refused ({status}): {}", body["error_description"].as_str().unwrap_or("no detail"));
        };
        Ok(Self { http, base, token: token.to_owned() })
    }

    /// Calls the server; a non-2xx answer is an error carrying the server's message.
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value> {
        let mut req = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.with_context(|| format!("reaching {}", self.base))?;
        let status = res.status();
        let text = res.text().await?;
        if !status.is_success() {
            bail!("{status}: {}", server_message(&text));
        }
        Ok(if text.is_empty() { Value::Null } else { serde_json::from_str(&text)? })
    }

    /// GET.
    pub async fn get(&self, path: &str) -> Result<Value> {
        self.call(reqwest::Method::GET, path, None).await
    }
}

/// The human part of an error body in any of the server's dialects.
fn server_message(text: &str) -> String {
    let Ok(v) = serde_json::from_str::<Value>(text) else { return text.to_owned() };
    let pick = [
        v["detail"].as_str(),               // operator API (RFC 9457)
        v["Errors"][0]["Message"].as_str(), // OrderCloud
        v["errors"][0]["detail"].as_str(),  // Elastic Path
        v["errors"][0]["title"].as_str(),
        v["error_description"].as_str(), // OAuth
    ];
    pick.into_iter().flatten().next().map(str::to_owned).unwrap_or_else(|| text.to_owned())
}

/// Prints `v` as pretty JSON (nothing for an empty answer).
pub fn print_json(v: &Value) -> Result<()> {
    if !v.is_null() {
        println!("{}", serde_json::to_string_pretty(v)?);
    }
    Ok(())
}

/// A text cell of a JSON value: strings bare, null as `-`.
pub fn cell(v: &Value) -> String {
    match v {
        Value::Null => "-".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Prints rows under headers, each column as wide as its widest cell.
pub fn print_table(headers: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(headers.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// Percent-encodes a query value.
pub fn q(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_messages_are_read_from_every_dialects_error_body() {
        assert_eq!(server_message(r#"{"title":"Not Found","detail":"delivery x not found"}"#), "delivery x not found");
        assert_eq!(server_message(r#"{"Errors":[{"ErrorCode":"NotFound","Message":"gone"}]}"#), "gone");
        assert_eq!(server_message(r#"{"errors":[{"status":404,"title":"Not Found"}]}"#), "Not Found");
        assert_eq!(server_message("plain"), "plain");
        assert_eq!(q("2026-01-01T00:00:00+01:00"), "2026-01-01T00%3A00%3A00%2B01%3A00");
    }
}
