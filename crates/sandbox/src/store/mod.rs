//! The local HMRC's one store: SQLite in WAL mode, one connection per process behind a mutex.
//!
//! Several processes may open the same file (every `mtd` command embeds its own local HMRC over
//! the user's data dir), so anything that must hold across processes lives here, never in memory.

mod migrations;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::Connection;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "the database was written by a newer version (schema {found}, this build knows {known})"
    )]
    TooNew { found: i64, known: i64 },
    #[error("cannot set the database file's permissions: {0}")]
    Io(std::io::Error),
}

#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    /// Extra read-only connections for the hot read paths, so the server's worker threads do
    /// not queue on one lock (WAL lets readers run beside the writer). Empty in memory.
    readers: Vec<Mutex<Connection>>,
}

/// `query_row` through the connection's statement cache, for queries every request runs: parsed
/// once per connection instead of once per call.
pub trait CachedQuery {
    fn query_row_cached<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&rusqlite::Row<'_>) -> Result<T, rusqlite::Error>,
    ) -> Result<T, rusqlite::Error>;
}

impl CachedQuery for Connection {
    fn query_row_cached<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&rusqlite::Row<'_>) -> Result<T, rusqlite::Error>,
    ) -> Result<T, rusqlite::Error> {
        self.prepare_cached(sql)?.query_row(params, f)
    }
}

/// Read connections per store: one per core of the machine kind this is sized for.
const READERS: usize = 2;

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        owner_only(path)?;
        let mut store = Self::prepare(conn)?;
        for _ in 0..READERS {
            let reader =
                Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            reader.busy_timeout(Duration::from_secs(10))?;
            // Reads straight from the mapped file skip a copy and a system call per page.
            reader.pragma_update(None, "mmap_size", 64 * 1024 * 1024)?;
            store.readers.push(Mutex::new(reader));
        }
        Ok(store)
    }

    /// A private in-memory database, for tests and throwaway servers.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::prepare(Connection::open_in_memory()?)
    }

    fn prepare(mut conn: Connection) -> Result<Self, StoreError> {
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        migrations::run(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
            readers: Vec::new(),
        })
    }

    /// The connection, for one short unit of work. Never hold it across an `.await`.
    pub fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (transactions roll
        // back on drop), so a poisoned lock is still safe to use.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A connection for one short read: a free read-only one if there is one. Reads never wait
    /// behind a write (WAL), so a writer stuck on another process's lock does not hold them up.
    /// In memory there is only the main connection.
    pub fn reader(&self) -> MutexGuard<'_, Connection> {
        for r in &self.readers {
            if let Ok(guard) = r.try_lock() {
                return guard;
            }
        }
        match self.readers.first() {
            Some(r) => r.lock().unwrap_or_else(|e| e.into_inner()),
            None => self.conn(),
        }
    }

    /// Runs `f` in an immediate transaction: one writer at a time, across processes too.
    ///
    /// A write may wait (up to the busy timeout) for another process's write, so on a
    /// multi-threaded runtime it tells the runtime it blocks, and other requests go on meanwhile.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, rusqlite::Error>,
    ) -> Result<T, StoreError> {
        let run = || {
            let mut conn = self.conn();
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        };
        let multi_threaded = tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
        if multi_threaded {
            tokio::task::block_in_place(run)
        } else {
            run()
        }
    }
}

/// The database and its WAL files hold hashes of people's secrets: owner-only.
fn owner_only(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            match std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(StoreError::Io(e)),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reopening_keeps_data_and_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hmrc.db");
        {
            let s = Store::open(&path).unwrap();
            s.write(|tx| tx.execute("UPDATE clock SET offset_ms = 42", []))
                .unwrap();
        }
        let s = Store::open(&path).unwrap();
        let off: i64 = s
            .conn()
            .query_row("SELECT offset_ms FROM clock", [], |r| r.get(0))
            .unwrap();
        assert_eq!(off, 42);
        let mode: String = s
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }
}
