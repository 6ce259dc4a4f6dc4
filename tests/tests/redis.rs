//! Several instances behind a load balancer: two apps on two ports share one session
//! through a real Redis server.
//!
//! `.ci/run` starts a `redis-server` on loopback and sets `RSP_TEST_REDIS_URL`; without the
//! variable this test says it was skipped and does nothing.

use rsp::prelude::*;
use rsp::RedisStore;
use rsp_tests::{client, serve, TestServer};

page! {
    GET "/count" => count;
    let session = req.session().await?;
    let n = session.get::<u32>("n").unwrap_or(0) + 1;
    session.set("n", n)?;
    "<%= n %>"
}

page! {
    GET "/login" => login;
    let session = req.session().await?;
    session.regenerate();
    session.flash("hello from the other side");
    "ok"
}

page! {
    GET "/flash" => flash;
    let messages = req.session().await?.take_flash();
    "<%= messages.join(\",\") %>"
}

async fn instance(url: &str) -> TestServer {
    let store = RedisStore::connect(url)
        .await
        .expect("connect to RSP_TEST_REDIS_URL");
    // Both instances sign cookies with the same secret, as a real deployment would.
    serve(
        App::new()
            .secret("one secret for every instance")
            .sessions(store),
    )
    .await
}

#[tokio::test]
async fn two_instances_share_a_session() {
    let Ok(url) = std::env::var("RSP_TEST_REDIS_URL") else {
        eprintln!("skipped: set RSP_TEST_REDIS_URL to a Redis server (.ci/run does)");
        return;
    };
    let a = instance(&url).await;
    let b = instance(&url).await;
    assert_ne!(a.base, b.base);
    let browser = client();
    let fetch = |base: &str| {
        let request = browser.get(format!("{base}/count")).send();
        async move { request.await.unwrap().text().await.unwrap() }
    };
    assert_eq!(fetch(&a.base).await, "1");
    assert_eq!(fetch(&b.base).await, "2");
    assert_eq!(fetch(&a.base).await, "3");

    // A new id made on one instance is known to the other; the flash crosses over too.
    browser.get(a.url("/login")).send().await.unwrap();
    let flash = browser.get(b.url("/flash")).send().await.unwrap();
    assert_eq!(flash.text().await.unwrap(), "hello from the other side");
    assert_eq!(fetch(&b.base).await, "4");

    // Another visitor starts from nothing.
    let other = client();
    let res = other.get(b.url("/count")).send().await.unwrap();
    assert_eq!(res.text().await.unwrap(), "1");
}

/// 50 increments of one session at once, half through each instance: the lock in Redis
/// lets one request at a time hold the session, so none is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_lose_no_update() {
    let Ok(url) = std::env::var("RSP_TEST_REDIS_URL") else {
        eprintln!("skipped: set RSP_TEST_REDIS_URL to a Redis server (.ci/run does)");
        return;
    };
    let instances = [instance(&url).await, instance(&url).await];
    let browser = client();
    let count = |i: usize| browser.get(instances[i % 2].url("/count")).send();
    assert_eq!(count(0).await.unwrap().text().await.unwrap(), "1");
    let requests: Vec<_> = (0..50)
        .map(|i| {
            let request = count(i);
            tokio::spawn(async move { request.await.unwrap().status() })
        })
        .collect();
    for request in requests {
        assert_eq!(request.await.unwrap(), 200);
    }
    assert_eq!(count(1).await.unwrap().text().await.unwrap(), "52");
}
