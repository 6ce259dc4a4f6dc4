//! Restarts that drop nothing: `SIGUSR2` starts the binary now on disk with the listening
//! socket handed over, under a bounded load of GETs and form posts on kept-alive and fresh
//! connections; and a new binary that fails leaves the old one serving.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{csrf_token, empty_dir, exe};

/// A copy of the site binary in `dir`, as a deploy puts one on a server.
fn install(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    deploy(&bin.join("site"), &exe());
    bin.join("site")
}

/// Puts `new` at `path` as `install` or `mv` does: a new file renamed over the old one.
fn deploy(path: &Path, new: &Path) {
    let staged = path.with_extension("new");
    std::fs::copy(new, &staged).unwrap();
    std::fs::rename(&staged, path).unwrap();
}

/// The site started from `binary`, its log in `dir/site.log`; its address.
fn start(binary: &Path, dir: &Path) -> (Child, String) {
    let log = std::fs::File::create(dir.join("site.log")).unwrap();
    let mut child = Command::new(binary)
        .args(["--addr", "127.0.0.1:0", "--data"])
        .arg(dir.join("data"))
        .current_dir(dir)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    (child, base)
}

fn signal(pid: u32, name: &str) {
    let sent = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -{name} {pid}");
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Waits up to `seconds` for `ready`.
async fn wait_for(seconds: u64, mut ready: impl FnMut() -> bool) -> bool {
    for _ in 0..seconds * 20 {
        if ready() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// The process that took over, from the old one's log line; stopped when dropped.
struct Successor(u32);

impl Successor {
    fn from_log(dir: &Path) -> Option<Self> {
        let log = std::fs::read_to_string(dir.join("site.log")).unwrap();
        let line = log.lines().find(|line| line.contains(" serves now"))?;
        let pid = line
            .split("process ")
            .nth(1)?
            .split(' ')
            .next()?
            .parse()
            .ok()?;
        Some(Self(pid))
    }
}

impl Drop for Successor {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", &self.0.to_string()])
            .status();
    }
}

/// Requests of one kind, sent one after another until `stop` (5,000 at most); the
/// failures, each described.
async fn load(
    client: reqwest::Client,
    base: String,
    token: Option<String>,
    stop: Arc<AtomicBool>,
) -> (usize, Vec<String>) {
    let mut failures = Vec::new();
    let mut sent = 0;
    while !stop.load(Ordering::Relaxed) && sent < 5000 {
        let request = match &token {
            Some(token) => client.post(format!("{base}/guestbook")).form(&[
                ("_csrf", token.as_str()),
                ("name", "load"),
                ("message", "through a restart"),
            ]),
            None => client.get(format!("{base}/")),
        };
        match request.send().await {
            Ok(response) if response.status().as_u16() < 400 => {
                if let Err(e) = response.bytes().await {
                    failures.push(format!("body: {e:?}"));
                }
            }
            Ok(response) => failures.push(format!("status {}", response.status())),
            Err(e) => failures.push(format!("{e:?}")),
        }
        sent += 1;
    }
    (sent, failures)
}

/// GETs on one kept-alive connection with a pause between them, as a browser reuses one,
/// by a client that never retries: a new connection only when an answer says
/// `Connection: close`. Until `stop` (5,000 at most); the failures, each described.
async fn load_raw(base: String, stop: Arc<AtomicBool>) -> (usize, Vec<String>) {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

    let addr = base.trim_start_matches("http://").to_owned();
    let mut failures = Vec::new();
    let mut sent = 0;
    let mut connection = None;
    while !stop.load(Ordering::Relaxed) && sent < 5000 {
        let stream = match &mut connection {
            Some(stream) => stream,
            None => match tokio::net::TcpStream::connect(&addr).await {
                Ok(stream) => connection.insert(tokio::io::BufReader::new(stream)),
                Err(e) => {
                    failures.push(format!("connect: {e}"));
                    sent += 1;
                    continue;
                }
            },
        };
        sent += 1;
        let request = format!("GET / HTTP/1.1\r\nHost: {addr}\r\n\r\n");
        if let Err(e) = stream.get_mut().write_all(request.as_bytes()).await {
            failures.push(format!("write: {e}"));
            connection = None;
            continue;
        }
        let mut head = String::new();
        let mut length = 0;
        let mut close = false;
        let answered = loop {
            let mut line = String::new();
            match stream.read_line(&mut line).await {
                Ok(0) | Err(_) => break false,
                Ok(_) => {}
            }
            let lower = line.to_ascii_lowercase();
            if let Some(value) = lower.strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
            close |= lower.trim_end() == "connection: close";
            if line == "\r\n" {
                break true;
            }
            head.push_str(&line);
        };
        let mut body = vec![0; length];
        if !answered || stream.read_exact(&mut body).await.is_err() {
            failures.push(format!("closed before a whole answer ({head:?})"));
            connection = None;
            continue;
        }
        if !head.starts_with("HTTP/1.1 200") {
            failures.push(head);
        }
        if close {
            connection = None;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    (sent, failures)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigusr2_hands_over_under_load_without_a_failed_request() {
    let dir = empty_dir("restart");
    let binary = install(&dir);
    let (mut old, base) = start(&binary, &dir);

    // One session (and so one CSRF token) for every client.
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let kept_alive = reqwest::Client::builder()
        .cookie_provider(Arc::clone(&jar))
        .build()
        .unwrap();
    let fresh = reqwest::Client::builder()
        .cookie_provider(Arc::clone(&jar))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let form = kept_alive
        .get(format!("{base}/guestbook"))
        .send()
        .await
        .unwrap();
    let token = csrf_token(&form.text().await.unwrap());

    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for client in [&kept_alive, &fresh] {
        for token in [None, Some(token.clone())] {
            clients.push(tokio::spawn(load(
                client.clone(),
                base.clone(),
                token,
                Arc::clone(&stop),
            )));
        }
    }
    for _ in 0..2 {
        clients.push(tokio::spawn(load_raw(base.clone(), Arc::clone(&stop))));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    deploy(&binary, &exe());
    signal(old.id(), "USR2");
    let exited = wait_for(30, || old.try_wait().unwrap().is_some()).await;
    let successor = Successor::from_log(&dir);
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    let mut sent = 0;
    let mut failures = Vec::new();
    for client in clients {
        let (n, failed) = client.await.unwrap();
        sent += n;
        failures.extend(failed);
    }
    let log = std::fs::read_to_string(dir.join("site.log")).unwrap();
    assert!(exited, "the old process did not exit: {log}");
    assert!(old.wait().unwrap().success(), "{log}");
    let successor = successor.unwrap_or_else(|| panic!("no process took over: {log}"));
    assert_ne!(successor.0, old.id());
    assert!(alive(successor.0), "{log}");
    assert!(
        failures.is_empty(),
        "{} of {sent} failed: {failures:?}\n{log}",
        failures.len()
    );
    assert!(sent > 100, "only {sent} requests were sent");

    // The new process serves, and stops as the old one did.
    let page = kept_alive.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    signal(successor.0, "TERM");
    assert!(wait_for(10, || !alive(successor.0)).await);
}

#[tokio::test]
async fn a_new_binary_that_fails_leaves_the_old_one_serving() {
    let dir = empty_dir("restart-fails");
    let binary = install(&dir);
    let (mut old, base) = start(&binary, &dir);

    let broken = dir.join("broken");
    std::fs::write(&broken, "#!/bin/sh\necho 'cannot start' >&2\nexit 3\n").unwrap();
    std::fs::set_permissions(&broken, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    deploy(&binary, &broken);
    signal(old.id(), "USR2");
    let logged = wait_for(30, || {
        std::fs::read_to_string(dir.join("site.log"))
            .unwrap()
            .contains("restart failed")
    })
    .await;
    let log = std::fs::read_to_string(dir.join("site.log")).unwrap();
    assert!(logged, "{log}");
    assert!(
        log.contains("restart failed, this process goes on serving: it exited before it served (exit status: 3)"),
        "{log}"
    );
    assert!(old.try_wait().unwrap().is_none(), "the old process stopped");
    let page = reqwest::get(format!("{base}/")).await.unwrap();
    assert_eq!(page.status(), 200);

    // Once a good build is in place, the next SIGUSR2 hands over.
    deploy(&binary, &exe());
    signal(old.id(), "USR2");
    assert!(wait_for(30, || old.try_wait().unwrap().is_some()).await);
    let successor = Successor::from_log(&dir).expect("a process took over");
    let page = reqwest::get(format!("{base}/")).await.unwrap();
    assert_eq!(page.status(), 200);
    signal(successor.0, "TERM");
    assert!(wait_for(10, || !alive(successor.0)).await);
}
