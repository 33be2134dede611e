//! Security profiles (named role sets) and their assignments to a user, a buyer company or
//! the marketplace.

use super::new_id;
use crate::SaveMode;
use crate::error::FieldExt;
use crate::resource::Resource;
use crate::{App, AppError, Principal, grants};
use cartwire_domain::Field;
use cartwire_domain::user::{AssignmentLevel, SecurityProfile, SecurityProfileAssignment};
use cartwire_domain::{ApiRole, ObjectId};

const PROFILE_READ: &[ApiRole] = &[ApiRole::SecurityProfileAdmin, ApiRole::SecurityProfileReader];
const PROFILE_WRITE: &[ApiRole] = &[ApiRole::SecurityProfileAdmin];

impl App {
    /// Lists security profiles.
    pub async fn list_security_profiles(&self, p: &Principal) -> Result<Vec<SecurityProfile>, AppError> {
        p.require_any(PROFILE_READ)?;
        let mut tx = self.store().read().await?;
        let all = tx.security_profiles().await?;
        tx.commit().await?;
        Ok(all)
    }

    /// Gets a security profile.
    pub async fn get_security_profile(&self, p: &Principal, id: &str) -> Result<SecurityProfile, AppError> {
        p.require_any(PROFILE_READ)?;
        let mut tx = self.store().read().await?;
        let sp = tx.security_profile(id).await?;
        tx.commit().await?;
        sp.ok_or_else(|| AppError::not_found(Resource::SecurityProfile, id))
    }

    /// Creates, overwrites or patches a security profile (see [`SaveMode`]).
    pub async fn save_security_profile(
        &self,
        p: &Principal,
        id: Option<&str>,
        mode: SaveMode,
        build: impl FnOnce(ObjectId, Option<&SecurityProfile>) -> Result<SecurityProfile, AppError>,
    ) -> Result<(SecurityProfile, bool), AppError> {
        p.require_any(PROFILE_WRITE)?;
        let id = match id {
            Some(id) => ObjectId::parse(id).field(Field::Id)?,
            None => new_id(),
        };
        let mut tx = self.store().begin().await?;
        let current = tx.security_profile(id.as_str()).await?;
        mode.check(current.is_some(), Resource::SecurityProfile, &id)?;
        let mut profile = build(id.clone(), current.as_ref())?;
        profile.id = id.clone();
        profile.validate()?;
        // Everyone the profile is assigned to gains what it adds: only roles the caller holds.
        let before = current.as_ref().map(grants::profile_roles).unwrap_or_default();
        grants::require_held(p, &grants::profile_roles(&profile).without(&before), "This security profile")?;
        let created = current.is_none();
        if created {
            tx.insert_security_profile(&profile)
                .await
                .map_err(AppError::on_insert(Resource::SecurityProfile, id.to_string()))?;
        } else {
            tx.update_security_profile(&profile).await?;
        }
        tx.commit().await?;
        self.grants_changed();
        Ok((profile, created))
    }

    /// Deletes a security profile and its assignments.
    pub async fn delete_security_profile(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        p.require_any(PROFILE_WRITE)?;
        let mut tx = self.store().begin().await?;
        if !tx.delete_security_profile(id).await? {
            return Err(AppError::not_found(Resource::SecurityProfile, id));
        }
        tx.commit().await?;
        self.grants_changed();
        Ok(())
    }

    /// Lists assignments.
    pub async fn list_assignments(&self, p: &Principal) -> Result<Vec<SecurityProfileAssignment>, AppError> {
        p.require_any(PROFILE_READ)?;
        let mut tx = self.store().read().await?;
        let all = tx.assignments().await?;
        tx.commit().await?;
        Ok(all)
    }

    /// Assigns a profile; the profile, buyer and user must exist.
    pub async fn save_assignment(
        &self,
        p: &Principal,
        build: impl FnOnce() -> Result<SecurityProfileAssignment, AppError>,
    ) -> Result<(), AppError> {
        p.require_any(PROFILE_WRITE)?;
        let a = build()?;
        let mut tx = self.store().begin().await?;
        let profile = tx
            .security_profile(a.security_profile_id.as_str())
            .await?
            .ok_or_else(|| AppError::not_found(Resource::SecurityProfile, a.security_profile_id.as_str()))?;
        grants::require_held(p, &grants::profile_roles(&profile), "This assignment")?;
        match &a.level {
            AssignmentLevel::Marketplace => {}
            AssignmentLevel::Buyer(b) => {
                tx.buyer(b.as_str()).await?.ok_or_else(|| AppError::not_found(Resource::Buyer, b.as_str()))?;
            }
            AssignmentLevel::BuyerUser { buyer_id, user_id } => {
                tx.buyer(buyer_id.as_str())
                    .await?
                    .ok_or_else(|| AppError::not_found(Resource::Buyer, buyer_id.as_str()))?;
                tx.user(buyer_id.as_str(), user_id.as_str())
                    .await?
                    .ok_or_else(|| AppError::not_found(Resource::User, user_id.as_str()))?;
            }
            AssignmentLevel::AdminUser(u) => {
                tx.user("", u.as_str()).await?.ok_or_else(|| AppError::not_found(Resource::User, u.as_str()))?;
            }
        }
        tx.save_assignment(&a).await?;
        tx.commit().await?;
        self.grants_changed();
        Ok(())
    }

    /// Removes an assignment.
    pub async fn delete_assignment(&self, p: &Principal, a: SecurityProfileAssignment) -> Result<(), AppError> {
        p.require_any(PROFILE_WRITE)?;
        let mut tx = self.store().begin().await?;
        if !tx.delete_assignment(&a).await? {
            return Err(AppError::not_found(Resource::SecurityProfileAssignment, a.security_profile_id.as_str()));
        }
        tx.commit().await?;
        self.grants_changed();
        Ok(())
    }
}
