//! Buyers' approval rules.

use crate::codec::{corrupt, get_json, get_opt_str, get_str, id, json};
use crate::sql::Row;
use crate::{StoreError, Tx};
use cartwire_domain::order::approval_rules::{ApprovalRule, RuleExpression};

fn rule_from(row: &Row) -> Result<ApprovalRule, StoreError> {
    Ok(ApprovalRule {
        id: id(row, "id")?,
        buyer_id: get_str(row, "buyer_id")?,
        name: get_str(row, "name")?,
        description: get_opt_str(row, "description")?,
        approving_group_id: get_opt_str(row, "approving_group_id")?,
        rule_expression: RuleExpression::parse(&get_str(row, "rule_expression")?)
            .map_err(|e| corrupt("rule_expression", e))?,
        xp: get_json(row, "xp")?,
    })
}

impl Tx {
    /// Inserts a rule when `created`, else overwrites it.
    pub async fn save_approval_rule(&mut self, r: &ApprovalRule, created: bool) -> Result<(), StoreError> {
        let q = if created {
            crate::sql::query(
                "INSERT INTO approval_rules (name, description, approving_group_id, rule_expression, xp, buyer_id, id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
        } else {
            crate::sql::query(
                "UPDATE approval_rules SET name = $1, description = $2, approving_group_id = $3, rule_expression = $4, \
                 xp = $5 WHERE buyer_id = $6 AND id = $7",
            )
        };
        q.bind(&r.name)
            .bind(r.description.as_deref())
            .bind(r.approving_group_id.as_deref())
            .bind(r.rule_expression.as_str())
            .bind(json(&r.xp))
            .bind(&r.buyer_id)
            .bind(r.id.as_str())
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// One rule of a buyer.
    pub async fn approval_rule(&mut self, buyer_id: &str, id: &str) -> Result<Option<ApprovalRule>, StoreError> {
        let row = crate::sql::query("SELECT * FROM approval_rules WHERE buyer_id = $1 AND id = $2")
            .bind(buyer_id)
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(rule_from).transpose()
    }

    /// Every rule of a buyer.
    pub async fn approval_rules(&mut self, buyer_id: &str) -> Result<Vec<ApprovalRule>, StoreError> {
        let rows = crate::sql::query("SELECT * FROM approval_rules WHERE buyer_id = $1 ORDER BY id")
            .bind(buyer_id)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(rule_from).collect()
    }

    /// Deletes a rule; false when there was none.
    pub async fn delete_approval_rule(&mut self, buyer_id: &str, id: &str) -> Result<bool, StoreError> {
        let n = crate::sql::query("DELETE FROM approval_rules WHERE buyer_id = $1 AND id = $2")
            .bind(buyer_id)
            .bind(id)
            .execute(self.conn())
            .await?
            .rows_affected();
        Ok(n == 1)
    }
}
