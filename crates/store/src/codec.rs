//! Column codecs shared by the repositories: timestamps as RFC 3339 text, JSON as text.

use crate::StoreError;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub(crate) fn ts(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC).format(&Rfc3339).expect("RFC 3339 formats any UTC time")
}

pub(crate) fn parse_ts(s: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|e| StoreError::Corrupt(format!("timestamp '{s}': {e}")))
}

pub(crate) fn get_str(row: &AnyRow, col: &str) -> Result<String, StoreError> {
    Ok(row.try_get::<String, _>(col)?)
}

pub(crate) fn get_opt_str(row: &AnyRow, col: &str) -> Result<Option<String>, StoreError> {
    Ok(row.try_get::<Option<String>, _>(col)?)
}

/// Flags are stored as 0/1 (`BIGINT`) in both backends.
pub(crate) fn get_bool(row: &AnyRow, col: &str) -> Result<bool, StoreError> {
    Ok(row.try_get::<i64, _>(col)? != 0)
}

pub(crate) fn get_i64(row: &AnyRow, col: &str) -> Result<i64, StoreError> {
    Ok(row.try_get::<i64, _>(col)?)
}

pub(crate) fn get_ts(row: &AnyRow, col: &str) -> Result<OffsetDateTime, StoreError> {
    parse_ts(&get_str(row, col)?)
}

pub(crate) fn get_opt_ts(row: &AnyRow, col: &str) -> Result<Option<OffsetDateTime>, StoreError> {
    get_opt_str(row, col)?.map(|s| parse_ts(&s)).transpose()
}

pub(crate) fn get_json<T: serde::de::DeserializeOwned>(row: &AnyRow, col: &str) -> Result<T, StoreError> {
    let text = get_str(row, col)?;
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("{col}: {e}")))
}

pub(crate) fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data serializes")
}

pub(crate) fn id(row: &AnyRow, col: &str) -> Result<cartwire_domain::ObjectId, StoreError> {
    let s = get_str(row, col)?;
    cartwire_domain::ObjectId::parse(&s).map_err(|e| StoreError::Corrupt(format!("{col} '{s}': {e}")))
}

pub(crate) fn opt_id(row: &AnyRow, col: &str) -> Result<Option<cartwire_domain::ObjectId>, StoreError> {
    match get_opt_str(row, col)? {
        Some(s) if !s.is_empty() => {
            cartwire_domain::ObjectId::parse(&s).map(Some).map_err(|e| StoreError::Corrupt(format!("{col} '{s}': {e}")))
        }
        _ => Ok(None),
    }
}

pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// A flag as stored: 0 or 1.
pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}
