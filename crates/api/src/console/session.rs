//! Signing in and out, and the [`Session`] every page extracts: the access token from the
//! session cookie, authenticated by app on every request, and the CSRF token its forms carry
//! (a digest of the session token: a page on another origin can neither read the cookie nor
//! compute it).

use super::layout::{self, Page};
use axum::Form;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cartwire_app::auth::{GrantError, TokenRequest};
use cartwire_app::{App, Principal};
use maud::html;
use serde::Deserialize;
use sha2::{Digest, Sha256};

const COOKIE: &str = "cw_console";

/// A signed-in person: the principal of the client they signed in with.
pub struct Session {
    /// Who, with which roles.
    pub principal: Principal,
    /// The CSRF token this session's forms carry.
    pub csrf: String,
}

fn csrf_of(token: &str) -> String {
    let digest = Sha256::digest(format!("cartwire-console-csrf:{token}").as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

impl FromRequestParts<App> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Response> {
        let to_login = || Redirect::to("/console/login").into_response();
        let token = session_token(&parts.headers).ok_or_else(to_login)?;
        match app.authenticate(&token).await {
            Ok(principal) => Ok(Session { principal, csrf: csrf_of(&token) }),
            // Expired, revoked or never valid: sign in again.
            Err(cartwire_app::AppError::Unauthenticated(_) | cartwire_app::AppError::TokenRevoked(_)) => {
                Err(to_login())
            }
            Err(e) => Err(layout::error_page(None, &e)),
        }
    }
}

impl Session {
    /// The refusal (403) of a form whose CSRF token is not this session's; `None` when it is.
    pub fn refuse_forged(&self, sent: &str) -> Option<Response> {
        if constant_time_eq(sent.as_bytes(), self.csrf.as_bytes()) {
            None
        } else {
            Some(layout::message_page(
                None,
                StatusCode::FORBIDDEN,
                "Form expired",
                "This form was not issued to your session. Reload the page and try again.",
            ))
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `GET /console/login`.
pub async fn login_page() -> Response {
    login_form(StatusCode::OK, None, "")
}

fn login_form(status: StatusCode, error: Option<&str>, client_id: &str) -> Response {
    let body = html! {
        h1 { "Sign in" }
        p { "Use an API client's id and secret. Pages need a reader role (or FullAccess); actions need the matching admin role." }
        @if let Some(e) = error { p.error role="alert" { (e) } }
        form method="post" action="/console/login" {
            label for="client_id" { "Client ID" }
            input #client_id name="client_id" type="text" value=(client_id) required autocomplete="username";
            label for="client_secret" { "Client secret" }
            input #client_secret name="client_secret" type="password" required autocomplete="current-password";
            button type="submit" { "Sign in" }
        }
    };
    Page::new("Sign in", body).status(status).render(None)
}

/// The login form.
#[derive(Deserialize)]
pub struct LoginForm {
    client_id: String,
    client_secret: String,
}

/// `POST /console/login`.
pub async fn login(
    State(app): State<App>,
    peer: Option<axum::Extension<crate::PeerAddr>>,
    Form(f): Form<LoginForm>,
) -> Response {
    let req = TokenRequest {
        grant_type: "client_credentials".into(),
        client_id: f.client_id.trim().to_owned(),
        client_secret: Some(f.client_secret),
        peer: peer.map(|axum::Extension(crate::PeerAddr(ip))| ip),
        ..TokenRequest::default()
    };
    match app.issue_token(req).await {
        Ok(t) => {
            let secure = if app.config().public_base_url.starts_with("https://") { "; Secure" } else { "" };
            let cookie = format!(
                "{COOKIE}={}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
                t.access_token, t.expires_in
            );
            let mut res = Redirect::to("/console/overview").into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            res
        }
        Err(GrantError::Refused(e)) => login_form(StatusCode::UNAUTHORIZED, Some(&e.description), &f.client_id),
        Err(GrantError::Throttled(held)) => login_form(
            StatusCode::TOO_MANY_REQUESTS,
            Some(&format!("Too many failed attempts: try again in {} s.", held.retry_after)),
            &f.client_id,
        ),
        Err(GrantError::Internal(e)) => layout::error_page(None, &e),
    }
}

/// The logout form (CSRF-checked).
#[derive(Deserialize)]
pub struct CsrfForm {
    /// The session's CSRF token.
    pub csrf: String,
}

/// `POST /console/logout`: forgets the session cookie.
pub async fn logout(session: Session, Form(f): Form<CsrfForm>) -> Response {
    if let Some(refused) = session.refuse_forged(&f.csrf) {
        return refused;
    }
    let mut res = Redirect::to("/console/login").into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("cw_console=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    res
}
