//! cartwire's store.
//!
//! One API over SQLite (embedded, the default) and PostgreSQL (production, several nodes on one
//! database). Repositories are written once, in the SQL both engines accept (`$n` placeholders,
//! `TEXT` timestamps in RFC 3339, JSON as `TEXT`), through the store's own thin query layer
//! ([`sql`]); each engine runs it natively: SQLite through rusqlite on the calling thread with
//! one writer and group commit ([`sqlite`]), PostgreSQL through sqlx's driver ([`pg`]). Each use
//! case runs in one [`Tx`]: the business rows and the outbox events they cause commit together
//! or not at all.

pub mod access_keys;
pub mod addresses;
pub mod api_clients;
pub mod approval_rules;
pub mod buyers;
pub mod callouts;
pub mod catalog;
mod codec;
pub mod connections;
pub mod customers;
pub mod deliveries;
pub mod deployment;
pub mod error;
pub mod integration_events;
pub mod integrations;
mod migrate;
pub mod orders;
pub mod outbox;
pub mod pages;
mod pg;
pub mod raw;
pub mod refresh_tokens;
pub mod returns;
pub mod scratch;
pub mod sealer;
pub mod security_profiles;
pub mod signing_keys;
mod sql;
mod sqlite;
pub mod sso;
pub mod users;

pub use error::StoreError;
pub use sealer::Sealer;
pub use sqlite::CommitStats;

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

#[derive(Clone)]
enum Engine {
    Sqlite(Arc<sqlite::Sqlite>),
    /// The main pool, a small one whose commits do not wait for the WAL flush (see
    /// [`Store::begin_relaxed`]), and the breaker that refuses work while the server is gone.
    Postgres(sqlx::PgPool, sqlx::PgPool, Arc<pg::Breaker>),
}

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    engine: Engine,
    sealer: Arc<Sealer>,
    wakeup: Arc<tokio::sync::Notify>,
    url: Arc<str>,
    /// When this node last sent `NOTIFY cartwire_deliveries` (epoch ms).
    last_notify: Arc<std::sync::atomic::AtomicI64>,
}

/// Least gap between two of this node's `NOTIFY cartwire_deliveries`. The local dispatcher is
/// woken in-process on every commit that creates deliveries, and any node may claim any
/// delivery, so the notification only spreads work to the other nodes: one per few
/// milliseconds does that, while one per commit costs PostgreSQL a global lock at each commit
/// and every listener a wake-up.
const NOTIFY_GAP_MS: i64 = 5;

/// PostgreSQL connections per node: enough for the request handlers' short transactions and
/// statements (a request holds one for a round trip or a few), few enough that three
/// nodes (24 + the dispatcher's 4 + one listener each) fit one server's default
/// `max_connections` (100).
const PG_CONNECTIONS: u32 = 24;

/// The longest a unit of work waits for a PostgreSQL connection before it is refused with
/// [`StoreError::Unavailable`] (a 503 with `Retry-After`): a request that cannot get one in
/// that time is better answered than queued, and it bounds the wait of the first requests
/// of an outage, before the breaker opens.
const PG_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`), with `sealer` for secrets at rest.
    /// Does not migrate: call [`Store::migrate`]. Call inside a Tokio runtime.
    pub async fn connect(url: &str, sealer: Sealer) -> Result<Self, StoreError> {
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite(sqlite::Sqlite::open(url)?)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let main = sqlx::postgres::PgPoolOptions::new()
                .max_connections(PG_CONNECTIONS)
                .acquire_timeout(PG_ACQUIRE_TIMEOUT)
                .connect(url)
                .await?;
            let relaxed = sqlx::postgres::PgPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(PG_ACQUIRE_TIMEOUT)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        sqlx::Executor::execute(conn, "SET synchronous_commit = off").await?;
                        Ok(())
                    })
                })
                .connect_lazy(url)?;
            Engine::Postgres(main, relaxed, pg::Breaker::new(url))
        } else {
            return Err(StoreError::Config(format!(
                "unsupported database URL scheme in '{}': use sqlite:// or postgres://",
                url.split(':').next().unwrap_or("")
            )));
        };
        Ok(Self {
            engine,
            sealer: Arc::new(sealer),
            wakeup: Arc::new(tokio::sync::Notify::new()),
            url: url.into(),
            last_notify: Arc::new(std::sync::atomic::AtomicI64::new(0)),
        })
    }

    /// Applies every migration not yet applied (safe to run from several nodes at once).
    pub async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        match &self.engine {
            Engine::Sqlite(db) => db.with_writer(migrate::run_sqlite).await,
            Engine::Postgres(pool, ..) => migrate::run_postgres(pool).await,
        }
    }

    /// The engine behind the store.
    pub fn backend(&self) -> Backend {
        match self.engine {
            Engine::Sqlite(_) => Backend::Sqlite,
            Engine::Postgres(..) => Backend::Postgres,
        }
    }

    fn tx(&self, conn: Conn) -> Tx {
        Tx {
            conn,
            sealer: self.sealer.clone(),
            backend: self.backend(),
            wakeup: self.wakeup.clone(),
            new_deliveries: 0,
            notified: false,
            last_notify: self.last_notify.clone(),
        }
    }

    /// Starts a unit of work that may write. On SQLite units queue, in order, for the one
    /// writer and share a group commit (see [`sqlite`]); the unit's own writes roll back alone
    /// if it fails or is dropped.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let conn = match &self.engine {
            Engine::Sqlite(db) => Conn::SqliteWrite(db.begin().await?),
            Engine::Postgres(pool, _, breaker) => Conn::transaction(pool, breaker).await?,
        };
        Ok(self.tx(conn))
    }

    /// Starts a unit of work whose loss in a crash is harmless because it is repeated: the
    /// dispatcher's claims and attempt records (a lost claim is claimed again when its lease
    /// would have expired; a lost record means the delivery is sent again — at-least-once).
    /// On PostgreSQL its COMMIT does not wait for the WAL flush (`synchronous_commit = off`:
    /// the commit is still atomic and ordered, only the last few milliseconds before a crash
    /// may be lost); on SQLite it joins the group commit like any unit.
    pub async fn begin_relaxed(&self) -> Result<Tx, StoreError> {
        let conn = match &self.engine {
            Engine::Sqlite(db) => Conn::SqliteWrite(db.begin().await?),
            Engine::Postgres(_, relaxed, breaker) => Conn::transaction(relaxed, breaker).await?,
        };
        Ok(self.tx(conn))
    }

    /// Starts a read-only unit of work that sees committed state. On SQLite it neither
    /// queues behind writers nor takes the write lock, sees one snapshot, and writing through
    /// it fails. On PostgreSQL its statements run without BEGIN/COMMIT: under READ COMMITTED
    /// a transaction would give each statement its own snapshot anyway, so wrapping reads in
    /// one only costs two round trips.
    pub async fn read(&self) -> Result<Tx, StoreError> {
        let conn = match &self.engine {
            Engine::Sqlite(db) => Conn::SqliteRead(db.read().await?),
            Engine::Postgres(pool, _, breaker) => Conn::autocommit(pool, breaker).await?,
        };
        Ok(self.tx(conn))
    }

    /// A read-only unit of work for the dispatcher: like [`Store::read`], but on PostgreSQL
    /// from the dispatcher's own small pool, so that delivery does not queue behind request
    /// handlers for a connection when ingest keeps the main pool busy.
    pub async fn read_for_delivery(&self) -> Result<Tx, StoreError> {
        match &self.engine {
            Engine::Sqlite(_) => self.read().await,
            Engine::Postgres(_, relaxed, breaker) => Ok(self.tx(Conn::autocommit(relaxed, breaker).await?)),
        }
    }

    /// Inserts an order with the events it causes (and their deliveries), atomically. On
    /// PostgreSQL with one event this is a single statement outside any explicit transaction
    /// (one round trip instead of four: a statement is atomic by itself); otherwise it is a
    /// unit of work like any other. [`StoreError::Unique`] when the id or short id is taken.
    pub async fn insert_order_with_events(
        &self,
        order: &cartwire_domain::order::Order,
        events: &[cartwire_domain::event::NewEvent],
    ) -> Result<(), StoreError> {
        if let (Engine::Postgres(pool, _, breaker), [event]) = (&self.engine, events) {
            let mut tx = self.tx(Conn::autocommit(pool, breaker).await?);
            let now = time::OffsetDateTime::now_utc();
            let created = tx.event_statement_pg(Some(orders::order_insert(order)), event, now).await?;
            if created > 0 {
                self.wakeup.notify_one();
            }
            return Ok(());
        }
        let mut tx = self.begin().await?;
        tx.insert_order(order).await?;
        tx.append_events(events).await?;
        tx.commit().await
    }

    /// Signalled after a commit that created deliveries on this node (other nodes learn of
    /// them through PostgreSQL `NOTIFY cartwire_deliveries`, or by polling).
    pub fn delivery_wakeup(&self) -> Arc<tokio::sync::Notify> {
        self.wakeup.clone()
    }

    /// Forwards PostgreSQL's `NOTIFY cartwire_deliveries` (sent by any node's commits) to
    /// [`Store::delivery_wakeup`] until the process ends. Does nothing on SQLite (one node).
    pub async fn forward_delivery_notifications(&self) -> Result<(), StoreError> {
        if self.backend() != Backend::Postgres {
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

    /// SQLite's group-commit counters (None on PostgreSQL, which commits per transaction).
    pub fn commit_stats(&self) -> Option<CommitStats> {
        match &self.engine {
            Engine::Sqlite(db) => Some(db.stats()),
            Engine::Postgres(..) => None,
        }
    }

    /// Checks that the database answers and can take writes: no write was refused for want of
    /// it in the last 5 s (a full disk leaves reads working, so a read alone would call a node
    /// ready that refuses its orders), and on PostgreSQL the server is neither a standby nor
    /// read-only for this database (as after a fail-over to a replica).
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut tx = self.read().await?;
        let read_only = match &self.engine {
            Engine::Sqlite(_) => sql::query_scalar::<i64>("SELECT 0").fetch_one(tx.conn()).await?,
            Engine::Postgres(..) => {
                sql::query_scalar::<i64>(
                    "SELECT CASE WHEN pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on' \
                     THEN 1 ELSE 0 END::int8",
                )
                .fetch_one(tx.conn())
                .await?
            }
        };
        tx.commit().await?;
        if read_only != 0 {
            return Err(StoreError::ReadOnly("the database is a standby or read-only".into()));
        }
        let refused = match &self.engine {
            Engine::Sqlite(db) => db.writes_failing(),
            Engine::Postgres(_, _, breaker) => breaker.refusing(),
        };
        if refused {
            return Err(StoreError::Unavailable(
                "the database refused work in the last 5 s (is the disk full?)".into(),
            ));
        }
        Ok(())
    }

    /// Closes the pool (PostgreSQL) or commits what is pending (SQLite).
    pub async fn close(&self) {
        match &self.engine {
            Engine::Sqlite(db) => {
                let _ = db.with_writer(|_| Ok(())).await;
            }
            Engine::Postgres(pool, relaxed, _) => {
                pool.close().await;
                relaxed.close().await;
            }
        }
    }
}

/// The connection a unit of work runs on.
pub(crate) enum Conn {
    SqliteWrite(sqlite::WriteUnit),
    SqliteRead(sqlite::ReadLease),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>, Arc<pg::Breaker>),
    /// A pooled connection without an explicit transaction: reads, and the single-statement
    /// order create (a statement is atomic by itself).
    PostgresAutocommit(sqlx::pool::PoolConnection<sqlx::Postgres>, Arc<pg::Breaker>),
}

impl Conn {
    /// A PostgreSQL transaction, refused at once while `breaker` is open.
    async fn transaction(pool: &sqlx::PgPool, breaker: &Arc<pg::Breaker>) -> Result<Self, StoreError> {
        breaker.check()?;
        let tx = breaker.note(pool.begin().await.map_err(StoreError::from))?;
        Ok(Conn::Postgres(tx, breaker.clone()))
    }

    /// A pooled PostgreSQL connection, refused at once while `breaker` is open.
    async fn autocommit(pool: &sqlx::PgPool, breaker: &Arc<pg::Breaker>) -> Result<Self, StoreError> {
        breaker.check()?;
        let conn = breaker.note(pool.acquire().await.map_err(StoreError::from))?;
        Ok(Conn::PostgresAutocommit(conn, breaker.clone()))
    }

    /// Runs one statement; SQLite's run on this thread, PostgreSQL's over the connection.
    pub(crate) async fn run(&mut self, q: sql::Query, want_rows: bool) -> Result<(u64, Vec<sql::Row>), StoreError> {
        match self {
            Conn::SqliteWrite(unit) => {
                let r = sqlite::run(unit.conn(), &q, want_rows);
                if let Err(StoreError::Unavailable(_)) = &r {
                    unit.note_write_failure();
                }
                r
            }
            Conn::SqliteRead(lease) => sqlite::run(lease.conn(), &q, want_rows),
            Conn::Postgres(tx, breaker) => breaker.note(pg::run(tx, q, want_rows).await),
            Conn::PostgresAutocommit(conn, breaker) => breaker.note(pg::run(conn, q, want_rows).await),
        }
    }
}

/// One unit of work. Dropping it without [`Tx::commit`] rolls everything back.
pub struct Tx {
    conn: Conn,
    sealer: Arc<Sealer>,
    backend: Backend,
    wakeup: Arc<tokio::sync::Notify>,
    new_deliveries: usize,
    /// PostgreSQL: a statement of this unit already sent `NOTIFY cartwire_deliveries`.
    notified: bool,
    last_notify: Arc<std::sync::atomic::AtomicI64>,
}

/// The PostgreSQL channel that announces new deliveries to every node.
pub const DELIVERY_CHANNEL: &str = "cartwire_deliveries";

impl Tx {
    /// Commits every write of the unit, events and deliveries included, then wakes the
    /// dispatcher when there is new work. Returns once the writes are durable.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        if self.new_deliveries > 0 && self.backend == Backend::Postgres && !self.notified && self.notify_due() {
            // Delivered to listeners only if and when the transaction commits.
            sql::query("SELECT pg_notify($1, '')").bind(DELIVERY_CHANNEL).execute(self.conn()).await?;
        }
        let wake = self.new_deliveries > 0;
        let wakeup = self.wakeup.clone();
        match self.conn {
            Conn::SqliteWrite(unit) => unit.commit().await?,
            Conn::SqliteRead(_) | Conn::PostgresAutocommit(..) => {}
            Conn::Postgres(tx, breaker) => breaker.note(tx.commit().await.map_err(StoreError::from))?,
        }
        if wake {
            wakeup.notify_one();
        }
        Ok(())
    }

    /// Whether this unit should tell the other nodes about its deliveries (at most one
    /// notification per [`NOTIFY_GAP_MS`] per node); claims the slot when it should.
    pub(crate) fn notify_due(&self) -> bool {
        use std::sync::atomic::Ordering;
        let now = crate::codec::epoch_ms(time::OffsetDateTime::now_utc());
        let last = self.last_notify.load(Ordering::Relaxed);
        now - last >= NOTIFY_GAP_MS
            && self.last_notify.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
    }

    pub(crate) fn conn(&mut self) -> &mut Conn {
        &mut self.conn
    }
}
