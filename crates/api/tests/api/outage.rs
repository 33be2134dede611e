//! The database gone: every dialect answers 503 with `Retry-After` in its own error body
//! (never a 500, never a 2xx without a commit), and work resumes by itself when the database
//! is back. Runs on PostgreSQL, where connections can be refused from outside; on SQLite the
//! suite's other store tests cover a failing commit (`store/group_commit.rs`).

use crate::support;

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Connection;
use support::{TestServer, database_url_of, eventually};

/// The server's database name and an administrator's connection to the cluster.
async fn database_and_admin(s: &TestServer) -> (String, sqlx::PgConnection) {
    let url = database_url_of(s);
    let (path, _) = url.split_once('?').unwrap_or((&url, ""));
    let name = path.rsplit('/').next().unwrap().to_owned();
    let base = std::env::var("CARTWIRE_TEST_DATABASE_URL").unwrap();
    (name, sqlx::PgConnection::connect(&base).await.unwrap())
}

/// Ends every session of database `name` but the caller's, so the pool reconnects.
async fn end_sessions(admin: &mut sqlx::PgConnection, name: &str) {
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind(name)
    .execute(admin)
    .await
    .unwrap();
}

/// Refuses (`false`) or admits new connections to the server's database and ends the open ones.
async fn connections(s: &TestServer, allowed: bool) {
    let (name, mut admin) = database_and_admin(s).await;
    sqlx::query(sqlx::AssertSqlSafe(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS {allowed}")))
        .execute(&mut admin)
        .await
        .unwrap();
    if !allowed {
        end_sessions(&mut admin, &name).await;
    }
}

async fn get(s: &TestServer, path: &str, bearer: Option<&str>, api_key: Option<&str>) -> (u16, Option<String>, Value) {
    let mut req = s.http.request(Method::GET, s.url(path));
    if let Some(t) = bearer {
        req = req.bearer_auth(t);
    }
    if let Some(k) = api_key {
        req = req.header("Api-Token", k);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    (status, retry, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn without_its_database_every_dialect_answers_503_in_its_own_body_and_recovers() {
    if std::env::var("CARTWIRE_TEST_DATABASE_URL").map(|v| v.is_empty()).unwrap_or(true) {
        eprintln!(
            "\n!!!!! SKIPPED: refusing connections needs PostgreSQL (CARTWIRE_TEST_DATABASE_URL); scripts/test sets it !!!!!\n"
        );
        return;
    }
    let s = TestServer::start().await;
    let tk = s.post("/cartwire/v1/tokens", json!({"kind": "private", "name": "t"})).await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = s.post("/cartwire/v1/api-keys", json!({"name": "k"})).await.body["key"].as_str().unwrap().to_owned();
    // Past the grant cache's 2 s, so each request needs the database to say who calls.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;

    connections(&s, false).await;
    let admin = s.admin_token.clone();
    let (status, retry, body) = get(&s, "/v1/apiclients", Some(&admin), None).await;
    assert_eq!((status, retry.as_deref()), (503, Some("5")), "{body}");
    assert_eq!(body["Errors"][0]["ErrorCode"], "ServiceUnavailable");
    let (status, retry, body) = get(&s, "/v2/integrations", Some(&admin), None).await;
    assert_eq!((status, retry.is_some(), body["errors"][0]["status"].as_u64()), (503, true, Some(503)), "{body}");
    let (status, _, body) = get(&s, &format!("/api/orders?bearer_token={tk}"), None, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (503, Some("service_unavailable")), "{body}");
    let (status, _, body) = get(&s, "/api/3/connections", None, Some(&key)).await;
    assert_eq!((status, body["message"].is_string()), (503, true), "{body}");
    let (status, _, body) = get(&s, "/cartwire/v1/events", Some(&admin), None).await;
    assert_eq!((status, body["status"].as_u64()), (503, Some(503)), "{body}");
    let (status, _, body) = get(&s, "/readyz", None, None).await;
    assert_eq!(status, 503, "readiness reports it: {body}");

    // Back: the same requests work again without a restart.
    connections(&s, true).await;
    eventually(30, "the API answering again", || async {
        (get(&s, "/v1/apiclients", Some(&admin), None).await.0 == 200).then_some(())
    })
    .await;
    assert_eq!(get(&s, &format!("/api/orders?bearer_token={tk}"), None, None).await.0, 200);
    assert_eq!(get(&s, "/api/3/connections", None, Some(&key)).await.0, 200);
    // Readiness keeps reporting the outage for 5 s after the last refusal.
    eventually(30, "ready again", || async { (get(&s, "/readyz", None, None).await.0 == 200).then_some(()) }).await;
}

/// Makes the server's database read-only for new sessions (as a fail-over to a standby would)
/// or writable again, and ends the open sessions so the pool reconnects under the new rule.
async fn read_only(s: &TestServer, on: bool) {
    let (name, mut admin) = database_and_admin(s).await;
    let set = if on { "SET default_transaction_read_only = on" } else { "RESET default_transaction_read_only" };
    sqlx::query(sqlx::AssertSqlSafe(format!("ALTER DATABASE {name} {set}"))).execute(&mut admin).await.unwrap();
    end_sessions(&mut admin, &name).await;
}

async fn post_order(s: &TestServer, tk: &str, name: &str) -> (u16, Value) {
    let res = s
        .http
        .post(s.url(&format!("/api/orders?bearer_token={tk}")))
        .json(&json!({"name": name, "cart": [{"configurationId": "c1"}]}))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_read_only_database_refuses_writes_with_503_keeps_reads_and_is_not_ready() {
    if std::env::var("CARTWIRE_TEST_DATABASE_URL").map(|v| v.is_empty()).unwrap_or(true) {
        eprintln!("\n!!!!! SKIPPED: a read-only database needs PostgreSQL (CARTWIRE_TEST_DATABASE_URL) !!!!!\n");
        return;
    }
    let s = TestServer::start().await;
    let tk = s.post("/cartwire/v1/tokens", json!({"kind": "private", "name": "t"})).await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin = s.admin_token.clone();
    read_only(&s, true).await;

    // Every write is a 503 in its dialect's body — not the 500 a bare SQLSTATE 25006 was.
    for i in 0..5 {
        let (status, body) = post_order(&s, &tk, &format!("refused {i}")).await;
        assert_eq!((status, body["error"]["code"].as_str()), (503, Some("service_unavailable")), "{body}");
    }
    let res = s
        .http
        .post(s.url("/v1/apiclients"))
        .bearer_auth(&admin)
        .json(&json!({"AppName": "x", "AccessTokenDuration": 600, "Active": true}))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    assert_eq!((status, body["Errors"][0]["ErrorCode"].as_str()), (503, Some("ServiceUnavailable")), "{body}");
    // Reads still work: a read-only database does not trip the breaker that refuses everything.
    eventually(10, "reads answering on the read-only database", || async {
        (get(&s, &format!("/api/orders?bearer_token={tk}"), None, None).await.0 == 200).then_some(())
    })
    .await;
    let (status, _, body) = get(&s, "/readyz", None, None).await;
    assert_eq!(status, 503, "a node that cannot write is not ready: {body}");

    read_only(&s, false).await;
    eventually(30, "writes accepted again", || async {
        (post_order(&s, &tk, "accepted").await.0 == 200).then_some(())
    })
    .await;
    eventually(30, "ready again", || async { (get(&s, "/readyz", None, None).await.0 == 200).then_some(()) }).await;
    let (_, _, listed) = get(&s, &format!("/api/orders?bearer_token={tk}"), None, None).await;
    let names: Vec<&str> = listed["orders"].as_array().unwrap().iter().filter_map(|o| o["name"].as_str()).collect();
    assert!(names.iter().all(|n| !n.starts_with("refused")), "a refused write left nothing: {names:?}");
    assert!(names.contains(&"accepted"), "{names:?}");
}
