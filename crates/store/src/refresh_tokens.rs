//! Single-use refresh tokens, stored as SHA-256 digests only.

use crate::codec::{get_i64, get_opt_str, get_str};
use crate::{StoreError, Tx};

/// What a refresh token stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshGrant {
    /// The client it was issued through.
    pub client_id: String,
    /// '' for admin users, the buyer id for buyer users.
    pub company: String,
    /// The user.
    pub user_id: String,
    /// The scope originally requested (None = all roles).
    pub scope: Option<String>,
    /// Expiry, epoch seconds.
    pub expires_at: i64,
    /// Whether the user's tokens were revoked after it was issued.
    pub revoked: bool,
}

impl Tx {
    /// Stores a refresh token's digest.
    pub async fn insert_refresh_token(&mut self, digest: &str, grant: &RefreshGrant) -> Result<(), StoreError> {
        crate::sql::query(
            "INSERT INTO refresh_tokens (token_hash, client_id, company, user_id, scope, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(digest)
        .bind(&grant.client_id)
        .bind(&grant.company)
        .bind(&grant.user_id)
        .bind(grant.scope.as_deref())
        .bind(grant.expires_at)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Removes and returns the grant behind a refresh token digest: a token works once, even
    /// when two requests race (only one DELETE affects the row).
    pub async fn take_refresh_token(&mut self, digest: &str) -> Result<Option<RefreshGrant>, StoreError> {
        let row = crate::sql::query(
            "DELETE FROM refresh_tokens WHERE token_hash = $1 \
             RETURNING client_id, company, user_id, scope, expires_at, revoked_at",
        )
        .bind(digest)
        .fetch_optional(self.conn())
        .await?;
        row.map(|row| {
            Ok(RefreshGrant {
                client_id: get_str(&row, "client_id")?,
                company: get_str(&row, "company")?,
                user_id: get_str(&row, "user_id")?,
                scope: get_opt_str(&row, "scope")?,
                expires_at: get_i64(&row, "expires_at")?,
                revoked: get_opt_str(&row, "revoked_at")?.is_some(),
            })
        })
        .transpose()
    }

    /// Drops refresh tokens that expired before `now` (epoch seconds).
    pub async fn purge_expired_refresh_tokens(&mut self, now: i64) -> Result<u64, StoreError> {
        Ok(crate::sql::query("DELETE FROM refresh_tokens WHERE expires_at < $1")
            .bind(now)
            .execute(self.conn())
            .await?
            .rows_affected())
    }
}
