//! The deployment's own identity: one tenant, generated ids for the dialects that name it.

use crate::codec::{get_str, get_ts, ts};
use crate::{StoreError, Tx};
use time::OffsetDateTime;

/// Identifiers generated on first start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// Elastic Path store id.
    pub store_id: String,
    /// Threekit org id.
    pub org_id: String,
    /// When the deployment was first started.
    pub created_at: OffsetDateTime,
}

impl Tx {
    /// Returns the deployment, creating it with `fresh` when the store is empty. The flag says
    /// whether this call created it (first start).
    pub async fn ensure_deployment(&mut self, fresh: Deployment) -> Result<(Deployment, bool), StoreError> {
        let inserted = crate::sql::query(
            "INSERT INTO deployment (id, store_id, org_id, created_at) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&fresh.store_id)
        .bind(&fresh.org_id)
        .bind(ts(fresh.created_at))
        .execute(self.conn())
        .await?
        .rows_affected()
            == 1;
        let row = crate::sql::query("SELECT store_id, org_id, created_at FROM deployment WHERE id = 1")
            .fetch_one(self.conn())
            .await?;
        Ok((
            Deployment {
                store_id: get_str(&row, "store_id")?,
                org_id: get_str(&row, "org_id")?,
                created_at: get_ts(&row, "created_at")?,
            },
            inserted,
        ))
    }
}
