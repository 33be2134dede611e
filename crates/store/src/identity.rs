//! Users, buyer companies, security profiles and their assignments.

use crate::codec::{flag, get_bool, get_json, get_opt_str, get_opt_ts, get_str, get_ts, id, json, opt_id, ts};
use crate::sql::Row;
use crate::{StoreError, Tx};
use cartwire_domain::role::parse_roles;
use cartwire_domain::user::{
    AssignmentLevel, Buyer, SecurityProfile, SecurityProfileAssignment, User, UserProfile, UserType,
};
use cartwire_domain::{ObjectId, RoleSet};

/// The company key of a user: '' for admin users, the buyer id for buyer users.
pub fn company_of(buyer_id: Option<&ObjectId>) -> &str {
    buyer_id.map(ObjectId::as_str).unwrap_or("")
}

fn user_from(row: &Row) -> Result<User, StoreError> {
    Ok(User {
        id: id(row, "id")?,
        user_type: UserType::parse(&get_str(row, "user_type")?).map_err(|e| crate::codec::corrupt("user_type", e))?,
        buyer_id: opt_id(row, "buyer_id")?,
        profile: UserProfile {
            username: get_str(row, "username")?,
            first_name: get_str(row, "first_name")?,
            last_name: get_str(row, "last_name")?,
            email: get_str(row, "email")?,
            phone: get_opt_str(row, "phone")?,
            terms_accepted: get_opt_ts(row, "terms_accepted")?,
            active: get_bool(row, "active")?,
            xp: get_json(row, "xp")?,
        },
        password_hash: get_opt_str(row, "password_hash")?,
        password_last_set: get_opt_ts(row, "password_last_set")?,
        date_created: get_ts(row, "date_created")?,
    })
}

fn buyer_from(row: &Row) -> Result<Buyer, StoreError> {
    Ok(Buyer {
        id: id(row, "id")?,
        name: get_str(row, "name")?,
        default_catalog_id: get_opt_str(row, "default_catalog_id")?,
        active: get_bool(row, "active")?,
        date_created: get_ts(row, "date_created")?,
        xp: get_json(row, "xp")?,
    })
}

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
    /// Inserts a user; [`StoreError::Duplicate`] when the id (within its company) or the
    /// username (anywhere) is taken.
    pub async fn insert_user(&mut self, u: &User) -> Result<(), StoreError> {
        crate::sql::query(
            "INSERT INTO users (company, id, user_type, buyer_id, username, username_key, first_name, last_name, \
             email, phone, terms_accepted, active, xp, password_hash, password_last_set, date_created) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(company_of(u.buyer_id.as_ref()))
        .bind(u.id.as_str())
        .bind(u.user_type.as_str())
        .bind(u.buyer_id.as_ref().map(|b| b.as_str().to_owned()))
        .bind(&u.profile.username)
        .bind(u.profile.username.to_lowercase())
        .bind(&u.profile.first_name)
        .bind(&u.profile.last_name)
        .bind(&u.profile.email)
        .bind(u.profile.phone.as_deref())
        .bind(u.profile.terms_accepted.map(ts))
        .bind(flag(u.profile.active))
        .bind(json(&u.profile.xp))
        .bind(u.password_hash.as_deref())
        .bind(u.password_last_set.map(ts))
        .bind(ts(u.date_created))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Overwrites the user stored under (`company`, `current_id`); false when missing.
    pub async fn update_user(&mut self, current_id: &str, u: &User) -> Result<bool, StoreError> {
        let n = crate::sql::query(
            "UPDATE users SET id = $1, username = $2, username_key = $3, first_name = $4, last_name = $5, \
             email = $6, phone = $7, terms_accepted = $8, active = $9, xp = $10, password_hash = $11, \
             password_last_set = $12 WHERE company = $13 AND id = $14",
        )
        .bind(u.id.as_str())
        .bind(&u.profile.username)
        .bind(u.profile.username.to_lowercase())
        .bind(&u.profile.first_name)
        .bind(&u.profile.last_name)
        .bind(&u.profile.email)
        .bind(u.profile.phone.as_deref())
        .bind(u.profile.terms_accepted.map(ts))
        .bind(flag(u.profile.active))
        .bind(json(&u.profile.xp))
        .bind(u.password_hash.as_deref())
        .bind(u.password_last_set.map(ts))
        .bind(company_of(u.buyer_id.as_ref()))
        .bind(current_id)
        .execute(self.conn())
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// One user of a company ('' = admin users).
    pub async fn user(&mut self, company: &str, id: &str) -> Result<Option<User>, StoreError> {
        let row = crate::sql::query("SELECT * FROM users WHERE company = $1 AND id = $2")
            .bind(company)
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(user_from).transpose()
    }

    /// The user with a username (case-insensitive), in any company.
    pub async fn user_by_username(&mut self, username: &str) -> Result<Option<User>, StoreError> {
        let row = crate::sql::query("SELECT * FROM users WHERE username_key = $1")
            .bind(username.to_lowercase())
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(user_from).transpose()
    }

    /// Every user of a company, oldest first.
    pub async fn users(&mut self, company: &str) -> Result<Vec<User>, StoreError> {
        let rows = crate::sql::query("SELECT * FROM users WHERE company = $1 ORDER BY date_created, id")
            .bind(company)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(user_from).collect()
    }

    /// Deletes a user and its user-level assignments and refresh tokens; false when missing.
    pub async fn delete_user(&mut self, company: &str, id: &str) -> Result<bool, StoreError> {
        crate::sql::query("DELETE FROM security_profile_assignments WHERE buyer_id = $1 AND user_id = $2")
            .bind(company)
            .bind(id)
            .execute(self.conn())
            .await?;
        crate::sql::query("DELETE FROM refresh_tokens WHERE company = $1 AND user_id = $2")
            .bind(company)
            .bind(id)
            .execute(self.conn())
            .await?;
        let n = crate::sql::query("DELETE FROM users WHERE company = $1 AND id = $2")
            .bind(company)
            .bind(id)
            .execute(self.conn())
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    /// Inserts a buyer; [`StoreError::Duplicate`] when the id exists.
    pub async fn insert_buyer(&mut self, b: &Buyer) -> Result<(), StoreError> {
        crate::sql::query(
            "INSERT INTO buyers (id, name, default_catalog_id, active, xp, date_created) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(b.id.as_str())
        .bind(&b.name)
        .bind(b.default_catalog_id.as_deref())
        .bind(flag(b.active))
        .bind(json(&b.xp))
        .bind(ts(b.date_created))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Overwrites a buyer's fields (its id is fixed); false when missing.
    pub async fn update_buyer(&mut self, b: &Buyer) -> Result<bool, StoreError> {
        let n = crate::sql::query(
            "UPDATE buyers SET name = $1, default_catalog_id = $2, active = $3, xp = $4 WHERE id = $5",
        )
        .bind(&b.name)
        .bind(b.default_catalog_id.as_deref())
        .bind(flag(b.active))
        .bind(json(&b.xp))
        .bind(b.id.as_str())
        .execute(self.conn())
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// One buyer.
    pub async fn buyer(&mut self, id: &str) -> Result<Option<Buyer>, StoreError> {
        let row = crate::sql::query("SELECT * FROM buyers WHERE id = $1").bind(id).fetch_optional(self.conn()).await?;
        row.as_ref().map(buyer_from).transpose()
    }

    /// Every buyer, oldest first.
    pub async fn buyers(&mut self) -> Result<Vec<Buyer>, StoreError> {
        let rows = crate::sql::query("SELECT * FROM buyers ORDER BY date_created, id").fetch_all(self.conn()).await?;
        rows.iter().map(buyer_from).collect()
    }

    /// Deletes a buyer with its users, their assignments and refresh tokens; false when missing.
    pub async fn delete_buyer(&mut self, id: &str) -> Result<bool, StoreError> {
        for sql in [
            "DELETE FROM security_profile_assignments WHERE buyer_id = $1",
            "DELETE FROM refresh_tokens WHERE company = $1",
            "DELETE FROM users WHERE company = $1",
        ] {
            crate::sql::query(sql).bind(id).execute(self.conn()).await?;
        }
        let n =
            crate::sql::query("DELETE FROM buyers WHERE id = $1").bind(id).execute(self.conn()).await?.rows_affected();
        Ok(n == 1)
    }

    /// Inserts a security profile; [`StoreError::Duplicate`] when the id exists.
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
