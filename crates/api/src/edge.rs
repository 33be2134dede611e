//! The outermost layer: what every request passes before a dialect sees it, and what every
//! answer passes on its way out.
//!
//! In: text may not carry NUL (PostgreSQL cannot store it, and a NUL-truncating peer would
//! read another value than cartwire did) — not in the path, the query, a form field or a JSON
//! string — and a JSON object may not name a key twice (parsers disagree on which one wins, so
//! a proxy in front could approve one value while cartwire acts on another). One rule for
//! every dialect, answered 400 in that dialect's error body.
//!
//! Out: the bare answers of the layers in front of the dialects — axum's path, query and
//! method rejections, the unmatched-route 404, the body limit's 413, the panic guard's 500 —
//! get the error body of the dialect the path belongs to, so a client's error handling sees its
//! vendor's shape for every status.

use crate::{MAX_BODY_BYTES, elasticpath, ordercloud};
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;
use std::fmt;

/// Whose error body a path answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `/v1/…`, `/oauth/token`, `/oauth/certs`, `/ocrplogin`, `/ocrpcode`.
    OrderCloud,
    /// `/v2/…`, `/oauth/access_token`.
    ElasticPath,
    /// `/api/3/…`.
    ActiveCampaign,
    /// `/api/orders…`.
    Threekit,
    /// Everything else: cartwire's own operator API (RFC 9457 problem details).
    Operator,
}

impl Dialect {
    /// The dialect a path belongs to.
    pub fn of(path: &str) -> Self {
        let lower = path.to_ascii_lowercase();
        if lower.starts_with("/v1/")
            || lower == "/v1"
            || lower.starts_with("/oauth/token")
            || lower.starts_with("/oauth/certs")
            || lower.starts_with("/ocrp")
        {
            Self::OrderCloud
        } else if lower.starts_with("/v2/") || lower == "/v2" || lower == "/oauth/access_token" {
            Self::ElasticPath
        } else if lower.starts_with("/api/3/") || lower == "/api/3" {
            Self::ActiveCampaign
        } else if lower.starts_with("/api/orders") {
            Self::Threekit
        } else {
            Self::Operator
        }
    }

    /// An error answer in this dialect's body.
    pub fn error(self, status: StatusCode, message: &str) -> Response {
        let reason = status.canonical_reason().unwrap_or("Error");
        match self {
            Self::OrderCloud => ordercloud::error::OcError::new(status, oc_code(status), message).into_response(),
            Self::ElasticPath => elasticpath::error::EpError::new(status, reason).detail(message).into_response(),
            Self::ActiveCampaign => (status, axum::Json(serde_json::json!({"message": message}))).into_response(),
            Self::Threekit => {
                let code = reason.to_ascii_lowercase().replace([' ', '-'], "_");
                (status, axum::Json(serde_json::json!({"error": {"code": code, "message": message}}))).into_response()
            }
            Self::Operator => {
                let body = serde_json::json!({"type": "about:blank", "title": reason, "status": status.as_u16(), "detail": message});
                (status, [(header::CONTENT_TYPE, "application/problem+json")], body.to_string()).into_response()
            }
        }
    }
}

/// OrderCloud's error codes for the statuses the edge produces.
fn oc_code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "NotFound",
        StatusCode::METHOD_NOT_ALLOWED => "MethodNotAllowed",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "Request.InvalidContentType",
        StatusCode::PAYLOAD_TOO_LARGE | StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
            "Request.InvalidRequestBody"
        }
        s if s.is_server_error() => "ServerError",
        _ => "InvalidRequest",
    }
}

/// The middleware: checks the request, then gives a bare error answer the dialect's body.
pub async fn edge(req: Request<Body>, next: axum::middleware::Next) -> Response {
    let dialect = Dialect::of(req.uri().path());
    let req = match screen(req).await {
        Ok(req) => req,
        Err((status, message)) => return dialect.error(status, &message),
    };
    let res = next.run(req).await;
    let mut res = dress(dialect, res).await;
    // A 503 says when to come back; load shedding sets its own, an unavailable database
    // gets the app's.
    if res.status() == StatusCode::SERVICE_UNAVAILABLE && !res.headers().contains_key(header::RETRY_AFTER) {
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(cartwire_app::error::RETRY_AFTER_SECONDS));
    }
    res
}

/// Refuses NUL anywhere in the text of the request and duplicate JSON keys.
async fn screen(req: Request<Body>) -> Result<Request<Body>, (StatusCode, String)> {
    let uri = req.uri();
    let nul_in_uri =
        contains_nul_escape(uri.path().as_bytes()) || uri.query().is_some_and(|q| contains_nul_escape(q.as_bytes()));
    if nul_in_uri {
        return Err((StatusCode::BAD_REQUEST, "The path or query contains a NUL character (%00)".into()));
    }
    let content_type =
        req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let is_json = content_type.contains("json");
    if !is_form && !is_json {
        return Ok(req);
    }
    let (parts, body) = req.into_parts();
    let bytes: Bytes = axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        (StatusCode::PAYLOAD_TOO_LARGE, format!("The request body is larger than {MAX_BODY_BYTES} bytes"))
    })?;
    if bytes.contains(&0) || (is_form && contains_nul_escape(&bytes)) {
        return Err((StatusCode::BAD_REQUEST, "The request body contains a NUL character".into()));
    }
    if is_json && let Err(problem) = check_json(&bytes) {
        return Err((StatusCode::BAD_REQUEST, problem));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// True when `text` carries `%00` (a percent-encoded NUL).
fn contains_nul_escape(text: &[u8]) -> bool {
    text.windows(3).any(|w| w == b"%00")
}

/// Marks the visitor's own findings among serde_json's errors.
const FINDING: &str = "cartwire-edge: ";

/// Checks a JSON document for NUL in strings or keys and for duplicate keys. A document that
/// is not JSON at all passes: the dialect answers that in its own words.
pub fn check_json(bytes: &[u8]) -> Result<(), String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match Scan.deserialize(&mut de) {
        Err(e) => {
            let text = e.to_string();
            match text.strip_prefix(FINDING) {
                // serde_json appends " at line L column C": keep it, it helps the caller.
                Some(finding) => Err(finding.to_owned()),
                None => Ok(()),
            }
        }
        Ok(()) => Ok(()),
    }
}

/// Walks any JSON value, failing on the first NUL or duplicate key.
struct Scan;

impl<'de> DeserializeSeed<'de> for Scan {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(ScanVisitor)
    }
}

struct ScanVisitor;

fn finding<E: serde::de::Error>(what: String) -> E {
    E::custom(format!("{FINDING}{what}"))
}

impl<'de> Visitor<'de> for ScanVisitor {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
        if v.contains('\0') { Err(finding("a string contains a NUL character (\\u0000)".into())) } else { Ok(()) }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Scan)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key.contains('\0') {
                return Err(finding("a key contains a NUL character (\\u0000)".into()));
            }
            if !seen.insert(key.clone()) {
                let shown: String = key.chars().take(100).collect();
                return Err(finding(format!("the key \"{shown}\" appears twice in one object")));
            }
            map.next_value_seed(Scan)?;
        }
        Ok(())
    }
}

/// Gives a bare error answer (not JSON) the dialect's body, keeping its status and `Allow`.
async fn dress(dialect: Dialect, res: Response) -> Response {
    let status = res.status();
    let content_type = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    // JSON is a dialect's own body; HTML is the console's own page.
    let dressed = content_type.contains("json") || content_type.starts_with("text/html");
    if !(status.is_client_error() || status.is_server_error()) || dressed {
        return res;
    }
    let allow: Option<HeaderValue> = res.headers().get(header::ALLOW).cloned();
    let text = axum::body::to_bytes(res.into_body(), 4096).await.unwrap_or_default();
    let message = match status {
        s if s.is_server_error() => "An unexpected error occurred.".to_owned(),
        StatusCode::PAYLOAD_TOO_LARGE => format!("The request body is larger than {MAX_BODY_BYTES} bytes"),
        StatusCode::METHOD_NOT_ALLOWED => "This method is not allowed on this path".to_owned(),
        StatusCode::NOT_FOUND if text.is_empty() => "No resource at this path".to_owned(),
        _ if text.is_empty() => status.canonical_reason().unwrap_or("Error").to_owned(),
        // axum's rejection texts say what was wrong with the path, query or body.
        _ => String::from_utf8_lossy(&text).chars().take(500).collect(),
    };
    let mut out = dialect.error(status, &message);
    if let Some(allow) = allow {
        out.headers_mut().insert(header::ALLOW, allow);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_findings_and_passes() {
        assert!(check_json(br#"{"a": "x\u0000y"}"#).unwrap_err().contains("NUL"));
        assert!(check_json(br#"{"a\u0000": 1}"#).unwrap_err().contains("NUL"));
        assert!(check_json(br#"[{"a": [{"b": "\u0000"}]}]"#).is_err());
        assert!(check_json(br#"{"a": 1, "a": 2}"#).unwrap_err().contains("\"a\" appears twice"));
        assert!(check_json(br#"{"a": {"b": 1}, "c": {"b": 2}}"#).is_ok(), "same key in two objects is fine");
        assert!(check_json(br#"{"a": "\\u0000 is six characters here"}"#).is_ok());
        assert!(check_json(b"not json").is_ok(), "the dialect answers broken JSON itself");
        assert!(check_json("{\"e\\u0301\": 1, \"\u{e9}\": 2}".as_bytes()).is_ok(), "keys compare by code points");
    }

    #[test]
    fn paths_map_to_their_dialect() {
        for (path, d) in [
            ("/v1/apiclients", Dialect::OrderCloud),
            ("/V1/ApiClients", Dialect::OrderCloud),
            ("/oauth/token", Dialect::OrderCloud),
            ("/ocrpcode", Dialect::OrderCloud),
            ("/v2/integrations", Dialect::ElasticPath),
            ("/oauth/access_token", Dialect::ElasticPath),
            ("/api/3/nothing", Dialect::ActiveCampaign),
            ("/api/orders/x", Dialect::Threekit),
            ("/cartwire/v1/events", Dialect::Operator),
            ("/nowhere", Dialect::Operator),
        ] {
            assert_eq!(Dialect::of(path), d, "{path}");
        }
    }

    proptest::proptest! {
        /// Any string with a NUL, escaped into JSON, is found; any without passes.
        #[test]
        fn nul_is_found_wherever_it_is(s in ".{0,40}") {
            let doc = serde_json::to_vec(&serde_json::json!({"k": s.clone(), "n": [s.clone()]})).unwrap();
            proptest::prop_assert_eq!(check_json(&doc).is_err(), s.contains('\0'));
        }
    }
}
