//! Order returns (the domain struct as JSON, with the keys lists and rules need in columns).

use crate::codec::{corrupt, get_str, json, ts};
use crate::sql::Row;
use crate::{StoreError, Tx};
use cartwire_domain::returns::OrderReturn;
use cartwire_domain::user::UserRef;

fn return_from(row: &Row) -> Result<OrderReturn, StoreError> {
    serde_json::from_str(&get_str(row, "body")?).map_err(|e| corrupt("order return", e))
}

impl Tx {
    /// Inserts a return; [`StoreError::Unique`] when the id is taken.
    pub async fn insert_order_return(&mut self, r: &OrderReturn) -> Result<(), StoreError> {
        crate::sql::query(
            "INSERT INTO order_returns (id, order_id, owner_company, owner_id, status, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&r.id)
        .bind(&r.order_id)
        .bind(&r.owner.company)
        .bind(&r.owner.id)
        .bind(r.status.as_str())
        .bind(json(r))
        .bind(ts(r.created_at))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Overwrites a return.
    pub async fn update_order_return(&mut self, r: &OrderReturn) -> Result<bool, StoreError> {
        let n = crate::sql::query("UPDATE order_returns SET status = $1, body = $2 WHERE id = $3")
            .bind(r.status.as_str())
            .bind(json(r))
            .bind(&r.id)
            .execute(self.conn())
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    /// One return.
    pub async fn order_return(&mut self, id: &str) -> Result<Option<OrderReturn>, StoreError> {
        let row = crate::sql::query("SELECT body FROM order_returns WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(return_from).transpose()
    }

    /// Returns, all or those of one owner, oldest first.
    pub async fn order_returns(&mut self, owner: Option<&UserRef>) -> Result<Vec<OrderReturn>, StoreError> {
        let rows =
            match owner {
                Some(o) => crate::sql::query(
                    "SELECT body FROM order_returns WHERE owner_company = $1 AND owner_id = $2 ORDER BY created_at, id",
                )
                .bind(&o.company)
                .bind(&o.id)
                .fetch_all(self.conn())
                .await?,
                None => {
                    crate::sql::query("SELECT body FROM order_returns ORDER BY created_at, id")
                        .fetch_all(self.conn())
                        .await?
                }
            };
        rows.iter().map(return_from).collect()
    }

    /// Every return of an order.
    pub async fn returns_of_order(&mut self, order_id: &str) -> Result<Vec<OrderReturn>, StoreError> {
        let rows = crate::sql::query("SELECT body FROM order_returns WHERE order_id = $1 ORDER BY created_at, id")
            .bind(order_id)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(return_from).collect()
    }

    /// Deletes a return.
    pub async fn delete_order_return(&mut self, id: &str) -> Result<bool, StoreError> {
        let n = crate::sql::query("DELETE FROM order_returns WHERE id = $1")
            .bind(id)
            .execute(self.conn())
            .await?
            .rows_affected();
        Ok(n == 1)
    }
}
