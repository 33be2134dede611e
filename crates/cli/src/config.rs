//! Configuration: built-in defaults, then a TOML file (`--config` / `CARTWIRE_CONFIG`), then
//! environment variables and flags (clap reads both; they win over the file).

use anyhow::{Context, Result, bail};
use base64::Engine;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Settings shared by every command.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// A TOML configuration file (keys: listen, data_dir, database_url, public_base_url,
    /// master_key, master_key_file).
    #[arg(long, env = "CARTWIRE_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Directory for the embedded database and the generated master key.
    #[arg(long, env = "CARTWIRE_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// `sqlite://…` or `postgres://…`; defaults to an SQLite file in the data directory.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Base64 of the 32-byte key that encrypts stored secrets; generated into the data
    /// directory when unset. Every node of one PostgreSQL deployment needs the same key.
    #[arg(long, env = "CARTWIRE_MASTER_KEY", global = true, hide_env_values = true)]
    pub master_key: Option<String>,
    /// A file holding the master key (base64), created with mode 0600 when missing. Keep it
    /// outside the data directory — on another volume, or a secret mount — so that a copy of
    /// the database (a backup, a stolen disk) does not carry the key that unseals its secrets.
    /// Defaults to `master.key` in the data directory.
    #[arg(long, env = "CARTWIRE_MASTER_KEY_FILE", global = true, conflicts_with = "master_key")]
    pub master_key_file: Option<PathBuf>,
}

/// The file's shape.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub public_base_url: Option<String>,
    pub master_key: Option<String>,
    pub master_key_file: Option<PathBuf>,
}

impl FileConfig {
    /// Reads the file named by `path`, if any.
    pub fn load(path: Option<&Path>) -> Result<Self> {
        let Some(path) = path else { return Ok(Self::default()) };
        let text = std::fs::read_to_string(path).with_context(|| format!("reading config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing config file {}", path.display()))
    }
}

/// What the store needs, resolved.
pub struct StoreSettings {
    pub database_url: String,
    pub master_key: [u8; 32],
}

impl Common {
    /// Resolves the data directory, database URL and master key (creating the directory and
    /// the key file on first use).
    pub fn store_settings(&self, file: &FileConfig) -> Result<StoreSettings> {
        let data_dir = self.data_dir.clone().or_else(|| file.data_dir.clone()).unwrap_or_else(|| PathBuf::from("data"));
        let database_url =
            match self.database_url.clone().filter(|u| !u.is_empty()).or_else(|| file.database_url.clone()) {
                Some(url) => url,
                None => {
                    std::fs::create_dir_all(&data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
                    format!("sqlite://{}?mode=rwc", data_dir.join("cartwire.db").display())
                }
            };
        let key_path = self.master_key_file.clone().or_else(|| file.master_key_file.clone());
        let master_key = match (self.master_key.clone().or_else(|| file.master_key.clone()), key_path) {
            (Some(b64), _) => decode_key(&b64).context("CARTWIRE_MASTER_KEY")?,
            (None, Some(path)) => key_file(&path)?,
            (None, None) => key_file(&data_dir.join("master.key"))?,
        };
        Ok(StoreSettings { database_url, master_key })
    }
}

fn decode_key(b64: &str) -> Result<[u8; 32]> {
    let bytes =
        base64::engine::general_purpose::STANDARD.decode(b64.trim()).context("the master key must be base64")?;
    bytes.try_into().map_err(|_| anyhow::anyhow!("the master key must decode to exactly 32 bytes"))
}

/// Reads the master key file at `path`, creating it (mode 0600) on first start.
fn key_file(path: &Path) -> Result<[u8; 32]> {
    if path.exists() {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        return decode_key(&text).with_context(|| format!("{}", path.display()));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let key = cartwire_store::Sealer::generate_key();
    let text = base64::engine::general_purpose::STANDARD.encode(key);
    write_private(path, &text)?;
    Ok(key)
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("creating {}", path.display()))
}

/// Normalises a public base URL: absolute http(s), no trailing slash.
pub fn public_base_url(value: &str) -> Result<String> {
    let v = value.trim().trim_end_matches('/');
    if !(v.starts_with("http://") || v.starts_with("https://")) {
        bail!("the public base URL must start with http:// or https://, got '{value}'");
    }
    Ok(v.to_owned())
}

/// Parses `500ms`, `5s`, `5m`, `2h` or a plain number of seconds.
pub fn duration(value: &str) -> Result<std::time::Duration, String> {
    let v = value.trim();
    let (num, unit) = match v.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => (&v[..i], &v[i..]),
        None => (v, "s"),
    };
    let n: f64 = num.parse().map_err(|_| format!("'{value}' is not a duration like 500ms, 5s, 5m or 2h"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("'{value}' is not a duration like 500ms, 5s, 5m or 2h")),
    };
    Ok(std::time::Duration::from_secs_f64(secs))
}

/// Parses a comma-separated list of durations.
pub fn schedule(value: &str) -> Result<Vec<std::time::Duration>, String> {
    value.split(',').filter(|s| !s.trim().is_empty()).map(duration).collect()
}
