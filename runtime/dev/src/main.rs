//! `cargo dev`: the author's loop for an rsp site.
//!
//! ```text
//! cargo dev                         # in the rsp workspace: the example site
//! rsp-dev -p mysite -- --data dev   # any site: its package, then the site's own options
//! ```
//!
//! The tool binds the site's address (`--addr`, `RSP_ADDR`, default `127.0.0.1:8080`)
//! itself and keeps it for the whole session, builds the site in debug, and starts it with
//! the listening socket handed over (`LISTEN_FDS`), so a browser never meets a refused
//! connection. Then it watches the workspace:
//!
//! - an edit that changes only the static text of page bodies (the same code tags, in the
//!   same order, in the same contexts) is sent to the running site, which writes the new
//!   text from the next request on: no rebuild;
//! - any other edit rebuilds; the new site starts on the same socket, and the old one is
//!   stopped once the new one listens;
//! - open pages reload after each change; a build error shows over the page (or as the
//!   page, while no site runs) until the next good build.
//!
//! None of it exists in a release build of the site.

mod cargo;
mod edits;
mod events;
mod site;
mod watch;

use std::net::TcpListener;
use std::path::Path;
use std::process::ExitCode;

use edits::{Change, Snapshot};
use events::{Event, Events};
use site::Site;

/// What to build and run.
struct Options {
    /// `-p`: the package of the site.
    package: Option<String>,
    /// `--bin`: its binary, if it has several.
    bin: Option<String>,
    addr: String,
    /// After `--`: the site's own options.
    site_args: Vec<String>,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        package: None,
        bin: None,
        addr: std::env::var("RSP_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_owned()),
        site_args: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "-p" | "--package" => options.package = Some(value("--package")?),
            "--bin" => options.bin = Some(value("--bin")?),
            "--addr" => options.addr = value("--addr")?,
            "--" => {
                options.site_args = args.collect();
                break;
            }
            "-h" | "--help" => {
                return Err("usage: rsp-dev [-p PACKAGE] [--bin NAME] [--addr ADDR] \
                            [-- SITE OPTIONS]"
                    .to_owned())
            }
            other => return Err(format!("unknown option `{other}` (see --help)")),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    // On Ctrl-C or SIGTERM the running site is stopped with the tool: `run` owns it, and
    // dropping it kills it (and a site whose tool is gone stops by itself too).
    let result = tokio::select! {
        result = run() => result,
        () = stopped() => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("rsp-dev: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn stopped() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("a SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
}

async fn run() -> Result<(), String> {
    let options = options()?;
    let root = cargo::workspace_root().await?;
    let listener = TcpListener::bind(&options.addr)
        .map_err(|e| format!("cannot listen on {}: {e}", options.addr))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let events = Events::start().await?;
    println!("listening on http://{address}");
    let mut watcher = watch::Watcher::start(&root)?;
    let mut site: Option<Site> = None;
    let mut fallback = None;
    loop {
        // The sources as this build compiles them: text edits are measured against it.
        let snapshot = Snapshot::take(&root);
        match cargo::build(&options).await {
            Ok(executable) => {
                if let Some(page) = fallback.take() {
                    events::stop_error_page(page);
                }
                let new = Site::start(&executable, &listener, &events, &options.site_args).await;
                match new {
                    Ok(new) => {
                        if let Some(old) = site.replace(new) {
                            old.stop().await;
                        }
                        events.send(Event::Reload);
                    }
                    Err(message) => eprintln!("rsp-dev: the site did not start: {message}"),
                }
            }
            Err(message) => {
                events.send(Event::Failed(message.clone()));
                if site.is_none() && fallback.is_none() {
                    fallback = Some(events::serve_error_page(&listener, &events, &message)?);
                }
            }
        }
        wait_for_rebuild(&mut watcher, &snapshot, site.as_mut(), &events, &root).await;
    }
}

/// Serves text edits until an edit needs a build.
async fn wait_for_rebuild(
    watcher: &mut watch::Watcher,
    snapshot: &Snapshot,
    mut site: Option<&mut Site>,
    events: &Events,
    root: &Path,
) {
    loop {
        let changed = watcher.next_change().await;
        match snapshot.classify(&changed, root) {
            Change::None => {}
            Change::Text(swaps) => {
                let Some(site) = site.as_deref_mut() else {
                    return;
                };
                if !site.swap(&swaps).await {
                    return;
                }
                println!(
                    "rsp-dev: new text of {} page bodies, no rebuild",
                    swaps.len()
                );
                events.send(Event::Reload);
            }
            Change::Code => return,
        }
    }
}
