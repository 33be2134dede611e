//! The store's own thin query layer: one way to write a statement (`$n` placeholders, text,
//! integers and reals) that runs on either engine without sqlx's `Any` driver.
//!
//! Why not `Any`: its SQLite driver hands every statement to a worker thread over a channel,
//! and under load the wake-ups cost more CPU than the statements (issue 11's profile). Here an
//! SQLite statement runs on the calling thread through rusqlite's statement cache (microseconds:
//! the write lock and group commit live in [`crate::sqlite`]), and a PostgreSQL statement goes
//! straight to sqlx's native driver. Repositories keep one code path: they bind [`Arg`]s, read
//! [`Row`]s, and never see which engine answered.

use crate::StoreError;
use std::sync::Arc;

/// A bound parameter, typed even when null: PostgreSQL refuses a text null for a BIGINT column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    Text(Option<String>),
    Int(Option<i64>),
    Real(Option<f64>),
}

macro_rules! arg_from {
    ($($t:ty => |$v:ident| $e:expr),* $(,)?) => {
        $(impl From<$t> for Arg { fn from($v: $t) -> Self { $e } })*
    };
}

arg_from! {
    &str => |v| Arg::Text(Some(v.to_owned())),
    String => |v| Arg::Text(Some(v)),
    &String => |v| Arg::Text(Some(v.clone())),
    Option<&str> => |v| Arg::Text(v.map(str::to_owned)),
    Option<String> => |v| Arg::Text(v),
    &Option<String> => |v| Arg::Text(v.clone()),
    Option<&String> => |v| Arg::Text(v.cloned()),
    i64 => |v| Arg::Int(Some(v)),
    Option<i64> => |v| Arg::Int(v),
    i32 => |v| Arg::Int(Some(i64::from(v))),
    u32 => |v| Arg::Int(Some(i64::from(v))),
    Option<i32> => |v| Arg::Int(v.map(i64::from)),
    f64 => |v| Arg::Real(Some(v)),
    Option<f64> => |v| Arg::Real(v),
}

/// One column value as read back.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

/// One result row: the statement's column names (shared by its rows) and the values.
#[derive(Debug, Clone)]
pub struct Row {
    names: Arc<[String]>,
    cells: Vec<Cell>,
}

impl Row {
    pub(crate) fn new(names: Arc<[String]>, cells: Vec<Cell>) -> Self {
        Self { names, cells }
    }

    pub(crate) fn cell(&self, col: &str) -> Result<&Cell, StoreError> {
        self.names
            .iter()
            .position(|n| n == col)
            .map(|i| &self.cells[i])
            .ok_or_else(|| StoreError::Corrupt(format!("no column '{col}' in the result")))
    }

    fn first(&self) -> Result<&Cell, StoreError> {
        self.cells.first().ok_or_else(|| StoreError::Corrupt("empty result row".into()))
    }
}

/// A value that can be read out of one cell.
pub(crate) trait FromCell: Sized {
    fn from_cell(cell: &Cell, col: &str) -> Result<Self, StoreError>;
}

fn mismatch(col: &str, want: &str, got: &Cell) -> StoreError {
    StoreError::Corrupt(format!("column '{col}': expected {want}, found {got:?}"))
}

impl FromCell for i64 {
    fn from_cell(cell: &Cell, col: &str) -> Result<Self, StoreError> {
        match cell {
            Cell::Int(v) => Ok(*v),
            other => Err(mismatch(col, "an integer", other)),
        }
    }
}

impl FromCell for f64 {
    fn from_cell(cell: &Cell, col: &str) -> Result<Self, StoreError> {
        match cell {
            Cell::Real(v) => Ok(*v),
            Cell::Int(v) => Ok(*v as f64),
            other => Err(mismatch(col, "a number", other)),
        }
    }
}

impl FromCell for String {
    fn from_cell(cell: &Cell, col: &str) -> Result<Self, StoreError> {
        match cell {
            Cell::Text(v) => Ok(v.clone()),
            other => Err(mismatch(col, "text", other)),
        }
    }
}

impl<T: FromCell> FromCell for Option<T> {
    fn from_cell(cell: &Cell, col: &str) -> Result<Self, StoreError> {
        match cell {
            Cell::Null => Ok(None),
            other => T::from_cell(other, col).map(Some),
        }
    }
}

impl Row {
    /// The value of column `col`.
    pub(crate) fn get<T: FromCell>(&self, col: &str) -> Result<T, StoreError> {
        T::from_cell(self.cell(col)?, col)
    }
}

/// Anything that takes the next `$n` argument: a [`Query`] or a [`Scalar`], so a helper can
/// bind a row's columns into either.
pub(crate) trait Bind: Sized {
    fn bind(self, v: impl Into<Arg>) -> Self;
}

impl Bind for Query {
    fn bind(self, v: impl Into<Arg>) -> Self {
        Query::bind(self, v)
    }
}

impl<T: FromCell> Bind for Scalar<T> {
    fn bind(self, v: impl Into<Arg>) -> Self {
        Scalar::bind(self, v)
    }
}

/// What a statement that returns no rows reports.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Done(u64);

impl Done {
    pub(crate) fn rows_affected(&self) -> u64 {
        self.0
    }
}

/// A statement and its arguments, run with [`Query::execute`] or one of the fetches.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    pub(crate) sql: String,
    pub(crate) args: Vec<Arg>,
}

/// The most rows or ids one statement binds, so that a batch stays under SQLite's and
/// PostgreSQL's bind-parameter limits (32,766 and 65,535) even at 11 columns a row.
pub(crate) const MAX_BATCH: usize = 500;

/// `$first, $first+1, …`: `n` numbered parameters for an `IN (…)` or `VALUES (…)` list.
pub(crate) fn marks(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Starts a statement.
pub(crate) fn query(sql: impl Into<String>) -> Query {
    Query { sql: sql.into(), args: Vec::new() }
}

/// Starts a statement whose first column is the answer.
pub(crate) fn query_scalar<T: FromCell>(sql: impl Into<String>) -> Scalar<T> {
    Scalar { query: query(sql), _t: std::marker::PhantomData }
}

impl Query {
    /// Binds the next `$n`.
    pub(crate) fn bind(mut self, v: impl Into<Arg>) -> Self {
        self.args.push(v.into());
        self
    }

    pub(crate) async fn execute(self, conn: &mut crate::Conn) -> Result<Done, StoreError> {
        conn.run(self, false).await.map(|(n, _)| Done(n))
    }

    pub(crate) async fn fetch_all(self, conn: &mut crate::Conn) -> Result<Vec<Row>, StoreError> {
        conn.run(self, true).await.map(|(_, rows)| rows)
    }

    pub(crate) async fn fetch_optional(self, conn: &mut crate::Conn) -> Result<Option<Row>, StoreError> {
        Ok(self.fetch_all(conn).await?.into_iter().next())
    }

    pub(crate) async fn fetch_one(self, conn: &mut crate::Conn) -> Result<Row, StoreError> {
        self.fetch_optional(conn).await?.ok_or_else(|| StoreError::Corrupt("a statement returned no row".into()))
    }
}

/// A [`Query`] read through its first column.
pub(crate) struct Scalar<T> {
    query: Query,
    _t: std::marker::PhantomData<T>,
}

impl<T: FromCell> Scalar<T> {
    pub(crate) fn bind(mut self, v: impl Into<Arg>) -> Self {
        self.query = self.query.bind(v);
        self
    }

    pub(crate) async fn fetch_one(self, conn: &mut crate::Conn) -> Result<T, StoreError> {
        let row = self.query.fetch_one(conn).await?;
        T::from_cell(row.first()?, "first column")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn marks_number_parameters_from_the_first() {
        assert_eq!(super::marks(3, 3), "$3, $4, $5");
        assert_eq!(super::marks(1, 1), "$1");
        assert_eq!(super::marks(7, 0), "");
    }

    use super::*;

    #[test]
    fn rows_read_by_name_with_types_checked() {
        let row = Row::new(
            Arc::from(vec!["n".to_owned(), "s".to_owned(), "z".to_owned()]),
            vec![Cell::Int(3), Cell::Text("x".into()), Cell::Null],
        );
        assert_eq!(row.get::<i64>("n").unwrap(), 3);
        assert_eq!(row.get::<String>("s").unwrap(), "x");
        assert_eq!(row.get::<Option<String>>("z").unwrap(), None);
        assert!(matches!(row.get::<String>("n"), Err(StoreError::Corrupt(_))));
        assert!(matches!(row.get::<String>("z"), Err(StoreError::Corrupt(_))));
        assert!(matches!(row.get::<i64>("missing"), Err(StoreError::Corrupt(_))));
    }

    #[test]
    fn nulls_keep_their_type() {
        assert_eq!(Arg::from(None::<i64>), Arg::Int(None));
        assert_eq!(Arg::from(None::<&str>), Arg::Text(None));
    }
}
