//! Graceful shutdown: a request in flight when the signal comes still gets its answer,
//! and the server stops accepting new connections.

use std::sync::Arc;

use rsp::prelude::*;
use rsp_tests::serve;
use tokio::sync::Notify;

/// Lets the test hold a page mid-request.
#[derive(Default)]
struct Gate {
    entered: Notify,
    release: Notify,
}

page! {
    GET "/wait" => wait;
    let gate = Arc::clone(req.state::<Arc<Gate>>());
    gate.entered.notify_one();
    gate.release.notified().await;
    "finished"
}

#[tokio::test]
async fn in_flight_requests_finish_after_the_signal() {
    let gate = Arc::new(Gate::default());
    let server = serve(App::new().state(Arc::clone(&gate))).await;
    let url = server.url("/wait");
    let client = server.client.clone();
    let in_flight = tokio::spawn(async move { client.get(url).send().await });

    gate.entered.notified().await;
    let mut stopped = tokio::spawn(server.shutdown());
    // The server must not finish while the page is still running. (Waiting longer only
    // makes this check stricter; a slow machine cannot make it fail.)
    tokio::select! {
        _ = &mut stopped => panic!("the server stopped with a request in flight"),
        () = tokio::time::sleep(std::time::Duration::from_millis(300)) => {}
    }
    gate.release.notify_one();

    let response = in_flight
        .await
        .unwrap()
        .expect("the in-flight request is answered");
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "finished");
    stopped.await.unwrap().expect("the server stops cleanly");
}

#[tokio::test]
async fn no_new_connections_after_shutdown() {
    let server = serve(App::new().state(Arc::new(Gate::default()))).await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    server.shutdown().await.unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

/// Connections with nothing in flight do not hold the shutdown: one that never sent a byte
/// (a browser's preconnected spare) and one idle between requests are closed, although the
/// header and shutdown timeouts would wait an hour.
#[tokio::test]
async fn idle_connections_do_not_hold_the_shutdown() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let hour = std::time::Duration::from_secs(3600);
    let app = App::new()
        .state(Arc::new(Gate::default()))
        .header_timeout(hour)
        .shutdown_timeout(hour);
    let server = serve(app).await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let mut silent = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let mut idle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    idle.write_all(b"GET /nothing-here HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = [0u8; 12];
    idle.read_exact(&mut answer).await.unwrap();
    assert_eq!(&answer, b"HTTP/1.1 404");

    let stopped = tokio::time::timeout(hour / 60, server.shutdown()).await;
    stopped
        .expect("the shutdown waited for idle connections")
        .unwrap();
    let mut rest = Vec::new();
    for stream in [&mut silent, &mut idle] {
        // Closed by the server: the rest of the stream ends (an idle connection's answer
        // was read up to its status only).
        tokio::time::timeout(hour / 60, stream.read_to_end(&mut rest))
            .await
            .expect("the connection was closed")
            .unwrap();
    }
}
