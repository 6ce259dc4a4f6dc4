//! The uploaded files: kept in the uploads directory (`--uploads-dir`, by default `uploads/`
//! in the data directory; several instances may share one), one file per upload named by
//! its number, and described in a table of the site's database.

use std::path::{Path, PathBuf};

use rsp::UploadedFile;
use sha2::{Digest, Sha256};

use crate::database::Database;

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
    db: Database,
}

const COLUMNS: &str = "id, name, description, size, sha256";

impl Uploads {
    /// The uploads in `dir` (created if missing), described in `uploads.sqlite3` in `data`.
    pub fn sqlite(data: &Path, dir: PathBuf) -> std::io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        let db = Database::sqlite(
            &data.join("uploads.sqlite3"),
            "CREATE TABLE IF NOT EXISTS uploads (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                description TEXT NOT NULL,
                size INTEGER NOT NULL,
                sha256 TEXT NOT NULL
            )",
        )
        .map_err(std::io::Error::other)?;
        Ok(Self { dir, db })
    }

    /// The uploads in `dir` (created if missing), described in a PostgreSQL database.
    pub fn postgres(db: Database, dir: PathBuf) -> std::io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir, db })
    }

    /// Keeps `file` with its description (blocking I/O: a copy of at most the upload limit).
    pub async fn add(&self, file: &UploadedFile, description: &str) -> rsp::Result<()> {
        let sha256: String = Sha256::digest(file.bytes()?)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let size = i64::try_from(file.size())?;
        let id: i64 = match &self.db {
            Database::Sqlite(db) => {
                let db = db.lock().unwrap_or_else(|e| e.into_inner());
                db.execute(
                    "INSERT INTO uploads (name, description, size, sha256) VALUES (?1, ?2, ?3, ?4)",
                    (file.name(), description, size, &sha256),
                )?;
                db.last_insert_rowid()
            }
            Database::Postgres(pool) => pool
                .get()
                .await?
                .query_one(
                    "INSERT INTO uploads (name, description, size, sha256)
                     VALUES ($1, $2, $3, $4) RETURNING id",
                    &[&file.name(), &description, &size, &sha256],
                )
                .await?
                .get(0),
        };
        if let Err(e) = file.persist(self.path(id)) {
            // No row for a file that is not there.
            self.forget(id).await?;
            return Err(e.into());
        }
        Ok(())
    }

    async fn forget(&self, id: i64) -> rsp::Result<()> {
        match &self.db {
            Database::Sqlite(db) => {
                let db = db.lock().unwrap_or_else(|e| e.into_inner());
                db.execute("DELETE FROM uploads WHERE id = ?1", [id])?;
            }
            Database::Postgres(pool) => {
                pool.get()
                    .await?
                    .execute("DELETE FROM uploads WHERE id = $1", &[&id])
                    .await?;
            }
        }
        Ok(())
    }

    /// Every upload, newest first.
    pub async fn list(&self) -> rsp::Result<Vec<Stored>> {
        self.select("ORDER BY id DESC", None).await
    }

    /// The upload numbered `id`, if there is one.
    pub async fn get(&self, id: i64) -> rsp::Result<Option<Stored>> {
        Ok(self.select("WHERE id = ", Some(id)).await?.pop())
    }

    /// The rows `clause` picks (`clause` and the id are the query's end and parameter).
    async fn select(&self, clause: &str, id: Option<i64>) -> rsp::Result<Vec<Stored>> {
        match &self.db {
            Database::Sqlite(db) => {
                let db = db.lock().unwrap_or_else(|e| e.into_inner());
                let sql = format!(
                    "SELECT {COLUMNS} FROM uploads {clause}{}",
                    if id.is_some() { "?1" } else { "" }
                );
                let mut query = db.prepare(&sql)?;
                let params: Vec<i64> = id.into_iter().collect();
                let rows = query.query_map(rsp::rusqlite::params_from_iter(params), |row| {
                    Ok(Stored {
                        id: row.get(0)?,
                        name: row.get(1)?,
                        description: row.get(2)?,
                        size: row.get(3)?,
                        sha256: row.get(4)?,
                    })
                })?;
                Ok(rows.collect::<Result<_, _>>()?)
            }
            Database::Postgres(pool) => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM uploads {clause}{}",
                    if id.is_some() { "$1" } else { "" }
                );
                let client = pool.get().await?;
                let rows = match &id {
                    Some(id) => client.query(&sql, &[id]).await?,
                    None => client.query(&sql, &[]).await?,
                };
                Ok(rows
                    .iter()
                    .map(|row| Stored {
                        id: row.get(0),
                        name: row.get(1),
                        description: row.get(2),
                        size: row.get(3),
                        sha256: row.get(4),
                    })
                    .collect())
            }
        }
    }

    /// Where the content of upload `id` is kept.
    pub fn path(&self, id: i64) -> PathBuf {
        self.dir.join(id.to_string())
    }
}
