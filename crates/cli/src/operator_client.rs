//! `cartwire admin tokens|api-keys …`: a small client of a running server's operator API
//! (`/cartwire/v1/…`), authenticated as an API client holding `FullAccess`.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

/// Which server, and the admin client to call it as.
#[derive(Debug, clap::Args)]
pub struct Server {
    /// The server's base URL.
    #[arg(long, env = "CARTWIRE_URL", default_value = "http://127.0.0.1:8080", global = true)]
    url: String,
    /// An API client holding FullAccess.
    #[arg(long, env = "CARTWIRE_ADMIN_CLIENT_ID", global = true)]
    client_id: Option<String>,
    /// Its secret.
    #[arg(long, env = "CARTWIRE_ADMIN_CLIENT_SECRET", hide_env_values = true, global = true)]
    client_secret: Option<String>,
}

/// What to do with storefront tokens.
#[derive(Debug, clap::Subcommand)]
pub enum TokenAction {
    /// Issue a token; its secret is printed once.
    Create {
        /// `public` (browser, limited to its domains) or `private` (server).
        #[arg(long)]
        kind: String,
        /// A name to recognise it by.
        #[arg(long)]
        name: String,
        /// Allowed domain of a public token (repeat; `*.example.com` for sub-domains).
        #[arg(long = "domain")]
        domains: Vec<String>,
    },
    /// List live tokens (without secrets).
    List,
    /// Revoke a token by id.
    Revoke {
        /// The token's id.
        id: String,
    },
}

/// What to do with API keys.
#[derive(Debug, clap::Subcommand)]
pub enum KeyAction {
    /// Issue a key; it is printed once.
    Create {
        /// A name to recognise it by.
        #[arg(long)]
        name: String,
    },
    /// List live keys (without the keys).
    List,
    /// Revoke a key by id.
    Revoke {
        /// The key's id.
        id: String,
    },
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn login(s: &Server) -> Result<Self> {
        let (Some(id), Some(secret)) = (&s.client_id, &s.client_secret) else {
            bail!("--client-id and --client-secret (or CARTWIRE_ADMIN_CLIENT_ID / _SECRET) are required");
        };
        let http = reqwest::Client::new();
        let base = s.url.trim_end_matches('/').to_owned();
        let res = http
            .post(format!("{base}/oauth/token"))
            .form(&[("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret)])
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

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value> {
        let mut req = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await?;
        let status = res.status();
        let text = res.text().await?;
        if !status.is_success() {
            bail!("{status}: {text}");
        }
        Ok(if text.is_empty() { Value::Null } else { serde_json::from_str(&text)? })
    }
}

fn print(v: &Value) -> Result<()> {
    if !v.is_null() {
        println!("{}", serde_json::to_string_pretty(v)?);
    }
    Ok(())
}

/// Runs a `tokens` action.
pub async fn tokens(s: &Server, action: TokenAction) -> Result<()> {
    let c = Client::login(s).await?;
    let out = match action {
        TokenAction::Create { kind, name, domains } => {
            c.call(
                reqwest::Method::POST,
                "/cartwire/v1/tokens",
                Some(json!({"kind": kind, "name": name, "allowed_domains": domains})),
            )
            .await?
        }
        TokenAction::List => c.call(reqwest::Method::GET, "/cartwire/v1/tokens", None).await?,
        TokenAction::Revoke { id } => {
            c.call(reqwest::Method::DELETE, &format!("/cartwire/v1/tokens/{id}"), None).await?
        }
    };
    print(&out)
}

/// Runs an `api-keys` action.
pub async fn api_keys(s: &Server, action: KeyAction) -> Result<()> {
    let c = Client::login(s).await?;
    let out = match action {
        KeyAction::Create { name } => {
            c.call(reqwest::Method::POST, "/cartwire/v1/api-keys", Some(json!({"name": name}))).await?
        }
        KeyAction::List => c.call(reqwest::Method::GET, "/cartwire/v1/api-keys", None).await?,
        KeyAction::Revoke { id } => {
            c.call(reqwest::Method::DELETE, &format!("/cartwire/v1/api-keys/{id}"), None).await?
        }
    };
    print(&out)
}
