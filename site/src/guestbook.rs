//! The guestbook's storage: a table in SQLite (the data directory) or PostgreSQL.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::database::Database;

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
    /// UTC, `YYYY-MM-DD HH:MM:SS`.
    pub written: String,
}

/// The guestbook, shared by every request.
pub struct Guestbook {
    db: Database,
}

impl Guestbook {
    /// Opens (creating if needed) `guestbook.sqlite3` in `dir`.
    pub fn sqlite(dir: &Path) -> rsp::rusqlite::Result<Self> {
        let db = Database::sqlite(
            &dir.join("guestbook.sqlite3"),
            "CREATE TABLE IF NOT EXISTS entries (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                message TEXT NOT NULL,
                written TEXT NOT NULL DEFAULT (datetime('now'))
            )",
        )?;
        Ok(Self { db })
    }

    /// The guestbook in a PostgreSQL database (see [`Database::postgres`]).
    pub fn postgres(db: Database) -> Self {
        Self { db }
    }

    pub async fn add(&self, entry: &NewEntry) -> rsp::Result<()> {
        match &self.db {
            Database::Sqlite(db) => {
                db.lock().unwrap_or_else(|e| e.into_inner()).execute(
                    "INSERT INTO entries (name, message) VALUES (?1, ?2)",
                    (&entry.name, &entry.message),
                )?;
            }
            Database::Postgres(pool) => {
                pool.get()
                    .await?
                    .execute(
                        "INSERT INTO entries (name, message) VALUES ($1, $2)",
                        &[&entry.name, &entry.message],
                    )
                    .await?;
            }
        }
        Ok(())
    }

    /// The newest entries first.
    pub async fn latest(&self, limit: u32) -> rsp::Result<Vec<Entry>> {
        match &self.db {
            Database::Sqlite(db) => {
                let db = db.lock().unwrap_or_else(|e| e.into_inner());
                let mut query = db.prepare(
                    "SELECT name, message, written FROM entries ORDER BY id DESC LIMIT ?1",
                )?;
                let rows = query.query_map([limit], |row| {
                    Ok(Entry {
                        name: row.get(0)?,
                        message: row.get(1)?,
                        written: row.get(2)?,
                    })
                })?;
                Ok(rows.collect::<Result<_, _>>()?)
            }
            Database::Postgres(pool) => {
                let rows = pool
                    .get()
                    .await?
                    .query(
                        "SELECT name, message,
                            to_char(written AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
                         FROM entries ORDER BY id DESC LIMIT $1",
                        &[&i64::from(limit)],
                    )
                    .await?;
                Ok(rows
                    .iter()
                    .map(|row| Entry {
                        name: row.get(0),
                        message: row.get(1),
                        written: row.get(2),
                    })
                    .collect())
            }
        }
    }

    /// Its database, for the readiness check.
    pub fn database(&self) -> Database {
        self.db.clone()
    }
}
