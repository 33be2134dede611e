//! Who is calling: the identity a verified token carries.

use crate::user::{UserRef, UserType};
use crate::{ApiRole, RoleSet};

/// The caller of a use case, as established by a verified access token.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    /// The API client the token was issued through (`cid`).
    pub client_id: String,
    /// The user's identifier (`u`); for anonymous shoppers a generated one.
    pub user_id: String,
    /// The username (`usr`).
    pub username: String,
    /// Admin or buyer (`usrtype`).
    pub user_type: UserType,
    /// The buyer company of a buyer user.
    pub buyer_id: Option<String>,
    /// Granted roles (`role`).
    pub roles: RoleSet,
    /// The anonymous shopper's order (`orderid`), only on anonymous tokens.
    pub anonymous_order_id: Option<String>,
    /// The generation of the user's tokens the token was issued at: revoking a user's
    /// tokens raises the user's generation, and older tokens stop working.
    pub token_generation: i64,
}

impl Principal {
    /// Checks that the principal holds `FullAccess` or one of `accepted`.
    pub fn require_any(&self, accepted: &[ApiRole]) -> Result<(), Forbidden> {
        if self.roles.satisfies_any(accepted) {
            Ok(())
        } else {
            let mut sufficient = vec![ApiRole::FullAccess];
            sufficient.extend(accepted.iter().copied().filter(|r| *r != ApiRole::FullAccess));
            Err(Forbidden { sufficient_roles: sufficient, assigned_roles: self.roles.names() })
        }
    }

    /// The caller's full user key (company and id).
    pub fn user_ref(&self) -> UserRef {
        UserRef::new(self.buyer_id.as_deref(), &self.user_id)
    }

    /// True when `owner` is the caller: same company and same id.
    pub fn is(&self, owner: &UserRef) -> bool {
        owner.company == self.buyer_id.as_deref().unwrap_or_default() && owner.id == self.user_id
    }

    /// A short description for logs and events: who acted through which client.
    pub fn describe(&self) -> String {
        format!("{}:{}@{}", self.user_type.as_str(), self.username, self.client_id)
    }
}

/// The caller lacks every role that would have been accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("insufficient roles")]
pub struct Forbidden {
    /// Roles any one of which would have been accepted (`FullAccess` first).
    pub sufficient_roles: Vec<ApiRole>,
    /// Roles the caller holds.
    pub assigned_roles: Vec<String>,
}
