//! Authentication: the OAuth2 token endpoint's grants, and turning a bearer token back into
//! the [`Principal`] every use case takes.

use crate::keys::Claims;
use crate::{App, AppError, Principal};
use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use cartwire_domain::api_client::ApiClient;
use cartwire_domain::user::{User, UserType};
use cartwire_domain::{ApiRole, RoleSet};
use cartwire_store::refresh_tokens::RefreshGrant;
use cartwire_store::users::company_of;
use time::OffsetDateTime;

/// A token request as the token endpoint received it (form fields).
#[derive(Debug, Clone, Default)]
pub struct TokenRequest {
    /// `client_credentials`, `password` or `refresh_token`.
    pub grant_type: String,
    /// The API client.
    pub client_id: String,
    /// The client's secret, when sent.
    pub client_secret: Option<String>,
    /// Username (password grant).
    pub username: Option<String>,
    /// Password (password grant).
    pub password: Option<String>,
    /// Space-separated roles requested; all held roles when absent.
    pub scope: Option<String>,
    /// The refresh token (refresh grant).
    pub refresh_token: Option<String>,
    /// The caller's address, for throttling wrong credentials.
    pub peer: Option<std::net::IpAddr>,
}

/// An issued token.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// The RS256 JWT.
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: i64,
    /// A single-use refresh token, when the client issues them.
    pub refresh_token: Option<String>,
}

/// Why a token was refused, for the dialect to word as its own error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A grant type other than client credentials, password or refresh token.
    UnsupportedGrantType,
    /// No client id, an unknown one, or two that differ.
    InvalidClientId,
    /// The client is inactive.
    ClientNotActive,
    /// A wrong, missing or unexpected client secret.
    InvalidClientSecret,
    /// A password grant without a username or password.
    UsernameAndPasswordRequired,
    /// Too many wrong passwords in a row: the account waits.
    AccountLocked,
    /// A wrong username or password.
    InvalidUsernameOrPassword,
    /// An anonymous buyer client's template user is not a buyer user.
    AnonymousUserNotBuyer,
    /// A missing, unknown, expired or used refresh token.
    InvalidRefreshToken,
    /// A refresh token issued before its user's tokens were revoked (HTTP 401).
    TokenRevoked,
    /// The client's default context user is missing.
    UserNotFound,
    /// The user is inactive.
    UserNotActive,
    /// The client does not admit this kind of user.
    UserNotAllowedThroughClient,
    /// The user's buyer company is inactive.
    CompanyNotActive,
    /// The user lacks a role the client requires.
    InsufficientRoles,
}

/// Why a token was refused: the OAuth `error`, what was refused (each dialect's code for it)
/// and a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {refusal:?}: {description}")]
pub struct TokenError {
    /// RFC 6749 error (`invalid_request`, `invalid_client`, `invalid_grant`,
    /// `unsupported_grant_type`, `invalid_scope`).
    pub error: &'static str,
    /// What was refused.
    pub refusal: Refusal,
    /// Human-readable explanation.
    pub description: String,
}

fn refuse(error: &'static str, refusal: Refusal, description: impl Into<String>) -> TokenError {
    TokenError { error, refusal, description: description.into() }
}

/// A token request failed for a reason the client can act on, or the server failed.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    /// The request was refused (HTTP 400 with the OAuth body).
    #[error(transparent)]
    Refused(#[from] TokenError),
    /// Too many wrong credentials (HTTP 429 with `Retry-After`; see `throttle`).
    #[error("too many failed attempts for this {}; retry after {} s", .0.what, .0.retry_after)]
    Throttled(crate::throttle::Held),
    /// Something broke inside (HTTP 500).
    #[error(transparent)]
    Internal(#[from] AppError),
}

impl From<cartwire_store::StoreError> for GrantError {
    fn from(e: cartwire_store::StoreError) -> Self {
        Self::Internal(e.into())
    }
}

enum Subject {
    User(User),
    Anonymous(User),
}

/// The SHA-256 digest under which a refresh token is stored (hex).
pub fn refresh_digest(token: &str) -> String {
    digest(&SHA256, token.as_bytes()).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    SystemRandom::new().fill(&mut bytes).expect("the system RNG works");
    B64URL.encode(bytes)
}

impl App {
    /// Runs one grant of the token endpoint.
    pub async fn issue_token(&self, req: TokenRequest) -> Result<IssuedToken, GrantError> {
        let grant = req.grant_type.as_str();
        if !matches!(grant, "client_credentials" | "password" | "refresh_token") {
            return Err(refuse(
                "unsupported_grant_type",
                Refusal::UnsupportedGrantType,
                format!("grant_type must be client_credentials, password or refresh_token, got '{grant}'"),
            )
            .into());
        }
        if req.client_id.is_empty() {
            return Err(refuse("invalid_request", Refusal::InvalidClientId, "client_id is required").into());
        }
        let mut tx = self.store().read().await?;
        let client = tx
            .api_client(&req.client_id)
            .await?
            .ok_or_else(|| refuse("invalid_client", Refusal::InvalidClientId, "Invalid client_id"))?
            .client;
        tx.commit().await?;
        if !client.active {
            return Err(refuse("invalid_client", Refusal::ClientNotActive, "The API client is not active").into());
        }
        let throttle = self.throttle();
        throttle.check(&req.client_id, req.peer).map_err(GrantError::Throttled)?;
        let secret_given = req.client_secret.as_deref().filter(|s| !s.is_empty());
        if let (Some(hash), Some(secret)) = (&client.secret_hash, secret_given)
            && !self.passwords().verify(secret.to_owned(), Some(hash.clone())).await
        {
            throttle.failed(&req.client_id, req.peer);
            return Err(refuse("invalid_client", Refusal::InvalidClientSecret, "Invalid client_secret").into());
        }
        match (&client.secret_hash, secret_given) {
            // The official SDK refreshes without the secret; the single-use refresh token bound
            // to this client is the credential there (DECISIONS.md).
            (Some(_), None) if grant != "refresh_token" => {
                return Err(refuse(
                    "invalid_client",
                    Refusal::InvalidClientSecret,
                    "This API client has a client secret: client_secret is required",
                )
                .into());
            }
            (None, Some(_)) => {
                return Err(refuse(
                    "invalid_client",
                    Refusal::InvalidClientSecret,
                    "This API client has no client secret",
                )
                .into());
            }
            _ => {}
        }
        let (subject, scope) = match grant {
            "password" => {
                let (Some(username), Some(password)) = (
                    req.username.as_deref().filter(|s| !s.is_empty()),
                    req.password.as_deref().filter(|s| !s.is_empty()),
                ) else {
                    return Err(refuse(
                        "invalid_request",
                        Refusal::UsernameAndPasswordRequired,
                        "username and password are required",
                    )
                    .into());
                };
                throttle.check_user(username).map_err(|held| {
                    GrantError::Refused(refuse(
                        "invalid_grant",
                        Refusal::AccountLocked,
                        format!("Too many failed sign-ins: the account is locked for {} s", held.retry_after),
                    ))
                })?;
                let mut tx = self.store().read().await?;
                let user = tx.user_by_username(username).await?;
                tx.commit().await?;
                let hash = user.as_ref().and_then(|u| u.password_hash.clone());
                if !self.passwords().verify(password.to_owned(), hash).await {
                    throttle.failed(&req.client_id, req.peer);
                    throttle.user_failed(username);
                    return Err(refuse(
                        "invalid_grant",
                        Refusal::InvalidUsernameOrPassword,
                        "Invalid username or password",
                    )
                    .into());
                }
                throttle.user_succeeded(username);
                (Subject::User(user.expect("verified password implies user")), req.scope.clone())
            }
            "client_credentials" => {
                let user = self.default_context_user(&client).await?;
                if client.secret_hash.is_some() {
                    (Subject::User(user), req.scope.clone())
                } else if client.is_anon_buyer {
                    if user.user_type != UserType::Buyer {
                        return Err(refuse(
                            "invalid_client",
                            Refusal::AnonymousUserNotBuyer,
                            "The anonymous template user must be a buyer user",
                        )
                        .into());
                    }
                    (Subject::Anonymous(user), req.scope.clone())
                } else {
                    return Err(refuse(
                        "invalid_client",
                        Refusal::InvalidClientSecret,
                        "client_credentials needs a client secret unless the client is an anonymous buyer client",
                    )
                    .into());
                }
            }
            _ => {
                let token = req.refresh_token.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| {
                    refuse("invalid_request", Refusal::InvalidRefreshToken, "refresh_token is required")
                })?;
                let mut tx = self.store().begin().await?;
                let stored = tx.take_refresh_token(&refresh_digest(token)).await?;
                tx.commit().await?;
                let invalid = || {
                    refuse(
                        "invalid_grant",
                        Refusal::InvalidRefreshToken,
                        "Invalid, expired or already used refresh token",
                    )
                };
                let stored = stored.ok_or_else(invalid)?;
                if stored.revoked {
                    return Err(refuse(
                        "invalid_grant",
                        Refusal::TokenRevoked,
                        "The user's tokens were revoked after this refresh token was issued",
                    )
                    .into());
                }
                if stored.client_id != client.id.as_str()
                    || stored.expires_at < OffsetDateTime::now_utc().unix_timestamp()
                {
                    return Err(invalid().into());
                }
                let mut tx = self.store().read().await?;
                let user = tx.user(&stored.company, &stored.user_id).await?.ok_or_else(invalid)?;
                tx.commit().await?;
                let scope = req.scope.clone().or(stored.scope);
                (Subject::User(user), scope)
            }
        };
        let user = match &subject {
            Subject::User(u) | Subject::Anonymous(u) => u,
        };
        self.check_user_may_use_client(user, &client).await?;
        let mut tx = self.store().read().await?;
        let held = tx.roles_of_user(user).await?;
        tx.commit().await?;
        let roles = grant_roles(&held, scope.as_deref(), &client)?;
        self.mint(&client, subject, roles, scope).await.map_err(GrantError::Internal)
    }

    /// Issues a token for `user` through `client_id` without a password: an identity provider
    /// vouched for the user (single sign-on). The client, user and role rules of the password
    /// grant apply unchanged.
    pub(crate) async fn issue_for_user(
        &self,
        client_id: &str,
        user: User,
        scope: Option<String>,
    ) -> Result<IssuedToken, GrantError> {
        let mut tx = self.store().read().await?;
        let client = tx
            .api_client(client_id)
            .await?
            .ok_or_else(|| refuse("invalid_client", Refusal::InvalidClientId, "Invalid client_id"))?
            .client;
        let held = tx.roles_of_user(&user).await?;
        tx.commit().await?;
        if !client.active {
            return Err(refuse("invalid_client", Refusal::ClientNotActive, "The API client is not active").into());
        }
        self.check_user_may_use_client(&user, &client).await?;
        let roles = grant_roles(&held, scope.as_deref(), &client)?;
        self.mint(&client, Subject::User(user), roles, scope).await.map_err(GrantError::Internal)
    }

    /// The principal of a client's default context user (whom single sign-on callouts act
    /// for), or a bare principal of the client when it has none.
    pub(crate) async fn client_context_principal(&self, client_id: &str) -> Result<Principal, AppError> {
        let mut tx = self.store().read().await?;
        let client = tx.api_client(client_id).await?.map(|r| r.client);
        let user = match client.as_ref().and_then(|c| c.default_context_username.clone()) {
            Some(name) => tx.user_by_username(&name).await?,
            None => None,
        };
        let roles = match &user {
            Some(u) => tx.roles_of_user(u).await?,
            None => RoleSet::default(),
        };
        let generation = match &user {
            Some(u) => tx.token_generation(company_of(u.buyer_id.as_ref()), u.id.as_str()).await?.unwrap_or(0),
            None => 0,
        };
        tx.commit().await?;
        Ok(match user {
            Some(u) => Principal {
                client_id: client_id.to_owned(),
                user_id: u.id.as_str().to_owned(),
                username: u.profile.username.clone(),
                user_type: u.user_type,
                buyer_id: u.buyer_id.as_ref().map(|b| b.as_str().to_owned()),
                roles,
                anonymous_order_id: None,
                token_generation: generation,
            },
            None => Principal {
                client_id: client_id.to_owned(),
                user_id: String::new(),
                username: format!("sso@{client_id}"),
                user_type: UserType::Admin,
                buyer_id: None,
                roles,
                anonymous_order_id: None,
                token_generation: 0,
            },
        })
    }

    async fn default_context_user(&self, client: &ApiClient) -> Result<User, GrantError> {
        let name = client.default_context_username.as_deref().ok_or_else(|| {
            refuse("invalid_client", Refusal::UserNotFound, "The API client has no default context user")
        })?;
        let mut tx = self.store().read().await?;
        let user = tx.user_by_username(name).await?;
        tx.commit().await?;
        user.ok_or_else(|| {
            refuse("invalid_client", Refusal::UserNotFound, "The API client's default context user does not exist")
                .into()
        })
    }

    async fn check_user_may_use_client(&self, user: &User, client: &ApiClient) -> Result<(), GrantError> {
        if !user.profile.active {
            return Err(refuse("invalid_grant", Refusal::UserNotActive, "The user is not active").into());
        }
        match user.user_type {
            UserType::Admin if !client.allow_seller => Err(refuse(
                "invalid_grant",
                Refusal::UserNotAllowedThroughClient,
                "Marketplace users may not authenticate through this API client (it does not allow sellers)",
            )
            .into()),
            UserType::Buyer if !client.allow_any_buyer => Err(refuse(
                "invalid_grant",
                Refusal::UserNotAllowedThroughClient,
                "Buyer users may not authenticate through this API client (it does not allow any buyer)",
            )
            .into()),
            UserType::Buyer => {
                let mut tx = self.store().read().await?;
                let buyer = tx.buyer(company_of(user.buyer_id.as_ref())).await?;
                tx.commit().await?;
                if buyer.is_some_and(|b| b.active) {
                    Ok(())
                } else {
                    Err(refuse("invalid_grant", Refusal::CompanyNotActive, "The user's buyer company is not active")
                        .into())
                }
            }
            UserType::Admin => Ok(()),
        }
    }

    async fn mint(
        &self,
        client: &ApiClient,
        subject: Subject,
        roles: RoleSet,
        scope: Option<String>,
    ) -> Result<IssuedToken, AppError> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let (user, anonymous) = match subject {
            Subject::User(u) => (u, false),
            Subject::Anonymous(u) => (u, true),
        };
        let minutes = if anonymous {
            client.anonymous_token_duration.map(|d| d.minutes()).unwrap_or(client.access_token_duration.minutes())
        } else {
            client.access_token_duration.minutes()
        };
        let expires_in = i64::from(minutes) * 60;
        let base = self.config().public_base_url.clone();
        // Tokens carry the user's generation, so revoking the user's tokens ends this one too.
        let generation = {
            let mut tx = self.store().read().await?;
            let g = tx.token_generation(company_of(user.buyer_id.as_ref()), user.id.as_str()).await?;
            tx.commit().await?;
            g.unwrap_or(0)
        };
        let claims = Claims {
            usr: user.profile.username.clone(),
            cid: client.id.as_str().to_owned(),
            u: if anonymous { format!("anon-{}", uuid::Uuid::new_v4().simple()) } else { user.id.as_str().to_owned() },
            usrtype: user.user_type.as_str().to_owned(),
            role: roles.names(),
            iss: base.clone(),
            aud: base,
            exp: now + expires_in,
            nbf: now,
            iat: now,
            jti: uuid::Uuid::new_v4().to_string(),
            orderid: anonymous.then(|| uuid::Uuid::new_v4().simple().to_string()),
            cmp: user.buyer_id.as_ref().map(|b| b.as_str().to_owned()),
            elv: Vec::new(),
            r#gen: generation,
        };
        let access_token = self.keys().sign(&claims)?;
        let refresh_token = if !anonymous && client.refresh_token_duration.minutes() > 0 {
            let token = random_token();
            let grant = RefreshGrant {
                client_id: client.id.as_str().to_owned(),
                company: company_of(user.buyer_id.as_ref()).to_owned(),
                user_id: user.id.as_str().to_owned(),
                scope,
                expires_at: now + i64::from(client.refresh_token_duration.minutes()) * 60,
                revoked: false,
            };
            let mut tx = self.store().begin().await?;
            tx.purge_expired_refresh_tokens(now).await?;
            tx.insert_refresh_token(&refresh_digest(&token), &grant).await?;
            tx.commit().await?;
            Some(token)
        } else {
            None
        };
        Ok(IssuedToken { access_token, expires_in, refresh_token })
    }

    /// Mints a token for `principal` through its own client carrying extra roles (the
    /// `OrderCloudAccessToken` of callouts), living `minutes`.
    pub fn token_for(&self, principal: &Principal, extra: &[ApiRole], minutes: i64) -> Result<String, AppError> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let mut roles = principal.roles.clone();
        roles.roles.extend(extra.iter().copied());
        let base = self.config().public_base_url.clone();
        self.keys().sign(&Claims {
            usr: principal.username.clone(),
            cid: principal.client_id.clone(),
            u: principal.user_id.clone(),
            usrtype: principal.user_type.as_str().to_owned(),
            role: roles.names(),
            iss: base.clone(),
            aud: base,
            exp: now + minutes * 60,
            nbf: now,
            iat: now,
            jti: uuid::Uuid::new_v4().to_string(),
            orderid: principal.anonymous_order_id.clone(),
            cmp: principal.buyer_id.clone(),
            r#gen: principal.token_generation,
            elv: extra.iter().filter(|r| !principal.roles.roles.contains(r)).map(|r| r.as_str().to_owned()).collect(),
        })
    }

    /// Verifies a bearer token for an operation of the operator API that must refuse before
    /// it reads a request body (issuing tokens and keys): the caller must hold `FullAccess`.
    pub async fn authenticate_operator(&self, bearer: &str) -> Result<Principal, AppError> {
        let p = self.authenticate(bearer).await?;
        p.require_any(&[cartwire_domain::ApiRole::FullAccess])?;
        Ok(p)
    }

    /// Verifies a bearer token and returns who it speaks for.
    pub async fn authenticate(&self, bearer: &str) -> Result<Principal, AppError> {
        let claims = self.keys().verify(bearer, &self.config().public_base_url).await?;
        let user_type =
            UserType::parse(&claims.usrtype).map_err(|_| AppError::Unauthenticated("unknown usrtype".into()))?;
        self.check_grant(&claims).await?;
        Ok(Principal {
            client_id: claims.cid,
            user_id: claims.u,
            username: claims.usr,
            user_type,
            buyer_id: claims.cmp,
            roles: RoleSet::from_names(claims.role.iter().map(String::as_str)),
            anonymous_order_id: claims.orderid,
            token_generation: claims.r#gen,
        })
    }
}

/// Decides a token's roles: what was asked (all held roles when nothing was) and is held,
/// narrowed by the client's maximum, after checking the client's minimum.
pub fn grant_roles(held: &RoleSet, scope: Option<&str>, client: &ApiClient) -> Result<RoleSet, TokenError> {
    let limits = &client.role_limits;
    let insufficient = |what: String| refuse("invalid_grant", Refusal::InsufficientRoles, what);
    for role in &limits.minimum_required_roles {
        if !held.holds(*role) {
            return Err(insufficient(format!("The API client requires the role {role}")));
        }
    }
    for role in &limits.minimum_required_custom_roles {
        if !held.custom.contains(role) {
            return Err(insufficient(format!("The API client requires the custom role {role}")));
        }
    }
    let requested = scope.map(|s| RoleSet::from_names(s.split_whitespace())).filter(|r| !r.is_empty());
    let mut granted = match &requested {
        Some(req) => RoleSet {
            roles: req
                .roles
                .iter()
                .copied()
                .filter(|r| if *r == ApiRole::FullAccess { held.roles.contains(r) } else { held.holds(*r) })
                .collect(),
            custom: req.custom.intersection(&held.custom).cloned().collect(),
        },
        None => held.clone(),
    };
    if !limits.maximum_granted_roles.is_empty() && !limits.maximum_granted_roles.contains(&ApiRole::FullAccess) {
        if granted.roles.contains(&ApiRole::FullAccess) {
            // FullAccess would pass every check: under a cap it becomes exactly the cap.
            granted.roles = limits.maximum_granted_roles.iter().copied().collect();
        } else {
            granted.roles.retain(|r| limits.maximum_granted_roles.contains(r));
        }
    }
    if !limits.maximum_granted_custom_roles.is_empty() {
        granted.custom.retain(|r| limits.maximum_granted_custom_roles.contains(r));
    }
    if granted.is_empty() {
        return Err(insufficient(match requested {
            Some(_) => "The user holds none of the requested roles".to_owned(),
            None => "The user holds no roles".to_owned(),
        }));
    }
    Ok(granted)
}
