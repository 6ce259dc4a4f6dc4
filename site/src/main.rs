//! The rsp example site: one binary that is the whole site.
//!
//! `cargo run --release -p site` serves it on <http://127.0.0.1:8080>; `--addr` /
//! `RSP_ADDR` choose another address and `--data` / `RSP_DATA` the data directory
//! (default `./data`, created if missing).

mod guestbook;
mod layout;
mod pages;

use std::process::ExitCode;

use guestbook::Guestbook;

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
    match rsp::App::new().state(guestbook).serve().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}
