//! Whether a verified token's grant still stands. A signature and an expiry say the token was
//! issued; they do not say its client is still active, its secret unchanged, its user still
//! active in an active company, or the user still holding the roles it carries. Every
//! request's principal is checked against those facts through a cache that lives
//! [`GRANT_TTL`]: a write on this node clears it at once, other nodes see the write within the
//! TTL. A revoked grant answers 401 (OrderCloud's `InvalidToken`). Storefront tokens and
//! ActiveCampaign API keys are looked up through the same cache: revoking one clears it.

use crate::keys::Claims;
use crate::{App, AppError};
use cartwire_domain::RoleSet;
use cartwire_domain::access_key::AccessKey;
use cartwire_store::users::company_of;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a looked-up client or user state is trusted: the longest a revoked grant keeps
/// working on a node that did not make the revoking write.
pub const GRANT_TTL: Duration = Duration::from_secs(2);

/// What the checks need of a client.
#[derive(Debug, Clone)]
struct ClientState {
    active: bool,
    /// Tokens issued before this second were obtained with an older secret.
    secret_changed_at: Option<i64>,
}

/// What the checks need of a user: whether they may still sign in, and what they hold.
#[derive(Debug, Clone)]
struct UserState {
    usable: bool,
    roles: RoleSet,
    generation: i64,
}

/// Looked-up values with the time they were looked up.
type Timed<K, V> = Mutex<HashMap<K, (Instant, V)>>;

/// The cache of looked-up states; `None` = the client or user no longer exists.
#[derive(Default)]
pub(crate) struct GrantCache {
    clients: Timed<String, Option<ClientState>>,
    users: Timed<(String, String), Option<UserState>>,
    /// Storefront tokens and API keys by the digest of their secret.
    tokens: Timed<String, Option<AccessKey>>,
}

impl GrantCache {
    fn fresh<K: std::hash::Hash + Eq, V: Clone>(map: &Timed<K, V>, key: &K) -> Option<V> {
        let map = map.lock().expect("grant cache lock");
        map.get(key).filter(|(at, _)| at.elapsed() < GRANT_TTL).map(|(_, v)| v.clone())
    }

    fn put<K: std::hash::Hash + Eq, V>(map: &Timed<K, V>, key: K, value: V) {
        let mut map = map.lock().expect("grant cache lock");
        if map.len() > 10_000 {
            map.retain(|_, (at, _)| at.elapsed() < GRANT_TTL);
            // A flood of distinct keys (wrong tokens, say) must not grow it without bound.
            if map.len() > 10_000 {
                map.clear();
            }
        }
        map.insert(key, (Instant::now(), value));
    }

    /// Forgets everything: called by every write that can revoke a grant.
    pub(crate) fn clear(&self) {
        self.clients.lock().expect("grant cache lock").clear();
        self.users.lock().expect("grant cache lock").clear();
        self.tokens.lock().expect("grant cache lock").clear();
    }
}

fn revoked(why: &str) -> AppError {
    AppError::Unauthenticated(format!("the token's grant was revoked: {why}"))
}

impl App {
    /// Refuses a token whose client or user no longer grants what it carries.
    pub(crate) async fn check_grant(&self, claims: &Claims) -> Result<(), AppError> {
        let client = self.client_state(&claims.cid).await?.ok_or_else(|| revoked("the API client was deleted"))?;
        if !client.active {
            return Err(revoked("the API client is not active"));
        }
        if client.secret_changed_at.is_some_and(|changed| claims.iat < changed) {
            return Err(revoked("the API client's secret changed after the token was issued"));
        }
        // Anonymous shoppers and tokens minted for a client without a user have no user row.
        if claims.orderid.is_some() || claims.u.is_empty() {
            return Ok(());
        }
        let company = claims.cmp.clone().unwrap_or_default();
        let user = self.user_state(&company, &claims.u).await?.ok_or_else(|| revoked("the user was deleted"))?;
        if !user.usable {
            return Err(revoked("the user or their company is not active"));
        }
        if claims.r#gen < user.generation {
            return Err(AppError::TokenRevoked("the user's tokens were revoked after this one was issued".into()));
        }
        let carried = RoleSet::from_names(claims.role.iter().filter(|r| !claims.elv.contains(r)).map(String::as_str));
        if !user.roles.missing(&carried).is_empty() {
            return Err(revoked("the user no longer holds the token's roles"));
        }
        Ok(())
    }

    /// The live storefront token or API key whose secret has this digest, through the cache
    /// (every storefront request authenticates; a revocation clears it, see the module).
    pub(crate) async fn token_by_digest(&self, digest: &str) -> Result<Option<AccessKey>, AppError> {
        let cache = self.grant_cache();
        if let Some(token) = GrantCache::fresh(&cache.tokens, &digest.to_owned()) {
            return Ok(token);
        }
        let mut tx = self.store().read().await?;
        let token = tx.access_key_by_digest(digest).await?;
        tx.commit().await?;
        GrantCache::put(&cache.tokens, digest.to_owned(), token.clone());
        Ok(token)
    }

    async fn client_state(&self, id: &str) -> Result<Option<ClientState>, AppError> {
        let cache = self.grant_cache();
        if let Some(state) = GrantCache::fresh(&cache.clients, &id.to_owned()) {
            return Ok(state);
        }
        let mut tx = self.store().read().await?;
        let record = tx.api_client(id).await?;
        tx.commit().await?;
        let state = record.map(|r| ClientState {
            active: r.client.active,
            secret_changed_at: r.secret_changed_at.map(|t| t.unix_timestamp()),
        });
        GrantCache::put(&cache.clients, id.to_owned(), state.clone());
        Ok(state)
    }

    async fn user_state(&self, company: &str, id: &str) -> Result<Option<UserState>, AppError> {
        let cache = self.grant_cache();
        let key = (company.to_owned(), id.to_owned());
        if let Some(state) = GrantCache::fresh(&cache.users, &key) {
            return Ok(state);
        }
        let mut tx = self.store().read().await?;
        let state = match tx.user(company, id).await? {
            Some(user) => {
                let company_active = match &user.buyer_id {
                    Some(_) => tx.buyer(company_of(user.buyer_id.as_ref())).await?.is_some_and(|b| b.active),
                    None => true,
                };
                Some(UserState {
                    usable: user.profile.active && company_active,
                    roles: tx.roles_of_user(&user).await?,
                    generation: tx.token_generation(company, id).await?.unwrap_or(0),
                })
            }
            None => None,
        };
        tx.commit().await?;
        GrantCache::put(&cache.users, key, state.clone());
        Ok(state)
    }
}
