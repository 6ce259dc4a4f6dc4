//! Certificates the site gets itself: the site binary with `--acme-domain` against Pebble,
//! Let's Encrypt's test CA, run as a user runs it against Let's Encrypt (Pebble's own
//! HTTPS is trusted with `--acme-ca`).

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{empty_dir, exe, start_fails, Site};
use rsp_tests::pebble::{fetch_verified, free_port, Pebble, PebbleConfig};

const DOMAIN: &str = "site.test";

/// The site on `port` with `--acme-domain site.test` against `pebble`, and `args`.
fn start_acme(dir: &Path, pebble: &Pebble, port: u16, args: &[&str]) -> Site {
    start_acme_at(dir, pebble, &pebble.directory, port, args)
}

/// [`start_acme`] with the directory at `directory`.
fn start_acme_at(dir: &Path, pebble: &Pebble, directory: &str, port: u16, args: &[&str]) -> Site {
    let addr = format!("127.0.0.1:{port}");
    let data = dir.join("data");
    let root = pebble.directory_root();
    let mut all = vec![
        "--addr",
        &addr,
        "--data",
        data.to_str().unwrap(),
        "--acme-domain",
        DOMAIN,
        "--acme-email",
        "ops@site.test",
        "--acme-directory",
        directory,
        "--acme-ca",
        root.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    Site::start(&exe(), dir, &all)
}

/// Waits up to `limit` for the site on `port` to serve `site.test` with a certificate
/// that `root` verifies and that `accept` takes; returns its chain.
fn wait_for_certificate(
    port: u16,
    root: &str,
    limit: Duration,
    accept: impl Fn(&[Vec<u8>]) -> bool,
) -> Result<Vec<Vec<u8>>, String> {
    let start = Instant::now();
    let mut last = String::new();
    while start.elapsed() < limit {
        match fetch_verified(port, DOMAIN, root) {
            Ok((chain, status)) if accept(&chain) => {
                assert_eq!(status, "HTTP/1.1 200 OK");
                return Ok(chain);
            }
            Ok(_) => last = "the old certificate".into(),
            Err(e) => last = e,
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    Err(last)
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread")]
async fn the_site_gets_a_certificate_at_start_and_a_restart_orders_none() {
    let dir = empty_dir("acme");
    let port = free_port();
    let pebble = Pebble::start(
        &dir,
        &PebbleConfig {
            tls_port: port,
            http_port: free_port(),
            validity: None,
        },
    );
    let root = pebble.issuing_root().await;

    let site = start_acme(&dir, &pebble, port, &[]);
    let first = wait_for_certificate(port, &root, Duration::from_secs(60), |_| true);
    let log = site.stop();
    let first = first.unwrap_or_else(|e| panic!("no certificate: {e}\n{log}\n{}", pebble.log()));
    assert!(log.contains("answering tls-alpn-01 for site.test"), "{log}");
    assert!(log.contains("certificate for site.test obtained"), "{log}");

    // The account key and the certificate are kept for this user alone.
    let acme = dir.join("data/acme");
    let folder = acme.join(
        pebble
            .directory
            .trim_start_matches("https://")
            .replace([':', '/'], "_"),
    );
    assert_eq!(mode(&acme), 0o700);
    assert_eq!(mode(&folder), 0o700);
    assert_eq!(mode(&folder.join("account.json")), 0o600);
    assert_eq!(mode(&folder.join("site.test.pem")), 0o600);

    let site = start_acme(&dir, &pebble, port, &[]);
    let again = wait_for_certificate(port, &root, Duration::from_secs(10), |_| true);
    let log = site.stop();
    assert_eq!(
        again.unwrap(),
        first,
        "a restart served another certificate"
    );
    assert!(log.contains("certificate for site.test read from"), "{log}");
    assert!(!log.contains("answering"), "a restart ordered again: {log}");
    assert!(!log.contains("obtained"), "a restart ordered again: {log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_short_lived_certificate_is_renewed_before_it_expires_over_http01() {
    let dir = empty_dir("acme-renew");
    let (port, http_port) = (free_port(), free_port());
    let pebble = Pebble::start(
        &dir,
        &PebbleConfig {
            tls_port: port,
            http_port,
            validity: Some(120),
        },
    );
    let root = pebble.issuing_root().await;
    let http_addr = format!("127.0.0.1:{http_port}");
    let site = start_acme(&dir, &pebble, port, &["--http-addr", &http_addr]);

    let first = match wait_for_certificate(port, &root, Duration::from_secs(60), |_| true) {
        Ok(first) => first,
        Err(e) => panic!("no certificate: {e}\n{}\n{}", site.stop(), pebble.log()),
    };
    let obtained = Instant::now();
    // Renewal is due with a third of the 120 s left; the new one must come before the
    // old one expires, and every handshake until then verifies.
    let renewed = wait_for_certificate(port, &root, Duration::from_secs(115), |chain| {
        chain[0] != first[0]
    });
    let waited = obtained.elapsed();
    let log = site.stop();
    renewed.unwrap_or_else(|e| panic!("not renewed: {e}\n{log}\n{}", pebble.log()));
    assert!(
        waited > Duration::from_secs(40),
        "renewed after {waited:?}, long before it was due: {log}"
    );
    assert!(log.contains("answering http-01 for site.test"), "{log}");
    assert!(!log.contains("answering tls-alpn-01"), "{log}");
    assert_eq!(
        log.matches("certificate for site.test obtained").count(),
        2,
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_authority_can_ask_for_an_early_renewal() {
    let dir = empty_dir("acme-ari");
    let port = free_port();
    let pebble = Pebble::start(
        &dir,
        &PebbleConfig {
            tls_port: port,
            http_port: free_port(),
            validity: None,
        },
    );
    let root = pebble.issuing_root().await;
    // Pebble's certificates live five years: only the suggested window renews this one.
    let (directory, asked) = pebble
        .with_renewal_information(Duration::from_secs(8))
        .await;
    let site = start_acme_at(&dir, &pebble, &directory, port, &[]);

    let first = match wait_for_certificate(port, &root, Duration::from_secs(60), |_| true) {
        Ok(first) => first,
        Err(e) => panic!("no certificate: {e}\n{}\n{}", site.stop(), pebble.log()),
    };
    let renewed = wait_for_certificate(port, &root, Duration::from_secs(60), |chain| {
        chain[0] != first[0]
    });
    let log = site.stop();
    renewed.unwrap_or_else(|e| panic!("not renewed: {e}\n{log}\n{}", pebble.log()));
    assert!(
        asked.load(std::sync::atomic::Ordering::Relaxed) >= 2,
        "{log}"
    );
    assert_eq!(
        log.matches("certificate for site.test obtained").count(),
        2,
        "{log}"
    );
}

#[test]
fn bad_acme_settings_stop_the_site_with_the_reason() {
    let dir = empty_dir("acme-bad");
    let run = |args: &[&str]| start_fails(&dir, &[&["--data", "data"], args].concat());
    let err = run(&["--acme-domain", "localhost"]);
    assert!(err.contains("`localhost` is not a domain name"), "{err}");
    let err = run(&[
        "--acme-domain",
        "a.test",
        "--tls-cert",
        "x.pem",
        "--tls-key",
        "y.pem",
    ]);
    assert!(err.contains("give it or --tls-cert, not both"), "{err}");
    let err = run(&[
        "--acme-domain",
        "a.test",
        "--acme-directory",
        "http://ca.test/dir",
    ]);
    assert!(err.contains("is not an https:// URL"), "{err}");
    let err = run(&["--acme-domain", "a.test", "--acme-ca", "missing.pem"]);
    assert!(err.contains("--acme-ca missing.pem"), "{err}");
}
