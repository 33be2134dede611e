//! `POST /oauth/token` and `GET /oauth/certs/{kid}`.

use super::error::OcError;
use super::schema::{AccessToken, ApiErrorItem, ErrorBody};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use cartwire_app::App;
use cartwire_app::auth::{GrantError, Refusal, TokenError, TokenRequest};
use serde_json::{Value, json};

/// OrderCloud's `ErrorCode` for a refused token request.
fn error_code(refusal: Refusal) -> &'static str {
    match refusal {
        Refusal::UnsupportedGrantType => "Auth.UnsupportedGrantType",
        Refusal::InvalidClientId => "ApiClient.InvalidClientID",
        Refusal::ClientNotActive => "Auth.ClientNotActive",
        Refusal::InvalidClientSecret => "Auth.InvalidClientSecret",
        Refusal::UsernameAndPasswordRequired => "Auth.UsernameAndPasswordRequired",
        Refusal::AccountLocked => "Auth.AccountLocked",
        Refusal::InvalidUsernameOrPassword => "Auth.InvalidUsernameOrPassword",
        Refusal::AnonymousUserNotBuyer => "ApiClient.RequiredNotAnonBuyer",
        Refusal::InvalidRefreshToken => "Auth.InvalidRefreshToken",
        Refusal::TokenRevoked => "Auth.TokenRevoked",
        Refusal::UserNotFound => "Auth.UserNotFound",
        Refusal::UserNotActive => "Auth.UserNotActive",
        Refusal::UserNotAllowedThroughClient => "Auth.UserNotAllowedThroughClient",
        Refusal::CompanyNotActive => "Auth.CompanyNotActive",
        Refusal::InsufficientRoles => "Auth.InsufficientRoles",
    }
}

/// The OAuth error body with OrderCloud's `Errors` beside it.
fn oauth_error(status: StatusCode, error: &str, code: &str, description: &str) -> Response {
    let body = ErrorBody {
        errors: vec![ApiErrorItem { error_code: code.to_owned(), message: description.to_owned(), data: Value::Null }],
        error: Some(error.to_owned()),
        error_description: Some(description.to_owned()),
    };
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

fn refused(status: StatusCode, e: &TokenError) -> Response {
    oauth_error(status, e.error, error_code(e.refusal), &e.description)
}

/// Client credentials sent with HTTP Basic authentication (RFC 6749 §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unescape =
        |s: &str| serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={s}")).ok()?.pop().map(|(_, v)| v);
    Some((unescape(id)?, unescape(secret)?))
}

pub(super) async fn token(
    State(app): State<App>,
    peer: Option<axum::Extension<crate::PeerAddr>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let refuse = |error, code, description: &str| oauth_error(StatusCode::BAD_REQUEST, error, code, description);
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
        return refuse(
            "invalid_request",
            "Request.InvalidContentType",
            "Content-Type must be application/x-www-form-urlencoded",
        );
    }
    let Ok(fields) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return refuse("invalid_request", "Request.InvalidRequestBody", "The form body is malformed");
    };
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let mut req = TokenRequest {
        grant_type: get("grant_type").unwrap_or_default(),
        client_id: get("client_id").unwrap_or_default(),
        client_secret: get("client_secret"),
        username: get("username"),
        password: get("password"),
        scope: get("scope"),
        refresh_token: get("refresh_token"),
        peer: peer.map(|axum::Extension(crate::PeerAddr(ip))| ip),
    };
    if let Some((id, secret)) = basic_credentials(&headers) {
        if !req.client_id.is_empty() && req.client_id != id {
            return refuse(
                "invalid_request",
                "ApiClient.InvalidClientID",
                "client_id differs between the body and Basic authentication",
            );
        }
        req.client_id = id;
        req.client_secret = Some(secret);
    }
    match app.issue_token(req).await {
        Ok(t) => {
            let body = AccessToken {
                access_token: t.access_token,
                token_type: "bearer".into(),
                expires_in: t.expires_in,
                refresh_token: t.refresh_token,
            };
            (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
        }
        // A refresh token revoked with the rest of its user's tokens is an authentication
        // failure, as the access tokens are.
        Err(GrantError::Refused(e)) if e.refusal == Refusal::TokenRevoked => refused(StatusCode::UNAUTHORIZED, &e),
        Err(GrantError::Refused(e)) => refused(StatusCode::BAD_REQUEST, &e),
        Err(GrantError::Throttled(held)) => {
            let description =
                format!("Too many failed attempts for this {}: retry after {} s", held.what, held.retry_after);
            let mut res =
                oauth_error(StatusCode::TOO_MANY_REQUESTS, "invalid_request", "Auth.TooManyAttempts", &description);
            res.headers_mut().insert(header::RETRY_AFTER, held.retry_after.into());
            res
        }
        Err(GrantError::Internal(e)) => {
            tracing::error!(error = %e, "token endpoint failure");
            oauth_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "ServerError",
                "An unexpected error occurred.",
            )
        }
    }
}

pub(super) async fn cert(State(app): State<App>, Path(kid): Path<String>) -> Result<Response, OcError> {
    match app.keys().public_jwk(&kid).await? {
        Some(jwk) => Ok(Json(jwk).into_response()),
        None => Err(OcError::not_found("PublicKey", &kid)),
    }
}

pub(super) async fn certs(State(app): State<App>) -> Json<serde_json::Value> {
    Json(json!({"keys": app.keys().public_jwks()}))
}
