//! Access keys: the long-lived secrets a storefront or an external shop calls with (Threekit's
//! public and private tokens, ActiveCampaign's `Api-Token`). One table, three kinds that never
//! cross: each dialect authenticates, lists and revokes only its own.

use crate::DomainError;
use time::OffsetDateTime;

/// What an access key may do, and which dialect accepts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Storefront browser key: limited to its allowed domains and to carts.
    Public,
    /// Storefront server key: full order rights.
    Private,
    /// External shop key (the `Api-Token` header).
    ApiKey,
}

impl Kind {
    /// The storefront kinds (the Threekit dialect's tokens).
    pub const STOREFRONT: &'static [Kind] = &[Kind::Public, Kind::Private];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Private => "private",
            Self::ApiKey => "api-key",
        }
    }

    /// Reads a stored name back.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "public" => Ok(Self::Public),
            "private" => Ok(Self::Private),
            "api-key" => Ok(Self::ApiKey),
            other => Err(DomainError::value(format!("must be an access key kind, not '{other}'"))),
        }
    }

    /// Whether this is one of the storefront kinds.
    pub fn is_storefront(self) -> bool {
        Self::STOREFRONT.contains(&self)
    }
}

/// An access key as stored (its secret only as a digest, elsewhere).
#[derive(Debug, Clone, PartialEq)]
pub struct AccessKey {
    /// Identifier (not the secret).
    pub id: String,
    /// What it may do.
    pub kind: Kind,
    /// Display name.
    pub name: String,
    /// Domains a public key may be used from (`*.example.com` = sub-domains).
    pub allowed_domains: Vec<String>,
    /// When it was issued.
    pub created_at: OffsetDateTime,
    /// When it was revoked.
    pub revoked_at: Option<OffsetDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_unknown_names_are_refused() {
        for k in [Kind::Public, Kind::Private, Kind::ApiKey] {
            assert_eq!(Kind::parse(k.as_str()), Ok(k));
        }
        assert!(Kind::parse("Private").is_err());
        assert!(Kind::parse("").is_err());
        assert!(Kind::Public.is_storefront() && Kind::Private.is_storefront() && !Kind::ApiKey.is_storefront());
    }
}
