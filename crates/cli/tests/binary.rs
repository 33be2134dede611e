//! The real `cartwire` binary: first start, configuration sources, migrations, key rotation,
//! and the operator commands against a running server (`operator`).

#[path = "../../api/tests/api/support/mod.rs"]
mod support;

#[path = "binary/operator.rs"]
mod operator;

use serde_json::Value;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A running `cartwire serve` and what it printed before it was ready.
struct Server {
    child: Child,
    base: String,
    printed: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

fn cartwire(cwd: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cartwire"));
    cmd.current_dir(cwd)
        .env_remove("DATABASE_URL")
        .env_remove("CARTWIRE_LISTEN")
        .env_remove("CARTWIRE_DATA_DIR")
        .env_remove("CARTWIRE_CONFIG")
        .env_remove("CARTWIRE_MASTER_KEY")
        .env_remove("CARTWIRE_MASTER_KEY_FILE")
        .env_remove("CARTWIRE_ADMIN_CLIENT_ID")
        .env_remove("CARTWIRE_ADMIN_CLIENT_SECRET")
        .env("CARTWIRE_PASSWORD_HASH_COST", "test")
        .env("RUST_LOG", "warn")
        .kill_on_drop(true);
    cmd
}

async fn start(mut cmd: Command) -> Server {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("spawn cartwire");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let base = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            printed.push(line.clone());
            if let Some(rest) = line.strip_prefix("cartwire: listening on ") {
                return rest.split_whitespace().next().unwrap().to_owned();
            }
        }
        panic!("cartwire exited before listening: {printed:?}");
    })
    .await
    .expect("cartwire started within a minute");
    // Keep draining stdout so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Server { child, base, printed }
}

fn value_after(printed: &[String], label: &str) -> Option<String> {
    printed.iter().find_map(|l| l.trim().strip_prefix(label).map(|v| v.trim().to_owned()))
}

async fn token(base: &str, id: &str, secret: &str) -> reqwest::StatusCode {
    let res = reqwest::Client::new()
        .post(format!("{base}/oauth/token"))
        .form(&[("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret)])
        .send()
        .await
        .unwrap();
    res.status()
}

#[tokio::test]
async fn serve_with_no_configuration_uses_an_embedded_store_under_data() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = cartwire(dir.path());
    cmd.args(["serve", "--listen", "127.0.0.1:0"]);
    let server = start(cmd).await;
    let id = value_after(&server.printed, "client_id:").expect("client id printed on first start");
    let secret = value_after(&server.printed, "client_secret:").expect("client secret printed on first start");
    assert!(dir.path().join("data/cartwire.db").exists());
    let key = dir.path().join("data/master.key");
    assert!(key.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(token(&server.base, &id, &secret).await, 200);
    for path in ["/healthz", "/readyz"] {
        assert_eq!(reqwest::get(format!("{}{path}", server.base)).await.unwrap().status(), 200);
    }
    drop(server);

    // A second start finds the client: nothing is printed again, the old secret still works.
    let mut cmd = cartwire(dir.path());
    cmd.args(["serve", "--listen", "127.0.0.1:0"]);
    let server = start(cmd).await;
    assert!(value_after(&server.printed, "client_secret:").is_none(), "{:?}", server.printed);
    assert_eq!(token(&server.base, &id, &secret).await, 200);
}

#[tokio::test]
async fn the_master_key_can_live_outside_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key = dir.path().join("secrets").join("cartwire.key");
    let url = support::database_url(dir.path()).await;
    for _ in 0..2 {
        let out = cartwire(dir.path())
            .args(["migrate", "--master-key-file"])
            .arg(&key)
            .env("CARTWIRE_DATA_DIR", &data)
            .env("DATABASE_URL", &url)
            .output()
            .await
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let text = std::fs::read_to_string(&key).expect("the key file was created where asked");
    assert_eq!(base64::Engine::decode(&base64::engine::general_purpose::STANDARD, text.trim()).unwrap().len(), 32);
    assert!(!data.join("master.key").exists(), "no second key beside the database");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // A key and a key file at once is ambiguous: refused.
    let out = cartwire(dir.path())
        .args(["migrate", "--master-key-file"])
        .arg(&key)
        .env("CARTWIRE_MASTER_KEY", &text)
        .env("DATABASE_URL", &url)
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
}

#[tokio::test]
async fn env_credentials_data_dir_database_url_and_key_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("elsewhere");
    let url = support::database_url(dir.path()).await;
    let mut cmd = cartwire(dir.path());
    cmd.arg("migrate").env("CARTWIRE_DATA_DIR", &data).env("DATABASE_URL", &url);
    let out = cmd.output().await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("applied migration 0001_foundation"));
    let out = cartwire(dir.path())
        .arg("migrate")
        .env("CARTWIRE_DATA_DIR", &data)
        .env("DATABASE_URL", &url)
        .output()
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("up to date"));

    let mut cmd = cartwire(dir.path());
    cmd.arg("serve")
        .env("CARTWIRE_LISTEN", "127.0.0.1:0")
        .env("CARTWIRE_DATA_DIR", &data)
        .env("DATABASE_URL", &url)
        .env("CARTWIRE_ADMIN_CLIENT_ID", "AUTOMATION")
        .env("CARTWIRE_ADMIN_CLIENT_SECRET", "automation-secret");
    let server = start(cmd).await;
    assert_eq!(value_after(&server.printed, "client_id:").as_deref(), Some("AUTOMATION"));
    assert!(data.join("master.key").exists());
    assert!(!dir.path().join("data").exists());
    assert_eq!(token(&server.base, "AUTOMATION", "automation-secret").await, 200);

    // Rotating from the CLI: the running server publishes the new key at once (it reloads on
    // an unknown kid).
    let out = cartwire(dir.path())
        .args(["admin", "rotate-signing-key"])
        .env("CARTWIRE_DATA_DIR", &data)
        .env("DATABASE_URL", &url)
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let kid = stdout.split("new signing key ").nth(1).unwrap().split(';').next().unwrap().trim();
    let jwk: Value = reqwest::get(format!("{}/oauth/certs/{kid}", server.base)).await.unwrap().json().await.unwrap();
    assert_eq!(jwk["kid"], kid);
}

#[tokio::test]
async fn a_config_file_sets_listen_and_data_dir_and_flags_win() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("cartwire.toml");
    std::fs::write(
        &config,
        "listen = \"127.0.0.1:0\"\ndata_dir = \"from-file\"\npublic_base_url = \"https://shop.example.com/\"\n",
    )
    .unwrap();
    let mut cmd = cartwire(dir.path());
    cmd.args(["--config", config.to_str().unwrap(), "serve"]);
    let server = start(cmd).await;
    assert!(dir.path().join("from-file/cartwire.db").exists());
    assert!(
        server.printed.iter().any(|l| l.contains("public base URL https://shop.example.com,")),
        "{:?}",
        server.printed
    );
    drop(server);

    let mut cmd = cartwire(dir.path());
    cmd.args(["--config", config.to_str().unwrap(), "--data-dir", "from-flag", "serve"]);
    let server = start(cmd).await;
    assert!(dir.path().join("from-flag/cartwire.db").exists(), "the flag wins over the file");
    drop(server);

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "listen = 5\n").unwrap();
    let out = cartwire(dir.path()).args(["--config", bad.to_str().unwrap(), "serve"]).output().await.unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("parsing config file"));
}

#[tokio::test]
async fn the_cli_issues_lists_and_revokes_tokens_and_api_keys_through_the_operator_api() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = cartwire(dir.path());
    cmd.args(["serve", "--listen", "127.0.0.1:0"])
        .env("CARTWIRE_ADMIN_CLIENT_ID", "CLI-ADMIN")
        .env("CARTWIRE_ADMIN_CLIENT_SECRET", "cli-secret");
    let server = start(cmd).await;
    let admin = |args: &[&str]| {
        let mut c = cartwire(dir.path());
        c.arg("admin")
            .args(args)
            .args(["--url", &server.base])
            .env("CARTWIRE_ADMIN_CLIENT_ID", "CLI-ADMIN")
            .env("CARTWIRE_ADMIN_CLIENT_SECRET", "cli-secret");
        c
    };
    let run = |mut c: Command| async move {
        let out = c.output().await.unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if text.trim().is_empty() { Value::Null } else { serde_json::from_str::<Value>(&text).unwrap() }
    };
    let created =
        run(admin(&["tokens", "create", "--kind", "public", "--name", "shop", "--domain", "*.shop.example"])).await;
    assert_eq!(created["kind"], "public");
    assert_eq!(created["allowed_domains"], serde_json::json!(["*.shop.example"]));
    let secret = created["token"].as_str().unwrap();
    let res = reqwest::Client::new()
        .get(format!("{}/api/orders?bearer_token={secret}", server.base))
        .header("origin", "https://www.shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the issued token works");
    let listed = run(admin(&["tokens", "list"])).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    run(admin(&["tokens", "revoke", created["id"].as_str().unwrap()])).await;
    assert_eq!(run(admin(&["tokens", "list"])).await["data"], serde_json::json!([]));

    let key = run(admin(&["api-keys", "create", "--name", "sync"])).await;
    assert!(key["key"].as_str().is_some_and(|k| k.len() > 20));
    assert_eq!(run(admin(&["api-keys", "list"])).await["data"][0]["name"], "sync");
    let out = admin(&["tokens", "create", "--kind", "secret", "--name", "x"]).output().await.unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("kind must be public or private"));
}

#[tokio::test]
async fn metrics_are_served_to_full_access_callers_in_prometheus_format() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = cartwire(dir.path());
    cmd.args(["serve", "--listen", "127.0.0.1:0"])
        .env("CARTWIRE_ADMIN_CLIENT_ID", "M-ADMIN")
        .env("CARTWIRE_ADMIN_CLIENT_SECRET", "m-secret");
    let server = start(cmd).await;
    assert_eq!(token(&server.base, "M-ADMIN", "m-secret").await, 200);
    let http = reqwest::Client::new();
    let res = http
        .post(format!("{}/oauth/token", server.base))
        .form(&[("grant_type", "client_credentials"), ("client_id", "M-ADMIN"), ("client_secret", "m-secret")])
        .send()
        .await
        .unwrap();
    let admin = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        http.get(format!("{}/v1/apiclients", server.base)).bearer_auth(&admin).send().await.unwrap().status(),
        200
    );
    assert_eq!(http.get(format!("{}/metrics", server.base)).send().await.unwrap().status(), 401);
    let res = http.get(format!("{}/metrics", server.base)).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(
        text.contains(r#"cartwire_http_requests_total{method="GET",route="/v1/apiclients",status="200"}"#),
        "{text}"
    );
    assert!(text.contains("cartwire_http_request_seconds"), "{text}");
}
