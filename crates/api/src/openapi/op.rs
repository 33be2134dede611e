//! [`Op`]: what one operation says about itself — summary, who may call it, parameters, body,
//! responses and error statuses — rendered into an OpenAPI operation object. The errors every
//! operation can meet are added here once, from what the edge and the dialects do: 400 (the
//! edge refuses a NUL, a duplicate key, a bad query), 401/403 for an authenticated operation,
//! 404 where the path names something, 413/415 where there is a body, 503 with `Retry-After`
//! (load shedding, database unavailable), and 500, which the dialects render without its cause
//! (a defect when it happens; the suite's outbox-atomicity test provokes one on purpose). Each
//! is the dialect's error body.

use super::{Dialect, Schemas};
use axum::http::Method;
use serde_json::{Map, Value, json};

type SchemaFn = Box<dyn FnOnce(&mut Schemas) -> Value + Send>;

/// Who may call an operation.
#[derive(Debug, Clone, Copy)]
pub enum Access {
    /// Anyone: no credential.
    Public,
    /// A credential of the dialect holding one of these roles (or `FullAccess`); empty: any
    /// valid credential.
    Roles(&'static [&'static str]),
}

/// A query or header parameter.
pub struct Param {
    name: String,
    location: &'static str,
    description: &'static str,
    schema: Value,
    required: bool,
}

impl Param {
    /// An optional query parameter.
    pub fn query(name: impl Into<String>, schema: Value, description: &'static str) -> Self {
        Self { name: name.into(), location: "query", description, schema, required: false }
    }
    /// A header.
    pub fn header(name: impl Into<String>, schema: Value, description: &'static str) -> Self {
        Self { name: name.into(), location: "header", description, schema, required: false }
    }
    /// A path parameter with its own schema (others are strings).
    pub fn path(name: impl Into<String>, schema: Value, description: &'static str) -> Self {
        Self { name: name.into(), location: "path", description, schema, required: true }
    }
    /// Makes it required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
}

struct Answer {
    status: u16,
    description: String,
    content: Option<(&'static str, SchemaFn)>,
    /// Further media types of a file (no schema).
    files: &'static [&'static str],
    headers: Vec<(&'static str, &'static str)>,
}

/// One operation's description.
pub struct Op {
    summary: String,
    description: Option<String>,
    access: Access,
    params: Vec<Param>,
    body: Option<(&'static str, SchemaFn)>,
    body_required: bool,
    answers: Vec<Answer>,
    errors: Vec<u16>,
}

impl Op {
    /// An operation anyone may call.
    pub fn new(summary: impl Into<String>) -> Self {
        Self {
            summary: summary.into(),
            description: None,
            access: Access::Public,
            params: Vec::new(),
            body: None,
            body_required: true,
            answers: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Needs one of `roles` (empty: any credential of the dialect).
    pub fn roles(mut self, roles: &'static [&'static str]) -> Self {
        self.access = Access::Roles(roles);
        self
    }

    /// A longer description.
    pub fn describe(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Adds a parameter.
    pub fn param(mut self, p: Param) -> Self {
        self.params.push(p);
        self
    }

    /// Adds parameters.
    pub fn params(mut self, ps: impl IntoIterator<Item = Param>) -> Self {
        self.params.extend(ps);
        self
    }

    /// A JSON request body of `T`.
    pub fn body<T: utoipa::ToSchema>(mut self) -> Self {
        self.body = Some(("application/json", Box::new(|s: &mut Schemas| s.of::<T>())));
        self
    }

    /// A JSON request body whose schema `schema` builds (an array, a choice).
    pub fn body_with(mut self, schema: impl FnOnce(&mut Schemas) -> Value + Send + 'static) -> Self {
        self.body = Some(("application/json", Box::new(schema)));
        self
    }

    /// A PATCH body of `T`: the fields to change, none required.
    pub fn patch_body<T: utoipa::ToSchema>(mut self) -> Self {
        self.body = Some(("application/json", Box::new(|s: &mut Schemas| s.of_patch::<T>())));
        self
    }

    /// A JSON request body of `T` that may be left out.
    pub fn optional_body<T: utoipa::ToSchema>(mut self) -> Self {
        self.body_required = false;
        self.body::<T>()
    }

    /// A form (`application/x-www-form-urlencoded`) request body of `T`.
    pub fn form<T: utoipa::ToSchema>(mut self) -> Self {
        self.body = Some(("application/x-www-form-urlencoded", Box::new(|s: &mut Schemas| s.of::<T>())));
        self
    }

    /// A JSON answer of `T` with `status`.
    pub fn answer<T: utoipa::ToSchema>(self, status: u16, description: &str) -> Self {
        self.answer_with(status, description, "application/json", |s| s.of::<T>())
    }

    /// An answer whose schema is built by `schema` (an array, a free-form object).
    pub fn answer_with(
        mut self,
        status: u16,
        description: &str,
        content_type: &'static str,
        schema: impl FnOnce(&mut Schemas) -> Value + Send + 'static,
    ) -> Self {
        let headers = if status == 201 { vec![("Location", "The new resource's URL.")] } else { Vec::new() };
        self.answers.push(Answer {
            status,
            description: description.to_owned(),
            content: Some((content_type, Box::new(schema))),
            files: &[],
            headers,
        });
        self
    }

    /// A JSON array of `T` with `status`.
    pub fn answer_array<T: utoipa::ToSchema>(self, status: u16, description: &str) -> Self {
        self.answer_with(status, description, "application/json", |s| json!({"type": "array", "items": s.of::<T>()}))
    }

    /// An answer without a body.
    pub fn empty(mut self, status: u16, description: &str) -> Self {
        self.answers.push(Answer {
            status,
            description: description.to_owned(),
            content: None,
            files: &[],
            headers: Vec::new(),
        });
        self
    }

    /// A file in one of `media_types`.
    pub fn files(mut self, status: u16, description: &str, media_types: &'static [&'static str]) -> Self {
        self.answers.push(Answer {
            status,
            description: description.to_owned(),
            content: None,
            files: media_types,
            headers: Vec::new(),
        });
        self
    }

    /// Error statuses beyond the ones every operation of its kind has (see the module).
    pub fn errors(mut self, statuses: &[u16]) -> Self {
        self.errors.extend_from_slice(statuses);
        self
    }

    /// The operation object.
    pub(super) fn render(self, dialect: &Dialect, method: &Method, path: &str, schemas: &mut Schemas) -> Value {
        let mut op = Map::new();
        op.insert("operationId".into(), json!(operation_id(method, path)));
        op.insert("summary".into(), json!(self.summary));
        if let Some(d) = self.description {
            op.insert("description".into(), json!(d));
        }
        op.insert("tags".into(), json!([tag(path)]));
        let mut params: Vec<Value> = Vec::new();
        for name in path_params(path) {
            let custom = self.params.iter().find(|p| p.location == "path" && p.name == name);
            let (schema, description) = match custom {
                Some(p) => (p.schema.clone(), p.description),
                None => (json!({"type": "string"}), if name == "id" { "The id." } else { "" }),
            };
            params.push(json!({"name": name, "in": "path", "required": true, "schema": schema,
                               "description": description}));
        }
        for p in self.params.iter().filter(|p| p.location != "path") {
            params.push(json!({"name": p.name, "in": p.location, "required": p.required,
                               "description": p.description, "schema": p.schema}));
        }
        if !params.is_empty() {
            op.insert("parameters".into(), Value::Array(params));
        }
        let has_body = self.body.is_some();
        if let Some((content_type, schema)) = self.body {
            let schema = schema(schemas);
            op.insert(
                "requestBody".into(),
                json!({"required": self.body_required, "content": {content_type: {"schema": schema}}}),
            );
        }
        let mut responses = Map::new();
        for a in self.answers {
            let mut r = Map::new();
            r.insert("description".into(), json!(a.description));
            if let Some((content_type, schema)) = a.content {
                r.insert("content".into(), json!({content_type: {"schema": schema(schemas)}}));
            }
            if !a.files.is_empty() {
                let files: Map<String, Value> =
                    a.files.iter().map(|m| ((*m).to_owned(), json!({"schema": {"type": "string"}}))).collect();
                r.insert("content".into(), Value::Object(files));
            }
            if !a.headers.is_empty() {
                let headers: Map<String, Value> = a
                    .headers
                    .iter()
                    .map(|(h, d)| ((*h).to_owned(), json!({"description": d, "schema": {"type": "string"}})))
                    .collect();
                r.insert("headers".into(), Value::Object(headers));
            }
            responses.insert(a.status.to_string(), Value::Object(r));
        }
        let mut errors = vec![400, 500, 503];
        if let Access::Roles(_) = self.access {
            errors.extend([401, 403]);
        }
        if path.contains('{') {
            errors.push(404);
        }
        if has_body {
            errors.extend([413, 415]);
        }
        errors.extend(self.errors);
        errors.sort_unstable();
        errors.dedup();
        let error = (dialect.error)(schemas);
        for status in errors {
            let mut r = json!({
                "description": error_description(status),
                "content": {dialect.error_content_type: {"schema": error.clone()}},
            });
            if status == 503 || status == 429 {
                r["headers"] = json!({"Retry-After": {"description": "Seconds to wait before trying again.",
                                                      "schema": {"type": "integer"}}});
            }
            responses.entry(status.to_string()).or_insert(r);
        }
        op.insert("responses".into(), Value::Object(responses));
        match self.access {
            Access::Public => {
                op.insert("security".into(), json!([]));
            }
            Access::Roles(roles) => {
                op.insert("security".into(), (dialect.requirement)(roles));
                if !roles.is_empty() {
                    op.insert("x-roles".into(), json!(roles));
                }
            }
        }
        Value::Object(op)
    }
}

/// `get /v1/buyers/{buyer}/users` → `get_v1_buyers_buyer_users`.
fn operation_id(method: &Method, path: &str) -> String {
    let words: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_matches(|c| c == '{' || c == '}').replace(['-', '.'], "_"))
        .collect();
    format!("{}_{}", method.as_str().to_lowercase(), words.join("_"))
}

/// The resource a path is about: its first word past the version prefixes.
fn tag(path: &str) -> String {
    const PREFIXES: &[&str] = &["v1", "v2", "api", "3", "cartwire"];
    path.split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .find(|s| !PREFIXES.contains(s))
        .unwrap_or("root")
        .to_owned()
}

fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
}

fn error_description(status: u16) -> &'static str {
    match status {
        400 => "The request is malformed or a value is invalid.",
        401 => "No valid credential.",
        403 => "The credential does not hold a role this needs.",
        404 => "Nothing with this id is visible to the caller.",
        409 => "The id is taken, or the state does not allow this.",
        413 => "The body is larger than 1 MiB.",
        415 => "The body is not of a media type this accepts.",
        422 => "A value is invalid.",
        429 => "Too many attempts; wait for Retry-After.",
        500 => "An internal error (logged with its cause, never sent).",
        503 => "Overloaded or the database is unavailable; retry after Retry-After.",
        _ => "An error.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_and_tags_come_from_the_path() {
        assert_eq!(operation_id(&Method::GET, "/v1/buyers/{buyer}/users"), "get_v1_buyers_buyer_users");
        assert_eq!(operation_id(&Method::POST, "/cartwire/v1/api-keys"), "post_cartwire_v1_api_keys");
        assert_eq!(tag("/v1/buyers/{buyer}/users"), "buyers");
        assert_eq!(tag("/api/3/ecomOrders/{id}"), "ecomOrders");
        assert_eq!(tag("/cartwire/v1/deliveries"), "deliveries");
        assert_eq!(path_params("/v1/orders/{direction}/{id}").collect::<Vec<_>>(), ["direction", "id"]);
    }
}
