//! What the unit tests of several use cases share: a caller holding the roles a test names.

use crate::Principal;
use cartwire_domain::RoleSet;
use cartwire_domain::user::UserType;

/// A buyer user of company `b` holding `roles` (API roles by name; other names are custom).
pub(crate) fn caller(roles: &[&str]) -> Principal {
    Principal {
        client_id: "c".into(),
        user_id: "u".into(),
        username: "u".into(),
        user_type: UserType::Buyer,
        buyer_id: Some("b".into()),
        roles: RoleSet::from_names(roles.iter().copied()),
        anonymous_order_id: None,
        token_generation: 0,
    }
}
