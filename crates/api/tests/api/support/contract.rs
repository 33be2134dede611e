//! The published contract, checked on every response the HTTP tests receive: a layer around
//! the test server's router finds the request's operation in the OpenAPI documents (built by
//! `cartwire_api::documents` from the same routes), and records a violation when the status
//! is not documented for it or the body does not validate against the documented schema.
//! Objects are checked strictly: a property the schema does not name is a violation, so a
//! rendering cannot grow an undocumented field (so renderings do not use `serde(flatten)`,
//! whose `allOf` would make each part refuse the other's fields). A path or method no document names is the
//! router's own 404/405 and is not checked here. `TestServer` fails the test on drop when a
//! violation was recorded.

use axum::body::Body;
use axum::http::Request;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Every violation one server saw.
pub type Violations = Arc<Mutex<Vec<String>>>;

struct Contract {
    docs: Vec<Value>,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

fn contract() -> &'static Contract {
    static C: OnceLock<Contract> = OnceLock::new();
    C.get_or_init(|| Contract {
        docs: cartwire_api::documents("http://127.0.0.1").0.into_iter().map(|(_, _, d)| d).collect(),
        validators: Mutex::new(HashMap::new()),
    })
}

/// Wraps `router` in the check, recording into `violations`.
pub fn checked(router: axum::Router, violations: Violations) -> axum::Router {
    router.layer(axum::middleware::from_fn(move |req: Request<Body>, next: Next| {
        let violations = violations.clone();
        async move {
            let method = req.method().as_str().to_lowercase();
            let path = req.uri().path().to_owned();
            let res = next.run(req).await;
            let (parts, body) = res.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
            if let Err(v) = check(&method, &path, parts.status.as_u16(), &parts.headers, &bytes) {
                eprintln!("contract violation: {v}");
                violations.lock().unwrap().push(v);
            }
            Response::from_parts(parts, Body::from(bytes))
        }
    }))
}

/// The document and template `path` falls under: the template matching segment by segment
/// with the most literal words first (as the router prefers a word over a parameter).
fn operation<'a>(method: &str, path: &str) -> Option<(&'a Value, String, &'a Value)> {
    let segments: Vec<&str> = path.split('/').collect();
    let mut best: Option<(Vec<bool>, &Value, String)> = None;
    for doc in &contract().docs {
        for template in doc["paths"].as_object().into_iter().flat_map(|m| m.keys()) {
            let words: Vec<&str> = template.split('/').collect();
            if words.len() != segments.len() {
                continue;
            }
            let mut mask = Vec::new();
            let matches = words.iter().zip(&segments).all(|(w, s)| {
                let param = w.starts_with('{');
                mask.push(!param);
                param || w == s
            });
            if matches && best.as_ref().is_none_or(|(m, _, _)| mask > *m) {
                best = Some((mask, doc, template.clone()));
            }
        }
    }
    let (_, doc, template) = best?;
    let op = doc["paths"][&template].get(method)?;
    Some((doc, format!("{method} {template}"), op))
}

pub fn check(
    method: &str,
    path: &str,
    status: u16,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Result<(), String> {
    let Some((doc, what, op)) = operation(method, path) else { return Ok(()) };
    let Some(answer) = op["responses"].get(status.to_string()) else {
        return Err(format!("{what} ({path}) answered {status}, which it does not document: {}", text(body)));
    };
    let Some(content) = answer.get("content").and_then(Value::as_object) else {
        return if body.is_empty() {
            Ok(())
        } else {
            Err(format!("{what} answered {status} with a body its document does not have: {}", text(body)))
        };
    };
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    let Some(described) = content.get(media) else {
        let documented: Vec<&String> = content.keys().collect();
        return Err(format!("{what} answered {status} as '{content_type}', documented as {documented:?}"));
    };
    if !media.ends_with("json") {
        return Ok(());
    }
    let instance: Value = serde_json::from_slice(body)
        .map_err(|e| format!("{what} answered {status} with a body that is not JSON ({e}): {}", text(body)))?;
    let schema = &described["schema"];
    let validator = validator(doc, schema);
    let errors: Vec<String> =
        validator.iter_errors(&instance).map(|e| format!("{} at {}", e, e.instance_path())).take(5).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{what} answered {status} with a body off its schema: {}\nbody: {}", errors.join("; "), text(body)))
    }
}

fn text(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(600)]).into_owned()
}

fn validator(doc: &Value, schema: &Value) -> Arc<jsonschema::Validator> {
    let key = format!("{}|{schema}", doc["info"]["title"]);
    let c = contract();
    if let Some(v) = c.validators.lock().unwrap().get(&key) {
        return v.clone();
    }
    let mut components = doc["components"].clone();
    strict(&mut components);
    let mut root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "allOf": [schema],
        "components": components,
    });
    strict(&mut root["allOf"]);
    let v = Arc::new(jsonschema::draft202012::new(&root).unwrap_or_else(|e| panic!("schema of {key}: {e}")));
    c.validators.lock().unwrap().insert(key, v.clone());
    v
}

/// Every object schema that names its properties and says nothing of others refuses others.
fn strict(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.contains_key("properties") && !m.contains_key("additionalProperties") {
                m.insert("additionalProperties".into(), Value::Bool(false));
            }
            for (_, child) in m.iter_mut() {
                strict(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strict),
        _ => {}
    }
}
