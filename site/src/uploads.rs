//! The uploaded files: kept in `uploads/` in the data directory, one file per upload named
//! by its number, and described in an SQLite table beside it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rsp::rusqlite::{self, Connection, OptionalExtension};
use rsp::UploadedFile;
use sha2::{Digest, Sha256};

/// A stored upload, as the list shows it.
pub struct Stored {
    pub id: i64,
    /// The name it was uploaded with (already sanitised by rsp).
    pub name: String,
    pub description: String,
    pub size: i64,
    /// SHA-256, in hex.
    pub sha256: String,
}

/// The uploads, shared by every request.
pub struct Uploads {
    dir: PathBuf,
    db: Mutex<Connection>,
}

impl Uploads {
    /// Opens (creating if needed) `uploads/` and `uploads.sqlite3` in `data`.
    pub fn open(data: impl AsRef<Path>) -> std::io::Result<Self> {
        let dir = data.as_ref().join("uploads");
        std::fs::create_dir_all(&dir)?;
        let db = Connection::open(data.as_ref().join("uploads.sqlite3"))
            .and_then(|db| {
                db.execute_batch(
                    "CREATE TABLE IF NOT EXISTS uploads (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        description TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        sha256 TEXT NOT NULL
                    )",
                )?;
                Ok(db)
            })
            .map_err(std::io::Error::other)?;
        Ok(Self {
            dir,
            db: Mutex::new(db),
        })
    }

    /// Keeps `file` with its description (blocking I/O: a copy of at most the upload limit).
    pub fn add(&self, file: &UploadedFile, description: &str) -> rsp::Result<()> {
        let sha256: String = Sha256::digest(file.bytes()?)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let db = self.db.lock().unwrap_or_else(|e| e.into_inner());
        db.execute(
            "INSERT INTO uploads (name, description, size, sha256) VALUES (?1, ?2, ?3, ?4)",
            (file.name(), description, file.size() as i64, &sha256),
        )?;
        let id = db.last_insert_rowid();
        if let Err(e) = file.persist(self.path(id)) {
            // No row for a file that is not there.
            db.execute("DELETE FROM uploads WHERE id = ?1", [id])?;
            return Err(e.into());
        }
        Ok(())
    }

    /// Every upload, newest first.
    pub fn list(&self) -> rusqlite::Result<Vec<Stored>> {
        let db = self.db.lock().unwrap_or_else(|e| e.into_inner());
        let mut query =
            db.prepare("SELECT id, name, description, size, sha256 FROM uploads ORDER BY id DESC")?;
        let rows = query.query_map([], stored)?;
        rows.collect()
    }

    /// The upload numbered `id`, if there is one.
    pub fn get(&self, id: i64) -> rusqlite::Result<Option<Stored>> {
        let db = self.db.lock().unwrap_or_else(|e| e.into_inner());
        db.query_row(
            "SELECT id, name, description, size, sha256 FROM uploads WHERE id = ?1",
            [id],
            stored,
        )
        .optional()
    }

    /// Where the content of upload `id` is kept.
    pub fn path(&self, id: i64) -> PathBuf {
        self.dir.join(id.to_string())
    }
}

fn stored(row: &rusqlite::Row<'_>) -> rusqlite::Result<Stored> {
    Ok(Stored {
        id: row.get(0)?,
        name: row.get(1)?,
        description: row.get(2)?,
        size: row.get(3)?,
        sha256: row.get(4)?,
    })
}
