//! `cartwire admin tokens|api-keys …`: Threekit storefront tokens and ActiveCampaign API keys
//! through the operator API; a secret is printed once, when it is issued.

use super::{Client, Server, print_json as print};
use anyhow::Result;
use serde_json::json;

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
