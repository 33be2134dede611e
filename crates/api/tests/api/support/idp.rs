//! A minimal OpenID Connect provider for single sign-on tests, on a loopback port: discovery,
//! a JWKS, an authorization endpoint that signs the user in at once (as if they already had a
//! session there) and a token endpoint that checks the client, the code, the redirect URI and
//! PKCE, and signs real RS256 id_tokens. It can be told to misbehave (tamper with the
//! signature, send another nonce or audience, an expired token, or sign with a key it does not
//! publish) so cartwire's checks can be tested.

#![allow(dead_code)]

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the provider misbehaves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Quirk {
    /// Behaves.
    None,
    /// Flips a byte of the id_token's signature.
    TamperedSignature,
    /// Puts another nonce in the id_token.
    WrongNonce,
    /// Issues the id_token to another client.
    WrongAudience,
    /// Issues an id_token that expired an hour ago.
    Expired,
    /// Signs with a key its JWKS does not publish.
    UnpublishedKey,
    /// Signs with `alg: none`.
    AlgNone,
}

struct Pending {
    nonce: String,
    challenge: String,
    redirect_uri: String,
    subject: String,
    issued: Instant,
    used: bool,
}

/// One token request as it arrived.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub content_type: String,
    pub authorization: Option<String>,
    pub params: HashMap<String, String>,
}

#[derive(Clone)]
struct Shared {
    base: String,
    key: Arc<KeyPair>,
    other_key: Arc<KeyPair>,
    client_id: String,
    client_secret: String,
    subject: Arc<Mutex<String>>,
    quirk: Arc<Mutex<Quirk>>,
    code_ttl: Arc<Mutex<Duration>>,
    codes: Arc<Mutex<HashMap<String, Pending>>>,
    token_requests: Arc<Mutex<Vec<TokenRequest>>>,
    authorize_queries: Arc<Mutex<Vec<HashMap<String, String>>>>,
}

/// A running provider.
pub struct Idp {
    pub base: String,
    shared: Shared,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Idp {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn sign(key: &KeyPair, header: &Value, claims: &Value) -> String {
    let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
    let mut sig = vec![0u8; key.public_modulus_len()];
    key.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), input.as_bytes(), &mut sig).expect("sign");
    format!("{input}.{}", b64(&sig))
}

async fn discovery(State(s): State<Shared>) -> Json<Value> {
    Json(json!({"issuer": s.base, "authorization_endpoint": format!("{}/authorize", s.base),
                "token_endpoint": format!("{}/token", s.base), "jwks_uri": format!("{}/jwks", s.base),
                "response_types_supported": ["code"], "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"]}))
}

use axum::Json;

async fn jwks(State(s): State<Shared>) -> Json<Value> {
    let c = PublicKeyComponents::<Vec<u8>>::from(s.key.public_key());
    Json(
        json!({"keys": [{"kty": "RSA", "kid": "idp-key-1", "use": "sig", "alg": "RS256", "n": b64(&c.n), "e": b64(&c.e)}]}),
    )
}

async fn authorize(State(s): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    s.authorize_queries.lock().unwrap().push(q.clone());
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    if get("client_id") != s.client_id || get("response_type") != "code" || get("code_challenge_method") != "S256" {
        return (StatusCode::BAD_REQUEST, "bad authorization request").into_response();
    }
    let code = uuid::Uuid::new_v4().simple().to_string();
    s.codes.lock().unwrap().insert(
        code.clone(),
        Pending {
            nonce: get("nonce"),
            challenge: get("code_challenge"),
            redirect_uri: get("redirect_uri"),
            subject: s.subject.lock().unwrap().clone(),
            issued: Instant::now(),
            used: false,
        },
    );
    let to = format!("{}?code={code}&state={}", get("redirect_uri"), urlencode(&get("state")));
    (StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
}

fn urlencode(v: &str) -> String {
    serde_urlencoded::to_string([("v", v)]).unwrap()[2..].to_owned()
}

fn oauth_error(error: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": error, "error_description": format!("test provider: {error}")})),
    )
        .into_response()
}

async fn token(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut params: HashMap<String, String> = if content_type.starts_with("application/json") {
        serde_json::from_slice::<HashMap<String, Value>>(&body)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_owned()))
            .collect()
    } else {
        serde_urlencoded::from_bytes(&body).unwrap_or_default()
    };
    s.token_requests.lock().unwrap().push(TokenRequest {
        content_type,
        authorization: authorization.clone(),
        params: params.clone(),
    });
    // Client authentication: Basic, or client_id + client_secret in the body.
    if let Some(basic) = authorization.as_deref().and_then(|a| a.strip_prefix("Basic ")) {
        let decoded = String::from_utf8(STANDARD.decode(basic).unwrap_or_default()).unwrap_or_default();
        if let Some((id, secret)) = decoded.split_once(':') {
            params.insert("client_id".into(), id.into());
            params.insert("client_secret".into(), secret.into());
        }
    }
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    if get("client_id") != s.client_id || get("client_secret") != s.client_secret {
        return oauth_error("invalid_client");
    }
    if get("grant_type") != "authorization_code" {
        return oauth_error("unsupported_grant_type");
    }
    let ttl = *s.code_ttl.lock().unwrap();
    let (nonce, subject) = {
        let mut codes = s.codes.lock().unwrap();
        let Some(p) = codes.get_mut(&get("code")) else { return oauth_error("invalid_grant") };
        if p.used || p.issued.elapsed() > ttl || p.redirect_uri != get("redirect_uri") {
            return oauth_error("invalid_grant");
        }
        let verifier = get("code_verifier");
        let challenge = b64(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes()).as_ref());
        if verifier.is_empty() || challenge != p.challenge {
            return oauth_error("invalid_grant");
        }
        p.used = true;
        (p.nonce.clone(), p.subject.clone())
    };
    let quirk = *s.quirk.lock().unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims = json!({
        "iss": s.base,
        "sub": subject,
        "aud": if quirk == Quirk::WrongAudience { "someone-else".to_owned() } else { s.client_id.clone() },
        "exp": if quirk == Quirk::Expired { now - 3600 } else { now + 300 },
        "iat": if quirk == Quirk::Expired { now - 3900 } else { now },
        "nonce": if quirk == Quirk::WrongNonce { "not-the-nonce".to_owned() } else { nonce },
        "email": format!("{subject}@idp.example"),
    });
    let mut id_token = match quirk {
        Quirk::UnpublishedKey => sign(&s.other_key, &json!({"alg": "RS256", "kid": "idp-key-1"}), &claims),
        Quirk::AlgNone => format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(claims.to_string().as_bytes())),
        _ => sign(&s.key, &json!({"alg": "RS256", "kid": "idp-key-1", "typ": "JWT"}), &claims),
    };
    if quirk == Quirk::TamperedSignature {
        let (input, sig) = id_token.rsplit_once('.').unwrap();
        let mut sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
        sig[10] ^= 0x01;
        id_token = format!("{input}.{}", b64(&sig));
    }
    axum::Json(json!({"access_token": format!("idp-access-{subject}"), "token_type": "Bearer", "expires_in": 300,
                      "id_token": id_token}))
    .into_response()
}

impl Idp {
    /// Starts a provider that knows one client.
    pub async fn start(client_id: &str, client_secret: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let shared = Shared {
            base: base.clone(),
            key: Arc::new(KeyPair::generate(KeySize::Rsa2048).unwrap()),
            other_key: Arc::new(KeyPair::generate(KeySize::Rsa2048).unwrap()),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            subject: Arc::new(Mutex::new("subject-1".into())),
            quirk: Arc::new(Mutex::new(Quirk::None)),
            code_ttl: Arc::new(Mutex::new(Duration::from_secs(60))),
            codes: Arc::default(),
            token_requests: Arc::default(),
            authorize_queries: Arc::default(),
        };
        let app = axum::Router::new()
            .route("/.well-known/openid-configuration", axum::routing::get(discovery))
            .route("/jwks", axum::routing::get(jwks))
            .route("/authorize", axum::routing::get(authorize))
            .route("/token", axum::routing::post(token))
            .with_state(shared.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Self { base, shared, stop: Some(stop) }
    }

    /// The next logins are this subject.
    pub fn sign_in_as(&self, subject: &str) {
        *self.shared.subject.lock().unwrap() = subject.into();
    }

    /// Sets how the provider misbehaves.
    pub fn quirk(&self, q: Quirk) {
        *self.shared.quirk.lock().unwrap() = q;
    }

    /// How long codes stay valid.
    pub fn code_ttl(&self, ttl: Duration) {
        *self.shared.code_ttl.lock().unwrap() = ttl;
    }

    /// Token requests so far.
    pub fn token_requests(&self) -> Vec<TokenRequest> {
        self.shared.token_requests.lock().unwrap().clone()
    }

    /// Authorization requests so far.
    pub fn authorize_queries(&self) -> Vec<HashMap<String, String>> {
        self.shared.authorize_queries.lock().unwrap().clone()
    }
}
