//! Serves the documents (`/openapi/{name}.json`) and Swagger UI at `/docs`. Swagger UI is the
//! npm package `swagger-ui-dist` at the version in `assets/swagger-ui/VERSION`, committed by
//! `scripts/vendor-swagger-ui` and embedded here, so the docs work with no network; its page
//! lists one entry per document and "Try it out" calls this same server. Public, like the
//! documents: they describe the API, never its data.

use axum::Extension;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::Arc;

/// Every document, by name, in the order the docs page lists them.
#[derive(Default)]
pub struct Documents(pub Vec<(&'static str, &'static str, Value)>);

impl Documents {
    /// The document called `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _, _)| *n == name).map(|(_, _, d)| d)
    }
}

/// `GET /openapi/{file}`: `ordercloud.json` and the others.
pub async fn document(Extension(docs): Extension<Arc<Documents>>, Path(file): Path<String>) -> Response {
    match file.strip_suffix(".json").and_then(|name| docs.get(name)) {
        Some(doc) => ([(header::CONTENT_TYPE, "application/json")], axum::Json(doc.clone())).into_response(),
        None => not_found(),
    }
}

/// `GET /docs`: the Swagger UI page.
pub async fn index() -> Response {
    asset_response("index.html", INDEX.as_bytes())
}

/// `GET /docs/{file}`: Swagger UI's assets and the page's set-up script.
pub async fn asset(Extension(docs): Extension<Arc<Documents>>, Path(file): Path<String>) -> Response {
    if file == "init.js" {
        return asset_response("init.js", init_script(&docs).as_bytes());
    }
    match ASSETS.iter().find(|(name, _)| *name == file) {
        Some((name, bytes)) => asset_response(name, bytes),
        None => not_found(),
    }
}

fn not_found() -> Response {
    crate::operator::Problem::not_found("no such document or asset").into_response()
}

fn asset_response(name: &str, bytes: &[u8]) -> Response {
    let content_type = match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            // Only the page's own assets; Swagger UI sets inline styles, and draws its icons
            // from data: URLs.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        bytes.to_vec(),
    )
        .into_response()
}

/// The set-up script: one entry per document (kept out of the page so the CSP can forbid
/// inline scripts).
fn init_script(docs: &Documents) -> String {
    let urls: Vec<Value> = docs
        .0
        .iter()
        .map(|(name, title, _)| serde_json::json!({"url": format!("/openapi/{name}.json"), "name": title}))
        .collect();
    format!(
        "window.onload = function () {{\n  window.ui = SwaggerUIBundle({{\n    urls: {},\n    dom_id: '#swagger-ui',\n    \
         deepLinking: true,\n    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],\n    \
         plugins: [SwaggerUIBundle.plugins.DownloadUrl],\n    layout: 'StandaloneLayout',\n    \
         oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect.html'\n  }});\n}};\n",
        Value::Array(urls)
    )
}

const INDEX: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>cartwire API documentation</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
"#;

macro_rules! assets {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../../assets/swagger-ui/", $name)) as &[u8])),*]
    };
}

/// Swagger UI's files, as `scripts/vendor-swagger-ui` copied them.
const ASSETS: &[(&str, &[u8])] = assets![
    "swagger-ui-bundle.js",
    "swagger-ui-standalone-preset.js",
    "swagger-ui.css",
    "favicon-32x32.png",
    "oauth2-redirect.html",
    "oauth2-redirect.js",
    "LICENSE",
    "NOTICE",
    "VERSION",
];
