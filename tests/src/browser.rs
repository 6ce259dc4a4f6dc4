//! Headless Chromium driven through chromedriver's W3C WebDriver HTTP API, for the tests
//! that need a real browser (escaping, reloads in dev mode).
//!
//! Runs when `RSP_CHROMEDRIVER` names chromedriver (CI sets it to /usr/bin/chromedriver);
//! `RSP_CHROMIUM` names the browser, /usr/bin/chromium by default.

use std::cell::Cell;
use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// An error answered by chromedriver: its code, such as `no such alert`, and message.
#[derive(Debug)]
pub struct WebDriverError {
    pub error: String,
    pub message: String,
}

impl std::fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.message)
    }
}

/// Waits two frames and a little more, so that focus, load and error events have fired.
const SETTLE: &str = r#"
const done = arguments[arguments.length - 1];
requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 20)));
"#;

/// A Chromium session; dropping it closes the browser, then stops chromedriver.
pub struct Browser {
    session: String,
    /// Pages loaded with `goto`.
    loads: Cell<usize>,
    http: reqwest::Client,
    driver: Chromedriver,
}

impl Browser {
    /// The browser the environment names, or `None` (saying so on stderr, with what is
    /// skipped) when `RSP_CHROMEDRIVER` is not set.
    pub async fn from_env(skipped: &str) -> Option<Browser> {
        let Some(chromedriver) = std::env::var_os("RSP_CHROMEDRIVER") else {
            eprintln!(
                "skipped: {skipped}; set RSP_CHROMEDRIVER to chromedriver's path \
                 (e.g. /usr/bin/chromedriver) to run it"
            );
            return None;
        };
        let chromium = std::env::var_os("RSP_CHROMIUM").unwrap_or("/usr/bin/chromium".into());
        Some(Browser::start(PathBuf::from(chromedriver), PathBuf::from(chromium)).await)
    }

    /// Starts chromedriver and a headless Chromium session; panics if either cannot start.
    pub async fn start(chromedriver: PathBuf, chromium: PathBuf) -> Browser {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let driver = Chromedriver::start(&chromedriver, &http).await;
        let profile = driver.dir.join("profile");
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "unhandledPromptBehavior": "ignore",
            "timeouts": {"pageLoad": 30_000, "script": 10_000},
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    // Links to other hosts fail at once, offline or not.
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        }}});
        let res = http
            .post(format!("{}/session", driver.base))
            .json(&capabilities)
            .send()
            .await;
        let session = match answer(res).await {
            Ok(value) => value["sessionId"].as_str().unwrap().to_owned(),
            Err(e) => panic!(
                "chromedriver could not start Chromium {chromium:?}: {e}\n{}",
                std::fs::read_to_string(driver.dir.join("chromedriver.log")).unwrap_or_default()
            ),
        };
        Browser {
            session,
            loads: Cell::new(0),
            http,
            driver,
        }
    }

    fn url(&self, command: &str) -> String {
        format!("{}/session/{}/{command}", self.driver.base, self.session)
    }

    /// A WebDriver command without a body, such as `alert/text`.
    pub async fn get(&self, command: &str) -> Result<Value, WebDriverError> {
        answer(self.http.get(self.url(command)).send().await).await
    }

    /// A WebDriver command with a JSON body, such as `url`.
    pub async fn post(&self, command: &str, body: Value) -> Result<Value, WebDriverError> {
        answer(self.http.post(self.url(command)).json(&body).send().await).await
    }

    /// Navigates and waits for the load event.
    pub async fn goto(&self, url: &str) -> Result<(), WebDriverError> {
        self.loads.set(self.loads.get() + 1);
        self.post("url", json!({ "url": url })).await.map(drop)
    }

    /// How many pages `goto` loaded.
    pub fn loads(&self) -> usize {
        self.loads.get()
    }

    /// Runs `script` in the page (a function body; `arguments` holds `args`) and returns
    /// what it returns.
    pub async fn execute(&self, script: &str, args: Value) -> Result<Value, WebDriverError> {
        self.post("execute/sync", json!({ "script": script, "args": args }))
            .await
    }

    /// Lets the page settle: two animation frames and a timer.
    pub async fn settle(&self) {
        // A page that navigates or opens a dialog meanwhile is for the next check to see.
        let _ = self
            .post("execute/async", json!({ "script": SETTLE, "args": [] }))
            .await;
    }

    /// The text of an open dialog, which is then dismissed.
    pub async fn dialog(&self) -> Result<Option<String>, WebDriverError> {
        match self.get("alert/text").await {
            Ok(text) => {
                let _ = self.post("alert/dismiss", json!({})).await;
                Ok(Some(text.as_str().unwrap_or_default().to_owned()))
            }
            Err(e) if e.error == "no such alert" => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The entries Chromium logged since the last call, as `(source, message)`: `javascript`
    /// for script errors, `security` for refused content, `network` for failed loads.
    pub async fn log(&self) -> Result<Vec<(String, String)>, WebDriverError> {
        let entries = self.post("se/log", json!({ "type": "browser" })).await?;
        Ok(entries
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                let text = |key: &str| e[key].as_str().unwrap_or_default().to_owned();
                (text("source"), text("message"))
            })
            .collect())
    }

    /// Script errors Chromium logged since the last call.
    pub async fn script_errors(&self) -> Vec<String> {
        match self.log().await {
            Ok(entries) => entries
                .into_iter()
                .filter(|(source, _)| source == "javascript")
                .map(|(_, message)| format!("a script error was logged: {message:?}"))
                .collect(),
            Err(e) => vec![format!("the browser log could not be read: {e}")],
        }
    }

    /// Starts a fresh page of evidence: returns what was left from the page before
    /// (dialogs, script errors).
    pub async fn arm(&self) -> Vec<String> {
        let mut late = self.script_errors().await;
        // A page may open dialog after dialog: dismiss them all, within reason.
        for _ in 0..1000 {
            match self.dialog().await {
                Ok(Some(text)) => late.push(format!("an alert dialog opened: {text:?}")),
                Ok(None) => break,
                Err(e) => {
                    late.push(format!("asking for a dialog failed: {e}"));
                    break;
                }
            }
        }
        late
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Drop cannot await: close the browser from a thread with a runtime of its own.
        let url = format!("{}/session/{}", self.driver.base, self.session);
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let client = reqwest::Client::new();
                let _ = client
                    .delete(url)
                    .timeout(Duration::from_secs(10))
                    .send()
                    .await;
            });
        })
        .join();
    }
}

/// Chromedriver in a child process on a free loopback port; killed when dropped.
struct Chromedriver {
    child: Child,
    base: String,
    /// Holds the browser profile and chromedriver's output; removed when dropped.
    dir: PathBuf,
}

impl Chromedriver {
    /// Starts chromedriver and waits until `/status` says it is ready; panics if it
    /// cannot start.
    async fn start(path: &Path, http: &reqwest::Client) -> Chromedriver {
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "rsp-chromedriver-{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for attempt in 1.. {
            // A free port: bound by the system, released, then given to chromedriver.
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let log = File::create(dir.join("chromedriver.log")).unwrap();
            let child = Command::new(path)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| {
                    let _ = std::fs::remove_dir_all(&dir);
                    panic!("cannot start chromedriver {path:?}: {e}")
                });
            let mut driver = Chromedriver {
                child,
                base: format!("http://127.0.0.1:{port}"),
                dir: dir.clone(),
            };
            match driver.wait_ready(http).await {
                Ok(()) => return driver,
                // Most likely the port was taken in between: try another.
                Err(why) if attempt < 5 => {
                    eprintln!("chromedriver on port {port}: {why}; retrying")
                }
                Err(why) => panic!(
                    "chromedriver {path:?} did not start: {why}\n{}",
                    std::fs::read_to_string(dir.join("chromedriver.log")).unwrap_or_default()
                ),
            }
        }
        unreachable!()
    }

    async fn wait_ready(&mut self, http: &reqwest::Client) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Err(format!("it exited ({status})"));
            }
            if let Ok(res) = http.get(format!("{}/status", self.base)).send().await {
                let status: Value = res.json().await.unwrap_or_default();
                if status["value"]["ready"] == true {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err("not ready after 30 s".into())
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The value of a WebDriver answer, or its error.
async fn answer(res: reqwest::Result<reqwest::Response>) -> Result<Value, WebDriverError> {
    let failed = |message: String| WebDriverError {
        error: "no answer".into(),
        message,
    };
    let res = res.map_err(|e| failed(e.to_string()))?;
    let ok = res.status().is_success();
    let mut body: Value = res.json().await.map_err(|e| failed(e.to_string()))?;
    let value = body["value"].take();
    if ok {
        return Ok(value);
    }
    let text = |key: &str| value[key].as_str().unwrap_or_default().to_owned();
    Err(WebDriverError {
        error: text("error"),
        message: text("message")
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned(),
    })
}
