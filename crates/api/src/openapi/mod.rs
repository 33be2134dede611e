//! OpenAPI 3.1 documents generated from the routes themselves. A dialect builds its routes
//! with [`Documented`], whose only way to add a route is [`Documented::route`] with an [`Op`]
//! describing it: the axum route and the operation are registered by the same call, so a
//! route cannot be served without being described, nor described without being served.
//! Request and response schemas come from the dialects' wire types (`utoipa::ToSchema`
//! derives beside them); the documents are served at `/openapi/{name}.json` with Swagger UI
//! at `/docs` (see [`docs`]).

pub mod docs;
mod op;

pub use op::{Access, Op, Param};

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, on};
use cartwire_app::App;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// What a dialect's document says about the dialect as a whole.
pub struct Dialect {
    /// The document's file name (`/openapi/{name}.json`).
    pub name: &'static str,
    /// Its title.
    pub title: &'static str,
    /// A paragraph on the dialect: what it is, how to authenticate.
    pub description: &'static str,
    /// The security schemes (`components.securitySchemes`) for a server at `base_url`.
    pub security_schemes: fn(base_url: &str) -> Value,
    /// What an authenticated operation requires: the security requirement of an operation
    /// that needs `roles` (empty: any valid credential of the dialect).
    pub requirement: fn(&[&str]) -> Value,
    /// Registers the dialect's error body and returns a reference to it.
    pub error: fn(&mut Schemas) -> Value,
    /// The error body's media type.
    pub error_content_type: &'static str,
}

/// The component schemas of a document, by name.
#[derive(Default)]
pub struct Schemas(BTreeMap<String, Value>);

impl Schemas {
    /// Registers `T` (and every schema it refers to) and returns a reference to it.
    pub fn of<T: utoipa::ToSchema>(&mut self) -> Value {
        let mut deps = Vec::new();
        T::schemas(&mut deps);
        for (name, schema) in deps {
            self.0.entry(name).or_insert_with(|| to_json(&schema));
        }
        let name = T::name().into_owned();
        self.0.entry(name.clone()).or_insert_with(|| to_json(&T::schema()));
        json!({"$ref": format!("#/components/schemas/{name}")})
    }
}

impl Schemas {
    /// `T` as a PATCH body: the same fields, none required (`{T}Patch`).
    pub fn of_patch<T: utoipa::ToSchema>(&mut self) -> Value {
        self.of::<T>();
        let name = format!("{}Patch", T::name());
        if !self.0.contains_key(&name) {
            let mut schema = self.0[T::name().as_ref()].clone();
            if let Value::Object(m) = &mut schema {
                m.remove("required");
            }
            self.0.insert(name.clone(), schema);
        }
        json!({"$ref": format!("#/components/schemas/{name}")})
    }
}

fn to_json<S: serde::Serialize>(s: &S) -> Value {
    serde_json::to_value(s).expect("a schema serializes")
}

/// One dialect's routes with the document describing them.
pub struct Documented {
    router: Router<App>,
    dialect: &'static Dialect,
    paths: BTreeMap<String, Map<String, Value>>,
    schemas: Schemas,
}

impl Documented {
    /// No routes yet.
    pub fn new(dialect: &'static Dialect) -> Self {
        Self { router: Router::new(), dialect, paths: BTreeMap::new(), schemas: Schemas::default() }
    }

    /// Serves `handler` for `method` at `path` and describes it with `op`.
    ///
    /// # Panics
    /// When the method is not one axum routes, or when `path` already has `method` (both are
    /// programming errors, found by the first test that builds the router).
    pub fn route<H, T>(mut self, method: Method, path: &str, handler: H, op: Op) -> Self
    where
        H: Handler<T, App>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("a routable method");
        self.router = self.router.route(path, on(filter, handler));
        let operation = op.render(self.dialect, &method, path, &mut self.schemas);
        let previous = self.paths.entry(path.to_owned()).or_default().insert(method.as_str().to_lowercase(), operation);
        assert!(previous.is_none(), "{method} {path} described twice");
        self
    }

    /// Serves a catch-all that is no operation (a dialect's own 404 for unknown paths under
    /// its prefix): described in the document's description, not as a path.
    pub fn catch_all<H, T>(mut self, path: &str, handler: H) -> Self
    where
        H: Handler<T, App>,
        T: 'static,
    {
        self.router = self.router.route(path, axum::routing::any(handler));
        self
    }

    /// Adds `other`'s routes (same dialect).
    pub fn merge(mut self, other: Documented) -> Self {
        assert!(std::ptr::eq(self.dialect, other.dialect), "documents of one dialect only");
        self.router = self.router.merge(other.router);
        for (path, ops) in other.paths {
            let mine = self.paths.entry(path.clone()).or_default();
            for (method, op) in ops {
                assert!(mine.insert(method.clone(), op).is_none(), "{method} {path} described twice");
            }
        }
        self.schemas.0.extend(other.schemas.0);
        self
    }

    /// The document's file name and title.
    pub fn names(&self) -> (&'static str, &'static str) {
        (self.dialect.name, self.dialect.title)
    }

    /// The router and the document.
    pub fn into_parts(self, base_url: &str) -> (Router<App>, Value) {
        let d = self.dialect;
        let mut schemas = self.schemas;
        let mut security = Map::new();
        if let Value::Object(m) = (d.security_schemes)(base_url) {
            security = m;
        }
        let _ = (d.error)(&mut schemas);
        let doc = json!({
            "openapi": "3.1.0",
            "info": {
                "title": d.title,
                "version": env!("CARGO_PKG_VERSION"),
                "description": d.description,
                "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
            },
            "paths": self.paths,
            "components": {"schemas": schemas.0, "securitySchemes": security},
        });
        (self.router, doc)
    }
}
