//! The caller's saved addresses (OrderCloud's `/me/addresses`): at most
//! [`MAX_SAVED_ADDRESSES`] per user, each usable by id as an order's ship-to or bill-to.

use crate::error::FieldExt;
use crate::resource::Resource;
use crate::{App, AppError, Principal, SaveMode};
use cartwire_domain::ApiRole;
use cartwire_domain::ObjectId;
use cartwire_domain::addresses::{MAX_SAVED_ADDRESSES, SavedAddress};
use cartwire_domain::{Field, Problem};
use time::OffsetDateTime;

/// Roles that read the caller's addresses.
const READ: &[ApiRole] = &[ApiRole::Shopper, ApiRole::MeAddressAdmin];
/// Roles that change them.
const WRITE: &[ApiRole] = &[ApiRole::MeAddressAdmin];

/// Whether the address serves what it is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressUse {
    /// Ship-to.
    Shipping,
    /// Bill-to.
    Billing,
}

impl App {
    /// The caller's addresses, oldest first.
    pub async fn my_addresses(&self, p: &Principal) -> Result<Vec<SavedAddress>, AppError> {
        p.require_any(READ)?;
        if p.anonymous_order_id.is_some() {
            return Ok(Vec::new());
        }
        let (company, user) = owner(p)?;
        let mut tx = self.store().read().await?;
        let all = tx.addresses(&company, &user).await?;
        tx.commit().await?;
        Ok(all)
    }

    /// One of the caller's addresses.
    pub async fn my_address(&self, p: &Principal, id: &str) -> Result<SavedAddress, AppError> {
        p.require_any(READ)?;
        self.own_address(p, id).await
    }

    /// Creates, overwrites or patches one of the caller's addresses; `build` sees the current
    /// one (None when new).
    pub async fn save_my_address(
        &self,
        p: &Principal,
        id: Option<&str>,
        mode: SaveMode,
        build: impl FnOnce(ObjectId, Option<&SavedAddress>) -> Result<SavedAddress, AppError>,
    ) -> Result<SavedAddress, AppError> {
        p.require_any(WRITE)?;
        let (company, user) = owner(p)?;
        let id = match id {
            Some(id) => ObjectId::parse(id).field(Field::Id)?,
            None => ObjectId::parse(&uuid::Uuid::new_v4().simple().to_string()[..22]).expect("hex is an id"),
        };
        let mut tx = self.store().begin().await?;
        let current = tx.address(&company, &user, id.as_str()).await?;
        mode.check(current.is_some(), Resource::Address, &id)?;
        let mut saved = build(id.clone(), current.as_ref())?;
        saved.id = id.clone();
        saved.address.id = None;
        saved.date_created = current.as_ref().map(|c| c.date_created).unwrap_or_else(OffsetDateTime::now_utc);
        saved.address.validate()?;
        if current.is_some() {
            tx.update_address(&company, &user, &saved).await?;
        } else {
            if tx.addresses(&company, &user).await?.len() >= MAX_SAVED_ADDRESSES {
                return Err(AppError::invalid(
                    Field::SavedAddresses,
                    Problem::rule(format!("must number at most {MAX_SAVED_ADDRESSES} per user")),
                ));
            }
            tx.insert_address(&company, &user, &saved)
                .await
                .map_err(AppError::on_insert(Resource::Address, id.to_string()))?;
        }
        tx.commit().await?;
        Ok(saved)
    }

    /// Deletes one of the caller's addresses (orders that use it keep their copy).
    pub async fn delete_my_address(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        p.require_any(WRITE)?;
        let (company, user) = owner(p)?;
        let mut tx = self.store().begin().await?;
        if !tx.delete_address(&company, &user, id).await? {
            return Err(AppError::not_found(Resource::Address, id));
        }
        tx.commit().await?;
        Ok(())
    }

    /// One of the caller's addresses to ship or bill an order to: it must be theirs and meant
    /// for that use. Reading it needs no address role — the order's own checks apply.
    pub async fn address_for_order(
        &self,
        p: &Principal,
        id: &str,
        usage: AddressUse,
    ) -> Result<SavedAddress, AppError> {
        let found = self.own_address(p, id).await?;
        let fits = match usage {
            AddressUse::Shipping => found.shipping,
            AddressUse::Billing => found.billing,
        };
        if !fits {
            let what = if usage == AddressUse::Shipping { "shipping" } else { "billing" };
            return Err(AppError::invalid(
                Field::Id,
                Problem::rule(format!("must name a {what} address; {id} is not one")),
            ));
        }
        Ok(found)
    }

    async fn own_address(&self, p: &Principal, id: &str) -> Result<SavedAddress, AppError> {
        let (company, user) = owner(p)?;
        let mut tx = self.store().read().await?;
        let found = tx.address(&company, &user, id).await?;
        tx.commit().await?;
        found.ok_or_else(|| AppError::not_found(Resource::Address, id))
    }
}

/// Whose addresses: the caller's full key. Anonymous shoppers have none.
fn owner(p: &Principal) -> Result<(String, String), AppError> {
    if p.anonymous_order_id.is_some() || p.user_id.is_empty() {
        return Err(AppError::rule(
            crate::RuleCode::AnonymousUserReadOnly,
            "An anonymous shopper has no saved addresses",
        ));
    }
    Ok((p.buyer_id.clone().unwrap_or_default(), p.user_id.clone()))
}
