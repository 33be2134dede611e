//! One page of an external shop's list: equality filters on columns, a total and a window
//! (ActiveCampaign's `filters[…]`, `offset`, `limit`).

use crate::codec::get_i64;
use crate::sql::Row;
use crate::{StoreError, Tx};

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

impl Tx {
    pub(crate) async fn page<T>(
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
}
