//! External shops' customers: one per email and connection.

use crate::codec::{get_i64, get_str, get_ts, ts};
use crate::pages::CustomerFilter;
use crate::sql::Row;
use crate::{StoreError, Tx};
use cartwire_domain::commerce::EcomCustomer;

fn customer_from(row: &Row) -> Result<EcomCustomer, StoreError> {
    Ok(EcomCustomer {
        id: get_i64(row, "id")?,
        connection_id: get_i64(row, "connection_id")?,
        external_id: get_str(row, "external_id")?,
        email: get_str(row, "email")?,
        accepts_marketing: get_i64(row, "accepts_marketing")?,
        created_at: get_ts(row, "created_at")?,
        updated_at: get_ts(row, "updated_at")?,
    })
}

impl Tx {
    /// Inserts a customer and returns its id; [`StoreError::Unique`] for a second `email` +
    /// `connectionid`, [`StoreError::Reference`] for a missing connection.
    pub async fn insert_customer(&mut self, c: &EcomCustomer) -> Result<i64, StoreError> {
        let id: i64 = crate::sql::query_scalar(
            "INSERT INTO shop_customers (connection_id, external_id, email, accepts_marketing, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(c.connection_id)
        .bind(&c.external_id)
        .bind(&c.email)
        .bind(c.accepts_marketing)
        .bind(ts(c.created_at))
        .bind(ts(c.updated_at))
        .fetch_one(self.conn())
        .await?;
        Ok(id)
    }

    /// Overwrites a customer.
    pub async fn update_customer(&mut self, c: &EcomCustomer) -> Result<(), StoreError> {
        crate::sql::query(
            "UPDATE shop_customers SET connection_id = $1, external_id = $2, email = $3, accepts_marketing = $4, \
             updated_at = $5 WHERE id = $6",
        )
        .bind(c.connection_id)
        .bind(&c.external_id)
        .bind(&c.email)
        .bind(c.accepts_marketing)
        .bind(ts(c.updated_at))
        .bind(c.id)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// One customer.
    pub async fn customer(&mut self, id: i64) -> Result<Option<EcomCustomer>, StoreError> {
        let row = crate::sql::query("SELECT * FROM shop_customers WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(customer_from).transpose()
    }

    /// Customers matching `filters`, one page, and the total.
    pub async fn customers(
        &mut self,
        filters: &[CustomerFilter],
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<EcomCustomer>, i64), StoreError> {
        self.page("shop_customers", "1 = 1", filters, offset, limit, customer_from).await
    }

    /// Deletes a customer; false when missing.
    pub async fn delete_customer(&mut self, id: i64) -> Result<bool, StoreError> {
        let n = crate::sql::query("DELETE FROM shop_customers WHERE id = $1")
            .bind(id)
            .execute(self.conn())
            .await?
            .rows_affected();
        Ok(n == 1)
    }
}
