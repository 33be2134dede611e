//! Orders from external shops (ActiveCampaign's e-commerce API): API keys, connections,
//! customers and orders / abandoned carts, on the one order model. An API key acts with
//! `OrderAdmin` on these resources.

/// The shop lists' equality filters, as the dialect fills them.
pub use cartwire_store::pages::{ConnectionFilter, CustomerFilter, ShopOrderFilter};

use crate::auth::refresh_digest as sha256_hex;
use crate::orders::events::{order_events, snapshot as order_snapshot};
use crate::resource::Resource;
use crate::{App, AppError, Principal};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use cartwire_domain::ApiRole;
use cartwire_domain::Field;
use cartwire_domain::access_key::{AccessKey, Kind};
use cartwire_domain::commerce::{Connection, EcomCustomer};
use cartwire_domain::event::Dialect;
use cartwire_domain::event::{Change, NewEvent};
use cartwire_domain::order::{NewOrder, Order, OrderStatus};
use cartwire_store::StoreError;
use serde_json::json;
use time::OffsetDateTime;

/// A verified API-key holder.
#[derive(Debug, Clone)]
pub struct ApiKeyCaller {
    /// The key's id.
    pub key_id: String,
}

impl ApiKeyCaller {
    fn describe(&self) -> String {
        format!("activecampaign-api-key:{}", self.key_id)
    }
}

/// The key a shop record was refused for holding twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShopKey {
    /// A connection's service and the shop's id for it.
    Connection {
        /// The service.
        service: String,
        /// The shop's id.
        external_id: String,
    },
    /// A customer's email within a connection.
    CustomerEmail {
        /// The email.
        email: String,
        /// The connection.
        connection_id: i64,
    },
    /// An order's id in the shop, within a connection.
    OrderExternalId,
    /// An abandoned cart's checkout id in the shop, within a connection.
    OrderExternalCheckoutId,
}

/// Why a shop request was refused. The dialect words each variant; the statuses below are
/// ActiveCampaign's.
#[derive(Debug, thiserror::Error)]
pub enum ShopError {
    /// No API key was presented (403).
    #[error("an API key is required")]
    KeyRequired,
    /// The API key is unknown or revoked (403).
    #[error("the API key is invalid or revoked")]
    KeyRefused,
    /// No such record (404).
    #[error("no {resource} with id {id}")]
    NotFound {
        /// What was asked for.
        resource: Resource,
        /// The id asked for.
        id: String,
    },
    /// A record names a connection that does not exist (422).
    #[error("connection {0} does not exist")]
    UnknownConnection(i64),
    /// A record names a customer that does not exist (422).
    #[error("customer {0} does not exist")]
    UnknownCustomer(i64),
    /// A record names a customer of another connection (422).
    #[error("customer {0} belongs to another connection")]
    ForeignCustomer(i64),
    /// A record with the same key exists (422).
    #[error("duplicate {0:?}")]
    Duplicate(ShopKey),
    /// An order over a documented limit (422).
    #[error(transparent)]
    OverLimit(cartwire_domain::order::OverLimit),
    /// A required field is missing (422); raised by the dialect while it parses, in its words.
    #[error("{field} is required")]
    Missing {
        /// The wire field.
        field: String,
    },
    /// A field is wrong (422); raised by the dialect while it parses, in its words.
    #[error("{title}")]
    Invalid {
        /// The wire field.
        field: String,
        /// What is wrong.
        title: String,
    },
    /// Something broke (500).
    #[error(transparent)]
    Internal(#[from] AppError),
}

impl From<StoreError> for ShopError {
    fn from(e: StoreError) -> Self {
        Self::Internal(e.into())
    }
}

impl ShopError {
    /// A 422 for a missing `field`.
    pub fn missing(field: &str) -> Self {
        Self::Missing { field: field.to_owned() }
    }

    /// A 422 on `field`.
    pub fn invalid(field: &str, title: impl Into<String>) -> Self {
        Self::Invalid { field: field.to_owned(), title: title.into() }
    }
}

fn customer_snapshot(c: &EcomCustomer) -> serde_json::Value {
    json!({"id": c.id.to_string(), "type": "customer", "connection_id": c.connection_id.to_string(),
           "external_id": c.external_id, "email": c.email, "accepts_marketing": c.accepts_marketing})
}

/// An order over a documented limit.
fn over_limit(e: cartwire_domain::order::OverLimit) -> ShopError {
    ShopError::OverLimit(e)
}

impl App {
    /// Issues an API key for the ActiveCampaign dialect; the key is returned once.
    pub async fn issue_api_key(&self, p: &Principal, name: String) -> Result<(AccessKey, String), AppError> {
        p.require_any(&[ApiRole::FullAccess])?;
        if name.trim().is_empty() || name.chars().count() > 255 {
            cartwire_domain::id::required_text(&name, Field::Name, 255)?;
        }
        let mut raw = [0u8; 32];
        SystemRandom::new().fill(&mut raw).expect("the system RNG works");
        let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
        let key = AccessKey {
            id: uuid::Uuid::new_v4().to_string(),
            kind: Kind::ApiKey,
            name,
            allowed_domains: vec![],
            created_at: OffsetDateTime::now_utc(),
            revoked_at: None,
        };
        let mut tx = self.store().begin().await?;
        tx.insert_access_key(&key, &sha256_hex(&secret)).await?;
        tx.commit().await?;
        Ok((key, secret))
    }

    /// Lists live API keys (never the keys themselves).
    pub async fn api_keys(&self, p: &Principal) -> Result<Vec<AccessKey>, AppError> {
        p.require_any(&[ApiRole::FullAccess])?;
        let mut tx = self.store().read().await?;
        let keys = tx.access_keys(&[Kind::ApiKey]).await?;
        tx.commit().await?;
        Ok(keys)
    }

    /// Revokes an API key; a Threekit token's id is not found here.
    pub async fn revoke_api_key(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        p.require_any(&[ApiRole::FullAccess])?;
        let mut tx = self.store().begin().await?;
        if !tx.revoke_access_key(id, &[Kind::ApiKey]).await? {
            return Err(AppError::not_found(Resource::ApiKey, id));
        }
        tx.commit().await?;
        self.grants_changed();
        Ok(())
    }

    /// Verifies an `Api-Token`.
    pub async fn api_key_caller(&self, key: Option<&str>) -> Result<ApiKeyCaller, ShopError> {
        let key = key.filter(|k| !k.is_empty()).ok_or(ShopError::KeyRequired)?;
        let found = self.token_by_digest(&sha256_hex(key)).await?;
        match found {
            Some(t) if t.kind == Kind::ApiKey => Ok(ApiKeyCaller { key_id: t.id }),
            _ => Err(ShopError::KeyRefused),
        }
    }

    /// Creates a connection.
    pub async fn create_connection(&self, mut c: Connection) -> Result<Connection, ShopError> {
        let mut tx = self.store().begin().await?;
        c.id = match tx.insert_connection(&c).await {
            Ok(id) => id,
            Err(StoreError::Unique { .. }) => {
                return Err(ShopError::Duplicate(ShopKey::Connection {
                    service: c.service.clone(),
                    external_id: c.external_id.clone(),
                }));
            }
            Err(e) => return Err(e.into()),
        };
        tx.commit().await?;
        Ok(c)
    }

    /// One connection.
    pub async fn connection(&self, id: &str) -> Result<Connection, ShopError> {
        let not_found = || ShopError::NotFound { resource: Resource::Connection, id: id.to_owned() };
        let n: i64 = id.parse().map_err(|_| not_found())?;
        let mut tx = self.store().read().await?;
        let c = tx.connection(n).await?;
        tx.commit().await?;
        c.ok_or_else(not_found)
    }

    /// Connections, one page.
    pub async fn connections(
        &self,
        filters: &[ConnectionFilter],
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Connection>, i64), ShopError> {
        let mut tx = self.store().read().await?;
        let page = tx.connections(filters, offset, limit).await?;
        tx.commit().await?;
        Ok(page)
    }

    /// Updates a connection through `change`.
    pub async fn update_connection(
        &self,
        id: &str,
        change: impl FnOnce(&mut Connection) -> Result<(), ShopError>,
    ) -> Result<Connection, ShopError> {
        let not_found = || ShopError::NotFound { resource: Resource::Connection, id: id.to_owned() };
        let n: i64 = id.parse().map_err(|_| not_found())?;
        // Read and write in one transaction: two concurrent PUTs must not lose each other.
        let mut tx = self.store().begin().await?;
        let mut c = tx.connection(n).await?.ok_or_else(not_found)?;
        change(&mut c)?;
        c.updated_at = OffsetDateTime::now_utc();
        match tx.update_connection(&c).await {
            Err(StoreError::Unique { .. }) => {
                return Err(ShopError::Duplicate(ShopKey::Connection {
                    service: c.service.clone(),
                    external_id: c.external_id.clone(),
                }));
            }
            other => other?,
        }
        tx.commit().await?;
        Ok(c)
    }

    /// Deletes a connection and its customers.
    pub async fn delete_connection(&self, id: &str) -> Result<(), ShopError> {
        let c = self.connection(id).await?;
        let mut tx = self.store().begin().await?;
        tx.delete_connection(c.id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates a customer of an existing connection.
    pub async fn create_customer(&self, caller: &ApiKeyCaller, mut c: EcomCustomer) -> Result<EcomCustomer, ShopError> {
        let mut tx = self.store().begin().await?;
        if tx.connection(c.connection_id).await?.is_none() {
            return Err(ShopError::UnknownConnection(c.connection_id));
        }
        c.id = match tx.insert_customer(&c).await {
            Ok(id) => id,
            Err(StoreError::Unique { .. }) => {
                return Err(ShopError::Duplicate(ShopKey::CustomerEmail {
                    email: c.email.clone(),
                    connection_id: c.connection_id,
                }));
            }
            Err(e) => return Err(e.into()),
        };
        tx.append_events(&[NewEvent::change("customer", Change::Created, c.id.to_string(), customer_snapshot(&c))
            .by(caller.describe(), Dialect::ActiveCampaign)])
            .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// One customer.
    pub async fn customer(&self, id: &str) -> Result<EcomCustomer, ShopError> {
        let not_found = || ShopError::NotFound { resource: Resource::Customer, id: id.to_owned() };
        let n: i64 = id.parse().map_err(|_| not_found())?;
        let mut tx = self.store().read().await?;
        let c = tx.customer(n).await?;
        tx.commit().await?;
        c.ok_or_else(not_found)
    }

    /// Customers, one page.
    pub async fn customers(
        &self,
        filters: &[CustomerFilter],
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<EcomCustomer>, i64), ShopError> {
        let mut tx = self.store().read().await?;
        let page = tx.customers(filters, offset, limit).await?;
        tx.commit().await?;
        Ok(page)
    }

    /// Updates a customer through `change`.
    pub async fn update_customer(
        &self,
        caller: &ApiKeyCaller,
        id: &str,
        change: impl FnOnce(&mut EcomCustomer) -> Result<(), ShopError>,
    ) -> Result<EcomCustomer, ShopError> {
        let not_found = || ShopError::NotFound { resource: Resource::Customer, id: id.to_owned() };
        let n: i64 = id.parse().map_err(|_| not_found())?;
        let mut tx = self.store().begin().await?;
        let mut c = tx.customer(n).await?.ok_or_else(not_found)?;
        change(&mut c)?;
        c.updated_at = OffsetDateTime::now_utc();
        if tx.connection(c.connection_id).await?.is_none() {
            return Err(ShopError::UnknownConnection(c.connection_id));
        }
        match tx.update_customer(&c).await {
            Err(StoreError::Unique { .. }) => {
                return Err(ShopError::Duplicate(ShopKey::CustomerEmail {
                    email: c.email.clone(),
                    connection_id: c.connection_id,
                }));
            }
            other => other?,
        }
        tx.append_events(&[NewEvent::change("customer", Change::Updated, c.id.to_string(), customer_snapshot(&c))
            .by(caller.describe(), Dialect::ActiveCampaign)])
            .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Deletes a customer.
    pub async fn delete_customer(&self, caller: &ApiKeyCaller, id: &str) -> Result<(), ShopError> {
        let c = self.customer(id).await?;
        let mut tx = self.store().begin().await?;
        tx.delete_customer(c.id).await?;
        tx.append_events(&[NewEvent::change(
            "customer",
            Change::Deleted,
            c.id.to_string(),
            json!({"id": c.id.to_string(), "type": "customer"}),
        )
        .by(caller.describe(), Dialect::ActiveCampaign)])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn check_shop_refs(&self, tx: &mut cartwire_store::Tx, o: &Order) -> Result<(), ShopError> {
        let shop = o.shop.as_ref().expect("shop orders carry their shop side");
        if tx.connection(shop.connection_id).await?.is_none() {
            return Err(ShopError::UnknownConnection(shop.connection_id));
        }
        match tx.customer(shop.customer_id).await? {
            Some(c) if c.connection_id == shop.connection_id => Ok(()),
            Some(_) => Err(ShopError::ForeignCustomer(shop.customer_id)),
            None => Err(ShopError::UnknownCustomer(shop.customer_id)),
        }
    }

    fn duplicate_order(e: StoreError) -> ShopError {
        match e {
            StoreError::Unique { constraint } => {
                ShopError::Duplicate(if constraint == cartwire_store::orders::EXTERNAL_CHECKOUT_ID_KEY {
                    ShopKey::OrderExternalCheckoutId
                } else {
                    ShopKey::OrderExternalId
                })
            }
            other => other.into(),
        }
    }

    /// Creates a shop order or abandoned cart. `externalid` makes a completed order (state 1);
    /// `externalcheckoutid` alone an abandoned cart (state 2), abandoned at `abandoned_at`.
    pub async fn create_shop_order(
        &self,
        caller: &ApiKeyCaller,
        mut new: NewOrder,
        abandoned_at: Option<OffsetDateTime>,
    ) -> Result<Order, ShopError> {
        let now = OffsetDateTime::now_utc();
        let shop = new.shop.as_ref().expect("shop order");
        new.status = if shop.external_id.is_some() { OrderStatus::Placed } else { OrderStatus::Cart };
        let (id, short_id) = (crate::orders::core::new_order_id(), crate::orders::core::new_short_id());
        let mut order = Order::new(id, short_id, self.org_id().await?, Some(caller.describe()), now, new);
        order.abandoned_at = if order.status.is_cart() { abandoned_at } else { None };
        let mut tx = self.store().begin().await?;
        self.check_shop_refs(&mut tx, &order).await?;
        order.check_limits().map_err(over_limit)?;
        tx.insert_order(&order).await.map_err(Self::duplicate_order)?;
        let mut events = order_events(None, &order, caller.describe(), Dialect::ActiveCampaign);
        if order.abandoned_at.is_some() {
            events.push(NewEvent {
                key: cartwire_domain::event::EventKey::parse("cart.abandoned").expect("catalog key"),
                resource_type: "cart",
                resource_id: order.id.to_string(),
                payload: order_snapshot(&order),
                actor: Some(caller.describe()),
                dialect: Dialect::ActiveCampaign,
            });
        }
        tx.append_events(&events).await?;
        tx.commit().await?;
        Ok(order)
    }

    /// One shop order (not deleted).
    pub async fn shop_order(&self, id: &str) -> Result<Order, ShopError> {
        let mut tx = self.store().read().await?;
        let o = tx.order(id).await?;
        tx.commit().await?;
        o.filter(|o| o.shop.is_some() && o.deleted_at.is_none() && o.id == id)
            .ok_or_else(|| ShopError::NotFound { resource: Resource::Order, id: id.to_owned() })
    }

    /// Shop orders, one page.
    pub async fn shop_orders(
        &self,
        filters: &[ShopOrderFilter],
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Order>, i64), ShopError> {
        let mut tx = self.store().read().await?;
        let page = tx.shop_orders(filters, offset, limit).await?;
        tx.commit().await?;
        Ok(page)
    }

    /// Updates a shop order through `change`; adding an `externalid` to a cart places it
    /// (state 3, recovered, when it had been abandoned).
    pub async fn update_shop_order(
        &self,
        caller: &ApiKeyCaller,
        id: &str,
        change: impl FnOnce(&mut Order) -> Result<(), ShopError>,
    ) -> Result<Order, ShopError> {
        let mut tx = self.store().begin().await?;
        let current = tx
            .order(id)
            .await?
            .filter(|o| o.shop.is_some() && o.deleted_at.is_none() && o.id == id)
            .ok_or_else(|| ShopError::NotFound { resource: Resource::Order, id: id.to_owned() })?;
        let mut next = current.clone();
        change(&mut next)?;
        let now = OffsetDateTime::now_utc();
        if current.status.is_cart() && next.shop.as_ref().is_some_and(|s| s.external_id.is_some()) {
            next.status = OrderStatus::Placed;
            next.placed_at = Some(now);
        }
        next.updated_at = Some(now);
        self.check_shop_refs(&mut tx, &next).await?;
        next.check_limits().map_err(over_limit)?;
        tx.update_order(&next).await.map_err(Self::duplicate_order)?;
        tx.append_events(&order_events(Some(&current), &next, caller.describe(), Dialect::ActiveCampaign)).await?;
        tx.commit().await?;
        Ok(next)
    }

    /// Soft-deletes a shop order.
    pub async fn delete_shop_order(&self, caller: &ApiKeyCaller, id: &str) -> Result<(), ShopError> {
        self.update_shop_order(caller, id, |o| {
            o.deleted_at = Some(OffsetDateTime::now_utc());
            Ok(())
        })
        .await
        .map(|_| ())
    }
}
