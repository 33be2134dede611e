//! Access keys (storefront tokens and shop API keys), stored under the SHA-256 digest of their
//! secret; the secret itself is never stored.

use crate::codec::{corrupt, get_json, get_opt_ts, get_str, get_ts, json, ts};
use crate::sql::Row;
use crate::{StoreError, Tx};
use cartwire_domain::access_key::{AccessKey, Kind};
use time::OffsetDateTime;

fn key_from(row: &Row) -> Result<AccessKey, StoreError> {
    Ok(AccessKey {
        id: get_str(row, "id")?,
        kind: Kind::parse(&get_str(row, "kind")?).map_err(|e| corrupt("kind", e))?,
        name: get_str(row, "name")?,
        allowed_domains: get_json(row, "allowed_domains")?,
        created_at: get_ts(row, "created_at")?,
        revoked_at: get_opt_ts(row, "revoked_at")?,
    })
}

impl Tx {
    /// Stores an access key under the digest of its secret.
    pub async fn insert_access_key(&mut self, k: &AccessKey, digest: &str) -> Result<(), StoreError> {
        crate::sql::query(
            "INSERT INTO storefront_tokens (id, kind, name, allowed_domains, token_digest, created_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL)",
        )
        .bind(&k.id)
        .bind(k.kind.as_str())
        .bind(&k.name)
        .bind(json(&k.allowed_domains))
        .bind(digest)
        .bind(ts(k.created_at))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// The live key whose secret has this digest.
    pub async fn access_key_by_digest(&mut self, digest: &str) -> Result<Option<AccessKey>, StoreError> {
        let row = crate::sql::query("SELECT * FROM storefront_tokens WHERE token_digest = $1 AND revoked_at IS NULL")
            .bind(digest)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(key_from).transpose()
    }

    /// Every live key of one of `kinds`, oldest first.
    pub async fn access_keys(&mut self, kinds: &[Kind]) -> Result<Vec<AccessKey>, StoreError> {
        let rows =
            crate::sql::query("SELECT * FROM storefront_tokens WHERE revoked_at IS NULL ORDER BY created_at, id")
                .fetch_all(self.conn())
                .await?;
        let keys: Vec<AccessKey> = rows.iter().map(key_from).collect::<Result<_, _>>()?;
        Ok(keys.into_iter().filter(|k| kinds.contains(&k.kind)).collect())
    }

    /// Revokes a live key of one of `kinds`; false when there is none with that id (a key of
    /// another kind is not found: each dialect acts on its own kinds only).
    pub async fn revoke_access_key(&mut self, id: &str, kinds: &[Kind]) -> Result<bool, StoreError> {
        let sql = format!(
            "UPDATE storefront_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL AND kind IN ({})",
            crate::sql::marks(3, kinds.len())
        );
        let mut q = crate::sql::query(sql).bind(ts(OffsetDateTime::now_utc())).bind(id);
        for k in kinds {
            q = q.bind(k.as_str());
        }
        let n = q.execute(self.conn()).await?.rows_affected();
        Ok(n == 1)
    }
}
