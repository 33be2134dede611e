//! Buyer companies.

use crate::codec::{flag, get_bool, get_json, get_opt_str, get_str, get_ts, id, json, ts};
use crate::sql::Row;
use crate::{StoreError, Tx};
use cartwire_domain::user::Buyer;

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

impl Tx {
    /// Inserts a buyer; [`StoreError::Unique`] when the id exists.
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

    /// Deletes a buyer with its users, their assignments, addresses and refresh tokens; false
    /// when missing.
    pub async fn delete_buyer(&mut self, id: &str) -> Result<bool, StoreError> {
        for sql in [
            "DELETE FROM security_profile_assignments WHERE buyer_id = $1",
            "DELETE FROM refresh_tokens WHERE company = $1",
            "DELETE FROM user_addresses WHERE company = $1",
            "DELETE FROM users WHERE company = $1",
        ] {
            crate::sql::query(sql).bind(id).execute(self.conn()).await?;
        }
        let n =
            crate::sql::query("DELETE FROM buyers WHERE id = $1").bind(id).execute(self.conn()).await?.rows_affected();
        Ok(n == 1)
    }
}
