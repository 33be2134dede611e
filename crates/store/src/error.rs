//! The store's error type. Each engine's errors are mapped here, once: unique and foreign-key
//! violations by their kind, lost connections and failed commits as [`StoreError::Unavailable`].

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint rejected the write (the id or another unique key exists).
    /// `constraint` names the key the same way on both engines — `table(column, …)`, its
    /// columns in declared order — so a caller tells keys apart by equality with the constants
    /// the resource modules export (e.g. [`crate::users::USERNAME_KEY`]), never by searching an
    /// engine's message.
    #[error("duplicate: {constraint}")]
    Unique {
        /// `table(column, …)`.
        constraint: String,
    },
    /// A foreign key rejected the write: a referenced row is missing, or a referencing row
    /// still exists.
    #[error("reference violated: {0}")]
    Reference(String),
    /// A stored value could not be read back (a bug or a tampered database).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// A sealed secret could not be opened (wrong master key or tampered data).
    #[error("secret cannot be decrypted: {0}")]
    Sealed(String),
    /// The store is misconfigured.
    #[error("configuration: {0}")]
    Config(String),
    /// The database cannot be reached or could not make a write durable; nothing of the unit
    /// was committed.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The database answers but accepts no writes now — a standby after a fail-over, or a
    /// database set read-only (PostgreSQL's SQLSTATE 25006); nothing of the unit was
    /// committed. A 503 like [`StoreError::Unavailable`], but reads still work, so it does not
    /// open PostgreSQL's breaker.
    #[error("database refuses writes: {0}")]
    ReadOnly(String),
    /// Any other database failure.
    #[error("database: {0}")]
    Database(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) => match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => {
                    StoreError::Unique { constraint: postgres_unique_key(db.as_ref()) }
                }
                sqlx::error::ErrorKind::ForeignKeyViolation => StoreError::Reference(db.message().to_owned()),
                _ if db.code().as_deref() == Some("25006") => StoreError::ReadOnly(db.message().to_owned()),
                _ if unavailable_state(db.code().as_deref(), db.message()) => StoreError::Unavailable(e.to_string()),
                _ => StoreError::Database(e.to_string()),
            },
            sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Tls(_) => {
                StoreError::Unavailable(e.to_string())
            }
            _ => StoreError::Database(e.to_string()),
        }
    }
}

/// Whether a PostgreSQL SQLSTATE says the server cannot serve now rather than that the
/// statement was wrong: connection exceptions (08…), an operator or crash shutdown and a
/// server still starting (57P01–57P03), too many connections or no resources (53…), and a
/// database that is not accepting connections (55000 with that message).
fn unavailable_state(code: Option<&str>, message: &str) -> bool {
    match code {
        Some(c) if c.starts_with("08") || c.starts_with("57P") || c.starts_with("53") => true,
        Some("55000") => message.contains("not currently accepting connections"),
        _ => false,
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi;
        if let rusqlite::Error::SqliteFailure(f, msg) = &e {
            let text = msg.clone().unwrap_or_else(|| f.to_string());
            return match f.extended_code {
                ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                    StoreError::Unique { constraint: sqlite_unique_key(&text) }
                }
                ffi::SQLITE_CONSTRAINT_FOREIGNKEY => StoreError::Reference(text),
                _ => match f.code {
                    ffi::ErrorCode::DatabaseBusy
                    | ffi::ErrorCode::DatabaseLocked
                    | ffi::ErrorCode::DiskFull
                    | ffi::ErrorCode::SystemIoFailure
                    | ffi::ErrorCode::CannotOpen => StoreError::Unavailable(text),
                    _ => StoreError::Database(text),
                },
            };
        }
        StoreError::Database(e.to_string())
    }
}

/// `table(a, b)` from SQLite's "UNIQUE constraint failed: table.a, table.b".
fn sqlite_unique_key(message: &str) -> String {
    let columns = message.rsplit_once(": ").map_or(message, |(_, c)| c);
    let mut table = "";
    let names: Vec<&str> = columns
        .split(", ")
        .map(|tc| match tc.split_once('.') {
            Some((t, c)) => {
                table = t;
                c
            }
            None => tc,
        })
        .collect();
    format!("{table}({})", names.join(", "))
}

/// `table(a, b)` from PostgreSQL's table and its detail "Key (a, b)=(…) already exists.".
fn postgres_unique_key(db: &dyn sqlx::error::DatabaseError) -> String {
    let table = db.table().unwrap_or_default();
    let detail = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().and_then(|p| p.detail()).unwrap_or_default();
    let columns = detail.strip_prefix("Key (").and_then(|d| d.split_once(")=(")).map_or("", |(c, _)| c);
    format!("{table}({columns})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_keys_are_named_like_postgres_keys() {
        assert_eq!(sqlite_unique_key("UNIQUE constraint failed: users.username_key"), "users(username_key)");
        assert_eq!(sqlite_unique_key("UNIQUE constraint failed: users.company, users.id"), "users(company, id)");
    }

    #[test]
    fn server_states_that_mean_come_back_later() {
        for code in ["08006", "08001", "57P01", "57P03", "53300"] {
            assert!(unavailable_state(Some(code), ""), "{code}");
        }
        assert!(unavailable_state(Some("55000"), "database \"x\" is not currently accepting connections"));
        assert!(!unavailable_state(Some("55000"), "object not in prerequisite state"));
        assert!(!unavailable_state(Some("23505"), "duplicate key"));
        assert!(!unavailable_state(None, "anything"));
    }
}
