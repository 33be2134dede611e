//! Column codecs shared by the repositories: timestamps as RFC 3339 text, JSON as text.

use crate::StoreError;
use crate::sql::Row;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub(crate) fn ts(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC).format(&Rfc3339).expect("RFC 3339 formats any UTC time")
}

/// Milliseconds since the Unix epoch (delivery schedules and leases are kept in them).
pub(crate) fn epoch_ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

pub(crate) fn parse_ts(s: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|e| StoreError::Corrupt(format!("timestamp '{s}': {e}")))
}

pub(crate) fn get_str(row: &Row, col: &str) -> Result<String, StoreError> {
    row.get::<String>(col)
}

pub(crate) fn get_opt_str(row: &Row, col: &str) -> Result<Option<String>, StoreError> {
    row.get::<Option<String>>(col)
}

/// Flags are stored as 0/1 (`BIGINT`) in both backends.
pub(crate) fn get_bool(row: &Row, col: &str) -> Result<bool, StoreError> {
    Ok(row.get::<i64>(col)? != 0)
}

pub(crate) fn get_i64(row: &Row, col: &str) -> Result<i64, StoreError> {
    row.get::<i64>(col)
}

pub(crate) fn get_ts(row: &Row, col: &str) -> Result<OffsetDateTime, StoreError> {
    parse_ts(&get_str(row, col)?)
}

pub(crate) fn get_opt_ts(row: &Row, col: &str) -> Result<Option<OffsetDateTime>, StoreError> {
    get_opt_str(row, col)?.map(|s| parse_ts(&s)).transpose()
}

pub(crate) fn get_json<T: serde::de::DeserializeOwned>(row: &Row, col: &str) -> Result<T, StoreError> {
    let text = get_str(row, col)?;
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("{col}: {e}")))
}

pub(crate) fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data serializes")
}

pub(crate) fn id(row: &Row, col: &str) -> Result<cartwire_domain::ObjectId, StoreError> {
    let s = get_str(row, col)?;
    cartwire_domain::ObjectId::parse(&s).map_err(|e| StoreError::Corrupt(format!("{col} '{s}': {e}")))
}

/// A stored id read back through its constructor: a bad one is corruption, not a value.
pub(crate) fn get_parsed<T>(
    row: &Row,
    col: &str,
    parse: fn(&str) -> Result<T, cartwire_domain::DomainError>,
) -> Result<T, StoreError> {
    let s = get_str(row, col)?;
    parse(&s).map_err(|e| StoreError::Corrupt(format!("{col} '{s}': {e}")))
}

pub(crate) fn opt_id(row: &Row, col: &str) -> Result<Option<cartwire_domain::ObjectId>, StoreError> {
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
