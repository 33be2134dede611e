//! cartwire's use cases.
//!
//! Every operation takes the [`Principal`] that calls it and checks roles here, not in the HTTP
//! handlers; every write runs in one store transaction together with the outbox events it
//! causes. The dialects in `cartwire-api` parse wire bodies into domain values, call these
//! services and render the results.

pub mod activity;
pub mod addresses;
pub mod api_clients;
pub mod approval_rules;
pub mod auth;
pub mod bootstrap;
pub mod callout;
pub mod catalog;
pub mod checkout;
pub mod dispatcher;
pub mod error;
pub mod events;
mod grants;
pub mod identity;
pub mod integration_events;
pub mod integrations;
pub mod keys;
pub mod me;
pub mod messages;
pub mod orders;
pub mod passwords;
pub mod resource;
mod revocation;
mod save;
pub mod sso;
#[cfg(test)]
mod testing;
pub mod throttle;

pub use cartwire_domain::principal::Principal;
pub use error::{AppError, RuleCode, RuleData};
pub use resource::Resource;
pub use save::SaveMode;

use cartwire_store::Store;
use std::sync::Arc;

/// Settings the use cases need.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The public base URL of this deployment without a trailing slash: the JWT `iss` and
    /// `aud`, and the `Location` host.
    pub public_base_url: String,
    /// Cost of password and client-secret hashing.
    pub password_cost: passwords::HashCost,
    /// How events are delivered to integrations.
    pub delivery: dispatcher::DeliveryConfig,
    /// How long a cart may stay untouched before it is abandoned (default 60 min).
    pub abandoned_after: std::time::Duration,
    /// How integration events are called.
    pub callouts: callout::CalloutConfig,
}

/// The use cases, sharing one store and one key ring. Cheap to clone.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    keys: keys::KeyRing,
    passwords: passwords::PasswordHasher,
    config: AppConfig,
    /// The HTTP client of integration-event callouts (behind the same SSRF policy as delivery).
    callouts: cartwire_outbound::callout::CalloutClient,
    /// Callout tokens by who they speak for, reused while they have most of their life left
    /// (an RS256 signature per callout was a tenth of a checkout's CPU).
    callout_tokens: std::sync::Mutex<std::collections::HashMap<String, (String, std::time::Instant)>>,
    /// The deployment's ids never change once created: read them once.
    deployment: tokio::sync::OnceCell<cartwire_store::deployment::Deployment>,
    /// Client and user states behind every token check (see `revocation`).
    grants: revocation::GrantCache,
    /// Wrong secrets and passwords counted (see `throttle`).
    throttle: throttle::Throttle,
}

impl App {
    /// Builds the use cases over a migrated store; loads (or creates) the signing key.
    pub async fn new(store: Store, config: AppConfig) -> Result<Self, AppError> {
        let keys = keys::KeyRing::load_or_create(&store).await?;
        let passwords = passwords::PasswordHasher::new(config.password_cost);
        let callouts = cartwire_outbound::callout::CalloutClient::new(config.delivery.policy, config.callouts.deadline);
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                keys,
                passwords,
                config,
                callouts,
                callout_tokens: Default::default(),
                deployment: tokio::sync::OnceCell::new(),
                grants: Default::default(),
                throttle: Default::default(),
            }),
        })
    }

    fn grant_cache(&self) -> &revocation::GrantCache {
        &self.inner.grants
    }

    /// Forgets cached client and user states after a write that may revoke a grant.
    pub(crate) fn grants_changed(&self) {
        self.inner.grants.clear();
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The signing keys.
    pub fn keys(&self) -> &keys::KeyRing {
        &self.inner.keys
    }

    /// The configuration.
    pub fn config(&self) -> &AppConfig {
        &self.inner.config
    }

    pub(crate) fn deployment_cell(&self) -> &tokio::sync::OnceCell<cartwire_store::deployment::Deployment> {
        &self.inner.deployment
    }

    pub(crate) fn callout_client(&self) -> &cartwire_outbound::callout::CalloutClient {
        &self.inner.callouts
    }

    pub(crate) fn callout_token_cache(
        &self,
    ) -> &std::sync::Mutex<std::collections::HashMap<String, (String, std::time::Instant)>> {
        &self.inner.callout_tokens
    }

    pub(crate) fn throttle(&self) -> &throttle::Throttle {
        &self.inner.throttle
    }

    pub(crate) fn passwords(&self) -> &passwords::PasswordHasher {
        &self.inner.passwords
    }
}
