//! What every OrderCloud body shares: timestamps in RFC 3339 and `xp`, the free-form extension
//! object (absent or null reads as `{}`; anything but an object is refused).

use cartwire_app::AppError;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub(crate) fn iso(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

pub(super) fn xp_of(v: Option<Value>) -> Result<Value, AppError> {
    match v {
        None | Some(Value::Null) => Ok(json!({})),
        Some(v) if v.is_object() => Ok(v),
        Some(_) => Err(AppError::invalid("xp", "xp must be an object")),
    }
}
