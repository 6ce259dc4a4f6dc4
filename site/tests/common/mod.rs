//! Starting the site binary from a test, shared by the test files (`mod common;`).

// Each test file uses part of this module; the rest would be dead code (or an unused
// import) there.
#![allow(dead_code, unused_imports)]

pub use rsp_tests::{csrf_token, form_token, page_text};

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;

/// The site running in a child process, killed when dropped.
pub struct Site {
    child: Child,
    /// `http://127.0.0.1:PORT`, from the site's `listening on` line.
    pub base: String,
    /// Reads the site's log as it comes, so that a full pipe never stalls the site.
    log: Option<JoinHandle<String>>,
}

impl Site {
    /// Starts `exe` in `dir` on a free port (unless `args` give `--addr`); waits for its
    /// `listening on` line.
    pub fn start(exe: &Path, dir: &Path, args: &[&str]) -> Site {
        let addr: &[&str] = if args.contains(&"--addr") {
            &[]
        } else {
            &["--addr", "127.0.0.1:0"]
        };
        let mut child = Command::new(exe)
            .args(addr)
            .args(args)
            .current_dir(dir)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the site");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_owned();
        let mut stderr = child.stderr.take().unwrap();
        let log = std::thread::spawn(move || {
            let mut log = Vec::new();
            let _ = stderr.read_to_end(&mut log);
            String::from_utf8_lossy(&log).into_owned()
        });
        Site {
            child,
            base,
            log: Some(log),
        }
    }

    pub async fn fetch(&self, path: &str) -> (u16, String) {
        let res = reqwest::get(format!("{}{path}", self.base)).await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    /// The site's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops the site as a service manager would (SIGTERM, so it writes out its log) and
    /// returns what it logged.
    pub fn stop(mut self) -> String {
        let term = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        assert!(term.is_ok_and(|s| s.success()), "kill -TERM");
        for _ in 0..200 {
            if self.child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        let _ = self.child.kill();
        self.child.wait().unwrap();
        self.log.take().unwrap().join().unwrap()
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The site started in a new empty directory named after `name`, with its data in it.
pub fn start(name: &str) -> Site {
    let dir = empty_dir(name);
    Site::start(
        &exe(),
        &dir,
        &["--data", dir.join("data").to_str().unwrap()],
    )
}

/// A new empty directory under the system's temporary directory.
pub fn empty_dir(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "rsp-site-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The site started in `dir` with `args` on a free port, expected to stop at once with an
/// error; what it wrote to stderr.
pub fn start_fails(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(exe())
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(!out.status.success(), "{args:?} started");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The site binary cargo built for these tests.
pub fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_site"))
}
