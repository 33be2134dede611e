//! One page of an external shop's list: equality filters, a total and a window. Callers name
//! what they filter on with each resource's filter enum; only this crate knows the columns.

use crate::codec::get_i64;
use crate::sql::Row;
use crate::{StoreError, Tx};

/// A value a list filter compares a column with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FilterValue {
    /// A text column.
    Text(String),
    /// A numeric column.
    Int(i64),
}

/// What a shop connection list can be filtered on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionFilter {
    /// The shop's service name.
    Service(String),
    /// The shop's own id for the connection.
    ExternalId(String),
}

/// What a shop customer list can be filtered on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerFilter {
    /// The customer's email.
    Email(String),
    /// The shop's own id for the customer.
    ExternalId(String),
    /// The connection the customer belongs to.
    ConnectionId(i64),
}

/// What a list of orders from shops can be filtered on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShopOrderFilter {
    /// The connection the order came through.
    ConnectionId(i64),
    /// The shop's own id for the order.
    ExternalId(String),
    /// The shop's own id for the checkout the order came from.
    ExternalCheckoutId(String),
    /// The customer's email.
    Email(String),
    /// The shop customer (cartwire's id).
    CustomerId(String),
}

/// A filter as a column and the value it must equal.
pub(crate) trait Column {
    fn column(&self) -> (&'static str, FilterValue);
}

impl Column for ConnectionFilter {
    fn column(&self) -> (&'static str, FilterValue) {
        match self {
            Self::Service(v) => ("service", FilterValue::Text(v.clone())),
            Self::ExternalId(v) => ("external_id", FilterValue::Text(v.clone())),
        }
    }
}

impl Column for CustomerFilter {
    fn column(&self) -> (&'static str, FilterValue) {
        match self {
            Self::Email(v) => ("email", FilterValue::Text(v.clone())),
            Self::ExternalId(v) => ("external_id", FilterValue::Text(v.clone())),
            Self::ConnectionId(v) => ("connection_id", FilterValue::Int(*v)),
        }
    }
}

impl Column for ShopOrderFilter {
    fn column(&self) -> (&'static str, FilterValue) {
        match self {
            Self::ConnectionId(v) => ("shop_connection_id", FilterValue::Int(*v)),
            Self::ExternalId(v) => ("shop_external_id", FilterValue::Text(v.clone())),
            Self::ExternalCheckoutId(v) => ("shop_external_checkout_id", FilterValue::Text(v.clone())),
            Self::Email(v) => ("shop_email", FilterValue::Text(v.clone())),
            Self::CustomerId(v) => ("customer_id", FilterValue::Text(v.clone())),
        }
    }
}

fn bind_filter(q: crate::sql::Query, v: &FilterValue) -> crate::sql::Query {
    match v {
        FilterValue::Text(s) => q.bind(s.clone()),
        FilterValue::Int(i) => q.bind(*i),
    }
}

impl Tx {
    pub(crate) async fn page<T>(
        &mut self,
        table: &str,
        base: &str,
        filters: &[impl Column],
        offset: i64,
        limit: i64,
        map: fn(&Row) -> Result<T, StoreError>,
    ) -> Result<(Vec<T>, i64), StoreError> {
        let filters: Vec<(&str, FilterValue)> = filters.iter().map(Column::column).collect();
        let mut clauses = vec![base.to_owned()];
        for (i, (col, _)) in filters.iter().enumerate() {
            clauses.push(format!("{col} = ${}", i + 1));
        }
        let where_sql = clauses.join(" AND ");
        let mut q = crate::sql::query(format!("SELECT COUNT(*) AS n FROM {table} WHERE {where_sql}"));
        for (_, v) in &filters {
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
        for (_, v) in &filters {
            q = bind_filter(q, v);
        }
        let rows = q.bind(limit).bind(offset).fetch_all(self.conn()).await?;
        Ok((rows.iter().map(map).collect::<Result<_, _>>()?, total))
    }
}
