//! Security profiles, their assignments to users, companies or the marketplace, and the
//! roles a user holds through them.

use crate::codec::{get_json, get_str, id, json, opt_id, ts};
use crate::sql::Row;
use crate::users::company_of;
use crate::{StoreError, Tx};
use cartwire_domain::role::parse_roles;
use cartwire_domain::user::{AssignmentLevel, SecurityProfile, SecurityProfileAssignment, User};
use cartwire_domain::{ObjectId, RoleSet};

fn profile_from(row: &Row) -> Result<SecurityProfile, StoreError> {
    let names: Vec<String> = get_json(row, "roles")?;
    Ok(SecurityProfile {
        id: id(row, "id")?,
        name: get_str(row, "name")?,
        roles: parse_roles(names.iter().map(String::as_str)).map_err(|e| crate::codec::corrupt("roles", e))?,
        custom_roles: get_json(row, "custom_roles")?,
    })
}

impl Tx {
    /// Inserts a security profile; [`StoreError::Unique`] when the id exists.
    pub async fn insert_security_profile(&mut self, p: &SecurityProfile) -> Result<(), StoreError> {
        crate::sql::query(
            "INSERT INTO security_profiles (id, name, roles, custom_roles, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(p.id.as_str())
        .bind(&p.name)
        .bind(json(&p.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>()))
        .bind(json(&p.custom_roles))
        .bind(ts(time::OffsetDateTime::now_utc()))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Overwrites a security profile; false when missing.
    pub async fn update_security_profile(&mut self, p: &SecurityProfile) -> Result<bool, StoreError> {
        let n =
            crate::sql::query("UPDATE security_profiles SET name = $1, roles = $2, custom_roles = $3 WHERE id = $4")
                .bind(&p.name)
                .bind(json(&p.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>()))
                .bind(json(&p.custom_roles))
                .bind(p.id.as_str())
                .execute(self.conn())
                .await?
                .rows_affected();
        Ok(n == 1)
    }

    /// One security profile.
    pub async fn security_profile(&mut self, id: &str) -> Result<Option<SecurityProfile>, StoreError> {
        let row = crate::sql::query("SELECT * FROM security_profiles WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(profile_from).transpose()
    }

    /// Every security profile, oldest first.
    pub async fn security_profiles(&mut self) -> Result<Vec<SecurityProfile>, StoreError> {
        let rows =
            crate::sql::query("SELECT * FROM security_profiles ORDER BY created_at, id").fetch_all(self.conn()).await?;
        rows.iter().map(profile_from).collect()
    }

    /// Deletes a security profile and its assignments; false when missing.
    pub async fn delete_security_profile(&mut self, id: &str) -> Result<bool, StoreError> {
        crate::sql::query("DELETE FROM security_profile_assignments WHERE security_profile_id = $1")
            .bind(id)
            .execute(self.conn())
            .await?;
        let n = crate::sql::query("DELETE FROM security_profiles WHERE id = $1")
            .bind(id)
            .execute(self.conn())
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    /// Records an assignment (idempotent).
    pub async fn save_assignment(&mut self, a: &SecurityProfileAssignment) -> Result<(), StoreError> {
        crate::sql::query(
            "INSERT INTO security_profile_assignments (security_profile_id, buyer_id, user_id) VALUES ($1, $2, $3) \
             ON CONFLICT (security_profile_id, buyer_id, user_id) DO NOTHING",
        )
        .bind(a.security_profile_id.as_str())
        .bind(a.buyer_id().map(ObjectId::as_str).unwrap_or(""))
        .bind(a.user_id().map(ObjectId::as_str).unwrap_or(""))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Removes an assignment; false when it did not exist.
    pub async fn delete_assignment(&mut self, a: &SecurityProfileAssignment) -> Result<bool, StoreError> {
        let n = crate::sql::query(
            "DELETE FROM security_profile_assignments WHERE security_profile_id = $1 AND buyer_id = $2 AND user_id = $3",
        )
        .bind(a.security_profile_id.as_str())
        .bind(a.buyer_id().map(ObjectId::as_str).unwrap_or(""))
        .bind(a.user_id().map(ObjectId::as_str).unwrap_or(""))
        .execute(self.conn())
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Every assignment.
    pub async fn assignments(&mut self) -> Result<Vec<SecurityProfileAssignment>, StoreError> {
        let rows = crate::sql::query(
            "SELECT security_profile_id, buyer_id, user_id FROM security_profile_assignments \
             ORDER BY security_profile_id, buyer_id, user_id",
        )
        .fetch_all(self.conn())
        .await?;
        rows.iter()
            .map(|row| {
                let profile = id(row, "security_profile_id")?;
                let buyer = opt_id(row, "buyer_id")?;
                let user = opt_id(row, "user_id")?;
                let level = match (buyer, user) {
                    (None, None) => AssignmentLevel::Marketplace,
                    (Some(b), None) => AssignmentLevel::Buyer(b),
                    (Some(buyer_id), Some(user_id)) => AssignmentLevel::BuyerUser { buyer_id, user_id },
                    (None, Some(u)) => AssignmentLevel::AdminUser(u),
                };
                Ok(SecurityProfileAssignment { security_profile_id: profile, level })
            })
            .collect()
    }

    /// The union of the roles of every profile that applies to a user: assigned to the user,
    /// to the user's buyer company, or (for admin users) to the marketplace.
    pub async fn roles_of_user(&mut self, user: &User) -> Result<RoleSet, StoreError> {
        let company = company_of(user.buyer_id.as_ref());
        let rows = crate::sql::query(
            "SELECT p.roles, p.custom_roles FROM security_profiles p \
             JOIN security_profile_assignments a ON a.security_profile_id = p.id \
             WHERE a.buyer_id = $1 AND (a.user_id = $2 OR a.user_id = '')",
        )
        .bind(company)
        .bind(user.id.as_str())
        .fetch_all(self.conn())
        .await?;
        let mut set = RoleSet::default();
        for row in &rows {
            let names: Vec<String> = get_json(row, "roles")?;
            let custom: Vec<String> = get_json(row, "custom_roles")?;
            let roles = parse_roles(names.iter().map(String::as_str)).map_err(|e| crate::codec::corrupt("roles", e))?;
            set.roles.extend(roles);
            set.custom.extend(custom);
        }
        Ok(set)
    }
}
