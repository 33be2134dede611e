//! `cartwire serve` as a child process, the way an operator runs it: the binary under test, its
//! own data directory, a database URL, flags. Used by the tests that kill, restart or run
//! several nodes (reliability, soak).

#![allow(dead_code)]

use serde_json::Value;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const ADMIN: &str = "CRASH-ADMIN";
pub const SECRET: &str = "crash-admin-secret";

/// Every node of a cluster shares the master key that seals stored secrets.
pub const CLUSTER_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts a node and waits until it listens, or says why it did not (it exited first, or
/// did not listen within 60 s). `cluster_key` makes it one of several nodes behind one load
/// balancer (shared master key and public base URL, the JWT audience); `stderr_log` keeps its
/// log out of the test's output.
pub async fn try_spawn(
    dir: &Path,
    db: &str,
    port: u16,
    cluster_key: Option<&str>,
    flags: &[&str],
    stderr_log: Option<&Path>,
) -> Result<Child, String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cartwire"));
    if let Some(k) = cluster_key {
        cmd.env("CARTWIRE_MASTER_KEY", k).env("CARTWIRE_PUBLIC_BASE_URL", "http://cluster.cartwire.test");
    }
    if let Some(path) = stderr_log {
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| e.to_string())?;
        cmd.stderr(Stdio::from(file));
    }
    let mut child = cmd
        .current_dir(dir)
        .arg("serve")
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(flags)
        .env("DATABASE_URL", db)
        .env("CARTWIRE_DATA_DIR", dir.join("data"))
        .env("CARTWIRE_ADMIN_CLIENT_ID", ADMIN)
        .env("CARTWIRE_ADMIN_CLIENT_SECRET", SECRET)
        .env("CARTWIRE_PASSWORD_HASH_COST", "test")
        .env("RUST_LOG", "error")
        .env_remove("CARTWIRE_CONFIG")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let listening = tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.starts_with("cartwire: listening on") {
                return true;
            }
        }
        false
    })
    .await;
    match listening {
        Ok(true) => {
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            Ok(child)
        }
        Ok(false) => Err(format!("exited before listening: {:?}", child.wait().await)),
        Err(_) => Err("did not listen within 60 s".into()),
    }
}

/// [`try_spawn`] that must succeed.
pub async fn spawn(dir: &Path, db: &str, port: u16, cluster_key: Option<&str>, flags: &[&str]) -> Child {
    try_spawn(dir, db, port, cluster_key, flags, None).await.unwrap_or_else(|e| panic!("server: {e}"))
}

/// The bootstrap admin's client-credentials token.
pub async fn token(http: &reqwest::Client, base: &str) -> String {
    let res = http
        .post(format!("{base}/oauth/token"))
        .form(&[("grant_type", "client_credentials"), ("client_id", ADMIN), ("client_secret", SECRET)])
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}
