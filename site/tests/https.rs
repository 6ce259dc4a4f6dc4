//! HTTPS in the binary: the site with `--tls-cert` and `--tls-key` (certificates of a CA
//! the test makes), HTTP/2 and HTTP/1.1 by ALPN, Secure cookies, the plain-HTTP redirect,
//! HSTS, and certificates read again on SIGHUP.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{empty_dir, exe, start_fails, Site};
use rsp_tests::tls::TestCa;

/// The site serving HTTPS with the certificate files in `dir`, and `args`.
fn start_https(dir: &Path, args: &[&str]) -> Site {
    let data = dir.join("data");
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let mut all = vec![
        "--data",
        data.to_str().unwrap(),
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    Site::start(&exe(), dir, &all)
}

fn port_of(base: &str) -> u16 {
    base.rsplit(':').next().unwrap().parse().unwrap()
}

fn signal(site: &Site, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &site.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{name}");
}

#[tokio::test]
async fn the_site_serves_https_with_http2_and_http11_by_alpn() {
    let ca = TestCa::new();
    let dir = empty_dir("https-alpn");
    ca.issue(&dir);
    let site = start_https(&dir, &[]);
    assert!(site.base.starts_with("https://127.0.0.1:"), "{}", site.base);
    let port = port_of(&site.base);

    let res = ca.request(&[b"h2", b"http/1.1"], port, "GET", "/").await;
    assert_eq!(res.head.status, 200);
    assert_eq!(res.head.version, reqwest::Version::HTTP_2);
    // Debug builds pin nothing: no HSTS unless asked for.
    assert!(res.head.headers.get("strict-transport-security").is_none());
    assert!(res.body.contains("<html"));

    let res = ca.request(&[b"http/1.1"], port, "GET", "/about").await;
    assert_eq!(res.head.status, 200);
    assert_eq!(res.head.version, reqwest::Version::HTTP_11);
    // No ALPN at all is HTTP/1.1 too.
    let res = ca.request(&[], port, "GET", "/about").await;
    assert_eq!(res.head.version, reqwest::Version::HTTP_11);

    // A page that starts a session (its form's CSRF token) sets a Secure cookie.
    let res = ca.request(&[b"h2"], port, "GET", "/login").await;
    let cookies: Vec<_> = res
        .head
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_owned())
        .collect();
    assert!(!cookies.is_empty(), "no cookie set");
    assert!(
        cookies.iter().all(|c| c.contains("; Secure")),
        "{cookies:?}"
    );

    // Plain HTTP on the TLS port is refused, not answered in clear text.
    let plain = reqwest::get(site.base.replace("https://", "http://")).await;
    assert!(plain.is_err(), "plain HTTP got an answer: {plain:?}");
}

#[tokio::test]
async fn plain_http_is_sent_to_https_and_hsts_can_be_set() {
    let ca = TestCa::new();
    let dir = empty_dir("https-redirect");
    ca.issue(&dir);
    let http = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let http_port = http.local_addr().unwrap().port();
    drop(http);
    let http_addr = format!("127.0.0.1:{http_port}");
    let site = start_https(&dir, &["--http-addr", &http_addr, "--hsts", "max-age=60"]);
    let port = port_of(&site.base);

    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = plain
        .get(format!("http://localhost:{http_port}/about?x=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 308);
    assert_eq!(
        res.headers()["location"],
        format!("https://localhost:{port}/about?x=1").as_str()
    );
    let res = plain
        .post(format!("http://127.0.0.1:{http_port}/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 308, "a POST is sent on as a POST");
    assert_eq!(
        res.headers()["location"],
        format!("https://127.0.0.1:{port}/login").as_str()
    );

    let res = ca.request(&[b"h2"], port, "GET", "/").await;
    assert_eq!(res.head.headers["strict-transport-security"], "max-age=60");
}

#[tokio::test]
async fn sighup_reads_the_certificate_again_and_keeps_it_if_the_new_one_is_bad() {
    let ca = TestCa::new();
    let dir = empty_dir("https-reload");
    let first = ca.issue(&dir);
    let site = start_https(&dir, &[]);
    let port = port_of(&site.base);
    assert_eq!(ca.served_certificate(port), first);

    let second = ca.issue(&dir);
    assert_ne!(first, second);
    signal(&site, "HUP");
    let served = wait_for(|| ca.served_certificate(port) == second);
    assert!(served, "the new certificate is not served after SIGHUP");
    assert_eq!(
        ca.request(&[b"h2"], port, "GET", "/").await.head.status,
        200
    );

    std::fs::write(dir.join("key.pem"), "not a key").unwrap();
    signal(&site, "HUP");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        ca.served_certificate(port),
        second,
        "a bad file replaced the certificate"
    );
    let log = site.stop();
    assert!(
        log.contains("certificate not read again, the old one stays"),
        "{log}"
    );
}

#[test]
fn bad_tls_settings_stop_the_site_with_the_reason() {
    let ca = TestCa::new();
    let dir = empty_dir("https-bad");
    ca.issue(&dir);
    let run = |args: &[&str]| start_fails(&dir, args);
    let cert = dir.join("cert.pem");
    let cert = cert.to_str().unwrap();
    let err = run(&["--tls-cert", cert]);
    assert!(
        err.contains("--tls-cert and --tls-key go together"),
        "{err}"
    );
    let err = run(&["--tls-cert", cert, "--tls-key", cert]);
    assert!(err.contains("not a PEM private key"), "{err}");
    let err = run(&["--http-addr", "127.0.0.1:0"]);
    assert!(err.contains("needs --tls-cert"), "{err}");
}

/// Polls `ready` for up to five seconds.
fn wait_for(mut ready: impl FnMut() -> bool) -> bool {
    for _ in 0..100 {
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}
