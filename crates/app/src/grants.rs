//! What a write hands out. Roles reach a token through five paths: a security profile's roles,
//! its assignments, a user whose password the writer sets, an API client whose default context
//! user (or anonymous template) the writer configures, and an integration event whose
//! `ElevatedRoles` go to the URL the writer names — plus single sign-on, where the identity
//! provider and the OpenIDConnect middleware decide which user signs in. One rule covers all of
//! them: **a write may open a path only to roles its caller holds** (`FullAccess` holds
//! everything). Each use case calls the check that fits its path before it commits.

use crate::auth::grant_roles;
use crate::{AppError, Principal, RuleCode, RuleData};
use cartwire_domain::RoleSet;
use cartwire_domain::api_client::ApiClient;
use cartwire_domain::user::AssignmentLevel;
use cartwire_store::{StoreError, Tx};

/// Refuses when `wanted` holds a role the caller does not (403 `InsufficientRoles` in
/// OrderCloud, naming the missing roles). `what` says which path was being opened.
pub(crate) fn require_held(p: &Principal, wanted: &RoleSet, what: &str) -> Result<(), AppError> {
    let missing = p.roles.missing(wanted);
    if missing.is_empty() {
        return Ok(());
    }
    Err(AppError::Rule {
        code: RuleCode::RolesNotHeld,
        message: format!("{what} would grant roles the caller does not hold: {}", missing.names().join(", ")),
        data: RuleData::Roles { missing: missing.names(), assigned: p.roles.names() },
    })
}

/// Every role a token obtained through `client` can carry, whoever holds its credentials: its
/// default context user's (an anonymous shopper's template, or the `client_credentials`
/// subject), and — when a single sign-on configuration points at the client — every role of
/// every user the client admits, all under the client's role caps.
pub(crate) async fn reach_of_client(tx: &mut Tx, client: &ApiClient) -> Result<RoleSet, StoreError> {
    let mut reach = RoleSet::default();
    if let Some(name) = &client.default_context_username
        && let Some(user) = tx.user_by_username(name).await?
    {
        reach.extend(&capped(client, &tx.roles_of_user(&user).await?));
    }
    let sso = tx.openid_connects().await?.into_iter().any(|r| r.config.api_client_id == client.id.as_str());
    if sso {
        reach.extend(&admitted_roles(tx, client).await?);
    }
    Ok(reach)
}

/// Every role a user the client admits may hold (under the client's caps): what a single
/// sign-on configuration for the client can sign in as.
pub(crate) async fn admitted_roles(tx: &mut Tx, client: &ApiClient) -> Result<RoleSet, StoreError> {
    let mut all = RoleSet::default();
    for a in tx.assignments().await? {
        let admitted = match a.level {
            AssignmentLevel::Marketplace | AssignmentLevel::AdminUser(_) => client.allow_seller,
            AssignmentLevel::Buyer(_) | AssignmentLevel::BuyerUser { .. } => client.allow_any_buyer,
        };
        if admitted && let Some(profile) = tx.security_profile(a.security_profile_id.as_str()).await? {
            all.extend(&profile_roles(&profile));
        }
    }
    Ok(capped(client, &all))
}

/// A profile's roles as one set.
pub(crate) fn profile_roles(profile: &cartwire_domain::user::SecurityProfile) -> RoleSet {
    let mut set = RoleSet::of(profile.roles.iter().copied());
    set.custom.extend(profile.custom_roles.iter().cloned());
    set
}

/// What the client's caps let through of `held` (nothing when its minimum roles are missing).
fn capped(client: &ApiClient, held: &RoleSet) -> RoleSet {
    grant_roles(held, None, client).unwrap_or_default()
}
