//! OrderCloud's wire format. Here, what every body shares: timestamps in RFC 3339, money as
//! decimals of the currency, status words, and `xp`, the free-form extension object (absent or
//! null reads as `{}`; anything but an object is refused where it must be one). The resources'
//! renderings and request structs are in the submodules, so handlers, callouts and errors all
//! depend on `wire` and never on each other.

use crate::ordercloud::fields::rejected;
use cartwire_app::AppError;
use cartwire_domain::catalog::to_decimal;
use cartwire_domain::commerce::{Amount, Cents, CurrencyCode};
use cartwire_domain::order::OrderStatus;
use cartwire_domain::{DomainError, Problem};
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
        Some(_) => Err(rejected("xp", "xp must be an object")),
    }
}

pub mod orders;
pub mod returns;
pub mod sso;

/// OrderCloud's word for a status.
pub fn ordercloud_status(s: OrderStatus) -> &'static str {
    match s {
        OrderStatus::Wishlist | OrderStatus::Cart => "Unsubmitted",
        OrderStatus::Placed | OrderStatus::InProgress => "Open",
        OrderStatus::AwaitingApproval => "AwaitingApproval",
        OrderStatus::Declined => "Declined",
        OrderStatus::Completed => "Completed",
        OrderStatus::Canceled => "Canceled",
    }
}

pub(crate) fn money(amount: Cents, currency: &CurrencyCode) -> f64 {
    to_decimal(amount, currency)
}

/// A JSON number read as an exact decimal amount (never through a float's rounding).
pub(crate) fn amount(value: &Value) -> Result<Amount, DomainError> {
    match value {
        Value::Number(n) => Amount::parse(&n.to_string()),
        other => Err(DomainError::Value(Problem::rule(format!("must be a number, not {other}")))),
    }
}

/// An optional amount: absent and `null` are none.
pub(crate) fn optional_amount(value: Option<&Value>) -> Result<Option<Amount>, DomainError> {
    value.filter(|v| !v.is_null()).map(amount).transpose()
}

pub(crate) fn xp_or_empty(xp: Option<Value>) -> Value {
    xp.filter(|x| !x.is_null()).unwrap_or_else(|| json!({}))
}
