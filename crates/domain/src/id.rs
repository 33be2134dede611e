//! Caller-chosen object identifiers.

use crate::{DomainError, Field, Problem};
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
            return Err(DomainError::Value(Problem::Required));
        }
        if value.chars().count() > Self::MAX_LEN {
            return Err(DomainError::Value(Problem::TooLong(Self::MAX_LEN)));
        }
        if !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(DomainError::value("may contain only letters, digits, '-' and '_'"));
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

/// An order's id: [`ObjectId`]'s alphabet and length (OrderCloud lets the client choose it; the
/// other entry points generate a UUID, which fits the same rules).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct OrderId(String);

impl OrderId {
    /// Accepts what [`ObjectId::parse`] accepts.
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        ObjectId::parse(value).map(|id| Self(id.0))
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<ObjectId> for OrderId {
    fn from(id: ObjectId) -> Self {
        Self(id.0)
    }
}

/// An order's short, human-typeable id: exactly 10 characters of `A-Za-z0-9`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct ShortId(String);

impl ShortId {
    /// How long a short id is.
    pub const LEN: usize = 10;

    /// Accepts exactly [`ShortId::LEN`] ASCII letters and digits.
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        if value.len() == Self::LEN && value.chars().all(|c| c.is_ascii_alphanumeric()) {
            Ok(Self(value.to_owned()))
        } else {
            Err(DomainError::value(format!("must be {} letters and digits", Self::LEN)))
        }
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! text_id {
    ($t:ty) => {
        impl std::ops::Deref for $t {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $t {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

text_id!(OrderId);
text_id!(ShortId);

/// Checks a free-text field against a maximum length in characters.
pub fn bounded_text(value: &str, field: Field, max: usize) -> Result<String, DomainError> {
    if value.chars().count() > max {
        return Err(DomainError::field(field, Problem::TooLong(max)));
    }
    Ok(value.to_owned())
}

/// Checks a required free-text field: present, not blank, within `max` characters.
pub fn required_text(value: &str, field: Field, max: usize) -> Result<String, DomainError> {
    if value.trim().is_empty() {
        return Err(DomainError::field(field, Problem::Required));
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
            prop_assert!(OrderId::parse(&id).is_err());
        }

        #[test]
        fn short_ids_are_ten_letters_and_digits(s in "[A-Za-z0-9]{9,11}|\\PC{0,12}") {
            let ok = s.len() == 10 && s.chars().all(|c| c.is_ascii_alphanumeric());
            prop_assert_eq!(ShortId::parse(&s).is_ok(), ok);
        }
    }

    #[test]
    fn order_ids_follow_object_ids_and_read_back_checked() {
        assert_eq!(
            OrderId::parse("0190a4f2-7c1e-7000-8000-000000000000").unwrap(),
            "0190a4f2-7c1e-7000-8000-000000000000"
        );
        assert!(OrderId::parse("").is_err());
        assert!(serde_json::from_str::<OrderId>("\"a b\"").is_err(), "stored ids are checked too");
        assert_eq!(serde_json::to_string(&ShortId::parse("Ab3dEf7hIj").unwrap()).unwrap(), "\"Ab3dEf7hIj\"");
        assert!(ShortId::parse("Ab3dEf7hI").is_err());
    }
}
