//! API clients: the applications that obtain tokens, and how they limit who may use them.

use crate::id::required_text;
use crate::{ApiRole, DomainError, Field, ObjectId, Problem};

/// Lifetime of an access token in minutes: 10–600.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessTokenMinutes(u32);

impl AccessTokenMinutes {
    /// Accepts 10 to 600 minutes.
    pub fn parse(minutes: i64) -> Result<Self, DomainError> {
        if !(10..=600).contains(&minutes) {
            return Err(DomainError::field(Field::AccessTokenLifetime, Problem::Range(10, 600)));
        }
        Ok(Self(minutes as u32))
    }
    /// The duration in minutes.
    pub fn minutes(self) -> u32 {
        self.0
    }
}

/// Lifetime of a refresh token in minutes: 0 (no refresh tokens) to 524160 (364 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RefreshTokenMinutes(u32);

impl RefreshTokenMinutes {
    /// Accepts 0 to 524160 minutes.
    pub fn parse(minutes: i64) -> Result<Self, DomainError> {
        if !(0..=524_160).contains(&minutes) {
            return Err(DomainError::field(Field::RefreshTokenLifetime, Problem::Range(0, 524_160)));
        }
        Ok(Self(minutes as u32))
    }
    /// The duration in minutes; 0 means refresh tokens are not issued.
    pub fn minutes(self) -> u32 {
        self.0
    }
}

/// Lifetime of an anonymous shopper's token in minutes: 10 to 10080 (one week, the historic
/// fixed lifetime of anonymous tokens).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnonymousTokenMinutes(u32);

impl AnonymousTokenMinutes {
    /// Accepts 10 to 10080 minutes.
    pub fn parse(minutes: i64) -> Result<Self, DomainError> {
        if !(10..=10_080).contains(&minutes) {
            return Err(DomainError::field(Field::AnonymousTokenLifetime, Problem::Range(10, 10_080)));
        }
        Ok(Self(minutes as u32))
    }
    /// The duration in minutes.
    pub fn minutes(self) -> u32 {
        self.0
    }
}

/// The integration events an API client has attached, one per synchronous event type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttachedIntegrationEvents {
    /// Called during checkout (`estimateshipping`, `calculate`, `submit`, `approve`).
    pub order_checkout: Option<ObjectId>,
    /// Called when an order return is created or updated without a refund amount.
    pub order_return: Option<ObjectId>,
    /// Called when a line item is added.
    pub add_to_cart: Option<ObjectId>,
}

/// How an API client narrows the roles its tokens may carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleLimits {
    /// A user must hold all of these to obtain a token through the client.
    pub minimum_required_roles: Vec<ApiRole>,
    /// A user must hold all of these custom roles to obtain a token.
    pub minimum_required_custom_roles: Vec<String>,
    /// When not empty, tokens carry at most these API roles.
    pub maximum_granted_roles: Vec<ApiRole>,
    /// When not empty, tokens carry at most these custom roles.
    pub maximum_granted_custom_roles: Vec<String>,
}

/// An application registered to obtain tokens (the OAuth `client_id`).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiClient {
    /// Server-generated identifier; the OAuth `client_id`.
    pub id: ObjectId,
    /// Display name.
    pub app_name: String,
    /// Argon2 PHC string of the client secret, when the client has one.
    pub secret_hash: Option<String>,
    /// Access token lifetime.
    pub access_token_duration: AccessTokenMinutes,
    /// Refresh token lifetime; zero disables refresh tokens.
    pub refresh_token_duration: RefreshTokenMinutes,
    /// Anonymous token lifetime; the access token lifetime when unset.
    pub anonymous_token_duration: Option<AnonymousTokenMinutes>,
    /// When false nobody may authenticate through the client.
    pub active: bool,
    /// Username of the user a `client_credentials` token acts as (and the anonymous template).
    pub default_context_username: Option<String>,
    /// Buyer users of any buyer company may authenticate.
    pub allow_any_buyer: bool,
    /// Supplier users of any supplier may authenticate.
    pub allow_any_supplier: bool,
    /// Marketplace-owner (admin) users may authenticate.
    pub allow_seller: bool,
    /// Anonymous shopping through `client_credentials` without a secret.
    pub is_anon_buyer: bool,
    /// Attached synchronous integration events.
    pub integration_events: AttachedIntegrationEvents,
    /// Role narrowing.
    pub role_limits: RoleLimits,
    /// Extended properties: a free JSON object.
    pub xp: serde_json::Value,
}

impl ApiClient {
    /// Checks the fields that are rules of the client itself (references are checked by the
    /// use case, which can see the store).
    pub fn validate(&self) -> Result<(), DomainError> {
        required_text(&self.app_name, Field::AppName, 200)?;
        if self.is_anon_buyer && self.default_context_username.is_none() {
            return Err(DomainError::field(
                Field::DefaultContextUser,
                Problem::rule("is required for an anonymous buyer client"),
            ));
        }
        if !self.xp.is_object() {
            return Err(DomainError::field(Field::Extended, Problem::NotObject));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn access_token_duration_range(m in -1000i64..2000) {
            prop_assert_eq!(AccessTokenMinutes::parse(m).is_ok(), (10..=600).contains(&m));
        }

        #[test]
        fn refresh_token_duration_range(m in -10i64..600_000) {
            prop_assert_eq!(RefreshTokenMinutes::parse(m).is_ok(), (0..=524_160).contains(&m));
        }
    }

    #[test]
    fn edges() {
        assert!(AccessTokenMinutes::parse(9).is_err());
        assert!(AccessTokenMinutes::parse(10).is_ok());
        assert!(AccessTokenMinutes::parse(600).is_ok());
        assert!(AccessTokenMinutes::parse(601).is_err());
        assert!(RefreshTokenMinutes::parse(524_161).is_err());
    }
}
