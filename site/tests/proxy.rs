//! Behind a proxy: `--trusted-proxies` makes the access log name the client a trusted proxy
//! forwards for, and nobody else can choose the address it is logged under.

mod common;

use common::{empty_dir, exe, start_fails, Site};

/// The access log of one GET with `X-Forwarded-For: 203.0.113.9` to the site with `args`.
async fn logged_client(args: &[&str]) -> String {
    let dir = empty_dir("proxy");
    let data = dir.join("data");
    let mut all = vec!["--data", data.to_str().unwrap()];
    all.extend_from_slice(args);
    let site = Site::start(&exe(), &dir, &all);
    let res = reqwest::Client::new()
        .get(format!("{}/about", site.base))
        .header("x-forwarded-for", "198.51.100.1, 203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let log = site.stop();
    let line = log
        .lines()
        .find(|line| line.contains("GET /about"))
        .unwrap_or_else(|| panic!("no access line: {log}"));
    line.split("rsp::access: ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_client_a_trusted_proxy_names_is_logged() {
    assert_eq!(
        logged_client(&["--trusted-proxies", "127.0.0.0/8,::1"]).await,
        "203.0.113.9:0"
    );
    let untrusted = logged_client(&["--trusted-proxies", "10.0.0.1"]).await;
    assert!(untrusted.starts_with("127.0.0.1:"), "{untrusted}");
    let none = logged_client(&[]).await;
    assert!(none.starts_with("127.0.0.1:"), "{none}");
}

#[test]
fn a_bad_proxy_list_stops_the_site_with_the_reason() {
    let dir = empty_dir("proxy-bad");
    let err = start_fails(
        &dir,
        &[
            "--data",
            "data",
            "--trusted-proxies",
            "10.0.0.0/8,proxy.local",
        ],
    );
    assert!(
        err.contains("`proxy.local` is not an address or a CIDR range"),
        "{err}"
    );
}
