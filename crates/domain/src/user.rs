//! Users, buyer companies, security profiles and where profiles are assigned.

use crate::id::{bounded_text, required_text};
use crate::{ApiRole, DomainError, Field, ObjectId, Problem};
use time::OffsetDateTime;

/// Which side of the marketplace a user belongs to; the token's `usrtype`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserType {
    /// A marketplace owner (seller) user.
    Admin,
    /// A user of a buyer company.
    Buyer,
}

impl UserType {
    /// The `usrtype` claim value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Buyer => "buyer",
        }
    }

    /// Parses a stored or claimed user type.
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        match value {
            "admin" => Ok(Self::Admin),
            "buyer" => Ok(Self::Buyer),
            other => Err(DomainError::value(format!("is not a user type: '{other}'"))),
        }
    }
}

/// The profile fields a client writes on a user.
#[derive(Debug, Clone, PartialEq)]
pub struct UserProfile {
    /// Login name, unique in the marketplace (case-insensitive), at most 100 characters.
    pub username: String,
    /// Given name (required).
    pub first_name: String,
    /// Family name (required).
    pub last_name: String,
    /// E-mail address (required).
    pub email: String,
    /// Phone number.
    pub phone: Option<String>,
    /// When the user accepted the terms.
    pub terms_accepted: Option<OffsetDateTime>,
    /// Inactive users cannot authenticate.
    pub active: bool,
    /// Extended properties.
    pub xp: serde_json::Value,
}

impl UserProfile {
    /// Checks required fields and lengths.
    pub fn validate(&self) -> Result<(), DomainError> {
        required_text(&self.username, Field::Username, 100)?;
        if self.username.chars().any(char::is_whitespace) {
            return Err(DomainError::field(Field::Username, Problem::rule("must not contain spaces")));
        }
        required_text(&self.first_name, Field::FirstName, 100)?;
        required_text(&self.last_name, Field::LastName, 100)?;
        required_text(&self.email, Field::Email, 200)?;
        let (local, domain) = self.email.split_once('@').unwrap_or(("", ""));
        if local.is_empty() || domain.is_empty() || self.email.contains(char::is_whitespace) {
            return Err(DomainError::field(Field::Email, Problem::rule("must be a valid e-mail address")));
        }
        if let Some(phone) = &self.phone {
            bounded_text(phone, Field::Phone, 100)?;
        }
        if !self.xp.is_object() {
            return Err(DomainError::field(Field::Extended, Problem::NotObject));
        }
        Ok(())
    }
}

/// Checks a password against cartwire's minimum: 10 to 200 characters with a letter and a digit.
pub fn check_password(password: &str) -> Result<(), DomainError> {
    let len = password.chars().count();
    if !(10..=200).contains(&len)
        || !password.chars().any(|c| c.is_alphabetic())
        || !password.chars().any(|c| c.is_ascii_digit())
    {
        return Err(DomainError::field(
            Field::Password,
            Problem::rule("must be 10 to 200 characters and contain a letter and a digit"),
        ));
    }
    Ok(())
}

/// A person who can authenticate.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Identifier, unique within its company.
    pub id: ObjectId,
    /// Admin or buyer.
    pub user_type: UserType,
    /// The buyer company (buyer users only).
    pub buyer_id: Option<ObjectId>,
    /// Writable profile.
    pub profile: UserProfile,
    /// Argon2 PHC string of the password, when one is set.
    pub password_hash: Option<String>,
    /// When the password was last set.
    pub password_last_set: Option<OffsetDateTime>,
    /// When the user was created.
    pub date_created: OffsetDateTime,
}

/// A buyer company.
#[derive(Debug, Clone, PartialEq)]
pub struct Buyer {
    /// Identifier.
    pub id: ObjectId,
    /// Display name (required).
    pub name: String,
    /// Default catalog (recorded, not used until the catalog exists).
    pub default_catalog_id: Option<String>,
    /// Inactive buyers' users cannot authenticate.
    pub active: bool,
    /// When the buyer was created.
    pub date_created: OffsetDateTime,
    /// Extended properties.
    pub xp: serde_json::Value,
}

impl Buyer {
    /// Checks required fields.
    pub fn validate(&self) -> Result<(), DomainError> {
        required_text(&self.name, Field::Name, 100)?;
        if !self.xp.is_object() {
            return Err(DomainError::field(Field::Extended, Problem::NotObject));
        }
        Ok(())
    }
}

/// A named set of roles.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityProfile {
    /// Identifier.
    pub id: ObjectId,
    /// Display name (required).
    pub name: String,
    /// API roles granted.
    pub roles: Vec<ApiRole>,
    /// Custom roles granted.
    pub custom_roles: Vec<String>,
}

impl SecurityProfile {
    /// Checks required fields.
    pub fn validate(&self) -> Result<(), DomainError> {
        required_text(&self.name, Field::Name, 100)?;
        Ok(())
    }
}

/// A user by their full key. User ids are unique only within their company, so every
/// resource a user owns (orders, carts, returns) is keyed by both parts, never by the id alone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct UserRef {
    /// The user's company: the buyer's id, or '' for the marketplace's own (admin) users.
    pub company: String,
    /// The user's id within that company.
    pub id: String,
}

impl UserRef {
    /// The key of a user of `buyer_id` (None = an admin user).
    pub fn new(buyer_id: Option<&str>, id: &str) -> Self {
        Self { company: buyer_id.unwrap_or_default().to_owned(), id: id.to_owned() }
    }
}

/// Where a security profile applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignmentLevel {
    /// Every admin (marketplace owner) user.
    Marketplace,
    /// Every user of one buyer company.
    Buyer(ObjectId),
    /// One buyer user.
    BuyerUser { buyer_id: ObjectId, user_id: ObjectId },
    /// One admin user.
    AdminUser(ObjectId),
}

/// A security profile assigned at some level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityProfileAssignment {
    /// The profile.
    pub security_profile_id: ObjectId,
    /// Where it applies.
    pub level: AssignmentLevel,
}

impl SecurityProfileAssignment {
    /// The buyer id part, if any.
    pub fn buyer_id(&self) -> Option<&ObjectId> {
        match &self.level {
            AssignmentLevel::Buyer(b) | AssignmentLevel::BuyerUser { buyer_id: b, .. } => Some(b),
            _ => None,
        }
    }

    /// The user id part, if any.
    pub fn user_id(&self) -> Option<&ObjectId> {
        match &self.level {
            AssignmentLevel::BuyerUser { user_id: u, .. } | AssignmentLevel::AdminUser(u) => Some(u),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> UserProfile {
        UserProfile {
            username: "jdoe".into(),
            first_name: "J".into(),
            last_name: "Doe".into(),
            email: "j@example.com".into(),
            phone: None,
            terms_accepted: None,
            active: true,
            xp: serde_json::json!({}),
        }
    }

    #[test]
    fn profile_rules() {
        assert!(profile().validate().is_ok());
        assert!(UserProfile { email: "nope".into(), ..profile() }.validate().is_err());
        assert!(UserProfile { username: "".into(), ..profile() }.validate().is_err());
        assert!(UserProfile { username: "a b".into(), ..profile() }.validate().is_err());
        assert!(UserProfile { first_name: "x".repeat(101), ..profile() }.validate().is_err());
        assert!(UserProfile { xp: serde_json::json!([]), ..profile() }.validate().is_err());
    }

    #[test]
    fn password_rules() {
        assert!(check_password("short1").is_err());
        assert!(check_password("onlyletterslong").is_err());
        assert!(check_password("letters-and-1-digit").is_ok());
    }
}
