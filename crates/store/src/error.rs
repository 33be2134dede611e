//! The store's error type.

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint rejected the write (the id or another unique key exists).
    #[error("duplicate: {0}")]
    Duplicate(String),
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
    /// Any other database failure.
    #[error(transparent)]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => {
                    return StoreError::Duplicate(db.message().to_owned());
                }
                sqlx::error::ErrorKind::ForeignKeyViolation => {
                    return StoreError::Reference(db.message().to_owned());
                }
                _ => {}
            }
        }
        StoreError::Database(e)
    }
}
