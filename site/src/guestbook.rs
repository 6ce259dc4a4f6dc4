//! The guestbook's storage: an embedded SQLite database in the data directory.

use std::path::Path;
use std::sync::Mutex;

use rsp::rusqlite::{self, Connection};
use serde::{Deserialize, Serialize};

/// A guestbook entry as the form sends it.
#[derive(Deserialize)]
pub struct NewEntry {
    pub name: String,
    pub message: String,
}

/// A stored entry.
#[derive(Serialize)]
pub struct Entry {
    pub name: String,
    pub message: String,
    pub written: String,
}

/// The guestbook, shared by every request.
pub struct Guestbook {
    // One connection is plenty for a guestbook; SQLite calls here take microseconds.
    db: Mutex<Connection>,
}

impl Guestbook {
    /// Opens (creating if needed) `guestbook.sqlite3` in `dir`.
    pub fn open(dir: impl AsRef<Path>) -> rusqlite::Result<Self> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|e| {
            rusqlite::Error::ToSqlConversionFailure(format!("{}: {e}", dir.display()).into())
        })?;
        let db = Connection::open(dir.join("guestbook.sqlite3"))?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS entries (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                message TEXT NOT NULL,
                written TEXT NOT NULL DEFAULT (datetime('now'))
            )",
        )?;
        Ok(Self { db: Mutex::new(db) })
    }

    pub fn add(&self, entry: &NewEntry) -> rusqlite::Result<()> {
        self.db.lock().unwrap_or_else(|e| e.into_inner()).execute(
            "INSERT INTO entries (name, message) VALUES (?1, ?2)",
            (&entry.name, &entry.message),
        )?;
        Ok(())
    }

    /// The newest entries first.
    pub fn latest(&self, limit: u32) -> rusqlite::Result<Vec<Entry>> {
        let db = self.db.lock().unwrap_or_else(|e| e.into_inner());
        let mut query =
            db.prepare("SELECT name, message, written FROM entries ORDER BY id DESC LIMIT ?1")?;
        let rows = query.query_map([limit], |row| {
            Ok(Entry {
                name: row.get(0)?,
                message: row.get(1)?,
                written: row.get(2)?,
            })
        })?;
        rows.collect()
    }
}
