//! The rsp example site: one binary that is the whole site.
//!
//! `cargo run --release -p site` serves it on <http://127.0.0.1:8080>; `--addr` /
//! `RSP_ADDR` choose another address and `--data` / `RSP_DATA` the data directory
//! (default `./data`, created if missing: the guestbook, the uploads, the sessions and the
//! secret that signs cookies live there, so a restart loses nothing).

mod assets;
mod guestbook;
mod layout;
mod pages;
mod uploads;

use std::path::Path;
use std::process::ExitCode;

use guestbook::Guestbook;
use uploads::Uploads;

rsp::settings! {
    /// Where the guestbook, the uploads, the sessions and the cookie secret are kept
    /// (created if missing).
    data: PATH = "./data";
}

#[tokio::main]
async fn main() -> ExitCode {
    let data = rsp::setting("data").unwrap_or_else(|| "./data".to_owned());
    let guestbook = match Guestbook::open(&data) {
        Ok(book) => book,
        Err(e) => {
            eprintln!("cannot open the guestbook in {data}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let uploads = match Uploads::open(&data) {
        Ok(uploads) => uploads,
        Err(e) => {
            eprintln!("cannot open the uploads in {data}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let sessions = match rsp::SqliteStore::open(Path::new(&data).join("sessions.sqlite3")) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("cannot open the session store in {data}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let app = rsp::App::new()
        .state(guestbook)
        .state(uploads)
        .sessions(sessions)
        .secret_file(Path::new(&data).join("secret"));
    match app.serve().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}
