//! External shops: connections and their customers, and listing the orders that came from them.

use crate::codec::{get_i64, get_opt_str, get_str, get_ts, ts};
use crate::sql::Row;
use crate::{StoreError, Tx};
use cartwire_domain::commerce::{Connection, EcomCustomer};
use cartwire_domain::order::Order;

/// A value a list filter compares a column with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterValue {
    /// A text column.
    Text(String),
    /// A numeric column.
    Int(i64),
}

/// Equality filters on columns, for the shop lists (`filters[…]`).
pub type Filters = Vec<(&'static str, FilterValue)>;

fn bind_filter(q: crate::sql::Query, v: &FilterValue) -> crate::sql::Query {
    match v {
        FilterValue::Text(s) => q.bind(s.clone()),
        FilterValue::Int(i) => q.bind(*i),
    }
}

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
    async fn page<T>(
        &mut self,
        table: &str,
        base: &str,
        filters: &Filters,
        offset: i64,
        limit: i64,
        map: fn(&Row) -> Result<T, StoreError>,
    ) -> Result<(Vec<T>, i64), StoreError> {
        let mut clauses = vec![base.to_owned()];
        for (i, (col, _)) in filters.iter().enumerate() {
            clauses.push(format!("{col} = ${}", i + 1));
        }
        let where_sql = clauses.join(" AND ");
        let mut q = crate::sql::query(format!("SELECT COUNT(*) AS n FROM {table} WHERE {where_sql}"));
        for (_, v) in filters {
            q = bind_filter(q, v);
        }
        let total = get_i64(&q.fetch_one(self.conn()).await?, "n")?;
        let n = filters.len();
        let sql = format!(
            "SELECT * FROM {table} WHERE {where_sql} ORDER BY created_at, id LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let mut q = crate::sql::query(sql);
        for (_, v) in filters {
            q = bind_filter(q, v);
        }
        let rows = q.bind(limit).bind(offset).fetch_all(self.conn()).await?;
        Ok((rows.iter().map(map).collect::<Result<_, _>>()?, total))
    }

    /// Inserts a connection and returns its id; [`StoreError::Duplicate`] for a second
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
        filters: &Filters,
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

    /// Inserts a customer and returns its id; [`StoreError::Duplicate`] for a second `email` +
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
        filters: &Filters,
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

    /// Orders from shops (not deleted) matching `filters`, one page, and the total.
    pub async fn shop_orders(
        &mut self,
        filters: &Filters,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Order>, i64), StoreError> {
        self.page(
            "orders",
            "shop IS NOT NULL AND deleted_at IS NULL",
            filters,
            offset,
            limit,
            crate::orders::order_from,
        )
        .await
    }
}
