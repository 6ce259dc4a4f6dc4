//! HTTPS through `Server::tls`: the header timeout covers the handshake, TLS 1.2 clients
//! are served as well as TLS 1.3 ones, and the HSTS header is what the server was given.

use std::time::Duration;

use rsp::prelude::*;
use rsp_tests::tls::TestCa;
use tokio::io::AsyncReadExt;

page! {
    GET "/tls/hello" => hello;
    "<p>hello</p>"
}

/// Serves the app over HTTPS with a certificate of `ca` in the background; returns its port.
async fn serve_tls(app: App, ca: &TestCa, hsts: Option<&str>) -> u16 {
    let dir =
        std::env::temp_dir().join(format!("rsp-tls-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    ca.issue(&dir);
    let server = app
        .bind("127.0.0.1:0")
        .await
        .unwrap()
        .tls(dir.join("cert.pem"), dir.join("key.pem"))
        .unwrap()
        .hsts(hsts)
        .unwrap();
    assert_eq!(server.scheme(), "https");
    let port = server.local_addr().port();
    tokio::spawn(server.run_until(std::future::pending()));
    port
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

#[tokio::test]
async fn a_client_that_never_shakes_hands_is_dropped_after_the_header_timeout() {
    let ca = TestCa::new();
    let app = App::new().header_timeout(Duration::from_millis(300));
    let port = serve_tls(app, &ca, None).await;
    let mut silent = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let mut buf = [0; 16];
    // Far longer than the header timeout: the server must have closed by then.
    let read = tokio::time::timeout(Duration::from_secs(10), silent.read(&mut buf)).await;
    assert!(
        matches!(read, Ok(Ok(0)) | Ok(Err(_))),
        "the connection stayed open: {read:?}"
    );
    // And the server still serves.
    let res = ca.request(&[b"h2"], port, "GET", "/tls/hello").await;
    assert_eq!(res.head.status, 200);
}

#[tokio::test]
async fn tls_12_and_13_clients_are_served_and_hsts_is_as_given() {
    let ca = TestCa::new();
    let port = serve_tls(App::new(), &ca, Some("max-age=600; includeSubDomains")).await;
    let res = ca.request(&[b"http/1.1"], port, "GET", "/tls/hello").await;
    assert_eq!(res.body, "<p>hello</p>");
    assert_eq!(
        res.head.headers["strict-transport-security"],
        "max-age=600; includeSubDomains"
    );

    let tls12 = ca.request_with(
        ca.client_config_for(&[&rustls::version::TLS12], &[b"h2"]),
        port,
        "/tls/hello",
    );
    let res = tls12.await;
    assert_eq!(res.head.status, 200);
    assert_eq!(res.head.version, http::Version::HTTP_2);

    let port = serve_tls(App::new(), &ca, None).await;
    let res = ca.request(&[b"h2"], port, "GET", "/tls/hello").await;
    assert!(res.head.headers.get("strict-transport-security").is_none());
}
