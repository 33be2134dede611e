//! Caller-chosen object identifiers.

use crate::DomainError;
use std::fmt;

/// An identifier of an OrderCloud-style object: 1–100 characters of `A-Za-z0-9-_`.
///
/// The only way to get one is [`ObjectId::parse`], so code past the edge never re-checks it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct ObjectId(String);

impl ObjectId {
    /// Longest identifier the wire contract allows.
    pub const MAX_LEN: usize = 100;

    /// Accepts 1–100 characters of `A-Za-z0-9-_`.
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        if value.is_empty() {
            return Err(DomainError::invalid("ID must not be empty"));
        }
        if value.chars().count() > Self::MAX_LEN {
            return Err(DomainError::invalid(format!("ID must be at most {} characters", Self::MAX_LEN)));
        }
        if !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(DomainError::invalid("ID may contain only letters, digits, '-' and '_'"));
        }
        Ok(Self(value.to_owned()))
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for ObjectId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ObjectId::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Checks a free-text field against a maximum length in characters.
pub fn bounded_text(value: &str, field: &str, max: usize) -> Result<String, DomainError> {
    if value.chars().count() > max {
        return Err(DomainError::invalid(format!("{field} must be at most {max} characters")));
    }
    Ok(value.to_owned())
}

/// Checks a required free-text field: present, not blank, within `max` characters.
pub fn required_text(value: &str, field: &'static str, max: usize) -> Result<String, DomainError> {
    if value.trim().is_empty() {
        return Err(DomainError::Required(field));
    }
    bounded_text(value, field, max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rejects_bad_ids() {
        assert!(ObjectId::parse("").is_err());
        assert!(ObjectId::parse("has space").is_err());
        assert!(ObjectId::parse("dot.ted").is_err());
        assert!(ObjectId::parse(&"a".repeat(101)).is_err());
        assert_eq!(ObjectId::parse(&"a".repeat(100)).unwrap().as_str().len(), 100);
        assert_eq!(ObjectId::parse("A-b_9").unwrap().as_str(), "A-b_9");
    }

    proptest! {
        #[test]
        fn accepts_exactly_the_documented_charset(s in "[A-Za-z0-9_-]{1,100}") {
            let id = ObjectId::parse(&s).unwrap();
            prop_assert_eq!(id.as_str(), s.as_str());
        }

        #[test]
        fn rejects_any_other_character(prefix in "[a-z]{0,5}", bad in "[^A-Za-z0-9_-]", suffix in "[a-z]{0,5}") {
            let id = format!("{prefix}{bad}{suffix}");
            prop_assert!(ObjectId::parse(&id).is_err());
        }
    }
}
