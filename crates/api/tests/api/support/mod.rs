//! Test harness: a real cartwire HTTP server on a loopback port, over SQLite (default) or a
//! fresh PostgreSQL database per test when `CARTWIRE_TEST_DATABASE_URL` is set (scripts/test
//! runs the suite once each way), and a client that speaks HTTP like any other.

#![allow(dead_code)]

use cartwire_app::bootstrap::AdminCredentials;
use cartwire_app::dispatcher::{DeliveryConfig, Dispatcher};
use cartwire_app::passwords::HashCost;
use cartwire_app::{App, AppConfig};
use cartwire_domain::delivery::RetryPolicy;
use cartwire_outbound::guard::TargetPolicy;
use cartwire_store::{Sealer, Store};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

pub const ADMIN_ID: &str = "TEST-ADMIN";
pub const ADMIN_SECRET: &str = "test-admin-secret-0123456789";

/// A running server and what a test needs to talk to it.
pub struct TestServer {
    pub base: String,
    pub app: App,
    pub http: reqwest::Client,
    pub admin_token: String,
    /// The database URL the server runs on.
    pub database_url: String,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _stop_dispatch: tokio::sync::watch::Sender<bool>,
    /// Responses that broke the published contract (see `contract`).
    violations: contract::Violations,
}

/// Delivery settings for tests: loopback targets allowed, retries after 50, 100, 200 ms.
pub fn fast_delivery() -> DeliveryConfig {
    DeliveryConfig {
        policy: TargetPolicy { allow_private: true },
        timeout: Duration::from_millis(1500),
        retry: RetryPolicy {
            delays: vec![Duration::from_millis(50), Duration::from_millis(100), Duration::from_millis(200)],
            jitter: 0.2,
            overload_floor: Duration::from_millis(100),
        },
        poll_interval: Duration::from_millis(50),
        lease: Duration::from_secs(5),
        ..DeliveryConfig::default()
    }
}

/// The database a test runs on: a fresh PostgreSQL database, or an SQLite file in `dir`.
pub async fn database_url(dir: &std::path::Path) -> String {
    match std::env::var("CARTWIRE_TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => cartwire_store::scratch::create_scratch_database(&base, "cwtest")
            .await
            .expect("create a test database on CARTWIRE_TEST_DATABASE_URL"),
        _ => format!("sqlite://{}?mode=rwc", dir.join("cartwire.db").display()),
    }
}

impl TestServer {
    /// Starts a server with a bootstrap admin client and fetches its token; its dispatcher
    /// delivers to loopback targets with a retry schedule in milliseconds.
    pub async fn start() -> Self {
        Self::start_with(fast_delivery()).await
    }

    /// Starts a server with these delivery settings.
    pub async fn start_with(delivery: DeliveryConfig) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = database_url(dir.path()).await;
        let store = Store::connect(&url, Sealer::new(&[7u8; 32]).unwrap()).await.expect("connect store");
        store.migrate().await.expect("migrate");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = App::new(
            store,
            AppConfig {
                public_base_url: base.clone(),
                password_cost: HashCost::Test,
                delivery,
                // Tests that need abandonment sweep explicitly (App::abandon_idle_carts).
                abandoned_after: Duration::from_millis(1000),
                callouts: cartwire_app::callout::CalloutConfig {
                    deadline: Duration::from_millis(1500),
                    environment: "Sandbox".into(),
                },
            },
        )
        .await
        .expect("app");
        app.bootstrap(Some(AdminCredentials { client_id: ADMIN_ID.into(), client_secret: ADMIN_SECRET.into() }))
            .await
            .expect("bootstrap");
        let (stop_dispatch, dispatch_stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(Dispatcher::new(app.clone()).await.expect("dispatcher").run(dispatch_stopped));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let violations = contract::Violations::default();
        let router = contract::checked(
            cartwire_api::router_with(app.clone(), cartwire_api::ServeOptions::default()),
            violations.clone(),
        );
        tokio::spawn(async move {
            cartwire_api::serve_router(listener, router, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        let http = reqwest::Client::new();
        let mut server = Self {
            base,
            app,
            http,
            admin_token: String::new(),
            database_url: url,
            _dir: dir,
            shutdown: Some(tx),
            _stop_dispatch: stop_dispatch,
            violations,
        };
        server.admin_token = server.client_token(ADMIN_ID, ADMIN_SECRET).await;
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs a form to /oauth/token.
    pub async fn token_request(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let res = self.http.post(self.url("/oauth/token")).form(form).send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// A client_credentials token, panicking on failure.
    pub async fn client_token(&self, id: &str, secret: &str) -> String {
        let (status, body) = self
            .token_request(&[("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret)])
            .await;
        assert_eq!(status, StatusCode::OK, "token: {body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// Sends a JSON request with a bearer token; returns status, headers and JSON body
    /// (Null when empty).
    pub async fn send(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Response {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        Response::from(res).await
    }

    /// Sends a raw body with a content type.
    pub async fn send_raw(&self, method: Method, path: &str, token: &str, content_type: &str, body: &str) -> Response {
        let res = self
            .http
            .request(method, self.url(path))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        Response::from(res).await
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send(Method::GET, path, Some(&self.admin_token.clone()), None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.send(Method::POST, path, Some(&self.admin_token.clone()), Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Response {
        self.send(Method::PUT, path, Some(&self.admin_token.clone()), Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Response {
        self.send(Method::PATCH, path, Some(&self.admin_token.clone()), Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Response {
        self.send(Method::DELETE, path, Some(&self.admin_token.clone()), None).await
    }

    /// The number of events in the outbox.
    pub async fn event_count(&self) -> usize {
        let mut tx = self.app.store().begin().await.unwrap();
        let n = tx.events_after(0, 1_000_000).await.unwrap().len();
        tx.commit().await.unwrap();
        n
    }

    /// Creates a security profile with `roles`, an admin user holding it, and an API client
    /// whose default context user it is; returns a token of that client.
    pub async fn token_with_roles(&self, roles: &[&str]) -> String {
        let (id, secret) = self.client_with_roles(roles).await;
        self.client_token(&id, &secret).await
    }

    /// Like [`Self::token_with_roles`], returning the client's id and secret.
    pub async fn client_with_roles(&self, roles: &[&str]) -> (String, String) {
        let tag = uuid::Uuid::new_v4().simple().to_string();
        let r =
            self.post("/v1/securityprofiles", json!({"ID": format!("sp-{tag}"), "Name": "test", "Roles": roles})).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let r = self
            .post(
                "/v1/adminusers",
                json!({"ID": format!("u-{tag}"), "Username": format!("user-{tag}"), "FirstName": "T", "LastName": "U",
                       "Email": "t@example.com", "Active": true}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let r = self
            .post(
                "/v1/securityprofiles/assignments",
                json!({"SecurityProfileID": format!("sp-{tag}"), "UserID": format!("u-{tag}")}),
            )
            .await;
        assert_eq!(r.status, 204, "{}", r.body);
        let r = self
            .post(
                "/v1/apiclients",
                json!({"AppName": "roles", "AccessTokenDuration": 60, "Active": true, "AllowSeller": true,
                       "ClientSecret": "secret-for-roles", "DefaultContextUserName": format!("user-{tag}")}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        (r.body["ID"].as_str().unwrap().to_owned(), "secret-for-roles".to_owned())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = self._stop_dispatch.send(true);
        let violations = self.violations.lock().unwrap();
        if !violations.is_empty() && !std::thread::panicking() {
            panic!("{} responses broke the OpenAPI contract:\n{}", violations.len(), violations.join("\n"));
        }
    }
}

/// Polls `check` every 25 ms until it returns `Some`, for at most `secs` seconds.
pub async fn eventually<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("gave up waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A response as a test sees it.
pub struct Response {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Response {
    async fn from(res: reqwest::Response) -> Self {
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Self { status, headers, body }
    }

    /// The first `ErrorCode` of an OrderCloud error body.
    pub fn code(&self) -> &str {
        self.body["Errors"][0]["ErrorCode"].as_str().unwrap_or("<no ErrorCode>")
    }
}

/// The database URL a server runs on.
pub fn database_url_of(s: &TestServer) -> String {
    s.database_url.clone()
}
pub mod contract;
pub mod idp;
pub mod middleware;
pub mod peers;
pub mod receiver;
pub mod shop;
