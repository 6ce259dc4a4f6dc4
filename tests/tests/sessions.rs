//! Sessions end to end: a cookie jar round trip, tampering, regeneration, flash
//! messages, persistence across a restart, and idle expiry.

use std::time::Duration;

use rsp::prelude::*;
use rsp::SqliteStore;
use rsp_tests::{client, serve};

page! {
    GET "/count" => count;
    let session = req.session().await?;
    let n = session.get::<u32>("n").unwrap_or(0) + 1;
    session.set("n", n)?;
    "<%= n %>"
}

page! {
    GET "/slow-count" => slow_count;
    let session = req.session().await?;
    let n = session.get::<u32>("n").unwrap_or(0) + 1;
    // Longer than the store's lock lasts unless renewed.
    tokio::time::sleep(Duration::from_secs(7)).await;
    session.set("n", n)?;
    "<%= n %>"
}

page! {
    GET "/peek" => peek;
    let session = req.session().await?;
    let n = session.get::<u32>("n").unwrap_or(0);
    "<%= n %>"
}

page! {
    GET "/plain" => plain;
    "no session here"
}

page! {
    GET "/login" => login;
    let session = req.session().await?;
    session.regenerate();
    session.set("user", "ann")?;
    session.flash("welcome");
    return redirect("/flash");
    ""
}

page! {
    GET "/flash" => flash;
    let messages = req.session().await?.take_flash();
    "<%= messages.join(\",\") %>"
}

page! {
    GET "/logout" => logout;
    req.session().await?.clear();
    "bye"
}

page! {
    GET "/form" => form;
    r#"<form method="post" action="/count"><button>Count</button></form>"#
}

page! {
    GET "/remember" => remember;
    res.set_cookie("theme", "dark");
    "remembered"
}

page! {
    GET "/shared" => shared;
    let n = req.session().await?.get::<u32>("n").unwrap_or(0);
    res.set_header("cache-control", "public, max-age=60")?;
    "<%= n %>"
}

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("rsp_session="))
}

async fn text(res: reqwest::Response) -> String {
    res.text().await.unwrap()
}

#[tokio::test]
async fn a_session_round_trips_with_a_cookie_jar() {
    let s = serve(App::new()).await;
    let first = s.get("/count").await;
    let cookie = session_cookie(&first).expect("a new session sets its cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert_eq!(text(first).await, "1");
    let second = s.get("/count").await;
    assert_eq!(
        session_cookie(&second),
        None,
        "a known id is not sent again"
    );
    assert_eq!(text(second).await, "2");
    assert_eq!(s.fetch("/peek").await.1, "2");
    // Another visitor has their own session.
    let other = client();
    assert_eq!(
        text(other.get(s.url("/count")).send().await.unwrap()).await,
        "1"
    );
}

#[tokio::test]
async fn pages_that_do_not_touch_the_session_send_no_cookie() {
    let s = serve(App::new()).await;
    let res = s.get("/plain").await;
    assert_eq!(session_cookie(&res), None);
    let res = s.get("/peek").await;
    assert_eq!(
        session_cookie(&res),
        None,
        "reading an empty session changes nothing"
    );
}

/// A page for one visitor (it read the session, embeds a CSRF token or sets a cookie) is
/// `private, no-cache`, so no shared cache can hand it, or its cookie, to another.
#[tokio::test]
async fn pages_for_one_visitor_are_not_cached_as_public() {
    let server = serve(App::new()).await;
    let client = client();
    for (path, expected) in [
        ("/count", Some("private, no-cache")),
        ("/peek", Some("private, no-cache")),
        ("/form", Some("private, no-cache")),
        ("/remember", Some("private, no-cache")),
        ("/shared", Some("public, max-age=60")),
        ("/plain", None),
    ] {
        let res = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let cache = res.headers().get("cache-control");
        assert_eq!(cache.map(|v| v.to_str().unwrap()), expected, "{path}");
    }
}

/// Sends 50 increments of one visitor's counter at once, spread over `instances`, and
/// returns the count after them: 51 if no update was lost.
async fn count_concurrently(instances: &[&rsp_tests::TestServer]) -> String {
    let browser = client();
    let first = browser
        .get(instances[0].url("/count"))
        .send()
        .await
        .unwrap();
    assert_eq!(text(first).await, "1");
    let requests: Vec<_> = (0..50)
        .map(|i| {
            let request = browser.get(instances[i % instances.len()].url("/count"));
            tokio::spawn(async move { request.send().await.unwrap().status() })
        })
        .collect();
    for request in requests {
        assert_eq!(request.await.unwrap(), 200);
    }
    text(browser.get(instances[0].url("/peek")).send().await.unwrap()).await
}

/// PHP's session lock: the requests of one session run one at a time from load to save.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_of_one_session_lose_no_update() {
    let server = serve(App::new()).await;
    assert_eq!(count_concurrently(&[&server]).await, "51");
}

/// An instance whose sessions are in the SQLite file `path`, which others may share.
async fn sharing_sqlite_file(path: &std::path::Path) -> rsp_tests::TestServer {
    let store = SqliteStore::open(path).unwrap();
    serve(
        App::new()
            .secret("one secret for every instance")
            .sessions(store),
    )
    .await
}

/// Two instances on one SQLite file lock each other out through the file.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_sharing_a_sqlite_file_lose_no_update() {
    let path = std::env::temp_dir().join(format!("rsp-locks-{}.sqlite3", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let instance = || sharing_sqlite_file(&path);
    let (a, b) = (instance().await, instance().await);
    assert_eq!(count_concurrently(&[&a, &b]).await, "51");
    let _ = std::fs::remove_file(&path);
}

/// The store's lock is a short lease, renewed while its request runs: a request longer
/// than the lease keeps it (no update lost to another instance), and a lock left by a
/// process that died would lapse within the lease rather than the longest request.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_long_request_renews_its_lock_and_the_lock_is_a_short_lease() {
    let path = std::env::temp_dir().join(format!("rsp-lease-{}.sqlite3", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let instance = || sharing_sqlite_file(&path);
    let (a, b) = (instance().await, instance().await);
    let browser = client();
    assert_eq!(
        text(browser.get(a.url("/count")).send().await.unwrap()).await,
        "1"
    );
    let slow = tokio::spawn(browser.get(a.url("/slow-count")).send());

    let db = rsp::rusqlite::Connection::open(&path).unwrap();
    let lock_expiry = || {
        db.query_row("SELECT max(expires_ms) FROM rsp_session_locks", [], |row| {
            row.get::<_, Option<i64>>(0)
        })
        .unwrap()
    };
    let now_ms = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64
    };
    let mut first = None;
    for _ in 0..200 {
        first = lock_expiry();
        if first.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let first = first.expect("the slow request holds the lock");
    assert!(
        first - now_ms() <= 5_000,
        "a lock of {} ms",
        first - now_ms()
    );
    let mut renewed = false;
    for _ in 0..100 {
        if lock_expiry().is_some_and(|expiry| expiry > first) {
            renewed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(renewed, "the lock was not renewed");

    // Waits for the slow one, past the lease, rather than overwrite its update.
    let counted = browser.get(b.url("/count")).send().await.unwrap();
    assert_eq!(text(counted).await, "3");
    assert_eq!(text(slow.await.unwrap().unwrap()).await, "2");
    assert_eq!(
        text(browser.get(a.url("/peek")).send().await.unwrap()).await,
        "3"
    );
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn a_tampered_cookie_starts_a_fresh_session() {
    let s = serve(App::new()).await;
    let first = s.get("/count").await;
    let cookie = session_cookie(&first).unwrap();
    let pair = cookie.split(';').next().unwrap().to_owned();
    s.get("/count").await;
    // Flip one character of the signed value.
    let mut forged = pair.clone().into_bytes();
    let last = forged.len() - 1;
    forged[last] = if forged[last] == b'0' { b'1' } else { b'0' };
    let forged = String::from_utf8(forged).unwrap();
    for cookie in [forged.as_str(), "rsp_session=garbage", "rsp_session="] {
        let res = reqwest::Client::new()
            .get(s.url("/count"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{cookie}");
        assert!(
            session_cookie(&res).is_some(),
            "a fresh session gets a fresh id"
        );
        assert_eq!(text(res).await, "1", "{cookie}");
    }
    // The real cookie still works.
    let res = reqwest::Client::new()
        .get(s.url("/peek"))
        .header("cookie", pair)
        .send()
        .await
        .unwrap();
    assert_eq!(text(res).await, "2");
}

#[tokio::test]
async fn regenerate_changes_the_id_and_keeps_the_data() {
    let s = serve(App::new()).await;
    let first = s.get("/count").await;
    let old = session_cookie(&first).unwrap();
    let old_pair = old.split(';').next().unwrap().to_owned();
    let login = s.get("/login").await;
    let new = session_cookie(&login).expect("regenerate sends the new id");
    assert_ne!(old_pair, new.split(';').next().unwrap());
    assert_eq!(s.fetch("/flash").await.1, "welcome");
    assert_eq!(s.fetch("/flash").await.1, "", "a flash is shown once");
    assert_eq!(s.fetch("/peek").await.1, "1", "data moved to the new id");
    // The old id is worth nothing now.
    let res = reqwest::Client::new()
        .get(s.url("/peek"))
        .header("cookie", old_pair)
        .send()
        .await
        .unwrap();
    assert_eq!(text(res).await, "0");
}

#[tokio::test]
async fn clearing_forgets_the_data_and_keeps_the_id() {
    let s = serve(App::new()).await;
    s.get("/count").await;
    let res = s.get("/logout").await;
    assert_eq!(
        session_cookie(&res),
        None,
        "the id stays: open forms keep their token"
    );
    assert_eq!(s.fetch("/peek").await.1, "0");
    assert_eq!(s.fetch("/count").await.1, "1");
}

#[tokio::test]
async fn sessions_survive_a_restart_with_the_persistent_store() {
    let dir = std::env::temp_dir().join(format!("rsp-sessions-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let app = || {
        App::new()
            .sessions(SqliteStore::open(dir.join("sessions.sqlite3")).unwrap())
            .secret_file(dir.join("secret"))
    };
    let first = serve(app()).await;
    let jar = first.client.clone();
    assert_eq!(first.fetch("/count").await.1, "1");
    assert_eq!(first.fetch("/count").await.1, "2");
    first.shutdown().await.unwrap();

    let second = serve(app()).await;
    // Same client, same cookie: the new server instance knows the session.
    let res = jar.get(second.url("/count")).send().await.unwrap();
    assert_eq!(text(res).await, "3");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn idle_sessions_expire() {
    let s = serve(App::new().session_idle_timeout(Duration::ZERO)).await;
    assert_eq!(s.fetch("/count").await.1, "1");
    assert_eq!(
        s.fetch("/count").await.1,
        "1",
        "an idle timeout of zero keeps nothing"
    );
}

#[tokio::test]
async fn the_cookie_is_secure_when_configured_or_behind_https() {
    let s = serve(App::new().secure_cookies(true)).await;
    let cookie = session_cookie(&s.get("/count").await).unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
    let over_https = |s: &rsp_tests::TestServer| {
        s.client
            .get(s.url("/count"))
            .header("x-forwarded-proto", "https")
            .send()
    };
    // A trusted proxy may say the request came over HTTPS; anyone else may not.
    let s = serve(App::new().trusted_proxies("127.0.0.1").unwrap()).await;
    let res = over_https(&s).await.unwrap();
    assert!(session_cookie(&res).unwrap().contains("Secure"));
    let s = serve(App::new().trusted_proxies("10.0.0.0/8").unwrap()).await;
    let res = over_https(&s).await.unwrap();
    assert!(!session_cookie(&res).unwrap().contains("Secure"));
    let s = serve(App::new()).await;
    let res = over_https(&s).await.unwrap();
    assert!(!session_cookie(&res).unwrap().contains("Secure"));
}
