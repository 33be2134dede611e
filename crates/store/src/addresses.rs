//! A user's saved addresses, keyed by the user's full key (company and id) and the address id.

use crate::codec::{flag, get_bool, get_json, get_ts, id, json, ts};
use crate::sql::Row;
use crate::{StoreError, Tx};
use cartwire_domain::addresses::SavedAddress;

/// The unique key of a user's address, as [`StoreError::Unique`] names it.
pub const ADDRESS_KEY: &str = "user_addresses(company, user_id, id)";

fn address_from(row: &Row) -> Result<SavedAddress, StoreError> {
    Ok(SavedAddress {
        id: id(row, "id")?,
        address: get_json(row, "address")?,
        shipping: get_bool(row, "shipping")?,
        billing: get_bool(row, "billing")?,
        date_created: get_ts(row, "date_created")?,
    })
}

impl Tx {
    /// Saves a new address of the user; [`StoreError::Unique`] when the id is taken.
    pub async fn insert_address(&mut self, company: &str, user_id: &str, a: &SavedAddress) -> Result<(), StoreError> {
        crate::sql::query(
            "INSERT INTO user_addresses (company, user_id, id, address, shipping, billing, date_created) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(company)
        .bind(user_id)
        .bind(a.id.as_str())
        .bind(json(&a.address))
        .bind(flag(a.shipping))
        .bind(flag(a.billing))
        .bind(ts(a.date_created))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Overwrites an address of the user; false when missing.
    pub async fn update_address(&mut self, company: &str, user_id: &str, a: &SavedAddress) -> Result<bool, StoreError> {
        let n = crate::sql::query(
            "UPDATE user_addresses SET address = $1, shipping = $2, billing = $3 \
             WHERE company = $4 AND user_id = $5 AND id = $6",
        )
        .bind(json(&a.address))
        .bind(flag(a.shipping))
        .bind(flag(a.billing))
        .bind(company)
        .bind(user_id)
        .bind(a.id.as_str())
        .execute(self.conn())
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// One address of the user.
    pub async fn address(
        &mut self,
        company: &str,
        user_id: &str,
        id: &str,
    ) -> Result<Option<SavedAddress>, StoreError> {
        let row = crate::sql::query("SELECT * FROM user_addresses WHERE company = $1 AND user_id = $2 AND id = $3")
            .bind(company)
            .bind(user_id)
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(address_from).transpose()
    }

    /// Every address of the user, oldest first.
    pub async fn addresses(&mut self, company: &str, user_id: &str) -> Result<Vec<SavedAddress>, StoreError> {
        let rows = crate::sql::query(
            "SELECT * FROM user_addresses WHERE company = $1 AND user_id = $2 ORDER BY date_created, id",
        )
        .bind(company)
        .bind(user_id)
        .fetch_all(self.conn())
        .await?;
        rows.iter().map(address_from).collect()
    }

    /// Deletes an address of the user; false when missing.
    pub async fn delete_address(&mut self, company: &str, user_id: &str, id: &str) -> Result<bool, StoreError> {
        let n = crate::sql::query("DELETE FROM user_addresses WHERE company = $1 AND user_id = $2 AND id = $3")
            .bind(company)
            .bind(user_id)
            .bind(id)
            .execute(self.conn())
            .await?
            .rows_affected();
        Ok(n == 1)
    }
}
