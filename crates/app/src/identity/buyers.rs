//! Buyer companies; deleting one deletes its users.

use super::{customer_event, new_id};
use crate::SaveMode;
use crate::error::FieldExt;
use crate::resource::Resource;
use crate::{App, AppError, Principal};
use cartwire_domain::Field;
use cartwire_domain::event::Change;
use cartwire_domain::user::Buyer;
use cartwire_domain::{ApiRole, ObjectId};
use time::OffsetDateTime;

const BUYER_READ: &[ApiRole] = &[ApiRole::BuyerAdmin, ApiRole::BuyerReader];
const BUYER_WRITE: &[ApiRole] = &[ApiRole::BuyerAdmin];

impl App {
    /// Lists buyers.
    pub async fn list_buyers(&self, p: &Principal) -> Result<Vec<Buyer>, AppError> {
        p.require_any(BUYER_READ)?;
        let mut tx = self.store().read().await?;
        let all = tx.buyers().await?;
        tx.commit().await?;
        Ok(all)
    }

    /// Gets a buyer.
    pub async fn get_buyer(&self, p: &Principal, id: &str) -> Result<Buyer, AppError> {
        p.require_any(BUYER_READ)?;
        let mut tx = self.store().read().await?;
        let b = tx.buyer(id).await?;
        tx.commit().await?;
        b.ok_or_else(|| AppError::not_found(Resource::Buyer, id))
    }

    /// Creates (POST, `must_be_new`), creates-or-overwrites (PUT) or patches (PATCH,
    /// `must_exist`) a buyer; `build` sees the current one.
    pub async fn save_buyer(
        &self,
        p: &Principal,
        id: Option<&str>,
        mode: SaveMode,
        build: impl FnOnce(ObjectId, Option<&Buyer>) -> Result<Buyer, AppError>,
    ) -> Result<(Buyer, bool), AppError> {
        p.require_any(BUYER_WRITE)?;
        let id = match id {
            Some(id) => ObjectId::parse(id).field(Field::Id)?,
            None => new_id(),
        };
        let mut tx = self.store().begin().await?;
        let current = tx.buyer(id.as_str()).await?;
        mode.check(current.is_some(), Resource::Buyer, &id)?;
        let mut buyer = build(id.clone(), current.as_ref())?;
        buyer.id = id.clone();
        buyer.date_created = current.as_ref().map(|c| c.date_created).unwrap_or_else(OffsetDateTime::now_utc);
        buyer.validate()?;
        let created = current.is_none();
        if created {
            tx.insert_buyer(&buyer).await.map_err(AppError::on_insert(Resource::Buyer, id.to_string()))?;
        } else {
            tx.update_buyer(&buyer).await?;
        }
        tx.commit().await?;
        self.grants_changed();
        Ok((buyer, created))
    }

    /// Deletes a buyer with its users.
    pub async fn delete_buyer(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        p.require_any(BUYER_WRITE)?;
        let mut tx = self.store().begin().await?;
        let users = tx.users(id).await?;
        if !tx.delete_buyer(id).await? {
            return Err(AppError::not_found(Resource::Buyer, id));
        }
        let events: Vec<_> = users.iter().filter_map(|u| customer_event(Change::Deleted, u, p)).collect();
        tx.append_events(&events).await?;
        tx.commit().await?;
        self.grants_changed();
        Ok(())
    }
}
