//! The PostgreSQL engine: statements of the [`crate::sql`] layer on sqlx's native driver (its
//! per-connection prepared-statement cache included), rows read by column type.

use crate::StoreError;
use crate::sql::{Arg, Cell, Query, Row};
use sqlx::{Column, Row as _, TypeInfo};
use std::sync::Arc;

/// Runs one statement in `conn`'s transaction.
pub(crate) async fn run(
    conn: &mut sqlx::PgConnection,
    q: Query,
    want_rows: bool,
) -> Result<(u64, Vec<Row>), StoreError> {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(q.sql));
    for a in q.args {
        query = match a {
            Arg::Text(v) => query.bind(v),
            Arg::Int(v) => query.bind(v),
            Arg::Real(v) => query.bind(v),
        };
    }
    if !want_rows {
        let done = query.execute(&mut *conn).await?;
        return Ok((done.rows_affected(), Vec::new()));
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let Some(first) = rows.first() else { return Ok((0, Vec::new())) };
    let names: Arc<[String]> = first.columns().iter().map(|c| c.name().to_owned()).collect::<Vec<_>>().into();
    let kinds: Vec<String> = first.columns().iter().map(|c| c.type_info().name().to_owned()).collect();
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut cells = Vec::with_capacity(kinds.len());
        for (i, kind) in kinds.iter().enumerate() {
            let cell = match kind.as_str() {
                "INT8" => r.try_get::<Option<i64>, _>(i)?.map(Cell::Int),
                "INT4" => r.try_get::<Option<i32>, _>(i)?.map(|v| Cell::Int(v.into())),
                "INT2" => r.try_get::<Option<i16>, _>(i)?.map(|v| Cell::Int(v.into())),
                "BOOL" => r.try_get::<Option<bool>, _>(i)?.map(|v| Cell::Int(v.into())),
                "FLOAT8" => r.try_get::<Option<f64>, _>(i)?.map(Cell::Real),
                "FLOAT4" => r.try_get::<Option<f32>, _>(i)?.map(|v| Cell::Real(v.into())),
                _ => r.try_get::<Option<String>, _>(i)?.map(Cell::Text),
            };
            cells.push(cell.unwrap_or(Cell::Null));
        }
        out.push(Row::new(names.clone(), cells));
    }
    let n = out.len() as u64;
    Ok((n, out))
}
