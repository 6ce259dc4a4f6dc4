//! The rsp example site: one binary that is the whole site.
//!
//! `cargo run --release -p site` serves it on <http://127.0.0.1:8080>; `--addr` /
//! `RSP_ADDR` choose another address and `--data` / `RSP_DATA` the data directory
//! (default `./data`, created if missing: the guestbook, the uploads, the sessions and the
//! secret that signs cookies live there, so a restart loses nothing).

mod assets;
mod database;
mod guestbook;
mod layout;
mod pages;
mod uploads;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use database::Database;
use guestbook::Guestbook;
use uploads::Uploads;

rsp::settings! {
    /// Where the guestbook, the uploads, the sessions and the cookie secret are kept
    /// (created if missing).
    data: PATH = "./data";
    /// Keep the sessions in this Redis (`redis://host:6379/`) rather than in the data
    /// directory, so that several instances share them (give each the same RSP_SECRET).
    redis_url: URL;
    /// Keep the guestbook and the list of uploads in this PostgreSQL database
    /// (`postgres://user@host/db`) rather than in SQLite in the data directory.
    database_url: URL;
    /// Where uploaded files are kept (default: `uploads` in the data directory); instances
    /// that share a database share it too.
    uploads_dir: PATH;
}

#[tokio::main]
async fn main() -> ExitCode {
    let data = PathBuf::from(rsp::setting("data").unwrap_or_else(|| "./data".to_owned()));
    if let Err(e) = std::fs::create_dir_all(&data) {
        eprintln!("cannot make the data directory {}: {e}", data.display());
        return ExitCode::FAILURE;
    }
    let uploads_dir =
        rsp::setting("uploads-dir").map_or_else(|| data.join("uploads"), PathBuf::from);
    let stores = open_stores(&data, uploads_dir).await;
    let (guestbook, uploads) = match stores {
        Ok(stores) => stores,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let app = match rsp::setting("redis-url") {
        Some(url) => match rsp::RedisStore::connect(&url).await {
            Ok(store) => rsp::App::new().sessions(store),
            Err(e) => {
                eprintln!("cannot reach the session store at {url}: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => match rsp::SqliteStore::open(data.join("sessions.sqlite3")) {
            Ok(store) => rsp::App::new().sessions(store),
            Err(e) => {
                eprintln!("cannot open the session store in {}: {e}", data.display());
                return ExitCode::FAILURE;
            }
        },
    };
    let database = guestbook.database();
    let app = app
        // `/readyz` answers 503 while the database does not answer.
        .readiness_check("database", move || {
            let database = database.clone();
            async move { database.ping().await }
        })
        .state(guestbook)
        .state(uploads)
        .secret_file(data.join("secret"));
    match app.serve().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The guestbook and the uploads, in PostgreSQL with `--database-url`, else in SQLite.
async fn open_stores(data: &Path, uploads_dir: PathBuf) -> Result<(Guestbook, Uploads), String> {
    let uploads_error = |e| format!("cannot keep uploads in {}: {e}", uploads_dir.display());
    match rsp::setting("database-url") {
        Some(url) => {
            let db = Database::postgres(&url)
                .await
                .map_err(|e| format!("cannot use the database at {url}: {e}"))?;
            let uploads =
                Uploads::postgres(db.clone(), uploads_dir.clone()).map_err(uploads_error)?;
            Ok((Guestbook::postgres(db), uploads))
        }
        None => {
            let guestbook = Guestbook::sqlite(data)
                .map_err(|e| format!("cannot open the guestbook in {}: {e}", data.display()))?;
            let uploads = Uploads::sqlite(data, uploads_dir.clone()).map_err(uploads_error)?;
            Ok((guestbook, uploads))
        }
    }
}
