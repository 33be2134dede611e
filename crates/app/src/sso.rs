//! Single sign-on with OpenID Connect (`/v1/openidconnects`, `/ocrplogin`, `/ocrpcode`).
//!
//! The login: `/ocrplogin` stores a login in flight (state digest, nonce, PKCE verifier; ten
//! minutes, single use) and redirects to the provider; `/ocrpcode` takes the login by its
//! state, exchanges the code (with the verifier), verifies the id_token (RS256 against the
//! provider's JWKS from its discovery document; issuer, audience, expiry, nonce), asks the
//! OpenIDConnect integration event who the user is (`/createuser` the first time, `/syncuser`
//! later when configured) and redirects to `AppStartUrl` with a cartwire token. Every request
//! to the provider goes through the SSRF guard with the callout deadline.

/// The stored form the dialects render (with what the store derives).
pub use cartwire_store::sso::OpenIdConnectRecord;

use crate::SaveMode;
use crate::callout::{Callout, CalloutWire, SsoAnswer};
use crate::error::FieldExt;
use crate::resource::Resource;
use crate::{App, AppError, Principal, RuleCode};
use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cartwire_domain::integration_event::EventType;
use cartwire_domain::sso::{OpenIdConnect, fill_placeholders, percent_encode};
use cartwire_domain::{ApiRole, ObjectId};
use cartwire_domain::{Field, Problem};
use cartwire_outbound::callout::CalloutOutcome;
use cartwire_store::StoreError;
use serde_json::{Value, json};
use std::time::Duration;
use time::OffsetDateTime;

const READ: &[ApiRole] = &[ApiRole::OpenIDConnectAdmin, ApiRole::OpenIDConnectReader];
const WRITE: &[ApiRole] = &[ApiRole::OpenIDConnectAdmin];
/// How long a login may take at the provider.
const LOGIN_LIFETIME: Duration = Duration::from_secs(600);
/// Clock skew tolerated on `exp` / `iat`.
const LEEWAY_SECONDS: i64 = 60;

/// `/ocrplogin`'s query.
#[derive(Debug, Clone, Default)]
pub struct LoginStart {
    /// The OpenIdConnect configuration.
    pub id: String,
    /// The API client to sign in to (`cid`).
    pub client_id: String,
    /// Space-separated roles asked for (all the user holds when absent).
    pub roles: Option<String>,
    /// Passed back as `{2}`.
    pub app_start_path: Option<String>,
    /// Extra `k=v&…` parameters for the provider.
    pub custom_params: Option<String>,
}

/// `/ocrpcode`'s parameters (query or form).
#[derive(Debug, Clone, Default)]
pub struct LoginCallback {
    /// The authorization code.
    pub code: Option<String>,
    /// The state cartwire sent.
    pub state: Option<String>,
    /// The provider's error, when it refused.
    pub error: Option<String>,
    /// Its description.
    pub error_description: Option<String>,
}

fn random_b64(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    SystemRandom::new().fill(&mut b).expect("the system RNG works");
    URL_SAFE_NO_PAD.encode(b)
}

fn sha256_hex(s: &str) -> String {
    digest(&SHA256, s.as_bytes()).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn failed(message: impl Into<String>) -> AppError {
    AppError::rule(RuleCode::SsoLoginFailed, message)
}

/// A login that failed after its configuration was known: where to send the browser.
struct LoginFailure(String);

impl App {
    /// Lists configurations.
    pub async fn list_openid_connects(&self, p: &Principal) -> Result<Vec<OpenIdConnectRecord>, AppError> {
        p.require_any(READ)?;
        let mut tx = self.store().read().await?;
        let all = tx.openid_connects().await?;
        tx.commit().await?;
        Ok(all)
    }

    /// One configuration.
    pub async fn get_openid_connect(&self, p: &Principal, id: &str) -> Result<OpenIdConnectRecord, AppError> {
        p.require_any(READ)?;
        let mut tx = self.store().read().await?;
        let found = tx.openid_connect(id).await?;
        tx.commit().await?;
        found.ok_or_else(|| AppError::not_found(Resource::OpenIdConnect, id))
    }

    /// Creates, overwrites or patches a configuration; its API client must exist and its
    /// integration event must be an OpenIDConnect one.
    pub async fn save_openid_connect(
        &self,
        p: &Principal,
        id: Option<&str>,
        mode: SaveMode,
        build: impl FnOnce(ObjectId, Option<&OpenIdConnect>) -> Result<OpenIdConnect, AppError>,
    ) -> Result<OpenIdConnectRecord, AppError> {
        p.require_any(WRITE)?;
        let id = match id {
            Some(id) => ObjectId::parse(id).field(Field::Id)?,
            None => ObjectId::parse(&uuid::Uuid::new_v4().simple().to_string()).expect("a UUID is a valid id"),
        };
        let mut tx = self.store().begin().await?;
        let current = tx.openid_connect(id.as_str()).await?.map(|r| r.config);
        mode.check(current.is_some(), Resource::OpenIdConnect, &id)?;
        let mut config = build(id.clone(), current.as_ref())?;
        config.id = id.clone();
        config.validate()?;
        let client = tx
            .api_client(&config.api_client_id)
            .await?
            .ok_or_else(|| AppError::not_found(Resource::ApiClient, &config.api_client_id))?;
        // The provider and the middleware decide who signs in: as good as every admitted
        // user's password (see crate::grants).
        let admitted = crate::grants::admitted_roles(&mut tx, &client.client).await?;
        crate::grants::require_held(p, &admitted, "This single sign-on configuration")?;
        if let Some(ie) = &config.integration_event_id {
            let event = tx
                .integration_event(ie.as_str())
                .await?
                .ok_or_else(|| AppError::not_found(Resource::IntegrationEvent, ie.as_str()))?;
            if event.event_type != EventType::OpenIDConnect {
                return Err(AppError::rule(
                    RuleCode::IntegrationEventIncompatibleEventType,
                    format!("Integration event {ie} is {}, not OpenIDConnect", event.event_type),
                ));
            }
        }
        tx.save_openid_connect(&config, current.is_none())
            .await
            .map_err(AppError::on_insert(Resource::OpenIdConnect, id.to_string()))?;
        let saved = tx
            .openid_connect(id.as_str())
            .await?
            .ok_or_else(|| AppError::not_found(Resource::OpenIdConnect, id.as_str()))?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Deletes a configuration.
    pub async fn delete_openid_connect(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        p.require_any(WRITE)?;
        let mut tx = self.store().begin().await?;
        if !tx.delete_openid_connect(id).await? {
            return Err(AppError::not_found(Resource::OpenIdConnect, id));
        }
        tx.commit().await?;
        Ok(())
    }

    /// `/ocrplogin`: remembers the login and returns the provider URL to redirect to.
    pub async fn begin_sso(&self, start: LoginStart) -> Result<String, AppError> {
        let mut tx = self.store().read().await?;
        let config = tx.openid_connect(&start.id).await?;
        tx.commit().await?;
        let config = config.ok_or_else(|| AppError::not_found(Resource::OpenIdConnect, &start.id))?.config;
        if start.client_id != config.api_client_id {
            return Err(failed(format!(
                "cid '{}' is not the API client of OpenIdConnect {}",
                start.client_id, config.id
            )));
        }
        let custom: Vec<(String, String)> = match start.custom_params.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => serde_urlencoded::from_str(c).map_err(|e| {
                AppError::invalid(Field::SsoCustomParams, Problem::rule(format!("must be a query string: {e}")))
            })?,
            None => Vec::new(),
        };
        let state = random_b64(32);
        let nonce = random_b64(32);
        let verifier = random_b64(48);
        let challenge = URL_SAFE_NO_PAD.encode(digest(&SHA256, verifier.as_bytes()).as_ref());
        let redirect_uri = format!("{}/ocrpcode", self.config().public_base_url);
        let body = json!({"client_id": start.client_id, "roles": start.roles, "app_start_path": start.app_start_path,
                          "nonce": nonce, "verifier": verifier, "redirect_uri": redirect_uri});
        let mut tx = self.store().begin().await?;
        let expires = OffsetDateTime::now_utc() + LOGIN_LIFETIME;
        tx.insert_oidc_login(&sha256_hex(&state), config.id.as_str(), &body, expires).await?;
        tx.commit().await?;
        let scope = std::iter::once("openid".to_owned())
            .chain(config.additional_idp_scopes.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ");
        let mut params = vec![
            ("client_id".to_owned(), config.connect_client_id.clone()),
            ("response_type".to_owned(), "code".to_owned()),
            ("redirect_uri".to_owned(), redirect_uri),
            ("scope".to_owned(), scope),
            ("state".to_owned(), state),
            ("nonce".to_owned(), nonce),
            ("code_challenge".to_owned(), challenge),
            ("code_challenge_method".to_owned(), "S256".to_owned()),
        ];
        // Custom parameters cannot override the protocol's own.
        let extra: Vec<(String, String)> =
            custom.into_iter().filter(|(k, _)| !params.iter().any(|(p, _)| p == k)).collect();
        params.extend(extra);
        let query = params
            .iter()
            .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let sep = if config.authorization_endpoint.contains('?') { '&' } else { '?' };
        Ok(format!("{}{sep}{query}", config.authorization_endpoint))
    }

    /// `/ocrpcode`: completes the login and returns where to redirect the browser — the app
    /// with its tokens, or the configuration's error page. Errors before the login is known
    /// (no or unknown state) are returned as errors.
    pub async fn finish_sso(&self, wire: &dyn CalloutWire, cb: LoginCallback) -> Result<String, AppError> {
        let state = cb.state.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| failed("state is missing"))?;
        let mut tx = self.store().begin().await?;
        let login = tx.take_oidc_login(&sha256_hex(state)).await?;
        tx.commit().await?;
        let (config_id, login, expires) =
            login.ok_or_else(|| failed("unknown, used or expired state; start the login again"))?;
        let mut tx = self.store().read().await?;
        let config = tx.openid_connect(&config_id).await?;
        tx.commit().await?;
        let record = config.ok_or_else(|| AppError::not_found(Resource::OpenIdConnect, &config_id))?;
        let config = &record.config;
        let outcome = if expires < OffsetDateTime::now_utc() {
            Err(LoginFailure("the login took too long; start it again".into()))
        } else {
            self.complete_login(wire, &record, &login, &cb).await
        };
        match outcome {
            Ok(url) => Ok(url),
            Err(LoginFailure(message)) => {
                tracing::info!(openidconnect = %config.id, reason = %message, "single sign-on refused");
                match &config.custom_error_url {
                    Some(url) => Ok(fill_placeholders(url, &[&message])),
                    None => Err(failed(message)),
                }
            }
        }
    }

    async fn complete_login(
        &self,
        wire: &dyn CalloutWire,
        record: &OpenIdConnectRecord,
        login: &Value,
        cb: &LoginCallback,
    ) -> Result<String, LoginFailure> {
        let config = &record.config;
        let text = |k: &str| login.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        if let Some(error) = &cb.error {
            let detail = cb.error_description.as_deref().unwrap_or("");
            return Err(LoginFailure(format!("the identity provider refused: {error} {detail}").trim().to_owned()));
        }
        let code =
            cb.code.as_deref().filter(|c| !c.is_empty()).ok_or_else(|| LoginFailure("code is missing".into()))?;
        let token_response = self.exchange_code(config, code, &text("redirect_uri"), &text("verifier")).await?;
        let id_token = token_response
            .get("id_token")
            .and_then(Value::as_str)
            .ok_or_else(|| LoginFailure("the token response has no id_token".into()))?;
        let claims = self.verify_id_token(config, id_token, &text("nonce")).await?;
        let subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| LoginFailure("the id_token has no sub".into()))?;

        let internal = |e: AppError| {
            tracing::error!(error = %e, "single sign-on");
            LoginFailure("cartwire could not complete the login".into())
        };
        let client_id = text("client_id");
        // What the login needs from the store, in one read: the event and the linked user.
        let (event, linked) = {
            let store = |e: StoreError| internal(e.into());
            let mut tx = self.store().read().await.map_err(store)?;
            let event = match &config.integration_event_id {
                Some(id) => tx.integration_event(id.as_str()).await.map_err(store)?,
                None => None,
            };
            let linked = match tx.oidc_identity(config.id.as_str(), subject).await.map_err(store)? {
                Some(username) => Some(
                    tx.user_by_username(&username)
                        .await
                        .map_err(store)?
                        .ok_or_else(|| LoginFailure(format!("user '{username}' no longer exists")))?,
                ),
                None => None,
            };
            tx.commit().await.map_err(store)?;
            (event.filter(|e| e.event_type == EventType::OpenIDConnect), linked)
        };
        let event = event.ok_or_else(|| {
            LoginFailure("the OpenIdConnect configuration has no OpenIDConnect integration event".into())
        })?;
        let caller = self.client_context_principal(&client_id).await.map_err(internal)?;
        let user = match linked {
            None => {
                let call = Callout::CreateUser { config: record, token_response: &token_response };
                let path = wire.path(&call).unwrap_or("/");
                let (answer, _) = self.call_middleware(&caller, wire, &event, &call).await.map_err(|f| {
                    LoginFailure(format!("the {path} integration event failed ({}): {}", f.status, f.body))
                })?;
                let username = match wire.sso_answer(&answer) {
                    SsoAnswer::Refused(message) => return Err(LoginFailure(message)),
                    SsoAnswer::Accepted { username: Some(u) } if !u.is_empty() => u,
                    SsoAnswer::Accepted { .. } => {
                        return Err(LoginFailure(format!("{path} answered without a user")));
                    }
                };
                let store = |e: StoreError| internal(e.into());
                let mut tx = self.store().begin().await.map_err(store)?;
                let user = tx
                    .user_by_username(&username)
                    .await
                    .map_err(store)?
                    .ok_or_else(|| LoginFailure(format!("{path} named user '{username}', who does not exist")))?;
                tx.link_oidc_identity(config.id.as_str(), subject, &username).await.map_err(store)?;
                tx.commit().await.map_err(store)?;
                user
            }
            Some(user) => {
                if config.call_sync_user_integration_event {
                    let call = Callout::SyncUser { config: record, token_response: &token_response, user: &user };
                    let path = wire.path(&call).unwrap_or("/");
                    let (answer, _) = self.call_middleware(&caller, wire, &event, &call).await.map_err(|f| {
                        LoginFailure(format!("the {path} integration event failed ({}): {}", f.status, f.body))
                    })?;
                    if let SsoAnswer::Refused(message) = wire.sso_answer(&answer) {
                        return Err(LoginFailure(message));
                    }
                }
                user
            }
        };
        let roles = login.get("roles").and_then(Value::as_str).filter(|r| !r.is_empty()).map(str::to_owned);
        let issued = self.issue_for_user(&client_id, user, roles).await.map_err(|e| match e {
            crate::auth::GrantError::Refused(t) => LoginFailure(t.description),
            crate::auth::GrantError::Throttled(held) => LoginFailure(format!("retry after {} s", held.retry_after)),
            crate::auth::GrantError::Internal(e) => internal(e),
        })?;
        let idp_token = token_response.get("access_token").and_then(Value::as_str).unwrap_or(id_token);
        Ok(fill_placeholders(
            &config.app_start_url,
            &[&issued.access_token, idp_token, &text("app_start_path"), issued.refresh_token.as_deref().unwrap_or("")],
        ))
    }

    /// Fetches JSON from the provider through the guard.
    async fn provider_json(
        &self,
        method: cartwire_outbound::callout::Method,
        url: &str,
        headers: &[(String, String)],
        body: Option<Vec<u8>>,
        what: &str,
    ) -> Result<Value, LoginFailure> {
        match self.callout_client().request(method, url, headers, body).await {
            CalloutOutcome::Answered { status, body, .. } => {
                let parsed: Option<Value> = serde_json::from_slice(&body).ok();
                match parsed {
                    Some(v) if (200..300).contains(&status) && v.is_object() => Ok(v),
                    Some(v) if v.get("error").is_some() => Err(LoginFailure(
                        format!(
                            "the identity provider's {what} answered {status}: {} {}",
                            v["error"].as_str().unwrap_or(""),
                            v.get("error_description").and_then(Value::as_str).unwrap_or("")
                        )
                        .trim()
                        .to_owned(),
                    )),
                    _ => Err(LoginFailure(format!(
                        "the identity provider's {what} answered {status} without usable JSON"
                    ))),
                }
            }
            CalloutOutcome::Failed { reason, .. } => {
                Err(LoginFailure(format!("the identity provider's {what} could not be reached: {reason}")))
            }
        }
    }

    async fn exchange_code(
        &self,
        config: &OpenIdConnect,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<Value, LoginFailure> {
        let (headers, body) = if config.url_encoded {
            let form = serde_urlencoded::to_string([
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
                ("client_id", config.connect_client_id.as_str()),
                ("client_secret", config.connect_client_secret.as_str()),
                ("code_verifier", verifier),
            ])
            .expect("form encodes");
            (vec![("content-type".to_owned(), "application/x-www-form-urlencoded".to_owned())], form.into_bytes())
        } else {
            let basic = base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{}", config.connect_client_id, config.connect_client_secret));
            let body = json!({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                              "code_verifier": verifier});
            (
                vec![
                    ("content-type".to_owned(), "application/json".to_owned()),
                    ("authorization".to_owned(), format!("Basic {basic}")),
                ],
                serde_json::to_vec(&body).expect("JSON"),
            )
        };
        let mut headers = headers;
        headers.push(("accept".to_owned(), "application/json".to_owned()));
        self.provider_json(
            cartwire_outbound::callout::Method::POST,
            &config.token_endpoint,
            &headers,
            Some(body),
            "token endpoint",
        )
        .await
    }

    /// Verifies an id_token: RS256 signature by a key of the provider's JWKS, issuer,
    /// audience, expiry and nonce. Returns its claims.
    async fn verify_id_token(&self, config: &OpenIdConnect, token: &str, nonce: &str) -> Result<Value, LoginFailure> {
        let bad = |why: &str| LoginFailure(format!("the id_token is not valid: {why}"));
        let parts: Vec<&str> = token.split('.').collect();
        let [header_b64, claims_b64, signature_b64] = parts[..] else { return Err(bad("not a JWS")) };
        let decode = |s: &str| URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).map_err(|_| bad("bad base64"));
        let header: Value = serde_json::from_slice(&decode(header_b64)?).map_err(|_| bad("bad header"))?;
        let claims: Value = serde_json::from_slice(&decode(claims_b64)?).map_err(|_| bad("bad claims"))?;
        let signature = decode(signature_b64)?;
        if header.get("alg").and_then(Value::as_str) != Some("RS256") {
            return Err(bad("only RS256 id_tokens are accepted"));
        }
        let discovery_url = format!("{}/.well-known/openid-configuration", config.issuer_base());
        let discovery = self
            .provider_json(cartwire_outbound::callout::Method::GET, &discovery_url, &[], None, "discovery document")
            .await?;
        let issuer = discovery
            .get("issuer")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("the discovery document names no issuer"))?;
        let jwks_uri = discovery
            .get("jwks_uri")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("the discovery document names no jwks_uri"))?;
        let jwks = self.provider_json(cartwire_outbound::callout::Method::GET, jwks_uri, &[], None, "JWKS").await?;
        let kid = header.get("kid").and_then(Value::as_str);
        let keys = jwks.get("keys").and_then(Value::as_array).cloned().unwrap_or_default();
        let candidates: Vec<&Value> = keys
            .iter()
            .filter(|k| k.get("kty").and_then(Value::as_str) == Some("RSA"))
            .filter(|k| kid.is_none() || k.get("kid").and_then(Value::as_str) == kid)
            .collect();
        let message = format!("{header_b64}.{claims_b64}");
        let verified = candidates.iter().any(|k| {
            let (Some(n), Some(e)) = (k.get("n").and_then(Value::as_str), k.get("e").and_then(Value::as_str)) else {
                return false;
            };
            let (Ok(n), Ok(e)) = (URL_SAFE_NO_PAD.decode(n), URL_SAFE_NO_PAD.decode(e)) else { return false };
            aws_lc_rs::signature::RsaPublicKeyComponents { n: &n, e: &e }
                .verify(&aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256, message.as_bytes(), &signature)
                .is_ok()
        });
        if !verified {
            return Err(bad("its signature does not verify with the provider's keys"));
        }
        if claims.get("iss").and_then(Value::as_str) != Some(issuer) {
            return Err(bad("wrong issuer"));
        }
        let audience_ok = match claims.get("aud") {
            Some(Value::String(a)) => a == &config.connect_client_id,
            Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(config.connect_client_id.as_str())),
            _ => false,
        };
        if !audience_ok {
            return Err(bad("it was not issued to this client (aud)"));
        }
        let now = OffsetDateTime::now_utc().unix_timestamp();
        if claims.get("exp").and_then(Value::as_i64).is_none_or(|exp| exp + LEEWAY_SECONDS < now) {
            return Err(bad("it has expired"));
        }
        if claims.get("iat").and_then(Value::as_i64).is_some_and(|iat| iat > now + LEEWAY_SECONDS) {
            return Err(bad("it was issued in the future"));
        }
        let sent = claims.get("nonce").and_then(Value::as_str).unwrap_or("");
        if nonce.is_empty() || !constant_time_eq(sent.as_bytes(), nonce.as_bytes()) {
            return Err(bad("the nonce does not match this login"));
        }
        Ok(claims)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
