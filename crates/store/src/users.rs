//! Users (admin users and buyer users), keyed by their company and id, with usernames
//! unique across the marketplace.

use crate::codec::{flag, get_bool, get_json, get_opt_str, get_opt_ts, get_str, get_ts, id, json, opt_id, ts};
use crate::sql::Row;
use crate::{StoreError, Tx};
use cartwire_domain::ObjectId;
use cartwire_domain::user::{User, UserProfile, UserType};

/// The unique key of usernames (across every company), as [`StoreError::Unique`] names it.
pub const USERNAME_KEY: &str = "users(username_key)";

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

impl Tx {
    /// Inserts a user; [`StoreError::Unique`] when the id (within its company) or the
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
        if n == 1 && current_id != u.id.as_str() {
            // A renamed user keeps their addresses.
            crate::sql::query("UPDATE user_addresses SET user_id = $1 WHERE company = $2 AND user_id = $3")
                .bind(u.id.as_str())
                .bind(company_of(u.buyer_id.as_ref()))
                .bind(current_id)
                .execute(self.conn())
                .await?;
        }
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

    /// The generation of the user's tokens (see [`Tx::revoke_user_tokens`]); None when there
    /// is no such user.
    pub async fn token_generation(&mut self, company: &str, id: &str) -> Result<Option<i64>, StoreError> {
        let row = crate::sql::query("SELECT token_generation FROM users WHERE company = $1 AND id = $2")
            .bind(company)
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        row.map(|r| crate::codec::get_i64(&r, "token_generation")).transpose()
    }

    /// Revokes every token the user holds: access tokens of an older generation stop working
    /// and refresh tokens issued so far are marked revoked at `now`; false when missing.
    pub async fn revoke_user_tokens(
        &mut self,
        company: &str,
        id: &str,
        now: time::OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let n = crate::sql::query(
            "UPDATE users SET token_generation = token_generation + 1 WHERE company = $1 AND id = $2",
        )
        .bind(company)
        .bind(id)
        .execute(self.conn())
        .await?
        .rows_affected();
        crate::sql::query(
            "UPDATE refresh_tokens SET revoked_at = $1 WHERE company = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(ts(now))
        .bind(company)
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(n == 1)
    }

    /// Deletes a user and its user-level assignments, addresses and refresh tokens; false
    /// when missing.
    pub async fn delete_user(&mut self, company: &str, id: &str) -> Result<bool, StoreError> {
        crate::sql::query("DELETE FROM user_addresses WHERE company = $1 AND user_id = $2")
            .bind(company)
            .bind(id)
            .execute(self.conn())
            .await?;
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
}
