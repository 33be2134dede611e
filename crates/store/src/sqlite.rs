//! The SQLite engine: one write connection with group commit, and a small pool of readers.
//!
//! SQLite has one writer. Every write unit of work (a [`crate::Tx`] from `Store::begin`) takes
//! the write connection in arrival order (a fair async mutex) and runs inside its own
//! `SAVEPOINT` of a transaction that several units share: a unit that fails rolls back to its
//! savepoint alone, and its neighbours are untouched. Statements run on the caller's thread
//! (rusqlite, prepared-statement cache), so a request costs no thread hand-off per statement.
//!
//! The shared transaction is committed by the committer task: a finished unit asks for a
//! commit and waits; the committer queues for the connection behind the units already waiting,
//! so when its turn comes every one of them has joined, and one `COMMIT` (one fsync of the
//! write-ahead log, on a blocking thread) makes the whole group durable. Only then is each
//! caller answered, so a 2xx still means "on disk" (`synchronous = FULL`). Units that arrive
//! during the fsync form the next group. Under load a group holds many units and the fsync is
//! shared; when idle a group is one unit and the latency is one commit. The write-ahead log
//! is checkpointed by the committer after it has answered the group (not inside COMMIT, where
//! SQLite's automatic checkpoint would make the group's callers wait for it).
//!
//! Readers are separate connections (`query_only`) reading the last committed state of the
//! write-ahead log; they never wait for the writer.

use crate::StoreError;
use crate::sql::{Arg, Cell, Query, Row};
use rusqlite::types::ValueRef;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicI32, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, OwnedMutexGuard, OwnedSemaphorePermit, Semaphore, watch};

/// Readers kept open at most; more readers wait for one to be free.
const READERS: usize = 4;

/// How many failed group commits are remembered for the units that were waiting on them.
const FAILURES_KEPT: usize = 64;

/// The write connection and the shared transaction's state.
pub(crate) struct Writer {
    conn: rusqlite::Connection,
    /// Whether a shared transaction is open.
    open: bool,
    /// Number of the current (or next) group; increases by one per commit.
    generation: u64,
    /// Units released into the open group.
    units: u64,
    /// Pages in the write-ahead log after the last commit (set by the connection's WAL hook).
    wal_pages: Arc<AtomicI32>,
}

/// Pages in the write-ahead log from which a commit is followed by a checkpoint: SQLite's
/// own auto-checkpoint threshold (about 4 MB), which this replaces.
const CHECKPOINT_PAGES: i32 = 1000;

/// Copies the log back into the database file once it holds [`CHECKPOINT_PAGES`] pages.
/// PASSIVE: it never waits for readers, and what it cannot copy now the next one does. It
/// runs on the writer between groups (as SQLite's automatic checkpoint would inside the
/// COMMIT), so the next group starts on a log that can be rewound to its beginning.
fn checkpoint_when_due(w: &Writer) {
    if w.wal_pages.load(Ordering::Relaxed) < CHECKPOINT_PAGES {
        return;
    }
    match w.conn.wal_checkpoint_v2(None::<&str>, rusqlite::wal::CheckpointMode::PASSIVE) {
        Ok(_) => w.wal_pages.store(0, Ordering::Relaxed),
        // Busy (another process checkpointing) or an I/O error: the next commit tries again.
        Err(e) => tracing::debug!(error = %e, "SQLite checkpoint deferred"),
    }
}

/// How long readiness reports a write refused for want of the database.
pub(crate) const WRITE_FAILURE_MEMORY_MS: i64 = 5_000;

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// The engine: the writer, the committer's signals, and the reader pool.
pub(crate) struct Sqlite {
    writer: Arc<tokio::sync::Mutex<Writer>>,
    commit_requested: Arc<Notify>,
    /// The last generation whose COMMIT has finished (successfully or not).
    committed: watch::Sender<u64>,
    failures: Mutex<VecDeque<(u64, String)>>,
    readers: Mutex<Vec<rusqlite::Connection>>,
    reader_permits: Arc<Semaphore>,
    path: String,
    groups: AtomicU64,
    units: AtomicU64,
    /// When (ms since the epoch; 0: never) a write last failed for want of the database (a
    /// full disk, an I/O error). Readiness reports it for [`WRITE_FAILURE_MEMORY_MS`]: a
    /// success does not clear it, since on a full disk small writes can still fit in space
    /// the log already holds while an order's cannot.
    last_write_failure: AtomicI64,
}

/// What group commit has done since the store opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CommitStats {
    /// `COMMIT`s of a group with at least one unit (each one fsync).
    pub groups: u64,
    /// Units that committed through them.
    pub units: u64,
}

/// Parses `sqlite://path?mode=rwc` (and `sqlite:path`) into the file path and whether a
/// missing file may be created.
fn parse_url(url: &str) -> Result<(String, bool), StoreError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| StoreError::Config(format!("not an SQLite URL: {url}")))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() {
        return Err(StoreError::Config("the SQLite URL names no file".into()));
    }
    let create = query.split('&').any(|kv| kv == "mode=rwc");
    Ok((path.to_owned(), create))
}

fn open_connection(path: &str, create: bool, writer: bool) -> Result<rusqlite::Connection, StoreError> {
    use rusqlite::OpenFlags;
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = rusqlite::Connection::open_with_flags(path, flags)?;
    // Query planner stability: without it SQLite (since 3.47) re-prepares a statement each
    // time a new value is bound to its `LIMIT $n` or a compared parameter, and the dispatcher's
    // claim binds a different window nearly every round (a parse and plan per claim).
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    // WAL lets readers run beside the one writer. FULL makes every COMMIT fsync the log, which
    // is what a 2xx promises; group commit shares that fsync between the group's units. The
    // busy timeout is for other processes (the CLI) touching the same file.
    // Savepoints keep a sub-journal of the pages a unit changes: in memory, not a temp file.
    // The page caches (heap, bounded) keep hot B-tree pages out of read(2) calls.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000; \
         PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;",
    )?;
    if writer {
        conn.execute_batch("PRAGMA cache_size = -24576;")?;
    } else {
        conn.execute_batch("PRAGMA query_only = 1; PRAGMA cache_size = -4096;")?;
    }
    conn.set_prepared_statement_cache_capacity(256);
    Ok(conn)
}

impl Sqlite {
    /// Opens the database file and starts the committer task (call inside a Tokio runtime).
    pub(crate) fn open(url: &str) -> Result<Arc<Self>, StoreError> {
        let (path, create) = parse_url(url)?;
        let mut conn = open_connection(&path, create, true)?;
        // A WAL hook replaces SQLite's automatic checkpoint, which would run inside COMMIT
        // while the group's callers wait; see `checkpoint_when_due`.
        let wal_pages = Arc::new(AtomicI32::new(0));
        let pages = wal_pages.clone();
        conn.wal_hook(Some(move |_: &mut rusqlite::hooks::Wal, n: std::ffi::c_int| {
            pages.store(n, Ordering::Relaxed);
            Ok(())
        }))?;
        let engine = Arc::new(Self {
            writer: Arc::new(tokio::sync::Mutex::new(Writer { conn, open: false, generation: 1, units: 0, wal_pages })),
            commit_requested: Arc::new(Notify::new()),
            committed: watch::Sender::new(0),
            failures: Mutex::new(VecDeque::new()),
            readers: Mutex::new(Vec::new()),
            reader_permits: Arc::new(Semaphore::new(READERS)),
            path,
            groups: AtomicU64::new(0),
            units: AtomicU64::new(0),
            last_write_failure: AtomicI64::new(0),
        });
        let committer = Arc::downgrade(&engine);
        let requested = engine.commit_requested.clone();
        tokio::spawn(async move {
            loop {
                requested.notified().await;
                let Some(engine) = committer.upgrade() else { return };
                engine.commit_group().await;
            }
        });
        Ok(engine)
    }

    /// Runs `f` on the write connection outside any group (migrations), committing any open
    /// group first.
    pub(crate) async fn with_writer<T>(
        self: &Arc<Self>,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.commit_group().await;
        let w = self.writer.lock().await;
        f(&w.conn)
    }

    /// Remembers that a write failed for want of the database.
    fn note_write_failure(&self) {
        self.last_write_failure.store(now_ms(), Ordering::Relaxed);
    }

    /// Whether a write failed for want of the database within the last
    /// [`WRITE_FAILURE_MEMORY_MS`].
    pub(crate) fn writes_failing(&self) -> bool {
        let at = self.last_write_failure.load(Ordering::Relaxed);
        at != 0 && now_ms() - at < WRITE_FAILURE_MEMORY_MS
    }

    /// Group commit's counters.
    pub(crate) fn stats(&self) -> CommitStats {
        CommitStats { groups: self.groups.load(Ordering::Relaxed), units: self.units.load(Ordering::Relaxed) }
    }

    /// Commits the open group, if any, and tells its units how it went.
    async fn commit_group(self: &Arc<Self>) {
        let mut w = self.writer.clone().lock_owned().await;
        if !w.open {
            return;
        }
        let generation = w.generation;
        let units = std::mem::take(&mut w.units);
        // The fsync runs on a blocking thread, with the connection (and so the write lock)
        // moved there, so the runtime's workers keep serving requests and readers meanwhile.
        let engine = self.clone();
        let finished = tokio::task::spawn_blocking(move || {
            let r = w.conn.execute_batch("COMMIT");
            if r.is_err() {
                let _ = w.conn.execute_batch("ROLLBACK");
            }
            w.open = false;
            w.generation += 1;
            // The group's callers are answered before the log is checkpointed: the
            // checkpoint is upkeep, not part of what they wait for.
            engine.finish_group(generation, units, r.as_ref().err().map(ToString::to_string));
            if r.is_ok() {
                checkpoint_when_due(&w);
            }
            drop(w);
        })
        .await;
        if let Err(e) = finished {
            self.finish_group(generation, units, Some(format!("the commit thread failed: {e}")));
        }
    }

    /// Records how group `generation` ended and wakes its units.
    fn finish_group(&self, generation: u64, units: u64, failure: Option<String>) {
        if *self.committed.borrow() >= generation {
            return;
        }
        if failure.is_none() && units > 0 {
            self.groups.fetch_add(1, Ordering::Relaxed);
            self.units.fetch_add(units, Ordering::Relaxed);
        }
        if let Some(msg) = failure {
            self.note_write_failure();
            tracing::error!(generation, error = %msg, "SQLite group commit failed");
            let mut f = self.failures.lock().expect("failure list");
            if f.len() == FAILURES_KEPT {
                f.pop_front();
            }
            f.push_back((generation, msg));
        }
        self.committed.send_replace(generation);
    }

    /// Starts a write unit: waits for the write connection, opens the group's transaction if
    /// this unit is the group's first, and sets the unit's savepoint.
    pub(crate) async fn begin(self: &Arc<Self>) -> Result<WriteUnit, StoreError> {
        let mut w = self.writer.clone().lock_owned().await;
        if !w.open {
            if let Err(e) = w.conn.execute_batch("BEGIN IMMEDIATE") {
                let e = StoreError::from(e);
                if matches!(e, StoreError::Unavailable(_)) {
                    self.note_write_failure();
                }
                return Err(e);
            }
            w.open = true;
        }
        if let Err(e) = w.conn.execute_batch("SAVEPOINT unit") {
            drop(w);
            self.commit_requested.notify_one();
            return Err(e.into());
        }
        Ok(WriteUnit { writer: Some(w), engine: self.clone() })
    }

    /// Takes a reader (opening one if none is idle) inside a read transaction, so that every
    /// statement of the unit sees the same committed state.
    pub(crate) async fn read(self: &Arc<Self>) -> Result<ReadLease, StoreError> {
        let permit = self.reader_permits.clone().acquire_owned().await.expect("the reader semaphore is never closed");
        let idle = self.readers.lock().expect("reader pool").pop();
        let conn = match idle {
            Some(c) => c,
            None => open_connection(&self.path, false, false)?,
        };
        conn.execute_batch("BEGIN")?;
        Ok(ReadLease { conn: Some(conn), engine: self.clone(), _permit: permit })
    }

    fn failure_of(&self, generation: u64) -> Option<String> {
        self.failures.lock().expect("failure list").iter().find(|(g, _)| *g == generation).map(|(_, m)| m.clone())
    }
}

/// One write unit of work inside the current group.
pub(crate) struct WriteUnit {
    writer: Option<OwnedMutexGuard<Writer>>,
    engine: Arc<Sqlite>,
}

impl WriteUnit {
    pub(crate) fn conn(&self) -> &rusqlite::Connection {
        &self.writer.as_ref().expect("a live unit holds the writer").conn
    }

    /// A statement of this unit failed for want of the database (a full disk, an I/O
    /// error): readiness reports it until a group commit succeeds.
    pub(crate) fn note_write_failure(&self) {
        self.engine.note_write_failure();
    }

    /// Ends the unit successfully and waits until its group's COMMIT is on disk.
    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        let mut w = self.writer.take().expect("a live unit holds the writer");
        if let Err(e) = w.conn.execute_batch("RELEASE unit") {
            rollback_unit(&w.conn);
            drop(w);
            self.engine.commit_requested.notify_one();
            return Err(e.into());
        }
        w.units += 1;
        let generation = w.generation;
        let mut committed = self.engine.committed.subscribe();
        drop(w);
        self.engine.commit_requested.notify_one();
        // The sender lives as long as the engine, which this unit holds.
        let _ = committed.wait_for(|done| *done >= generation).await;
        match self.engine.failure_of(generation) {
            Some(msg) => Err(StoreError::Unavailable(format!("commit failed: {msg}"))),
            None => Ok(()),
        }
    }
}

fn rollback_unit(conn: &rusqlite::Connection) {
    if let Err(e) = conn.execute_batch("ROLLBACK TO unit; RELEASE unit") {
        tracing::error!(error = %e, "rolling back an SQLite unit failed");
    }
}

impl Drop for WriteUnit {
    fn drop(&mut self) {
        // Not committed: undo this unit only; the group's other units still commit.
        if let Some(w) = self.writer.take() {
            rollback_unit(&w.conn);
            drop(w);
            self.engine.commit_requested.notify_one();
        }
    }
}

/// A reader inside its read transaction; returned to the pool when dropped.
pub(crate) struct ReadLease {
    conn: Option<rusqlite::Connection>,
    engine: Arc<Sqlite>,
    _permit: OwnedSemaphorePermit,
}

impl ReadLease {
    pub(crate) fn conn(&self) -> &rusqlite::Connection {
        self.conn.as_ref().expect("a live lease holds its connection")
    }
}

impl Drop for ReadLease {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            // A reader that cannot end its transaction is closed rather than reused.
            if conn.execute_batch("ROLLBACK").is_ok() {
                self.engine.readers.lock().expect("reader pool").push(conn);
            }
        }
    }
}

/// Runs one statement on `conn`, binding `$n` by its number (a number may appear several
/// times); returns the rows changed and, when asked, the rows.
pub(crate) fn run(conn: &rusqlite::Connection, q: &Query, want_rows: bool) -> Result<(u64, Vec<Row>), StoreError> {
    let sql = numbered(&q.sql);
    let mut stmt = conn.prepare_cached(&sql)?;
    // `?n` is parameter number n itself, so binding is by index: no name lookups (SQLite
    // finds a parameter's name by a linear scan, quadratic over a 5,000-parameter batch).
    for n in 1..=stmt.parameter_count() {
        let arg =
            q.args.get(n - 1).ok_or_else(|| StoreError::Config(format!("no argument bound for ${n} in: {}", q.sql)))?;
        match arg {
            Arg::Text(Some(s)) => stmt.raw_bind_parameter(n, s.as_str())?,
            Arg::Int(Some(v)) => stmt.raw_bind_parameter(n, v)?,
            Arg::Real(Some(v)) => stmt.raw_bind_parameter(n, v)?,
            Arg::Text(None) | Arg::Int(None) | Arg::Real(None) => stmt.raw_bind_parameter(n, rusqlite::types::Null)?,
        }
    }
    let names: Arc<[String]> = if want_rows {
        stmt.column_names().map(str::to_owned).collect::<Vec<_>>().into()
    } else {
        Arc::from(Vec::new())
    };
    let width = names.len();
    let mut out = Vec::new();
    let mut rows = stmt.raw_query();
    while let Some(r) = rows.next()? {
        if !want_rows {
            continue;
        }
        let mut cells = Vec::with_capacity(width);
        for i in 0..width {
            cells.push(match r.get_ref(i)? {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(v) => Cell::Int(v),
                ValueRef::Real(v) => Cell::Real(v),
                ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Cell::Text(String::from_utf8_lossy(b).into_owned()),
            });
        }
        out.push(Row::new(names.clone(), cells));
    }
    drop(rows);
    Ok((conn.changes(), out))
}

/// The statement with PostgreSQL's `$n` placeholders written as SQLite's `?n` (the same
/// parameter number), leaving quoted text alone (`'$.id'` is a JSON path, not a parameter).
fn numbered(sql: &str) -> std::borrow::Cow<'_, str> {
    if !sql.contains('$') {
        return std::borrow::Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => quoted = !quoted,
            '$' if !quoted && chars.peek().is_some_and(char::is_ascii_digit) => {
                out.push('?');
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_a_file_and_its_mode() {
        assert_eq!(parse_url("sqlite://./data/x.db?mode=rwc").unwrap(), ("./data/x.db".into(), true));
        assert_eq!(parse_url("sqlite:/tmp/x.db").unwrap(), ("/tmp/x.db".into(), false));
        assert!(parse_url("sqlite://").is_err());
        assert!(parse_url("postgres://x").is_err());
    }

    #[test]
    fn placeholders_become_numbered_parameters_outside_quotes() {
        assert_eq!(
            numbered("SELECT a FROM t WHERE b = $1 AND c IN ($12, $1)"),
            "SELECT a FROM t WHERE b = ?1 AND c IN (?12, ?1)"
        );
        assert_eq!(
            numbered("SELECT json_extract(x, '$.id'), '$1' FROM t WHERE y = $2"),
            "SELECT json_extract(x, '$.id'), '$1' FROM t WHERE y = ?2"
        );
        assert_eq!(numbered("SELECT 1"), "SELECT 1");
    }

    #[test]
    fn a_parameter_binds_by_its_number_wherever_it_appears() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let q = crate::sql::query("SELECT $2 || '-' || $1 || '-' || $2 AS v").bind("a").bind("b");
        let (_, rows) = run(&conn, &q, true).unwrap();
        assert_eq!(rows[0].get::<String>("v").unwrap(), "b-a-b");
        let missing = crate::sql::query("SELECT $2 AS v").bind("a");
        assert!(run(&conn, &missing, true).is_err());
    }
}
