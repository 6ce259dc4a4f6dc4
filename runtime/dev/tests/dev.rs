//! `cargo dev` end to end, on a small site made for the test in a temporary workspace
//! (built into `target/tests/rsp-dev`): a text edit is served by the same process, a code
//! edit by a new one on the same socket with no request refused, a build error reaches
//! open pages and the next good build clears it; a release build has no dev mode at all.
//! When `RSP_CHROMEDRIVER` names chromedriver, a page open in headless Chromium is watched
//! too: it reloads itself after each change and shows the build error over the page.
//!
//! The first run builds the site's dependencies, which takes minutes: this is a slow test.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use rsp_tests::browser::Browser;
use serde_json::json;

const PAGE: &str = r##"use rsp::prelude::*;

page! {
    GET "/" => home;
    let greeting = "hi";
    let pid = std::process::id();
    r#"<!doctype html>
<title>Dev</title>
<h1>Hello</h1>
<p id="pid"><%= pid %></p>
<p id="greeting"><%= greeting %></p>"#
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    App::new().serve().await
}
"##;

/// This repository.
fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("runtime/dev is two levels down")
        .to_path_buf()
}

/// A workspace with one site, `devsite`, using this repository's rsp; one per test.
fn site_workspace(test: &str) -> PathBuf {
    let repository = repository();
    let root = std::env::temp_dir().join(format!("rsp-dev-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("devsite/src")).unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nmembers = [\"devsite\"]\nresolver = \"2\"\n",
    )
    .unwrap();
    // The same versions as the repository, and no registry look-up.
    std::fs::copy(repository.join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    std::fs::write(
        root.join("devsite/Cargo.toml"),
        format!(
            "[package]\nname = \"devsite\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [dependencies]\nrsp = {{ path = {:?} }}\n\
             tokio = {{ version = \"1\", features = [\"rt-multi-thread\", \"macros\"] }}\n",
            repository.join("runtime")
        ),
    )
    .unwrap();
    std::fs::write(root.join("devsite/src/main.rs"), PAGE).unwrap();
    root
}

fn target_dir() -> PathBuf {
    repository().join("target/tests/rsp-dev")
}

/// The dev tool, running; killed (with its site) when dropped.
struct Dev {
    tool: Child,
    base: String,
}

impl Drop for Dev {
    /// Stops the tool as a terminal would (SIGTERM), which stops its site.
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.tool.id()) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
        for _ in 0..100 {
            if matches!(self.tool.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.tool.kill();
        let _ = self.tool.wait();
    }
}

fn start_dev(root: &Path) -> Dev {
    let mut tool = Command::new(env!("CARGO_BIN_EXE_rsp-dev"))
        .args(["--addr", "127.0.0.1:0", "-p", "devsite"])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start rsp-dev");
    let stdout = tool.stdout.take().unwrap();
    let (send, listening) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(address) = line.strip_prefix("listening on http://") {
                let _ = send.send(address.to_owned());
            }
            println!("{line}");
        }
    });
    let base = listening
        .recv_timeout(Duration::from_secs(60))
        .expect("the tool prints its address");
    Dev { tool, base }
}

/// Fetches `url` until `done` accepts the body, for at most `limit`.
async fn wait_for(url: &str, limit: Duration, done: impl Fn(&str) -> bool) -> String {
    let client = reqwest::Client::new();
    let start = Instant::now();
    loop {
        if let Ok(response) = client.get(url).send().await {
            if let Ok(body) = response.text().await {
                if done(&body) {
                    return body;
                }
            }
        }
        assert!(
            start.elapsed() < limit,
            "{url}: not as expected within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).expect(start) + start.len();
    &text[from..from + text[from..].find(end).expect(end)]
}

/// The events the open pages get, as `(name, data)`.
struct Events(tokio::sync::mpsc::UnboundedReceiver<(String, String)>);

impl Events {
    async fn connect(url: &str) -> Self {
        let response = reqwest::get(url).await.expect("the event stream");
        let (send, receive) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut text = String::new();
            let mut chunks = response.bytes_stream();
            while let Some(Ok(chunk)) = chunks.next().await {
                text.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = text.find("\n\n") {
                    let event: String = text.drain(..end + 2).collect();
                    if let Some(name) = event.strip_prefix("event: ") {
                        let (name, data) = name.split_once("\ndata: ").unwrap_or((name, ""));
                        let _ = send.send((name.to_owned(), data.trim().to_owned()));
                    }
                }
            }
        });
        Self(receive)
    }

    async fn next(&mut self) -> (String, String) {
        tokio::time::timeout(Duration::from_secs(300), self.0.recv())
            .await
            .expect("an event in time")
            .expect("the stream stays open")
    }
}

/// The page open in Chromium, when the environment names chromedriver.
struct OpenPage(Option<Browser>);

impl OpenPage {
    async fn open(url: &str) -> Self {
        let browser = Browser::from_env("the reload seen in Chromium").await;
        if let Some(browser) = &browser {
            browser.goto(url).await.expect("open the page");
        }
        Self(browser)
    }

    /// Marks the loaded document: a reload shows as the mark's absence.
    async fn mark(&self) {
        if let Some(browser) = &self.0 {
            browser
                .execute("window.__rspBeforeChange = true", json!([]))
                .await
                .unwrap();
        }
    }

    /// Waits until `selector`'s text in the page contains `text`, in a reloaded document
    /// if `reloaded` or else in the marked one; says how long it took since `since`.
    async fn shows(&self, selector: &str, text: &str, reloaded: bool, since: Instant) {
        let Some(browser) = &self.0 else { return };
        let script = "const e = document.querySelector(arguments[0]);
                      return [e ? e.textContent : '', window.__rspBeforeChange === true];";
        loop {
            if let Ok(seen) = browser.execute(script, json!([selector])).await {
                let content = seen[0].as_str().unwrap_or_default();
                if content.contains(text) && seen[1] == !reloaded {
                    eprintln!(
                        "Chromium shows {text:?} in {selector} {:.3} s after the save",
                        since.elapsed().as_secs_f64()
                    );
                    return;
                }
            }
            assert!(
                since.elapsed() < Duration::from_secs(300),
                "Chromium never showed {text:?} in {selector} (reloaded: {reloaded}); log: {:?}",
                browser.log().await
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn edit(root: &Path, from: &str, to: &str) {
    let file = root.join("devsite/src/main.rs");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(&file, text.replacen(from, to, 1)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_and_refresh() {
    let root = site_workspace("edit");
    let dev = start_dev(&root);
    let page = format!("http://{}/", dev.base);
    let first = wait_for(&page, Duration::from_secs(900), |b| {
        b.contains("<h1>Hello</h1>")
    })
    .await;
    let pid = between(&first, "<p id=\"pid\">", "<").to_owned();
    let events_url = between(&first, "new EventSource(\"", "\"").to_owned();
    let mut events = Events::connect(&events_url).await;
    let browser = OpenPage::open(&page).await;

    // Text only: the same process serves the new text, and open pages reload.
    browser.mark().await;
    let saved = Instant::now();
    edit(&root, "<h1>Hello</h1>", "<h1>Hello, edited</h1>");
    browser.shows("h1", "Hello, edited", true, saved).await;
    let body = wait_for(&page, Duration::from_secs(10), |b| {
        b.contains("Hello, edited")
    })
    .await;
    assert_eq!(
        between(&body, "<p id=\"pid\">", "<"),
        pid,
        "no restart for text"
    );
    assert_eq!(events.next().await.0, "reload");

    // Code: a new process on the same socket; no request fails meanwhile.
    let stop = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(AtomicUsize::new(0));
    let requests = tokio::spawn({
        let (stop, failures, page) = (Arc::clone(&stop), Arc::clone(&failures), page.clone());
        async move {
            let client = reqwest::Client::new();
            let mut sent = 0;
            while !stop.load(Ordering::Relaxed) {
                // As a browser does, a request whose connection the old site closed while
                // stopping is sent again once; a refused connection is never retried.
                let mut outcome = client.get(&page).send().await;
                if outcome.as_ref().is_err_and(|e| !e.is_connect()) {
                    outcome = client.get(&page).send().await;
                }
                match outcome {
                    Ok(response) if response.status() == 200 => {}
                    _ => {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
                sent += 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            sent
        }
    });
    browser.mark().await;
    let saved = Instant::now();
    edit(&root, "let greeting = \"hi\";", "let greeting = \"hey\";");
    let body = wait_for(&page, Duration::from_secs(300), |b| b.contains(">hey<")).await;
    browser.shows("#greeting", "hey", true, saved).await;
    assert_ne!(
        between(&body, "<p id=\"pid\">", "<"),
        pid,
        "a code edit restarts"
    );
    stop.store(true, Ordering::Relaxed);
    let sent = requests.await.unwrap();
    assert!(sent > 0);
    assert_eq!(
        failures.load(Ordering::Relaxed),
        0,
        "requests failed during the hand-over"
    );
    assert_eq!(events.next().await.0, "reload");

    // A build error goes to the open pages, at the page's line; the old site serves on.
    browser.mark().await;
    let saved = Instant::now();
    edit(&root, "<%= greeting %>", "<%= greetin %>");
    let (name, data) = events.next().await;
    assert_eq!(name, "failed");
    assert!(data.contains("cannot find value `greetin`"), "{data}");
    assert!(data.contains("main.7.rs:11:"), "the page line 11: {data}");
    wait_for(&page, Duration::from_secs(5), |b| b.contains(">hey<")).await;
    let overlay = "#rsp-dev-error";
    browser.shows(overlay, "main.7.rs:11:", false, saved).await;
    let saved = Instant::now();
    edit(&root, "<%= greetin %>", "<%= greeting %>");
    assert_eq!(events.next().await.0, "reload");
    browser.shows("#greeting", "hey", true, saved).await;
    if let Some(browser) = &browser.0 {
        let overlay = format!("return document.querySelector({overlay:?}) === null");
        assert_eq!(browser.execute(&overlay, json!([])).await.unwrap(), true);
    }
    drop(browser);

    // Stopping the tool stops its site: nothing is left holding the terminal.
    let body = wait_for(&page, Duration::from_secs(30), |b| b.contains(">hey<")).await;
    let site = between(&body, "<p id=\"pid\">", "<").to_owned();
    drop(dev);
    let gone = Instant::now();
    while Path::new(&format!("/proc/{site}")).exists() {
        assert!(
            gone.elapsed() < Duration::from_secs(10),
            "site {site} outlived the tool"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_release_build_has_no_dev_mode() {
    let root = site_workspace("release");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "-p", "devsite"])
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", target_dir())
        .status()
        .expect("cargo");
    assert!(status.success());
    let binary = target_dir().join("release/devsite");
    let bytes = std::fs::read(&binary).unwrap();
    for dev_only in [&b"rsp-dev: swapped"[..], b"EventSource", b"RSP_DEV_EVENTS"] {
        assert!(
            !bytes.windows(dev_only.len()).any(|w| w == dev_only),
            "{} in the release binary",
            String::from_utf8_lossy(dev_only)
        );
    }
    let _ = std::fs::remove_dir_all(&root);
}
