//! cartwire's store.
//!
//! One API over SQLite (embedded, the default) and PostgreSQL (production, several nodes on one
//! database). Both go through sqlx's `Any` driver with runtime queries written once in the SQL
//! both backends accept (`$n` placeholders, `TEXT` timestamps in RFC 3339, JSON as `TEXT`), so
//! there is one repository code path, not two. Each use case runs in one [`Tx`]: the business
//! rows and the outbox events they cause commit together or not at all.

pub mod approval;
pub mod catalog;
mod codec;
pub mod delivery;
pub mod deployment;
pub mod error;
pub mod identity;
pub mod integration;
mod migrate;
pub mod orders;
pub mod outbox;
pub mod returns;
pub mod sealer;
pub mod shop;
pub mod sso;
pub mod tokens;

pub use error::StoreError;
pub use sealer::Sealer;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, Executor};
use std::sync::Arc;
use std::time::Duration;

/// Which database engine is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file: one node.
    Sqlite,
    /// PostgreSQL: any number of nodes.
    Postgres,
}

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    sealer: Arc<Sealer>,
    wakeup: Arc<tokio::sync::Notify>,
    url: Arc<str>,
    /// SQLite has one writer; queueing writers here, in order, avoids its busy handler's
    /// sleep-and-retry, which turns contention into tail latency of hundreds of milliseconds.
    sqlite_writer: Arc<tokio::sync::Mutex<()>>,
}

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`), with `sealer` for secrets at rest.
    /// Does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &str, sealer: Sealer) -> Result<Self, StoreError> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Config(format!(
                "unsupported database URL scheme in '{}': use sqlite:// or postgres://",
                url.split(':').next().unwrap_or("")
            )));
        };
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
        let pool = match backend {
            Backend::Sqlite => {
                options
                    .max_connections(8)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL lets readers run beside the one writer; the busy timeout makes
                            // writers queue instead of failing; foreign keys are off by default.
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
            Backend::Postgres => options.max_connections(16).connect(url).await?,
        };
        Ok(Self {
            pool,
            backend,
            sealer: Arc::new(sealer),
            wakeup: Arc::new(tokio::sync::Notify::new()),
            url: url.into(),
            sqlite_writer: Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    /// Applies every migration not yet applied (safe to run from several nodes at once).
    pub async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        migrate::run(&self.pool, self.backend).await
    }

    /// The engine behind the store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a transaction. On SQLite, writers queue on an in-process lock and then take the
    /// database's write lock at once (`BEGIN IMMEDIATE`), so none fails or sleeps mid-way; the
    /// busy timeout remains for other processes (the CLI) touching the same file.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let (inner, writer) = match self.backend {
            Backend::Sqlite => {
                let guard = self.sqlite_writer.clone().lock_owned().await;
                (self.pool.begin_with("BEGIN IMMEDIATE").await?, Some(guard))
            }
            Backend::Postgres => (self.pool.begin().await?, None),
        };
        Ok(Tx {
            inner,
            sealer: self.sealer.clone(),
            backend: self.backend,
            wakeup: self.wakeup.clone(),
            new_deliveries: 0,
            _writer: writer,
        })
    }

    /// Starts a read-only unit of work. On SQLite it neither queues behind writers nor takes
    /// the write lock (WAL readers see the last committed state); do not write through it.
    pub async fn read(&self) -> Result<Tx, StoreError> {
        let inner = self.pool.begin().await?;
        Ok(Tx {
            inner,
            sealer: self.sealer.clone(),
            backend: self.backend,
            wakeup: self.wakeup.clone(),
            new_deliveries: 0,
            _writer: None,
        })
    }

    /// Signalled after a commit that created deliveries on this node (other nodes learn of
    /// them through PostgreSQL `NOTIFY cartwire_deliveries`, or by polling).
    pub fn delivery_wakeup(&self) -> Arc<tokio::sync::Notify> {
        self.wakeup.clone()
    }

    /// Forwards PostgreSQL's `NOTIFY cartwire_deliveries` (sent by any node's commits) to
    /// [`Store::delivery_wakeup`] until the process ends. Does nothing on SQLite (one node).
    pub async fn forward_delivery_notifications(&self) -> Result<(), StoreError> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        let mut listener = sqlx::postgres::PgListener::connect(&self.url).await?;
        listener.listen(DELIVERY_CHANNEL).await?;
        let wakeup = self.wakeup.clone();
        tokio::spawn(async move {
            // recv() reconnects by itself after a dropped connection.
            while listener.recv().await.is_ok() {
                wakeup.notify_one();
            }
        });
        Ok(())
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// One unit of work. Dropping it without [`Tx::commit`] rolls everything back.
pub struct Tx {
    inner: sqlx::Transaction<'static, Any>,
    sealer: Arc<Sealer>,
    backend: Backend,
    wakeup: Arc<tokio::sync::Notify>,
    new_deliveries: usize,
    // Released when the transaction ends (commit or drop), after the SQLite write lock is.
    _writer: Option<tokio::sync::OwnedMutexGuard<()>>,
}

/// The PostgreSQL channel that announces new deliveries to every node.
pub const DELIVERY_CHANNEL: &str = "cartwire_deliveries";

impl Tx {
    /// Commits every write of the unit, events and deliveries included, then wakes the
    /// dispatcher when there is new work.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        if self.new_deliveries > 0 && self.backend == Backend::Postgres {
            // Delivered to listeners only if and when the transaction commits.
            sqlx::query("SELECT pg_notify($1, '')").bind(DELIVERY_CHANNEL).execute(self.conn()).await?;
        }
        let wake = self.new_deliveries > 0;
        let wakeup = self.wakeup.clone();
        self.inner.commit().await?;
        if wake {
            wakeup.notify_one();
        }
        Ok(())
    }

    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.inner
    }
}
