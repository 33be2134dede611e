//! Request extraction for the OrderCloud dialect: the caller's token and JSON bodies, each
//! failing with OrderCloud's own error body.

use super::error::OcError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use cartwire_app::{App, AppError, Principal};
use serde::de::DeserializeOwned;

/// The bearer token of a request, if any.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// The authenticated caller.
pub struct Caller(pub Principal);

impl FromRequestParts<App> for Caller {
    type Rejection = OcError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers).ok_or_else(|| {
            OcError::from(AppError::Unauthenticated("no bearer token in the Authorization header".into()))
        })?;
        Ok(Caller(app.authenticate(token).await?))
    }
}

/// A JSON body parsed in two steps, so that broken JSON (`Request.InvalidRequestBody`) and a
/// well-formed body with a wrong field (`ValidationFailure`) get different answers.
pub struct OcJson<T>(pub T);

/// A JSON body as a plain value (for PATCH merging).
pub struct JsonValue(pub serde_json::Value);

/// The body of an action endpoint (`submit`, `calculate`, …): empty — even with a JSON
/// content type, as the SDK sends it — is `Null`; anything else must be a JSON object.
pub struct OptionalJson(pub serde_json::Value);

impl FromRequest<App> for OptionalJson {
    type Rejection = OcError;

    async fn from_request(req: Request, state: &App) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state).await.map_err(|e| {
            OcError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request.InvalidRequestBody",
                format!("Request body could not be read: {e}"),
            )
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(serde_json::Value::Null));
        }
        body_value(Request::from_parts(parts, axum::body::Body::from(bytes)), state).await.map(OptionalJson)
    }
}

async fn body_value(req: Request, state: &App) -> Result<serde_json::Value, OcError> {
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let bytes = Bytes::from_request(req, state).await.map_err(|e| {
        OcError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Request.InvalidRequestBody",
            format!("Request body could not be read: {e}"),
        )
    })?;
    if !content_type.is_empty() && !content_type.to_ascii_lowercase().starts_with("application/json") {
        return Err(OcError::new(
            StatusCode::BAD_REQUEST,
            "Request.InvalidContentType",
            format!("Content-Type must be application/json, not {content_type}"),
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        OcError::new(
            StatusCode::BAD_REQUEST,
            "Request.InvalidRequestBody",
            format!("The request body is not valid JSON: {e}"),
        )
    })?;
    if !value.is_object() {
        return Err(OcError::new(
            StatusCode::BAD_REQUEST,
            "Request.InvalidRequestBody",
            "The request body must be a JSON object",
        ));
    }
    Ok(value)
}

/// Deserializes a wire struct from a JSON value, naming the offending property.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, OcError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        OcError::validation(&path, format!("{path}: {inner}"))
    })
}

impl<T: DeserializeOwned> FromRequest<App> for OcJson<T> {
    type Rejection = OcError;

    async fn from_request(req: Request, state: &App) -> Result<Self, Self::Rejection> {
        from_value(body_value(req, state).await?).map(OcJson)
    }
}

impl FromRequest<App> for JsonValue {
    type Rejection = OcError;

    async fn from_request(req: Request, state: &App) -> Result<Self, Self::Rejection> {
        body_value(req, state).await.map(JsonValue)
    }
}

/// Merges a PATCH body into the current wire representation: top-level properties replace,
/// `xp` merges deeply (a `null` keeps the key with a null value, as OrderCloud does).
pub fn merge_patch(current: impl serde::Serialize, patch: serde_json::Value) -> serde_json::Value {
    // A rendering is plain JSON data: turning it into a value cannot fail.
    let mut current = serde_json::to_value(current).expect("a rendering is plain JSON data");
    fn deep(target: &mut serde_json::Value, patch: serde_json::Value) {
        match (target, patch) {
            (serde_json::Value::Object(t), serde_json::Value::Object(p)) => {
                for (k, v) in p {
                    match t.get_mut(&k) {
                        Some(existing) if existing.is_object() && v.is_object() => deep(existing, v),
                        _ => {
                            t.insert(k, v);
                        }
                    }
                }
            }
            (t, p) => *t = p,
        }
    }
    if let (Some(obj), serde_json::Value::Object(patch)) = (current.as_object_mut(), patch) {
        for (k, v) in patch {
            if k == "xp" {
                let entry = obj.entry(k).or_insert(serde_json::Value::Object(Default::default()));
                if entry.is_object() && v.is_object() {
                    deep(entry, v);
                } else {
                    *entry = v;
                }
            } else {
                obj.insert(k, v);
            }
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patch_merges_xp_deeply_and_replaces_the_rest() {
        let current = json!({"Name": "a", "ElevatedRoles": ["Shopper"], "xp": {"a": 1, "n": {"x": 1, "y": 2}}});
        let merged = merge_patch(current, json!({"ElevatedRoles": [], "xp": {"b": 2, "n": {"y": 3}, "a": null}}));
        assert_eq!(merged, json!({"Name": "a", "ElevatedRoles": [], "xp": {"a": null, "b": 2, "n": {"x": 1, "y": 3}}}));
    }
}
