//! Storefront orders (Threekit's API): the tokens storefronts hold, and the order use cases
//! they may run. A private token acts with `OrderAdmin`; a public token acts as a shopper that
//! may create and read orders and change them only while they are carts (`List` / `In Cart`),
//! and only from its allowed domains.

/// The order list's filter, as the dialects fill it.
pub use cartwire_store::orders::OrderFilter;

use crate::auth::refresh_digest as sha256_hex;
use crate::orders::core::{new_order_id, new_short_id};
use crate::orders::events::{order_events, snapshot};
use crate::resource::Resource;
use crate::{App, AppError, Principal};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use cartwire_domain::ApiRole;
use cartwire_domain::access_key::{AccessKey, Kind};
use cartwire_domain::event::Dialect;
use cartwire_domain::event::{EventKey, NewEvent};
use cartwire_domain::order::{NewOrder, Order};
use cartwire_domain::{Field, Problem};
use cartwire_store::StoreError;
use time::OffsetDateTime;

/// A verified storefront caller.
#[derive(Debug, Clone)]
pub struct StorefrontCaller {
    /// The token's id (not its secret).
    pub token_id: String,
    /// Public or private.
    pub kind: Kind,
}

impl StorefrontCaller {
    fn describe(&self) -> String {
        format!("threekit-{}-token:{}", self.kind.as_str(), self.token_id)
    }
}

/// Why a storefront request was refused.
#[derive(Debug, thiserror::Error)]
pub enum StorefrontError {
    /// No token, or an unknown / revoked one (401).
    #[error("{0}")]
    Unauthorized(String),
    /// The token may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// A public token may change only carts, and this order is past that (403).
    #[error("a public token may change only carts; this order is {}", status.as_str())]
    NotCart {
        /// The order's status (the dialect names it in its own words).
        status: cartwire_domain::order::OrderStatus,
    },
    /// The order is a checkout order, changed only through the checkout (403); the dialect
    /// says where that is.
    #[error("order {order_id} is managed through the checkout")]
    InCheckout {
        /// The order.
        order_id: String,
    },
    /// No such order (404).
    #[error("{0}")]
    NotFound(String),
    /// An order over a documented limit (422); the dialect words the field.
    #[error(transparent)]
    OverLimit(cartwire_domain::order::OverLimit),
    /// Something broke (500).
    #[error(transparent)]
    Internal(#[from] AppError),
}

impl From<StoreError> for StorefrontError {
    fn from(e: StoreError) -> Self {
        Self::Internal(e.into())
    }
}

/// True when `host` is allowed by `pattern`: an exact host, or `*.example.com` for its
/// sub-domains (not the apex), or `*` for any.
pub fn domain_matches(pattern: &str, host: &str) -> bool {
    let (pattern, host) = (pattern.trim().to_ascii_lowercase(), host.trim().trim_end_matches('.').to_ascii_lowercase());
    if pattern == "*" {
        return true;
    }
    match pattern.strip_prefix("*.") {
        Some(suffix) => host.len() > suffix.len() + 1 && host.ends_with(&format!(".{suffix}")),
        None => pattern == host,
    }
}

/// The host of an `Origin` or `Referer` value (`https://shop.example.com:8443/path` →
/// `shop.example.com`).
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map(|(_, r)| r)?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map(|(_, a)| a).unwrap_or(authority);
    let host = if authority.starts_with('[') {
        authority.split(']').next()?.trim_start_matches('[').to_owned()
    } else {
        authority.split(':').next()?.to_owned()
    };
    (!host.is_empty()).then_some(host)
}

fn new_token_secret() -> String {
    let mut b = [0u8; 16];
    SystemRandom::new().fill(&mut b).expect("the system RNG works");
    // A v4 UUID, as Threekit tokens are.
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(b).to_string()
}

impl App {
    /// Issues a storefront token; the secret is returned once.
    pub async fn issue_storefront_token(
        &self,
        p: &Principal,
        kind: Kind,
        name: String,
        allowed_domains: Vec<String>,
    ) -> Result<(AccessKey, String), AppError> {
        p.require_any(&[ApiRole::FullAccess])?;
        cartwire_domain::id::required_text(&name, Field::Name, 255)?;
        if !kind.is_storefront() {
            return Err(AppError::invalid(Field::TokenKind, Problem::rule("must be public or private")));
        }
        if kind == Kind::Public && allowed_domains.is_empty() {
            return Err(AppError::invalid(
                Field::AllowedDomains,
                Problem::rule("must list at least one domain for a public token"),
            ));
        }
        for d in &allowed_domains {
            let bare = d.strip_prefix("*.").unwrap_or(d);
            let ok = d == "*"
                || (!bare.is_empty()
                    && bare.len() <= 253
                    && bare.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'));
            if !ok {
                return Err(AppError::invalid(
                    Field::AllowedDomains,
                    Problem::rule(format!("must be host names or *.host patterns; '{d}' is not one")),
                ));
            }
        }
        let secret = new_token_secret();
        let token = AccessKey {
            id: uuid::Uuid::new_v4().to_string(),
            kind,
            name,
            allowed_domains,
            created_at: OffsetDateTime::now_utc(),
            revoked_at: None,
        };
        let mut tx = self.store().begin().await?;
        tx.insert_access_key(&token, &sha256_hex(&secret)).await?;
        tx.commit().await?;
        Ok((token, secret))
    }

    /// Lists live storefront tokens (never their secrets).
    pub async fn storefront_tokens(&self, p: &Principal) -> Result<Vec<AccessKey>, AppError> {
        p.require_any(&[ApiRole::FullAccess])?;
        let mut tx = self.store().read().await?;
        let tokens = tx.access_keys(Kind::STOREFRONT).await?;
        tx.commit().await?;
        Ok(tokens)
    }

    /// Revokes a storefront (Threekit) token; an API key's id is not found here.
    pub async fn revoke_storefront_token(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        p.require_any(&[ApiRole::FullAccess])?;
        let mut tx = self.store().begin().await?;
        if !tx.revoke_access_key(id, Kind::STOREFRONT).await? {
            return Err(AppError::not_found(Resource::StorefrontToken, id));
        }
        tx.commit().await?;
        self.grants_changed();
        Ok(())
    }

    /// Verifies a storefront token; a public one must be used from one of its domains
    /// (`Origin`, else the host of `Referer`).
    pub async fn storefront_caller(
        &self,
        secret: Option<&str>,
        origin: Option<&str>,
        referer: Option<&str>,
    ) -> Result<StorefrontCaller, StorefrontError> {
        let secret = secret.filter(|s| !s.is_empty()).ok_or_else(|| {
            StorefrontError::Unauthorized("A token is required: ?bearer_token= or Authorization: Bearer".into())
        })?;
        let token = self.token_by_digest(&sha256_hex(secret)).await?;
        // An ActiveCampaign key is not a Threekit token: kinds never cross.
        let token = token
            .filter(|t| t.kind.is_storefront())
            .ok_or_else(|| StorefrontError::Unauthorized("Invalid or revoked token".into()))?;
        let kind = token.kind;
        if kind == Kind::Public {
            let host = origin.and_then(host_of).or_else(|| referer.and_then(host_of)).ok_or_else(|| {
                StorefrontError::Forbidden("A public token needs an Origin or Referer from an allowed domain".into())
            })?;
            if !token.allowed_domains.iter().any(|d| domain_matches(d, &host)) {
                return Err(StorefrontError::Forbidden(format!("{host} is not an allowed domain of this token")));
            }
        }
        Ok(StorefrontCaller { token_id: token.id, kind })
    }

    /// The deployment's org id (Threekit's `orgId`).
    pub async fn org_id(&self) -> Result<String, AppError> {
        Ok(self.deployment().await?.org_id)
    }

    /// Creates an order (its ids, org and times are assigned here).
    pub async fn create_storefront_order(
        &self,
        caller: &StorefrontCaller,
        new: NewOrder,
    ) -> Result<Order, StorefrontError> {
        let org_id = self.org_id().await?;
        let now = OffsetDateTime::now_utc();
        let mut order = Order::new(new_order_id(), new_short_id(), org_id, Some(caller.describe()), now, new);
        order.check_limits().map_err(StorefrontError::OverLimit)?;
        // Short ids are random: on the rare collision, draw again.
        let mut tries = 0;
        loop {
            let events = order_events(None, &order, caller.describe(), Dialect::Threekit);
            match self.store().insert_order_with_events(&order, &events).await {
                Ok(()) => break,
                // A short id drawn twice: draw again.
                Err(StoreError::Unique { constraint })
                    if constraint == cartwire_store::orders::SHORT_ID_KEY && tries < 5 =>
                {
                    tries += 1;
                    order.short_id = new_short_id();
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(order)
    }

    /// An order by id or short id (not deleted).
    pub async fn storefront_order(&self, _caller: &StorefrontCaller, id: &str) -> Result<Order, StorefrontError> {
        let mut tx = self.store().read().await?;
        let order = tx.order(id).await?;
        tx.commit().await?;
        order
            .filter(|o| o.deleted_at.is_none())
            .ok_or_else(|| StorefrontError::NotFound(format!("Order {id} not found")))
    }

    /// Orders matching `filter`, one page.
    pub async fn storefront_orders(
        &self,
        _caller: &StorefrontCaller,
        filter: &OrderFilter,
        sort: &str,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Order>, i64), StorefrontError> {
        let mut tx = self.store().read().await?;
        let page = tx.orders(filter, sort, offset, limit).await?;
        tx.commit().await?;
        Ok(page)
    }

    /// Changes an order: `change` edits a copy of the current one. A public token may change
    /// only orders whose current status is a cart status.
    pub async fn update_storefront_order(
        &self,
        caller: &StorefrontCaller,
        id: &str,
        change: impl FnOnce(&mut Order) -> Result<(), StorefrontError>,
    ) -> Result<Order, StorefrontError> {
        let mut tx = self.store().begin().await?;
        let current = tx
            .order(id)
            .await?
            .filter(|o| o.deleted_at.is_none())
            .ok_or_else(|| StorefrontError::NotFound(format!("Order {id} not found")))?;
        if current.checkout.is_some() {
            // Its lines, prices and status follow the checkout's rules (calculation, approval,
            // callouts); a storefront write would bypass them.
            return Err(StorefrontError::InCheckout { order_id: id.to_owned() });
        }
        if caller.kind == Kind::Public && !current.status.is_cart() {
            return Err(StorefrontError::NotCart { status: current.status });
        }
        let mut next = current.clone();
        change(&mut next)?;
        let now = OffsetDateTime::now_utc();
        next.updated_at = Some(now);
        if current.status.is_cart() && !next.status.is_cart() {
            next.placed_at = Some(now);
        }
        next.check_limits().map_err(StorefrontError::OverLimit)?;
        tx.update_order(&next).await?;
        tx.append_events(&order_events(Some(&current), &next, caller.describe(), Dialect::Threekit)).await?;
        tx.commit().await?;
        Ok(next)
    }

    /// Soft-deletes an order (private tokens only).
    pub async fn delete_storefront_order(&self, caller: &StorefrontCaller, id: &str) -> Result<Order, StorefrontError> {
        if caller.kind != Kind::Private {
            return Err(StorefrontError::Forbidden("Deleting an order needs a private token".into()));
        }
        self.update_storefront_order(caller, id, |o| {
            o.deleted_at = Some(OffsetDateTime::now_utc());
            Ok(())
        })
        .await
    }
}

impl App {
    /// Marks carts untouched for `abandoned_after` as abandoned and emits `cart.abandoned` for
    /// each, in one transaction per batch; returns how many.
    pub async fn abandon_idle_carts(&self) -> Result<usize, AppError> {
        let now = OffsetDateTime::now_utc();
        let cutoff = now - self.config().abandoned_after;
        let mut total = 0;
        loop {
            let mut tx = self.store().begin().await?;
            let carts = tx.mark_idle_carts_abandoned(cutoff, now, 200).await?;
            let events: Vec<NewEvent> = carts
                .iter()
                .map(|o| NewEvent {
                    key: EventKey::parse("cart.abandoned").expect("catalog key"),
                    resource_type: "cart",
                    resource_id: o.id.to_string(),
                    payload: snapshot(o),
                    actor: Some("cartwire-abandonment".into()),
                    dialect: Dialect::Cartwire,
                })
                .collect();
            tx.append_events(&events).await?;
            tx.commit().await?;
            total += carts.len();
            if carts.len() < 200 {
                return Ok(total);
            }
        }
    }

    /// Sweeps for abandoned carts every `every` until `shutdown` turns true.
    pub async fn run_abandonment(self, every: std::time::Duration, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.abandon_idle_carts().await {
                tracing::warn!(error = %e, "abandoned-cart sweep failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        break;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_and_hosts() {
        assert!(domain_matches("shop.example.com", "SHOP.example.com"));
        assert!(domain_matches("*.example.com", "a.b.example.com"));
        assert!(!domain_matches("*.example.com", "example.com"), "wildcards match sub-domains only");
        assert!(!domain_matches("*.example.com", "badexample.com"));
        assert!(!domain_matches("example.com", "example.com.evil.net"));
        assert!(domain_matches("*", "anything.test"));
        assert_eq!(host_of("https://shop.example.com:8443/p?q").as_deref(), Some("shop.example.com"));
        assert_eq!(host_of("http://user@[::1]:80/").as_deref(), Some("::1"));
        assert_eq!(host_of("null"), None);
    }

    #[test]
    fn short_ids_and_token_secrets() {
        let a = new_short_id();
        assert_eq!(a.len(), 10);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, new_short_id());
        let t = uuid::Uuid::parse_str(&new_token_secret()).unwrap();
        assert_eq!(t.get_version_num(), 4);
    }
}
