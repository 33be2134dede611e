//! Every OrderCloud route with its description: who may call it (the roles `app` checks, the
//! authorization matrix's rows), its list query, body and answers. The plain resources come
//! from [`crud::routes`]; the rest are listed here and in [`checkout`] (orders, the cart
//! and returns), one call per operation.

mod checkout;

use super::schema::{self as s, ListPage};
use super::*;
use crate::openapi::{Dialect, Documented, Op, Param};
use axum::http::Method as M;
use serde_json::{Value, json};

/// The OrderCloud document.
pub static DIALECT: Dialect = Dialect {
    name: "ordercloud",
    title: "OrderCloud",
    description: "Sitecore OrderCloud's API as cartwire serves it: API clients and their \
        tokens, users, buyers, security profiles, integration events (the middleware called at \
        checkout, add-to-cart, returns and single sign-on), the catalog, orders and the cart, \
        returns and `/v1/me`. Get a token at `POST /oauth/token` (client_credentials, \
        password, refresh_token, or an anonymous shopper's client_credentials) and send it as \
        a bearer token. Each operation lists the roles that may call it; `FullAccess` may call \
        every one. Route words are matched case-insensitively (`/v1/ApiClients`).",
    security_schemes: |base| {
        let scopes: serde_json::Map<String, Value> = cartwire_domain::role::ApiRole::ALL
            .iter()
            .map(|r| (r.as_str().to_owned(), json!(format!("The {} role.", r.as_str()))))
            .collect();
        let token_url = format!("{base}/oauth/token");
        json!({"OAuth2": {"type": "oauth2", "flows": {
            "password": {"tokenUrl": token_url, "refreshUrl": token_url, "scopes": scopes},
            "clientCredentials": {"tokenUrl": token_url, "scopes": scopes},
        }}})
    },
    requirement: |roles| json!([{"OAuth2": roles}]),
    error: |s| s.of::<s::ErrorBody>(),
    error_content_type: "application/json",
};

const ORDER_ANY: &[&str] = &["Shopper", "OrderAdmin", "OrderReader"];
const ORDER_WRITE: &[&str] = &["Shopper", "OrderAdmin"];
const ME_READ: &[&str] = &["Shopper", "MeAdmin", "MeXpAdmin"];
const ME_WRITE: &[&str] = &["MeAdmin", "MeXpAdmin"];
const ME_ANY: &[&str] = &["Shopper", "MeAdmin", "MeXpAdmin", "MeAddressAdmin"];

fn enum_param(name: &'static str, values: &[&str], description: &'static str) -> Param {
    Param::path(name, json!({"type": "string", "enum": values}), description)
}

/// An operation answering `T` (200) that may also meet 409 (a write that conflicts).
fn one<T: utoipa::ToSchema>(summary: &str, roles: &'static [&'static str]) -> Op {
    Op::new(summary.to_owned()).roles(roles).answer::<T>(200, "It.")
}

fn list<T: utoipa::ToSchema>(summary: &str, roles: &'static [&'static str], spec: &list::ListSpec) -> Op {
    Op::new(summary.to_owned()).roles(roles).params(spec.params()).answer::<ListPage<T>>(200, "A page.")
}

/// A create, which may meet 409 (the id is taken) and 404 (something it names is not there).
fn create<T: utoipa::ToSchema>(summary: &str, roles: &'static [&'static str]) -> Op {
    Op::new(summary.to_owned()).roles(roles).answer::<T>(201, "The new one.").errors(&[404, 409])
}

fn delete(summary: &str, roles: &'static [&'static str]) -> Op {
    Op::new(summary.to_owned()).roles(roles).empty(204, "Deleted.")
}

/// The dialect's routes.
pub fn routes() -> Documented {
    use security_profiles as sp;
    let api = Documented::new(&DIALECT);
    let api = crud::routes::<buyers::Buyers>(api, "/v1/buyers", "/v1/buyers/{id}");
    let api = crud::routes::<catalog::Products>(api, "/v1/products", "/v1/products/{id}");
    let api = crud::routes::<catalog::PriceSchedules>(api, "/v1/priceschedules", "/v1/priceschedules/{id}");
    let api = crud::routes::<sp::SecurityProfiles>(api, "/v1/securityprofiles", "/v1/securityprofiles/{id}");
    let api = crud::routes::<me::Addresses>(api, "/v1/me/addresses", "/v1/me/addresses/{id}");
    let api = identity(api);
    let api = integration(api);
    let api = me_routes(api);
    let api = checkout::returns_routes(api);
    let api = checkout::order_routes(api, "/v1/orders/{direction}/{id}", ORDER_ANY);
    let api = checkout::order_routes(api, "/v1/cart", ORDER_WRITE);
    api.route(
        M::GET,
        "/v1/orders/{direction}",
        orders::orders_list,
        direction(list::<s::Order>("Lists orders", ORDER_ANY, &orders::ORDER_SPEC)),
    )
    .route(
        M::POST,
        "/v1/orders/{direction}",
        orders::order_create,
        direction(create::<s::Order>("Creates an order (a cart)", ORDER_WRITE).body::<wire::orders::OrderIn>()),
    )
    .catch_all("/v1/{*rest}", unknown_route)
}

fn direction(op: Op) -> Op {
    op.param(enum_param(
        "direction",
        &["Incoming", "Outgoing", "All"],
        "Any case; every direction names the same orders.",
    ))
}

/// Tokens, keys, API clients, users.
fn identity(api: Documented) -> Documented {
    use users as u;
    const CLIENT_READ: &[&str] = &["ApiClientAdmin", "ApiClientReader"];
    const CLIENT_WRITE: &[&str] = &["ApiClientAdmin"];
    const ADMIN_READ: &[&str] = &["AdminUserAdmin", "AdminUserReader"];
    const ADMIN_WRITE: &[&str] = &["AdminUserAdmin"];
    const BUYER_USER_READ: &[&str] = &["BuyerUserAdmin", "BuyerUserReader"];
    const BUYER_USER_WRITE: &[&str] = &["BuyerUserAdmin"];
    const PROFILE_READ: &[&str] = &["SecurityProfileAdmin", "SecurityProfileReader"];
    const PROFILE_WRITE: &[&str] = &["SecurityProfileAdmin"];
    let user_put = |summary: &str, roles| {
        Op::new(summary.to_owned())
            .roles(roles)
            .body::<u::UserIn>()
            .answer::<s::User>(200, "Replaced.")
            .answer::<s::User>(201, "Created.")
            .errors(&[409])
    };
    let user_patch = |summary: &str, roles| one::<s::User>(summary, roles).patch_body::<u::UserIn>().errors(&[409]);
    api.route(
        M::POST,
        "/oauth/token",
        oauth::token,
        Op::new("Issues an access token")
            .form::<s::TokenForm>()
            .answer::<s::AccessToken>(200, "The token.")
            .errors(&[401, 429]),
    )
    .route(
        M::GET,
        "/oauth/certs",
        oauth::certs,
        Op::new("The token-signing keys (JWKS)").answer::<s::Jwks>(200, "The keys."),
    )
    .route(
        M::GET,
        "/oauth/certs/{kid}",
        oauth::cert,
        Op::new("One token-signing key").answer::<s::Jwk>(200, "The key."),
    )
    .route(
        M::GET,
        "/v1/apiclients",
        api_clients::list,
        list::<s::ApiClient>("Lists API clients", CLIENT_READ, &api_clients::SPEC),
    )
    .route(
        M::POST,
        "/v1/apiclients",
        api_clients::create,
        create::<s::ApiClient>("Creates an API client", CLIENT_WRITE).body::<api_clients::ApiClientIn>(),
    )
    .route(M::GET, "/v1/apiclients/{id}", api_clients::get, one::<s::ApiClient>("An API client", CLIENT_READ))
    .route(
        M::PUT,
        "/v1/apiclients/{id}",
        api_clients::put,
        one::<s::ApiClient>("Creates or replaces an API client", CLIENT_WRITE)
            .body::<api_clients::ApiClientIn>()
            .answer::<s::ApiClient>(201, "Created.")
            .errors(&[409]),
    )
    .route(
        M::PATCH,
        "/v1/apiclients/{id}",
        api_clients::patch,
        one::<s::ApiClient>("Changes an API client's fields sent", CLIENT_WRITE)
            .patch_body::<api_clients::ApiClientIn>(),
    )
    .route(M::DELETE, "/v1/apiclients/{id}", api_clients::delete, delete("Deletes an API client", CLIENT_WRITE))
    .route(
        M::GET,
        "/v1/adminusers",
        u::admin_users_list,
        list::<s::User>("Lists admin users", ADMIN_READ, &u::USER_SPEC),
    )
    .route(
        M::POST,
        "/v1/adminusers",
        u::admin_user_create,
        create::<s::User>("Creates an admin user", ADMIN_WRITE).body::<u::UserIn>(),
    )
    .route(M::GET, "/v1/adminusers/{id}", u::admin_user_get, one::<s::User>("An admin user", ADMIN_READ))
    .route(M::PUT, "/v1/adminusers/{id}", u::admin_user_put, user_put("Creates or replaces an admin user", ADMIN_WRITE))
    .route(
        M::PATCH,
        "/v1/adminusers/{id}",
        u::admin_user_patch,
        user_patch("Changes an admin user's fields sent", ADMIN_WRITE),
    )
    .route(M::DELETE, "/v1/adminusers/{id}", u::admin_user_delete, delete("Deletes an admin user", ADMIN_WRITE))
    .route(
        M::DELETE,
        "/v1/adminusers/{id}/tokens",
        me::revoke_admin_user_tokens,
        delete("Revokes every token of an admin user", ADMIN_WRITE),
    )
    .route(
        M::GET,
        "/v1/buyers/{buyer}/users",
        u::buyer_users_list,
        list::<s::User>("Lists a buyer's users", BUYER_USER_READ, &u::USER_SPEC),
    )
    .route(
        M::POST,
        "/v1/buyers/{buyer}/users",
        u::buyer_user_create,
        create::<s::User>("Creates a buyer user", BUYER_USER_WRITE).body::<u::UserIn>(),
    )
    .route(M::GET, "/v1/buyers/{buyer}/users/{id}", u::buyer_user_get, one::<s::User>("A buyer user", BUYER_USER_READ))
    .route(
        M::PUT,
        "/v1/buyers/{buyer}/users/{id}",
        u::buyer_user_put,
        user_put("Creates or replaces a buyer user", BUYER_USER_WRITE),
    )
    .route(
        M::PATCH,
        "/v1/buyers/{buyer}/users/{id}",
        u::buyer_user_patch,
        user_patch("Changes a buyer user's fields sent", BUYER_USER_WRITE),
    )
    .route(
        M::DELETE,
        "/v1/buyers/{buyer}/users/{id}",
        u::buyer_user_delete,
        delete("Deletes a buyer user", BUYER_USER_WRITE),
    )
    .route(
        M::DELETE,
        "/v1/buyers/{buyer}/users/{id}/tokens",
        me::revoke_buyer_user_tokens,
        delete("Revokes every token of a buyer user", BUYER_USER_WRITE),
    )
    .route(
        M::GET,
        "/v1/securityprofiles/assignments",
        security_profiles::assignments_list,
        list::<s::SecurityProfileAssignment>(
            "Lists security profile assignments",
            PROFILE_READ,
            &security_profiles::ASSIGNMENT_SPEC,
        ),
    )
    .route(
        M::POST,
        "/v1/securityprofiles/assignments",
        security_profiles::assignment_save,
        Op::new("Assigns a security profile")
            .roles(PROFILE_WRITE)
            .body::<security_profiles::AssignmentIn>()
            .empty(204, "Assigned.")
            .errors(&[404]),
    )
    .route(
        M::DELETE,
        "/v1/securityprofiles/{id}/assignments",
        security_profiles::assignment_delete,
        delete("Removes a security profile's assignment", PROFILE_WRITE).params([
            Param::query("buyerID", json!({"type": "string"}), "The buyer it is assigned to."),
            Param::query("userID", json!({"type": "string"}), "The user it is assigned to."),
        ]),
    )
}

/// Integration events, approval rules and single sign-on.
fn integration(api: Documented) -> Documented {
    const EVENT_READ: &[&str] = &["IntegrationEventAdmin", "IntegrationEventReader"];
    const EVENT_WRITE: &[&str] = &["IntegrationEventAdmin"];
    const RULE_READ: &[&str] = &["ApprovalRuleAdmin", "ApprovalRuleReader"];
    const RULE_WRITE: &[&str] = &["ApprovalRuleAdmin"];
    const SSO_READ: &[&str] = &["OpenIDConnectAdmin", "OpenIDConnectReader"];
    const SSO_WRITE: &[&str] = &["OpenIDConnectAdmin"];
    use {approval_rules as ar, integration_events as ie};
    let redirect = |op: Op| op.empty(302, "A redirect (to the provider, the app, or its error page).");
    api.route(
        M::GET,
        "/v1/integrationevents",
        ie::list,
        list::<s::IntegrationEvent>("Lists integration events", EVENT_READ, &ie::SPEC),
    )
    .route(
        M::POST,
        "/v1/integrationevents",
        ie::create,
        create::<s::IntegrationEvent>("Creates an integration event", EVENT_WRITE).body::<ie::IntegrationEventIn>(),
    )
    .route(
        M::GET,
        "/v1/integrationevents/{id}",
        ie::get,
        one::<s::IntegrationEvent>("An integration event", EVENT_READ),
    )
    .route(
        M::PUT,
        "/v1/integrationevents/{id}",
        ie::put,
        one::<s::IntegrationEvent>("Creates or replaces an integration event", EVENT_WRITE)
            .body::<ie::IntegrationEventIn>()
            .answer::<s::IntegrationEvent>(201, "Created.")
            .errors(&[409]),
    )
    .route(
        M::PATCH,
        "/v1/integrationevents/{id}",
        ie::patch,
        one::<s::IntegrationEvent>("Changes an integration event's fields sent", EVENT_WRITE)
            .patch_body::<ie::IntegrationEventIn>(),
    )
    .route(
        M::DELETE,
        "/v1/integrationevents/{id}",
        ie::delete,
        delete("Deletes an integration event", EVENT_WRITE).errors(&[409]),
    )
    .route(
        M::GET,
        "/v1/buyers/{buyer}/approvalrules",
        ar::rules_list,
        list::<s::ApprovalRule>("Lists a buyer's approval rules", RULE_READ, &ar::RULE_SPEC),
    )
    .route(
        M::POST,
        "/v1/buyers/{buyer}/approvalrules",
        ar::rule_create,
        create::<s::ApprovalRule>("Creates an approval rule", RULE_WRITE).body::<ar::RuleIn>(),
    )
    .route(
        M::GET,
        "/v1/buyers/{buyer}/approvalrules/{id}",
        ar::rule_get,
        one::<s::ApprovalRule>("An approval rule", RULE_READ),
    )
    .route(
        M::PUT,
        "/v1/buyers/{buyer}/approvalrules/{id}",
        ar::rule_put,
        one::<s::ApprovalRule>("Creates or replaces an approval rule", RULE_WRITE).body::<ar::RuleIn>().errors(&[409]),
    )
    .route(
        M::PATCH,
        "/v1/buyers/{buyer}/approvalrules/{id}",
        ar::rule_patch,
        one::<s::ApprovalRule>("Changes an approval rule's fields sent", RULE_WRITE).patch_body::<ar::RuleIn>(),
    )
    .route(
        M::DELETE,
        "/v1/buyers/{buyer}/approvalrules/{id}",
        ar::rule_delete,
        delete("Deletes an approval rule", RULE_WRITE),
    )
    .route(
        M::GET,
        "/v1/openidconnects",
        sso::list,
        list::<s::OpenIdConnect>("Lists OpenID Connect configurations", SSO_READ, &sso::SPEC),
    )
    .route(
        M::POST,
        "/v1/openidconnects",
        sso::create,
        create::<s::OpenIdConnect>("Creates an OpenID Connect configuration", SSO_WRITE).body::<sso::ConnectIn>(),
    )
    .route(
        M::GET,
        "/v1/openidconnects/{id}",
        sso::get,
        one::<s::OpenIdConnect>("An OpenID Connect configuration", SSO_READ),
    )
    .route(
        M::PUT,
        "/v1/openidconnects/{id}",
        sso::put,
        one::<s::OpenIdConnect>("Creates or replaces an OpenID Connect configuration", SSO_WRITE)
            .body::<sso::ConnectIn>()
            .answer::<s::OpenIdConnect>(201, "Created.")
            .errors(&[409]),
    )
    .route(
        M::PATCH,
        "/v1/openidconnects/{id}",
        sso::patch,
        one::<s::OpenIdConnect>("Changes an OpenID Connect configuration's fields sent", SSO_WRITE)
            .patch_body::<sso::ConnectIn>(),
    )
    .route(
        M::DELETE,
        "/v1/openidconnects/{id}",
        sso::delete,
        delete("Deletes an OpenID Connect configuration", SSO_WRITE),
    )
    .route(
        M::GET,
        "/ocrplogin",
        sso::login,
        redirect(Op::new("Starts a single sign-on at the identity provider")).errors(&[404]).params([
            Param::query("id", json!({"type": "string"}), "The OpenID Connect configuration.").required(),
            Param::query("cid", json!({"type": "string"}), "The API client.").required(),
            Param::query("roles", json!({"type": "string"}), "Roles to ask for, space-separated."),
            Param::query("appstartpath", json!({"type": "string"}), "Where the app starts, after the AppStartUrl."),
            Param::query("customParams", json!({"type": "string"}), "Passed to the provider."),
        ]),
    )
    .route(
        M::GET,
        "/ocrpcode",
        sso::code_get,
        redirect(Op::new("The provider's redirect back")).params([
            Param::query("code", json!({"type": "string"}), "The authorization code."),
            Param::query("state", json!({"type": "string"}), "The state cartwire sent."),
            Param::query("error", json!({"type": "string"}), "The provider's error."),
            Param::query("error_description", json!({"type": "string"}), "Its description."),
        ]),
    )
    .route(
        M::POST,
        "/ocrpcode",
        sso::code_post,
        redirect(Op::new("The provider's answer (response_mode=form_post)")).form::<s::SsoCallbackForm>(),
    )
}

/// `/v1/me`.
fn me_routes(api: Documented) -> Documented {
    api.route(
        M::GET,
        "/v1/me",
        me::get_me,
        one::<s::User>("The caller's user (an anonymous shopper's: its template)", ME_READ),
    )
    .route(
        M::PUT,
        "/v1/me",
        me::put_me,
        one::<s::User>("Replaces the caller's profile (MeXpAdmin: only xp)", ME_WRITE)
            .body::<users::UserIn>()
            .errors(&[409]),
    )
    .route(
        M::PATCH,
        "/v1/me",
        me::patch_me,
        one::<s::User>("Changes the caller's profile fields sent (MeXpAdmin: only xp)", ME_WRITE)
            .patch_body::<users::UserIn>()
            .errors(&[409]),
    )
    .route(
        M::GET,
        "/v1/me/orders",
        me::my_orders,
        list::<s::Order>("The caller's orders", &["Shopper"], &orders::ORDER_SPEC),
    )
    .route(
        M::GET,
        "/v1/me/products",
        me::my_products,
        list::<s::BuyerProduct>("What the caller's catalog shows, priced", &["Shopper"], &me::ME_PRODUCT_SPEC),
    )
    .route(M::DELETE, "/v1/me/tokens", me::revoke_my_tokens, delete("Revokes every token of the caller's", ME_ANY))
}
