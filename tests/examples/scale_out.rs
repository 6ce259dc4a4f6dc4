//! The example site scaled out, end to end on 127.0.0.1: PostgreSQL, Redis, two release
//! instances of the site and HAProxy in front of them (health-checking `/readyz`), and 50
//! users, each with a session of its own, posting guestbook entries and counting visits
//! while one instance gets SIGTERM and is started again, and later the other is killed
//! (SIGKILL) and started again. Then it checks that every acknowledged entry is in the
//! database once, that every user's counter holds every acknowledged visit, that no request
//! failed around the SIGTERM and that around the SIGKILL only requests the killed instance
//! had taken did, and prints a table. Run by `tests/measure/scale_out.sh`.
//!
//! ```sh
//! cargo run --release -p rsp-tests --example scale_out -- target/release/site
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rsp_tests::pebble::free_port;
use rsp_tests::postgres::Postgres;

const USERS: usize = 50;
const PHASES: [&str; 4] = ["one instance", "two instances", "SIGTERM", "SIGKILL"];

/// What the users did in each phase.
#[derive(Default)]
struct Tally {
    acknowledged: [usize; 4],
    failed: [usize; 4],
    seconds: [f64; 4],
    /// A few failures, described.
    examples: Vec<String>,
}

impl Tally {
    fn fail(&mut self, phase: usize, what: String) {
        self.failed[phase] += 1;
        if self.examples.len() < 8 {
            self.examples.push(format!("{}: {what}", PHASES[phase]));
        }
    }
}

/// One instance of the site.
struct Instance {
    port: u16,
    args: Vec<String>,
    site: PathBuf,
    dir: PathBuf,
    child: Option<Child>,
}

impl Instance {
    fn start(&mut self) {
        let log = std::fs::File::options()
            .create(true)
            .append(true)
            .open(self.dir.join(format!("site-{}.log", self.port)))
            .unwrap();
        let child = Command::new(&self.site)
            .args(&self.args)
            .env("RSP_SECRET", "one secret for every instance")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start the site");
        self.child = Some(child);
        let ready = (0..300).any(|_| {
            std::thread::sleep(Duration::from_millis(50));
            get(self.port, "/readyz").is_some_and(|status| status == 200)
        });
        assert!(ready, "instance on {} did not become ready", self.port);
    }

    fn signal(&mut self, name: &str) {
        let pid = self.child.as_ref().unwrap().id();
        let sent = Command::new("kill")
            .args([&format!("-{name}"), &pid.to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let mut child = self.child.take().unwrap();
        let status = child.wait().unwrap();
        if name == "TERM" {
            assert!(
                status.success(),
                "the instance on {} ended with {status}",
                self.port
            );
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The status of a plain GET to 127.0.0.1:`port`, if it answered.
fn get(port: u16, path: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let mut socket = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    socket.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        socket,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut answer = String::new();
    socket.read_to_string(&mut answer).ok()?;
    answer.get(9..12)?.parse().ok()
}

struct Killed<'a>(&'a mut Child);

impl Drop for Killed<'_> {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A user: a session of its own, posting entries and counting visits until `stop`.
async fn user(
    id: usize,
    base: String,
    phase: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    tally: Arc<Mutex<Tally>>,
) -> Visits {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let token = rsp_tests::form_token(&client, &format!("{base}/guestbook")).await;
    let mut posted = Vec::new();
    let (mut visits, mut unsure) = (0u32, 0u32);
    let (mut failed_around_kill, mut unexplained_around_kill) = (0u32, 0u32);
    let mut fail = |ended: usize, what: &str, failure: Failure| {
        if ended == 3 {
            failed_around_kill += 1;
            unexplained_around_kill += u32::from(!failure.lost_with_an_instance());
        }
        tally
            .lock()
            .unwrap()
            .fail(ended, format!("{what}: {failure:?}"));
    };
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let message = format!("user {id} entry {n}");
        let post = client
            .post(format!("{base}/guestbook"))
            .form(&[
                ("_csrf", token.as_str()),
                ("name", "load"),
                ("message", &message),
            ])
            .send()
            .await;
        // A request counts in the phase it ended in: the one it may have failed in.
        let ended = phase.load(Ordering::Relaxed);
        match post {
            Ok(res) if res.status() == 303 => {
                posted.push(message);
                tally.lock().unwrap().acknowledged[ended] += 1;
            }
            Ok(res) => fail(ended, "POST", Failure::Status(res.status())),
            Err(e) => fail(ended, "POST", Failure::Error(e)),
        }
        let count = match client.get(format!("{base}/counter")).send().await {
            Ok(res) if res.status() == 200 => res.text().await.map_err(Failure::Error),
            Ok(res) => Err(Failure::Status(res.status())),
            Err(e) => Err(Failure::Error(e)),
        };
        let ended = phase.load(Ordering::Relaxed);
        match count {
            Ok(_) => {
                visits += 1;
                tally.lock().unwrap().acknowledged[ended] += 1;
            }
            Err(failure) => {
                unsure += 1;
                fail(ended, "GET /counter", failure);
            }
        }
    }
    // The last visit: its count must include every acknowledged one.
    let page = rsp_tests::page_text(&client, &format!("{base}/counter")).await;
    let shown: u32 = page
        .split("<b>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .and_then(|n| n.parse().ok())
        .expect("a count");
    Visits {
        posted,
        answered: visits,
        unanswered: unsure,
        failed_around_kill,
        unexplained_around_kill,
        counted: shown - 1,
    }
}

/// A request that got no answer the user could use.
#[derive(Debug)]
enum Failure {
    Status(reqwest::StatusCode),
    Error(reqwest::Error),
}

impl Failure {
    /// Whether it failed as a request that the killed instance had taken fails: its
    /// connection closed without an answer (HAProxy closes the client's when the instance
    /// dies with the request), or HAProxy's 502 (the instance's listening socket had taken
    /// the connection as the process died). Not a refused connection (HAProxy sends that
    /// request to the other instance), a timeout or an error page.
    fn lost_with_an_instance(&self) -> bool {
        match self {
            Self::Status(status) => *status == reqwest::StatusCode::BAD_GATEWAY,
            Self::Error(error) => {
                let mut cause = std::error::Error::source(error);
                while let Some(error) = cause {
                    let closed = error
                        .downcast_ref::<hyper::Error>()
                        .is_some_and(hyper::Error::is_incomplete_message)
                        || error
                            .downcast_ref::<std::io::Error>()
                            .is_some_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset);
                    if closed {
                        return true;
                    }
                    cause = error.source();
                }
                false
            }
        }
    }
}

/// What one user saw.
struct Visits {
    /// The entries whose post was acknowledged.
    posted: Vec<String>,
    /// Visits to the counter that were answered, and those that were not.
    answered: u32,
    unanswered: u32,
    /// Its requests that failed in the SIGKILL phase, and those of them that did not fail
    /// as the killed instance's requests do.
    failed_around_kill: u32,
    unexplained_around_kill: u32,
    /// The visits its session counted.
    counted: u32,
}

fn main() {
    let site = PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: scale_out PATH-TO-RELEASE-SITE"),
    );
    let dir = std::env::temp_dir().join(format!("rsp-scale-out-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let failures = runtime.block_on(run(&site, &dir));
    if !failures.is_empty() {
        eprintln!("FAILED:\n{}", failures.join("\n"));
        eprintln!("the logs are in {}", dir.display());
        std::process::exit(1);
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("scale-out: every check passed");
}

async fn run(site: &Path, dir: &Path) -> Vec<String> {
    let postgres = Postgres::start(dir);
    let redis_port = free_port();
    let mut redis = Command::new("redis-server")
        .args(["--port", &redis_port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server (apt-get install redis-server)");
    let _redis = Killed(&mut redis);

    let instance = |name: &str| {
        let port = free_port();
        let data = dir.join(name);
        Instance {
            port,
            args: [
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--data",
                data.to_str().unwrap(),
                "--database-url",
                &postgres.url,
                "--redis-url",
                &format!("redis://127.0.0.1:{redis_port}/"),
                "--uploads-dir",
                dir.join("uploads").to_str().unwrap(),
                "--trusted-proxies",
                "127.0.0.1",
                "--drain-delay",
                "2",
            ]
            .map(str::to_owned)
            .to_vec(),
            site: site.to_owned(),
            dir: dir.to_owned(),
            child: None,
        }
    };
    let (mut a, mut b) = (instance("a"), instance("b"));
    let front = free_port();
    // `http-server-close`: every request gets a connection of its own to an instance. With
    // idle connections kept, HAProxy can send a request after the SIGKILL down one the dead
    // instance left behind, and it answers that by closing the client's connection for the
    // client to retry: a failure of a request that was never in flight at the kill. A new
    // connection to a dead instance is refused instead, and HAProxy sends it to the other.
    let config = format!(
        "global
    maxconn 2000
    log stdout format raw local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    retries 2
    option redispatch
    option http-server-close
frontend web
    bind 127.0.0.1:{front}
    option forwardfor
    default_backend sites
backend sites
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 200ms fall 1 rise 1
    server a 127.0.0.1:{} check
    server b 127.0.0.1:{} check
",
        a.port, b.port
    );
    std::fs::write(dir.join("haproxy.cfg"), config).unwrap();
    a.start();
    let mut haproxy = Command::new("haproxy")
        .arg("-f")
        .arg(dir.join("haproxy.cfg"))
        .arg("-db")
        .stdout(std::fs::File::create(dir.join("haproxy.log")).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("haproxy (apt-get install haproxy)");
    let _haproxy = Killed(&mut haproxy);
    let up = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        get(front, "/readyz") == Some(200)
    });
    assert!(up, "HAProxy did not serve");

    let base = format!("http://127.0.0.1:{front}");
    let phase = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let users: Vec<_> = (0..USERS)
        .map(|id| {
            tokio::spawn(user(
                id,
                base.clone(),
                Arc::clone(&phase),
                Arc::clone(&stop),
                Arc::clone(&tally),
            ))
        })
        .collect();
    let settle = Duration::from_millis(1500);
    let mut started = Instant::now();
    let mut next_phase = |to: usize, tally: &Mutex<Tally>| {
        tally.lock().unwrap().seconds[to - 1] = started.elapsed().as_secs_f64();
        started = Instant::now();
        phase.store(to, Ordering::Relaxed);
    };
    tokio::time::sleep(Duration::from_secs(4)).await;

    tokio::task::block_in_place(|| b.start());
    tokio::time::sleep(settle).await;
    next_phase(1, &tally);
    tokio::time::sleep(Duration::from_secs(4)).await;

    next_phase(2, &tally);
    tokio::task::block_in_place(|| {
        a.signal("TERM");
        a.start();
    });
    tokio::time::sleep(settle).await;

    next_phase(3, &tally);
    tokio::task::block_in_place(|| {
        b.signal("KILL");
        b.start();
    });
    tokio::time::sleep(settle).await;
    tally.lock().unwrap().seconds[3] = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);

    let mut acknowledged = Vec::new();
    let mut failures = Vec::new();
    for (id, user) in users.into_iter().enumerate() {
        let visits = user.await.unwrap();
        // Every answered visit is counted: no session update was lost. A visit that got
        // no answer may have been counted before its instance was killed.
        if visits.counted < visits.answered || visits.counted > visits.answered + visits.unanswered
        {
            failures.push(format!(
                "user {id}: the session counted {} visits; {} were answered, {} not",
                visits.counted, visits.answered, visits.unanswered
            ));
        }
        // A user has one request in flight at a time, and it fails with the instance. Its
        // next request may reach the instance's listening socket in the moment before the
        // dying process's sockets are closed, and fail too; after that, connections to the
        // instance are refused and HAProxy sends them to the other one.
        if visits.failed_around_kill > 2 || visits.unexplained_around_kill > 0 {
            failures.push(format!(
                "user {id}: {} requests failed around the SIGKILL, {} not as requests the \
                 killed instance had taken fail",
                visits.failed_around_kill, visits.unexplained_around_kill
            ));
        }
        acknowledged.extend(visits.posted);
    }

    let stored = Command::new("psql")
        .arg(&postgres.url)
        .args([
            "-At",
            "-c",
            "SELECT message, count(*) FROM entries GROUP BY message",
        ])
        .output()
        .expect("psql");
    let stored: HashMap<String, u32> = String::from_utf8_lossy(&stored.stdout)
        .lines()
        .filter_map(|line| {
            let (message, count) = line.rsplit_once('|')?;
            Some((message.to_owned(), count.parse().ok()?))
        })
        .collect();
    let missing = acknowledged
        .iter()
        .filter(|message| !stored.contains_key(*message))
        .count();
    let twice = stored.values().filter(|count| **count > 1).count();
    if missing > 0 {
        failures.push(format!(
            "{missing} acknowledged entries are not in the database"
        ));
    }
    if twice > 0 {
        failures.push(format!(
            "{twice} entries are in the database more than once"
        ));
    }

    let tally = tally.lock().unwrap();
    println!("| phase | acknowledged | failed | seconds | requests/s |");
    println!("| --- | --- | --- | --- | --- |");
    for (i, name) in PHASES.iter().enumerate() {
        println!(
            "| {name} | {} | {} | {:.1} | {:.0} |",
            tally.acknowledged[i],
            tally.failed[i],
            tally.seconds[i],
            tally.acknowledged[i] as f64 / tally.seconds[i]
        );
    }
    println!(
        "entries acknowledged {}, stored {}; users {USERS}",
        acknowledged.len(),
        stored.len()
    );
    for example in &tally.examples {
        println!("failure: {example}");
    }
    for quiet in [0, 1, 2] {
        if tally.failed[quiet] > 0 {
            failures.push(format!(
                "{} requests failed in the phase \"{}\"",
                tally.failed[quiet], PHASES[quiet]
            ));
        }
    }
    failures
}
