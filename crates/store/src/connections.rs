//! External shops' connections (ActiveCampaign `connections`): one per service and external id.

use crate::codec::{get_i64, get_opt_str, get_str, get_ts, ts};
use crate::pages::ConnectionFilter;
use crate::sql::Row;
use crate::{StoreError, Tx};
use cartwire_domain::commerce::Connection;

fn connection_from(row: &Row) -> Result<Connection, StoreError> {
    Ok(Connection {
        id: get_i64(row, "id")?,
        service: get_str(row, "service")?,
        external_id: get_str(row, "external_id")?,
        name: get_str(row, "name")?,
        logo_url: get_str(row, "logo_url")?,
        link_url: get_str(row, "link_url")?,
        list_id: get_opt_str(row, "list_id")?,
        status: get_i64(row, "status")?,
        sync_status: get_i64(row, "sync_status")?,
        created_at: get_ts(row, "created_at")?,
        updated_at: get_ts(row, "updated_at")?,
    })
}

impl Tx {
    /// Inserts a connection and returns its id; [`StoreError::Unique`] for a second
    /// `service` + `externalid`.
    pub async fn insert_connection(&mut self, c: &Connection) -> Result<i64, StoreError> {
        let id: i64 = crate::sql::query_scalar(
            "INSERT INTO shop_connections (service, external_id, name, logo_url, link_url, list_id, status, sync_status, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&c.service)
        .bind(&c.external_id)
        .bind(&c.name)
        .bind(&c.logo_url)
        .bind(&c.link_url)
        .bind(c.list_id.as_deref())
        .bind(c.status)
        .bind(c.sync_status)
        .bind(ts(c.created_at))
        .bind(ts(c.updated_at))
        .fetch_one(self.conn())
        .await?;
        Ok(id)
    }

    /// Overwrites a connection.
    pub async fn update_connection(&mut self, c: &Connection) -> Result<(), StoreError> {
        crate::sql::query(
            "UPDATE shop_connections SET service = $1, external_id = $2, name = $3, logo_url = $4, link_url = $5, \
             list_id = $6, status = $7, sync_status = $8, updated_at = $9 WHERE id = $10",
        )
        .bind(&c.service)
        .bind(&c.external_id)
        .bind(&c.name)
        .bind(&c.logo_url)
        .bind(&c.link_url)
        .bind(c.list_id.as_deref())
        .bind(c.status)
        .bind(c.sync_status)
        .bind(ts(c.updated_at))
        .bind(c.id)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// One connection.
    pub async fn connection(&mut self, id: i64) -> Result<Option<Connection>, StoreError> {
        let row = crate::sql::query("SELECT * FROM shop_connections WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(connection_from).transpose()
    }

    /// Connections matching `filters`, one page, and the total.
    pub async fn connections(
        &mut self,
        filters: &[ConnectionFilter],
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Connection>, i64), StoreError> {
        self.page("shop_connections", "1 = 1", filters, offset, limit, connection_from).await
    }

    /// Deletes a connection with its customers; false when missing.
    pub async fn delete_connection(&mut self, id: i64) -> Result<bool, StoreError> {
        crate::sql::query("DELETE FROM shop_customers WHERE connection_id = $1").bind(id).execute(self.conn()).await?;
        let n = crate::sql::query("DELETE FROM shop_connections WHERE id = $1")
            .bind(id)
            .execute(self.conn())
            .await?
            .rows_affected();
        Ok(n == 1)
    }
}
