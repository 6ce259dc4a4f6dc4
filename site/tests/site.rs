//! The site binary, run as a user runs it: every page, the guestbook surviving a
//! restart, and the binary working alone in an empty directory.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The site running in a child process, killed when dropped.
struct Site {
    child: Child,
    base: String,
}

impl Site {
    /// Starts `exe` in `dir` on a free port; waits for its `listening on` line.
    fn start(exe: &Path, dir: &Path, args: &[&str]) -> Site {
        let mut child = Command::new(exe)
            .args(["--addr", "127.0.0.1:0"])
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
        Site { child, base }
    }

    async fn fetch(&self, path: &str) -> (u16, String) {
        let res = reqwest::get(format!("{}{path}", self.base)).await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    /// Stops the site and returns what it logged.
    fn stop(mut self) -> String {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        let mut log = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut log)
            .unwrap();
        log
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn empty_dir(name: &str) -> PathBuf {
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

/// The value of the first hidden `_csrf` field in a page.
fn csrf_token(page: &str) -> String {
    let start = page.find(r#"name="_csrf" value=""#).expect("a CSRF field") + 20;
    page[start..start + 64].to_owned()
}

fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_site"))
}

#[tokio::test]
async fn every_page_is_served() {
    let dir = empty_dir("pages");
    let site = Site::start(
        &exe(),
        &dir,
        &["--data", dir.join("data").to_str().unwrap()],
    );
    let (status, home) = site.fetch("/").await;
    assert_eq!(status, 200);
    for link in ["/hello/world", "/guestbook", "/about"] {
        assert!(home.contains(&format!("href=\"{link}\"")), "{home}");
        assert_eq!(site.fetch(link).await.0, 200, "{link}");
    }
    assert!(site
        .fetch("/hello/world")
        .await
        .1
        .contains("Hello, whole world!"));
    let (_, hello) = site.fetch("/hello/%3Cb%3Ex%3C/b%3E").await;
    assert!(hello.contains("Hello, &lt;b&gt;x&lt;/b&gt;!"), "{hello}");
    let (_, about) = site.fetch("/about").await;
    assert!(about.contains("<title>About rsp · rsp</title>"), "{about}");
    assert!(
        about.contains(r#"<section class="card"><h2>One binary</h2>"#),
        "{about}"
    );
    let (status, missing) = site.fetch("/nowhere/%3Cx%3E").await;
    assert_eq!(status, 404);
    assert!(
        missing.contains("There is no page at <code>/nowhere/%3Cx%3E</code>"),
        "{missing}"
    );
    let log = site.stop();
    assert!(log.contains("GET /about 200"), "{log}");
}

#[tokio::test]
async fn guestbook_entries_survive_a_restart() {
    let dir = empty_dir("guestbook");
    let data = dir.join("data");
    let args = ["--data", data.to_str().unwrap()];
    let site = Site::start(&exe(), &dir, &args);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    // The form carries its CSRF token, as a browser would send it.
    let form = client
        .get(format!("{}/guestbook", site.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_token(&form);
    let res = client
        .post(format!("{}/guestbook", site.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("name", "Ann <3"),
            ("message", "<script>alert(1)</script>"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/guestbook");
    let empty = client
        .post(format!("{}/guestbook", site.base))
        .form(&[("_csrf", token.as_str()), ("name", " "), ("message", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 400);
    drop(site);

    let site = Site::start(&exe(), &dir, &args);
    let (_, page) = site.fetch("/guestbook").await;
    assert!(page.contains("<b>Ann &lt;3</b>"), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(!page.contains("<script>"), "{page}");
    assert_eq!(page.matches("<li>").count(), 1, "{page}");
}

#[tokio::test]
async fn the_binary_alone_in_an_empty_directory_serves_every_page() {
    let dir = empty_dir("alone");
    let copy = dir.join("site");
    std::fs::copy(exe(), &copy).unwrap();
    let site = Site::start(&copy, &dir, &[]);
    for page in ["/", "/hello/you", "/guestbook", "/about"] {
        assert_eq!(site.fetch(page).await.0, 200, "{page}");
    }
    assert!(dir.join("data").join("guestbook.sqlite3").is_file());
}
