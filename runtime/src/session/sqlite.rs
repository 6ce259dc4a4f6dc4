//! The embedded persistent store: sessions in a SQLite file, so a restart loses none.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension};

use super::{SessionStore, StoreFuture};

/// Sessions in a SQLite database file (bundled SQLite: nothing to install).
///
/// ```no_run
/// let store = rsp::SqliteStore::open("data/sessions.sqlite3")?;
/// let app = rsp::App::new().sessions(store);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SqliteStore {
    db: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens or creates the database file and its table.
    ///
    /// # Errors
    /// If the file cannot be opened or created.
    pub fn open(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let db = Connection::open(path).map_err(std::io::Error::other)?;
        db.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE IF NOT EXISTS rsp_sessions (
                 id TEXT PRIMARY KEY,
                 data TEXT NOT NULL,
                 expires INTEGER NOT NULL
             );
             CREATE TABLE IF NOT EXISTS rsp_session_locks (
                 id TEXT PRIMARY KEY,
                 token TEXT NOT NULL,
                 expires_ms INTEGER NOT NULL
             );
             DELETE FROM rsp_sessions WHERE expires <= unixepoch();",
        )
        .map_err(std::io::Error::other)?;
        // Another process on the same file waits for its write, not fails.
        db.busy_timeout(Duration::from_secs(5))
            .map_err(std::io::Error::other)?;
        Ok(Self {
            db: Arc::new(Mutex::new(db)),
        })
    }

    /// Runs a query on the blocking pool, off the async workers.
    fn run<T: Send + 'static>(
        &self,
        query: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> StoreFuture<'static, T> {
        let db = Arc::clone(&self.db);
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let db = db.lock().unwrap_or_else(|e| e.into_inner());
                query(&db).map_err(std::io::Error::other)
            })
            .await
            .map_err(std::io::Error::other)?
        })
    }
}

fn now() -> i64 {
    now_ms() / 1000
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl SessionStore for SqliteStore {
    fn load<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<String>> {
        let id = id.to_owned();
        self.run(move |db| {
            db.query_row(
                "SELECT data FROM rsp_sessions WHERE id = ?1 AND expires > ?2",
                (&id, now()),
                |row| row.get(0),
            )
            .optional()
        })
    }

    fn save<'a>(&'a self, id: &'a str, data: &'a str, ttl: Duration) -> StoreFuture<'a, ()> {
        let (id, data) = (id.to_owned(), data.to_owned());
        let expires = now().saturating_add(i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX));
        self.run(move |db| {
            db.execute(
                "INSERT INTO rsp_sessions (id, data, expires) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires = excluded.expires",
                (&id, &data, expires),
            )
            .map(drop)
        })
    }

    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        let id = id.to_owned();
        self.run(move |db| {
            db.execute("DELETE FROM rsp_sessions WHERE id = ?1", [&id])
                .map(drop)
        })
    }

    /// A row in `rsp_session_locks`, which other processes on the same file see; one
    /// past its time is taken over.
    fn try_lock<'a>(&'a self, id: &'a str, ttl: Duration) -> StoreFuture<'a, Option<String>> {
        let id = id.to_owned();
        let token = format!("{:016x}", rand::random::<u64>());
        let ttl = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
        self.run(move |db| {
            let now = now_ms();
            let taken = db.execute(
                "INSERT INTO rsp_session_locks (id, token, expires_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET token = excluded.token,
                     expires_ms = excluded.expires_ms
                 WHERE rsp_session_locks.expires_ms <= ?4",
                (&id, &token, now.saturating_add(ttl), now),
            )?;
            Ok((taken == 1).then_some(token))
        })
    }

    fn renew_lock<'a>(
        &'a self,
        id: &'a str,
        token: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        let (id, token) = (id.to_owned(), token.to_owned());
        let ttl = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
        self.run(move |db| {
            let renewed = db.execute(
                "UPDATE rsp_session_locks SET expires_ms = ?3 WHERE id = ?1 AND token = ?2",
                (&id, &token, now_ms().saturating_add(ttl)),
            )?;
            Ok(renewed == 1)
        })
    }

    fn unlock<'a>(&'a self, id: &'a str, token: &'a str) -> StoreFuture<'a, ()> {
        let (id, token) = (id.to_owned(), token.to_owned());
        self.run(move |db| {
            db.execute(
                "DELETE FROM rsp_session_locks WHERE id = ?1 AND token = ?2",
                (&id, &token),
            )
            .map(drop)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sessions_survive_reopening() {
        let path =
            std::env::temp_dir().join(format!("rsp-sessions-{}.sqlite3", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let store = SqliteStore::open(&path).unwrap();
        store
            .save("a", r#"{"n":1}"#, Duration::from_secs(60))
            .await
            .unwrap();
        store.save("old", "{}", Duration::ZERO).await.unwrap();
        drop(store);
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(
            store.load("a").await.unwrap().as_deref(),
            Some(r#"{"n":1}"#)
        );
        assert_eq!(store.load("old").await.unwrap(), None, "expired");
        store.delete("a").await.unwrap();
        assert_eq!(store.load("a").await.unwrap(), None);
        let _ = std::fs::remove_file(&path);
    }
}
