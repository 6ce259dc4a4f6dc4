//! The site against input meant to hurt it, measured from outside the process.

mod common;

use common::{empty_dir, exe, start, Site};
use rsp_tests::browser::Browser;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A figure from `/proc/PID/status`, in KiB (`VmHWM` is the peak resident size).
fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .unwrap_or_else(|| panic!("{field} in {status}"));
    line.trim().trim_end_matches("kB").trim().parse().unwrap()
}

/// Sends an upload whose file part has a 24 MiB `filename`; returns the answer's status line.
async fn upload_with_a_huge_part_header(site: &Site) -> String {
    let address = site.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.unwrap();
    let name = "n".repeat(24 << 20);
    let body = format!(
        "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\r\n\
         x\r\n--XYZ--\r\n"
    );
    let head = format!(
        "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XYZ\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    answer.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn huge_part_headers_are_refused_and_memory_stays_flat() {
    let site = start("hostile");
    // One first, so that buffers every request needs are counted before.
    assert!(upload_with_a_huge_part_header(&site)
        .await
        .starts_with("HTTP/1.1 400"));
    let (peak, resident) = (
        status_kib(site.pid(), "VmHWM"),
        status_kib(site.pid(), "VmRSS"),
    );
    for _ in 0..10 {
        let status = upload_with_a_huge_part_header(&site).await;
        assert!(status.starts_with("HTTP/1.1 400"), "{status}");
    }
    let (peak_after, resident_after) = (
        status_kib(site.pid(), "VmHWM"),
        status_kib(site.pid(), "VmRSS"),
    );
    eprintln!("peak {peak} → {peak_after} KiB, resident {resident} → {resident_after} KiB");
    assert!(
        peak_after <= peak + 4096,
        "peak memory grew from {peak} KiB to {peak_after} KiB"
    );
    assert!(resident_after <= resident + 4096);
}

#[tokio::test]
async fn nul_never_reaches_the_page() {
    let site = start("nul");
    // `/contexts` writes the value into every context: text, attributes, URLs, JS, CSS.
    for path in ["/hello/a%00b", "/contexts?v=a%00b"] {
        let response = reqwest::get(format!("{}{path}", site.base)).await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let body = response.bytes().await.unwrap();
        assert!(!body.contains(&0), "{path}: a NUL byte in the page");
        let text = String::from_utf8_lossy(&body);
        assert!(text.contains("a\u{fffd}b"), "{path}: {text}");
    }
}

/// A file over the upload limit, sent through the site's own form in Chromium, shows the
/// 413 page: the site reads the rest of the refused body, so the browser, still sending,
/// is not cut off with a reset connection.
#[tokio::test]
async fn a_browser_sending_a_file_over_the_limit_sees_the_413_page() {
    let Some(browser) = Browser::from_env("the 413 page seen in Chromium").await else {
        return;
    };
    let dir = empty_dir("too-large");
    let site = Site::start(
        &exe(),
        &dir,
        &["--data", dir.join("data").to_str().unwrap()],
    );
    // Over the 8 MiB per file; sparse, so nothing is written to disk.
    let file = dir.join("big.bin");
    std::fs::File::create(&file)
        .unwrap()
        .set_len(48 << 20)
        .unwrap();
    browser
        .goto(&format!("{}/upload", site.base))
        .await
        .unwrap();
    let input = browser
        .post(
            "element",
            json!({"using": "css selector", "value": "input[type=file]"}),
        )
        .await
        .unwrap();
    let element = input
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .as_str()
        .unwrap();
    browser
        .post(
            &format!("element/{element}/value"),
            json!({"text": file.to_str().unwrap()}),
        )
        .await
        .unwrap();
    browser
        .execute("document.querySelector('form button').click()", json!([]))
        .await
        .unwrap();
    let mut shown = String::new();
    for _ in 0..600 {
        let page = browser
            .execute(
                "return location.pathname + ' ' + document.title + ' ' + document.body.innerText",
                json!([]),
            )
            .await;
        if let Ok(page) = page {
            shown = page.as_str().unwrap_or_default().to_owned();
            if shown.contains("larger than the limit") {
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        shown.contains("413") && shown.contains("larger than the limit"),
        "the browser shows: {shown}"
    );
}

/// The guestbook's form says `maxlength="2000"`: a message longer than that, sent past
/// the browser, is refused with a message naming the field, and not stored.
#[tokio::test]
async fn the_guestbook_refuses_what_its_form_does_not_allow() {
    let site = start("guestbook-limits");
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(format!("{}/guestbook", site.base))
        .send()
        .await
        .unwrap();
    let token = common::csrf_token(&page.text().await.unwrap());
    let long = "x".repeat(900 * 1024);
    for (name, message, field) in [("ann", long.as_str(), "message"), ("", "hi", "name")] {
        let res = client
            .post(format!("{}/guestbook", site.base))
            .form(&[
                ("_csrf", token.as_str()),
                ("name", name),
                ("message", message),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        let body = res.text().await.unwrap();
        assert!(body.contains(&format!("`{field}`")), "{body}");
    }
    let entries = client
        .get(format!("{}/guestbook", site.base))
        .send()
        .await
        .unwrap();
    assert!(entries.text().await.unwrap().contains("No entries yet"));
}

/// A 1 GiB download is streamed from disk: the site's memory does not grow with it.
#[tokio::test]
async fn a_large_download_keeps_memory_flat() {
    let dir = empty_dir("large-download");
    let data = dir.join("data");
    let site = Site::start(&exe(), &dir, &["--data", data.to_str().unwrap()]);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let form = common::page_text(&client, &format!("{}/upload", site.base)).await;
    let parts = reqwest::multipart::Form::new()
        .text("_csrf", common::csrf_token(&form))
        .text("description", "")
        .part(
            "files",
            reqwest::multipart::Part::bytes(b"small".to_vec()).file_name("large.bin"),
        );
    let res = client
        .post(format!("{}/upload", site.base))
        .multipart(parts)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    // The stored file grows to 1 GiB; sparse, so nothing is written to disk.
    const SIZE: u64 = 1 << 30;
    std::fs::OpenOptions::new()
        .write(true)
        .open(data.join("uploads/1"))
        .unwrap()
        .set_len(SIZE)
        .unwrap();
    let peak = status_kib(site.pid(), "VmHWM");
    let mut download = client
        .get(format!("{}/uploads/1", site.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        download.headers()["content-length"],
        SIZE.to_string().as_str()
    );
    let mut received = 0u64;
    while let Some(chunk) = download.chunk().await.unwrap() {
        received += chunk.len() as u64;
    }
    assert_eq!(received, SIZE);
    let peak_after = status_kib(site.pid(), "VmHWM");
    eprintln!("peak {peak} → {peak_after} KiB for a {SIZE}-byte download");
    assert!(
        peak_after <= peak + 16 * 1024,
        "peak memory grew from {peak} KiB to {peak_after} KiB"
    );
}
