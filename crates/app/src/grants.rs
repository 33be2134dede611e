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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::caller;
    use cartwire_domain::ApiRole;
    use cartwire_domain::api_client::{AccessTokenMinutes, AttachedIntegrationEvents, RefreshTokenMinutes, RoleLimits};

    fn client(limits: RoleLimits) -> ApiClient {
        ApiClient {
            id: cartwire_domain::ObjectId::parse("c").expect("an id"),
            app_name: "test".into(),
            secret_hash: None,
            access_token_duration: AccessTokenMinutes::parse(600).expect("in range"),
            refresh_token_duration: RefreshTokenMinutes::parse(0).expect("in range"),
            anonymous_token_duration: None,
            active: true,
            default_context_username: None,
            allow_any_buyer: false,
            allow_any_supplier: false,
            allow_seller: true,
            is_anon_buyer: false,
            integration_events: AttachedIntegrationEvents::default(),
            role_limits: limits,
            xp: serde_json::json!({}),
        }
    }

    fn set(names: &[&str]) -> RoleSet {
        RoleSet::from_names(names.iter().copied())
    }

    #[test]
    fn a_write_opens_a_path_only_to_roles_its_caller_holds() {
        let admin = caller(&["ApiClientAdmin", "Shopper", "night-shift"]);
        assert!(require_held(&admin, &set(&["Shopper"]), "the profile").is_ok());
        assert!(require_held(&admin, &set(&["Shopper", "night-shift"]), "the profile").is_ok());
        assert!(require_held(&admin, &RoleSet::default(), "the profile").is_ok());
        match require_held(&admin, &set(&["Shopper", "OrderAdmin", "day-shift"]), "the profile") {
            Err(AppError::Rule { code: RuleCode::RolesNotHeld, data: RuleData::Roles { missing, .. }, message }) => {
                assert_eq!(missing, ["OrderAdmin", "day-shift"]);
                assert!(message.starts_with("the profile would grant roles"), "{message}");
            }
            other => panic!("expected RolesNotHeld, got {other:?}"),
        }
        // FullAccess holds every role, custom ones included.
        assert!(require_held(&caller(&["FullAccess"]), &set(&["OrderAdmin", "anything"]), "x").is_ok());
    }

    #[test]
    fn a_clients_caps_bound_what_its_tokens_reach() {
        let held = set(&["Shopper", "OrderAdmin", "night-shift"]);
        // No limits: everything held.
        assert_eq!(capped(&client(RoleLimits::default()), &held), held);
        // A cap keeps only what it names, API and custom roles alike.
        let cap = RoleLimits {
            maximum_granted_roles: vec![ApiRole::Shopper],
            maximum_granted_custom_roles: vec!["day-shift".into()],
            ..RoleLimits::default()
        };
        assert_eq!(capped(&client(cap.clone()), &held), set(&["Shopper"]));
        // FullAccess under a cap becomes exactly the cap, never more.
        assert_eq!(capped(&client(cap), &set(&["FullAccess"])), set(&["Shopper"]));
        // A minimum the user misses lets nothing through.
        let minimum = RoleLimits { minimum_required_roles: vec![ApiRole::BuyerAdmin], ..RoleLimits::default() };
        assert_eq!(capped(&client(minimum), &held), RoleSet::default());
    }

    #[test]
    fn a_scope_narrows_to_requested_roles_the_user_holds() {
        let held = set(&["Shopper", "OrderAdmin"]);
        let open = client(RoleLimits::default());
        let granted = grant_roles(&held, Some("Shopper BuyerAdmin"), &open).expect("Shopper is held");
        assert_eq!(granted, set(&["Shopper"]));
        // Asking for FullAccess does not turn held roles into it.
        let refused = grant_roles(&held, Some("FullAccess"), &open).expect_err("FullAccess is not held");
        assert_eq!(refused.refusal, crate::auth::Refusal::InsufficientRoles);
        // A blank scope is no scope.
        assert_eq!(grant_roles(&held, Some("  "), &open).expect("all held"), held);
    }
}
