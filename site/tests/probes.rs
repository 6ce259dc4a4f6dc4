//! The site as a load balancer sees it: `/healthz`, `/readyz` with the guestbook's check,
//! the drain after SIGTERM, and sessions in Redis (`--redis-url`).

mod common;

use std::process::Command;
use std::time::Duration;

use common::{empty_dir, exe, start_fails, Site};

#[tokio::test]
async fn the_site_answers_probes_and_drains_after_sigterm() {
    let dir = empty_dir("probes");
    let data = dir.join("data");
    let site = Site::start(
        &exe(),
        &dir,
        &["--data", data.to_str().unwrap(), "--drain-delay", "60"],
    );
    assert_eq!(site.fetch("/healthz").await, (200, "ok\n".to_owned()));
    assert_eq!(site.fetch("/readyz").await, (200, "ready\n".to_owned()));

    let term = Command::new("kill")
        .args(["-TERM", &site.pid().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let mut readiness = None;
    for _ in 0..200 {
        let answer = site.fetch("/readyz").await;
        if answer.0 == 503 {
            readiness = Some(answer.1);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(readiness.as_deref(), Some("stopping\n"));
    // Pages are still served, each closing its connection.
    let res = reqwest::get(format!("{}/about", site.base)).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["connection"], "close");
    let log = site.stop();
    assert!(log.contains("draining: /readyz answers 503"), "{log}");
    assert!(
        !log.contains("GET /healthz"),
        "a probe in the access log: {log}"
    );
}

#[tokio::test]
async fn sessions_in_redis_and_a_warning_about_the_secret() {
    let Ok(url) = std::env::var("RSP_TEST_REDIS_URL") else {
        eprintln!("skipped: set RSP_TEST_REDIS_URL to a Redis server (.ci/run does)");
        return;
    };
    let dir = empty_dir("redis-site");
    let data = dir.join("data");
    let site = Site::start(
        &exe(),
        &dir,
        &["--data", data.to_str().unwrap(), "--redis-url", &url],
    );
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    for visits in ["1", "2"] {
        let page = common::page_text(&client, &format!("{}/counter", site.base)).await;
        assert!(page.contains(&format!("<b>{visits}</b>")), "{page}");
    }
    assert!(
        !data.join("sessions.sqlite3").exists(),
        "the sessions went to SQLite"
    );
    let log = site.stop();
    assert!(
        log.contains("set RSP_SECRET to one value on every instance"),
        "{log}"
    );
}

#[test]
fn an_unreachable_redis_stops_the_site_with_the_reason() {
    let dir = empty_dir("redis-down");
    let err = start_fails(
        &dir,
        &["--data", "data", "--redis-url", "redis://127.0.0.1:1/"],
    );
    assert!(
        err.contains("cannot reach the session store at redis://127.0.0.1:1/"),
        "{err}"
    );
}
