//! Approval rules: a buyer's rules that hold a submitted order for approval when their
//! expression matches (the rule language is in `cartwire_domain::order::approval_rules`).

use crate::error::FieldExt;
use crate::resource::Resource;
use crate::{App, AppError, Principal};
use cartwire_domain::Field;
use cartwire_domain::order::approval_rules::ApprovalRule;
use cartwire_domain::{ApiRole, ObjectId};

const APPROVAL_READ: &[ApiRole] = &[ApiRole::ApprovalRuleAdmin, ApiRole::ApprovalRuleReader];
const APPROVAL_WRITE: &[ApiRole] = &[ApiRole::ApprovalRuleAdmin];

impl App {
    /// A buyer's approval rules.
    pub async fn list_approval_rules(&self, p: &Principal, buyer_id: &str) -> Result<Vec<ApprovalRule>, AppError> {
        p.require_any(APPROVAL_READ)?;
        let mut tx = self.store().read().await?;
        if tx.buyer(buyer_id).await?.is_none() {
            return Err(AppError::not_found(Resource::Buyer, buyer_id));
        }
        let rules = tx.approval_rules(buyer_id).await?;
        tx.commit().await?;
        Ok(rules)
    }

    /// One approval rule.
    pub async fn get_approval_rule(&self, p: &Principal, buyer_id: &str, id: &str) -> Result<ApprovalRule, AppError> {
        p.require_any(APPROVAL_READ)?;
        let mut tx = self.store().read().await?;
        let rule = tx.approval_rule(buyer_id, id).await?;
        tx.commit().await?;
        rule.ok_or_else(|| AppError::not_found(Resource::ApprovalRule, id))
    }

    /// Creates, overwrites or patches an approval rule.
    pub async fn save_approval_rule(
        &self,
        p: &Principal,
        buyer_id: &str,
        id: Option<&str>,
        mode: crate::SaveMode,
        build: impl FnOnce(ObjectId, Option<&ApprovalRule>) -> Result<ApprovalRule, AppError>,
    ) -> Result<ApprovalRule, AppError> {
        p.require_any(APPROVAL_WRITE)?;
        let id = match id {
            Some(id) => ObjectId::parse(id).field(Field::Id)?,
            None => ObjectId::parse(&uuid::Uuid::new_v4().simple().to_string()).expect("a UUID is a valid id"),
        };
        let mut tx = self.store().begin().await?;
        if tx.buyer(buyer_id).await?.is_none() {
            return Err(AppError::not_found(Resource::Buyer, buyer_id));
        }
        let current = tx.approval_rule(buyer_id, id.as_str()).await?;
        mode.check(current.is_some(), Resource::ApprovalRule, &id)?;
        let mut rule = build(id.clone(), current.as_ref())?;
        rule.id = id.clone();
        rule.buyer_id = buyer_id.to_owned();
        rule.validate()?;
        tx.save_approval_rule(&rule, current.is_none())
            .await
            .map_err(AppError::on_insert(Resource::ApprovalRule, id.to_string()))?;
        tx.commit().await?;
        Ok(rule)
    }

    /// Deletes an approval rule.
    pub async fn delete_approval_rule(&self, p: &Principal, buyer_id: &str, id: &str) -> Result<(), AppError> {
        p.require_any(APPROVAL_WRITE)?;
        let mut tx = self.store().begin().await?;
        if !tx.delete_approval_rule(buyer_id, id).await? {
            return Err(AppError::not_found(Resource::ApprovalRule, id));
        }
        tx.commit().await?;
        Ok(())
    }
}
