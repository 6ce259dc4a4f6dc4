//! Health and readiness for load balancers, and the drain before shutdown: `/healthz`,
//! `/readyz` with the app's checks, 503 and `Connection: close` once shutdown began, paths
//! moved or turned off, and a page on a probe's path refused at start.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rsp::prelude::*;
use rsp_tests::serve;

page! {
    GET "/status" => status;
    "<p>all good</p>"
}

#[tokio::test]
async fn health_answers_while_the_process_serves() {
    let s = serve(App::new()).await;
    let res = s.get("/healthz").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.text().await.unwrap(), "ok\n");
    let res = s.client.head(s.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = s.client.post(s.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "GET, HEAD");
    assert_eq!(s.fetch("/readyz").await, (200, "ready\n".to_owned()));
}

#[tokio::test]
async fn readiness_runs_the_apps_checks() {
    let connected = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&connected);
    let app = App::new()
        .readiness_check("database", move || {
            let up = flag.load(Ordering::Relaxed);
            async move {
                match up {
                    true => Ok(()),
                    false => Err("no connection".to_owned()),
                }
            }
        })
        .readiness_check("cache", || async { Ok(()) });
    let s = serve(app).await;
    assert_eq!(
        s.fetch("/readyz").await,
        (503, "database: no connection\n".to_owned())
    );
    // Health checks nothing.
    assert_eq!(s.fetch("/healthz").await.0, 200);
    connected.store(true, Ordering::Relaxed);
    assert_eq!(s.fetch("/readyz").await, (200, "ready\n".to_owned()));
}

#[tokio::test]
async fn a_check_that_hangs_fails() {
    let app = App::new().readiness_check("queue", std::future::pending);
    let s = serve(app).await;
    assert_eq!(
        s.fetch("/readyz").await,
        (503, "queue: no answer within 2 s\n".to_owned())
    );
}

#[tokio::test]
async fn during_the_drain_delay_readiness_fails_and_connections_close() {
    let mut s = serve(App::new().drain_delay(Duration::from_secs(60))).await;
    assert_eq!(s.fetch("/readyz").await.0, 200);
    s.begin_shutdown();
    // The site goes on serving pages, on new connections too.
    let wait = || tokio::time::sleep(Duration::from_millis(20));
    let mut answered = None;
    for _ in 0..250 {
        let (status, body) = s.fetch("/readyz").await;
        if status == 503 {
            answered = Some(body);
            break;
        }
        wait().await;
    }
    assert_eq!(answered.as_deref(), Some("stopping\n"));
    let res = reqwest::get(s.url("/status")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["connection"], "close");
    assert!(res.text().await.unwrap().contains("all good"));
}

#[tokio::test]
async fn after_the_drain_delay_the_site_stops() {
    let mut s = serve(App::new().drain_delay(Duration::from_millis(200))).await;
    s.begin_shutdown();
    let stopped = tokio::time::timeout(Duration::from_secs(20), s.shutdown()).await;
    assert!(matches!(stopped, Ok(Ok(()))), "{stopped:?}");
}

#[tokio::test]
async fn probes_move_or_go() {
    let app = App::new().health_path(Some("/up")).ready_path(None);
    let s = serve(app).await;
    assert_eq!(s.fetch("/up").await, (200, "ok\n".to_owned()));
    assert_eq!(s.fetch("/healthz").await.0, 404);
    assert_eq!(s.fetch("/readyz").await.0, 404);
}

#[tokio::test]
async fn a_page_on_a_probes_path_is_refused_at_start() {
    let error = App::new()
        .ready_path(Some("/status"))
        .bind("127.0.0.1:0")
        .await
        .err()
        .expect("refused");
    let error = error.to_string();
    assert!(error.contains("the page `probes::status`"), "{error}");
    assert!(
        error.contains("is on /status, the path of the readiness check"),
        "{error}"
    );
    assert!(error.contains("--ready-path"), "{error}");
}
