//! `POST /oauth/access_token`: Elastic Path's token endpoint, a client_credentials token for a
//! cartwire API client in Elastic Path's shape.

use super::error::EpError;
use super::schema::AccessToken;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartwire_app::App;
use cartwire_app::auth::{GrantError, TokenRequest};
use time::OffsetDateTime;

/// `POST /oauth/access_token`: a client_credentials token for a cartwire API client, in Elastic
/// Path's shape (the SDK re-authenticates from `expires`).
pub(super) async fn access_token(
    State(app): State<App>,
    peer: Option<axum::Extension<crate::PeerAddr>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fail = |status: StatusCode, title: &'static str, detail: String| {
        EpError::new(status, title).detail(detail).into_response()
    };
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
        return fail(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "Content-Type must be application/x-www-form-urlencoded".into(),
        );
    }
    let Ok(fields) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return fail(StatusCode::BAD_REQUEST, "Bad Request", "The form body is malformed".into());
    };
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let grant = get("grant_type").unwrap_or_default();
    if grant != "client_credentials" {
        return fail(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            format!("grant_type {grant} is not supported: use client_credentials"),
        );
    }
    let req = TokenRequest {
        grant_type: grant,
        client_id: get("client_id").unwrap_or_default(),
        client_secret: get("client_secret"),
        peer: peer.map(|axum::Extension(crate::PeerAddr(ip))| ip),
        ..TokenRequest::default()
    };
    match app.issue_token(req).await {
        Ok(t) => Json(AccessToken {
            expires: OffsetDateTime::now_utc().unix_timestamp() + t.expires_in,
            identifier: "client_credentials".into(),
            expires_in: t.expires_in,
            access_token: t.access_token,
            token_type: "Bearer".into(),
        })
        .into_response(),
        Err(GrantError::Refused(e)) => fail(StatusCode::UNAUTHORIZED, "Unauthorized", e.description),
        Err(GrantError::Throttled(held)) => {
            let detail = format!("Too many failed attempts for this {}: retry after {} s", held.what, held.retry_after);
            let mut res = fail(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests", detail);
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, held.retry_after.into());
            res
        }
        Err(GrantError::Internal(e)) => EpError::from(e).into_response(),
    }
}
