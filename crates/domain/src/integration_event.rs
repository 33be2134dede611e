//! Integration events: the merchant's middleware that cartwire calls synchronously.

use crate::id::required_text;
use crate::{ApiRole, DomainError, Field, ObjectId, Problem};
use std::fmt;
use std::str::FromStr;

/// What an integration event is called for. Fixed once the event exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// Checkout: shipping rates, calculation, submit, approve.
    OrderCheckout,
    /// Single sign-on: create or sync a user after an OpenID Connect login.
    OpenIDConnect,
    /// Refund calculation for an order return.
    OrderReturn,
    /// Price and product of an ad-hoc line item.
    AddToCart,
}

impl EventType {
    /// Every event type in the vendor's order.
    pub const ALL: [EventType; 4] = [Self::OrderCheckout, Self::OpenIDConnect, Self::OrderReturn, Self::AddToCart];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrderCheckout => "OrderCheckout",
            Self::OpenIDConnect => "OpenIDConnect",
            Self::OrderReturn => "OrderReturn",
            Self::AddToCart => "AddToCart",
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventType {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| {
            DomainError::value(format!(
                "must be one of OrderCheckout, OpenIDConnect, OrderReturn, AddToCart; got '{s}'"
            ))
        })
    }
}

/// The shared secret that signs callout bodies (`X-oc-hash`): 1–50 characters.
#[derive(Clone, PartialEq, Eq)]
pub struct HashKey(String);

impl HashKey {
    /// Longest key the wire contract allows.
    pub const MAX_LEN: usize = 50;

    /// Accepts 1–50 characters.
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        if value.is_empty() {
            return Err(DomainError::field(Field::HashKey, Problem::Required));
        }
        if value.chars().count() > Self::MAX_LEN {
            return Err(DomainError::field(Field::HashKey, Problem::TooLong(Self::MAX_LEN)));
        }
        Ok(Self(value.to_owned()))
    }

    /// The key as text (for signing and for the documented GET response).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The key as a reader may see it: its last four characters, the rest starred (the same
    /// length, so still a valid key).
    pub fn masked(&self) -> Self {
        Self(crate::integration::mask_tail(&self.0))
    }
}

impl fmt::Debug for HashKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HashKey(***)")
    }
}

/// An absolute `http` or `https` URL that callouts are sent to (at most 2000 characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalloutUrl(String);

impl CalloutUrl {
    /// Accepts `http://host…` or `https://host…` with a non-empty host and no whitespace.
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        let rest = value
            .strip_prefix("https://")
            .or_else(|| value.strip_prefix("http://"))
            .ok_or_else(|| DomainError::field(Field::CalloutUrl, Problem::rule("must be an absolute http(s) URL")))?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if host.is_empty() || value.chars().any(char::is_whitespace) || value.len() > 2000 {
            return Err(DomainError::field(
                Field::CalloutUrl,
                Problem::rule("must be an absolute http(s) URL with a host"),
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Joins a callout path (such as `/ordercalculate`) without doubling or dropping a slash.
    pub fn join(&self, path: &str) -> String {
        format!("{}/{}", self.0.trim_end_matches('/'), path.trim_start_matches('/'))
    }
}

/// An extra header sent with every callout: both name and value, or neither.
#[derive(Clone, PartialEq, Eq)]
pub struct CustomAuthHeader {
    /// Header name.
    pub name: String,
    /// Header value; write-only on the wire.
    pub value: String,
}

impl fmt::Debug for CustomAuthHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CustomAuthHeader({}: ***)", self.name)
    }
}

/// Why a custom auth header pair was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomAuthHeaderError {
    /// A value was given without a name.
    NameRequired,
    /// A name was given without a value.
    ValueRequired,
    /// The name is not a valid HTTP header name.
    InvalidName,
    /// The value is not a valid HTTP header value.
    InvalidValue,
}

impl CustomAuthHeader {
    /// Builds the pair from optional parts; both or neither must be present.
    pub fn from_parts(name: Option<&str>, value: Option<&str>) -> Result<Option<Self>, CustomAuthHeaderError> {
        let name = name.filter(|n| !n.is_empty());
        let value = value.filter(|v| !v.is_empty());
        match (name, value) {
            (None, None) => Ok(None),
            (None, Some(_)) => Err(CustomAuthHeaderError::NameRequired),
            (Some(_), None) => Err(CustomAuthHeaderError::ValueRequired),
            (Some(n), Some(v)) => {
                let token_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
                if n.len() > 100 || !n.chars().all(token_char) {
                    return Err(CustomAuthHeaderError::InvalidName);
                }
                if v.len() > 2000 || v.chars().any(|c| c.is_control() || !c.is_ascii()) {
                    return Err(CustomAuthHeaderError::InvalidValue);
                }
                Ok(Some(Self { name: n.to_owned(), value: v.to_owned() }))
            }
        }
    }
}

/// A registered callout target.
#[derive(Debug, Clone, PartialEq)]
pub struct IntegrationEvent {
    /// Caller-chosen or generated identifier.
    pub id: ObjectId,
    /// Display name (required).
    pub name: String,
    /// What the event is called for.
    pub event_type: EventType,
    /// Base URL of the middleware.
    pub custom_implementation_url: CalloutUrl,
    /// Signing key for `X-oc-hash`.
    pub hash_key: HashKey,
    /// Roles added to the access token sent to the middleware.
    pub elevated_roles: Vec<ApiRole>,
    /// Free JSON echoed into every callout body.
    pub config_data: Option<serde_json::Value>,
    /// Extra header for the middleware's own authentication.
    pub custom_auth_header: Option<CustomAuthHeader>,
}

/// Checks an integration event's display name.
pub fn parse_name(name: &str) -> Result<String, DomainError> {
    required_text(name, Field::Name, 200)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn event_type_is_a_closed_enum() {
        assert_eq!("AddToCart".parse::<EventType>().unwrap(), EventType::AddToCart);
        assert!("addtocart".parse::<EventType>().is_err());
        assert!("Webhook".parse::<EventType>().is_err());
    }

    #[test]
    fn hash_key_is_1_to_50_characters() {
        assert!(HashKey::parse("").is_err());
        assert!(HashKey::parse(&"k".repeat(50)).is_ok());
        assert!(HashKey::parse(&"k".repeat(51)).is_err());
        assert_eq!(format!("{:?}", HashKey::parse("secret").unwrap()), "HashKey(***)");
    }

    #[test]
    fn callout_url_joins_paths_with_one_slash() {
        let base = CalloutUrl::parse("https://mw.example.com/api/").unwrap();
        assert_eq!(base.join("/ordercalculate"), "https://mw.example.com/api/ordercalculate");
        let bare = CalloutUrl::parse("https://mw.example.com").unwrap();
        assert_eq!(bare.join("shippingrates"), "https://mw.example.com/shippingrates");
        assert!(CalloutUrl::parse("ftp://x").is_err());
        assert!(CalloutUrl::parse("https://").is_err());
        assert!(CalloutUrl::parse("not a url").is_err());
    }

    #[test]
    fn custom_auth_header_needs_both_parts() {
        assert_eq!(CustomAuthHeader::from_parts(None, None), Ok(None));
        assert_eq!(CustomAuthHeader::from_parts(Some("X-Key"), None), Err(CustomAuthHeaderError::ValueRequired));
        assert_eq!(CustomAuthHeader::from_parts(None, Some("v")), Err(CustomAuthHeaderError::NameRequired));
        assert!(CustomAuthHeader::from_parts(Some("Bad Header"), Some("v")).is_err());
        assert!(CustomAuthHeader::from_parts(Some("X-Key"), Some("v")).unwrap().is_some());
    }

    proptest! {
        #[test]
        fn hash_key_length_rule(s in "\\PC{0,80}") {
            prop_assert_eq!(HashKey::parse(&s).is_ok(), !s.is_empty() && s.chars().count() <= 50);
        }
    }
}
