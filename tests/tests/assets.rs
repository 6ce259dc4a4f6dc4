//! Static assets end to end: `rsp::assets!` embeds `fixtures/assets` and serves it under
//! `/files`: content types, ETag/304, gzip and brotli by Accept-Encoding, ranges, HEAD,
//! and no way out of the folder.

use std::io::Read;

use reqwest::header::{
    ACCEPT_ENCODING, ACCEPT_RANGES, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_RANGE,
    CONTENT_TYPE, ETAG, IF_NONE_MATCH, IF_RANGE, RANGE, VARY,
};
use rsp::prelude::*;
use rsp_tests::{serve, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

rsp::assets!("/files", "fixtures/assets");

page! {
    404 => missing;
    "<p>custom not found</p>"
}

const NOTES: &str = include_str!("../fixtures/assets/notes.txt");
const PIXEL: &[u8] = include_bytes!("../fixtures/assets/pixel.png");
const APP_JS: &str = include_str!("../fixtures/assets/nested/deeper/app.js");

async fn app() -> TestServer {
    serve(App::new()).await
}

/// GET `path` with extra headers.
async fn get(
    s: &TestServer,
    path: &str,
    headers: &[(reqwest::header::HeaderName, &str)],
) -> reqwest::Response {
    let mut request = s.client.get(s.url(path));
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    request.send().await.expect("GET")
}

fn header(res: &reqwest::Response, name: reqwest::header::HeaderName) -> &str {
    res.headers()
        .get(&name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

/// Sends `path` as it is (no client-side normalisation of `..`, `%2e` or `\`), and
/// returns the status line and the rest of the response.
async fn raw_get(s: &TestServer, path: &str) -> (String, String) {
    let addr = s.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let (status, rest) = response.split_once("\r\n").unwrap_or((&response, ""));
    (status.to_owned(), rest.to_owned())
}

#[tokio::test]
async fn files_come_with_their_content_type_and_validators() {
    let s = app().await;
    let res = s.get("/files/notes.txt").await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, CONTENT_TYPE), "text/plain; charset=utf-8");
    assert_eq!(header(&res, CACHE_CONTROL), "public, no-cache");
    assert_eq!(header(&res, ACCEPT_RANGES), "bytes");
    assert_eq!(header(&res, VARY), "accept-encoding");
    let etag = header(&res, ETAG).to_owned();
    assert!(
        etag.len() > 2 && etag.starts_with('"') && etag.ends_with('"'),
        "{etag}"
    );
    assert!(res.headers().get(CONTENT_ENCODING).is_none());
    assert_eq!(res.text().await.unwrap(), NOTES);

    let res = s.get("/files/pixel.png").await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, CONTENT_TYPE), "image/png");
    assert!(res.headers().get(VARY).is_none(), "a png has no variants");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PIXEL);

    let res = s.get("/files/nested/deeper/app.js").await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, CONTENT_TYPE), "text/javascript; charset=utf-8");
    assert_eq!(res.text().await.unwrap(), APP_JS);
}

#[tokio::test]
async fn a_matching_etag_is_a_304_and_another_is_a_200() {
    let s = app().await;
    let etag = header(&s.get("/files/notes.txt").await, ETAG).to_owned();
    let weak = format!("W/{etag}");
    let listed = format!("\"nope\", {etag}");
    for value in [etag.as_str(), &weak, &listed, "*"] {
        let res = get(&s, "/files/notes.txt", &[(IF_NONE_MATCH, value)]).await;
        assert_eq!(res.status(), 304, "If-None-Match: {value}");
        assert_eq!(header(&res, ETAG), etag);
        assert_eq!(header(&res, CACHE_CONTROL), "public, no-cache");
        assert!(res.bytes().await.unwrap().is_empty());
    }
    for value in ["\"nope\"", "\"nope\", W/\"other\""] {
        let res = get(&s, "/files/notes.txt", &[(IF_NONE_MATCH, value)]).await;
        assert_eq!(res.status(), 200, "If-None-Match: {value}");
        assert_eq!(res.text().await.unwrap(), NOTES);
    }
    // Each encoding has its own tag: the gzip copy's tag revalidates the gzip copy.
    let res = get(&s, "/files/notes.txt", &[(ACCEPT_ENCODING, "gzip")]).await;
    let gz_etag = header(&res, ETAG).to_owned();
    assert_ne!(gz_etag, etag);
    let res = get(
        &s,
        "/files/notes.txt",
        &[(ACCEPT_ENCODING, "gzip"), (IF_NONE_MATCH, &gz_etag)],
    )
    .await;
    assert_eq!(res.status(), 304);
    assert_eq!(header(&res, VARY), "accept-encoding");
}

fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn unbrotli(bytes: &[u8]) -> String {
    let mut text = String::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[tokio::test]
async fn gzip_and_brotli_follow_accept_encoding() {
    let s = app().await;
    let cases = [
        ("gzip", Some("gzip")),
        ("br", Some("br")),
        ("gzip, deflate, br", Some("br")),
        ("br;q=0.5, gzip;q=0.9", Some("gzip")),
        ("br;q=0, gzip", Some("gzip")),
        ("gzip;q=0, br;q=0", None),
        ("*;q=0", None),
        ("deflate", None),
        ("identity", None),
    ];
    for (accept, expected) in cases {
        let res = get(&s, "/files/notes.txt", &[(ACCEPT_ENCODING, accept)]).await;
        assert_eq!(res.status(), 200, "{accept}");
        assert_eq!(header(&res, VARY), "accept-encoding", "{accept}");
        let encoding = res
            .headers()
            .get(CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(encoding.as_deref(), expected, "Accept-Encoding: {accept}");
        let length: usize = header(&res, CONTENT_LENGTH).parse().unwrap();
        let body = res.bytes().await.unwrap();
        assert_eq!(body.len(), length);
        let text = match expected {
            Some("gzip") => gunzip(&body),
            Some("br") => unbrotli(&body),
            _ => String::from_utf8(body.to_vec()).unwrap(),
        };
        assert_eq!(text, NOTES, "Accept-Encoding: {accept}");
        if expected.is_some() {
            assert!(
                body.len() < NOTES.len(),
                "a variant is kept only if smaller"
            );
        }
    }
    // Already compressed types are never recompressed.
    let res = get(&s, "/files/pixel.png", &[(ACCEPT_ENCODING, "br, gzip")]).await;
    assert!(res.headers().get(CONTENT_ENCODING).is_none());
    assert_eq!(res.bytes().await.unwrap().as_ref(), PIXEL);
}

#[tokio::test]
async fn ranges_give_206_or_416() {
    let s = app().await;
    let len = NOTES.len();
    let cases = [
        ("bytes=0-9", 0, 9),
        ("bytes=100-", 100, len - 1),
        ("bytes=-5", len - 5, len - 1),
        ("bytes=10-99999", 10, len - 1),
    ];
    for (range, first, last) in cases {
        // A range is of the identity bytes, whatever the client accepts.
        let res = get(
            &s,
            "/files/notes.txt",
            &[(RANGE, range), (ACCEPT_ENCODING, "gzip, br")],
        )
        .await;
        assert_eq!(res.status(), 206, "{range}");
        assert_eq!(
            header(&res, CONTENT_RANGE),
            format!("bytes {first}-{last}/{len}")
        );
        assert!(res.headers().get(CONTENT_ENCODING).is_none());
        assert_eq!(res.text().await.unwrap(), &NOTES[first..=last], "{range}");
    }
    let past = format!("bytes={len}-");
    for range in [past.as_str(), "bytes=-0"] {
        let res = get(&s, "/files/notes.txt", &[(RANGE, range)]).await;
        assert_eq!(res.status(), 416, "{range}");
        assert_eq!(header(&res, CONTENT_RANGE), format!("bytes */{len}"));
    }
    // Several ranges, or nonsense, are ignored: the whole file.
    for range in ["bytes=0-1,5-6", "bytes=9-3", "lines=1-2"] {
        let res = get(&s, "/files/notes.txt", &[(RANGE, range)]).await;
        assert_eq!(res.status(), 200, "{range}");
        assert_eq!(res.text().await.unwrap(), NOTES);
    }
    // If-Range: the current strong tag keeps the range, another one sends everything.
    let etag = header(&s.get("/files/notes.txt").await, ETAG).to_owned();
    let res = get(
        &s,
        "/files/notes.txt",
        &[(RANGE, "bytes=0-3"), (IF_RANGE, &etag)],
    )
    .await;
    assert_eq!(res.status(), 206);
    assert_eq!(res.text().await.unwrap(), &NOTES[..4]);
    let res = get(
        &s,
        "/files/notes.txt",
        &[(RANGE, "bytes=0-3"), (IF_RANGE, "\"old\"")],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), NOTES);
    // Binary files too.
    let res = get(&s, "/files/pixel.png", &[(RANGE, "bytes=1-3")]).await;
    assert_eq!(res.status(), 206);
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"PNG");
}

#[tokio::test]
async fn head_has_the_headers_and_no_body() {
    let s = app().await;
    let res = s
        .client
        .head(s.url("/files/notes.txt"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, CONTENT_TYPE), "text/plain; charset=utf-8");
    assert_eq!(header(&res, CONTENT_LENGTH), NOTES.len().to_string());
    assert!(res.headers().get(ETAG).is_some());
    assert!(res.bytes().await.unwrap().is_empty());
    let res = s
        .client
        .head(s.url("/files/notes.txt"))
        .header(ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&res, CONTENT_ENCODING), "br");
    let res = s
        .client
        .post(s.url("/files/notes.txt"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
}

#[tokio::test]
async fn unknown_files_are_the_404_page() {
    let s = app().await;
    for path in [
        "/files/missing.txt",
        "/files/nested",
        "/files/nested/",
        "/files/nested/deeper",
        "/files/NOTES.TXT",
        "/files/.secret",
        "/files/",
        "/files",
    ] {
        let (status, body) = s.fetch(path).await;
        assert_eq!(status, 404, "{path}");
        assert!(body.contains("custom not found"), "{path}: {body}");
    }
}

#[tokio::test]
async fn no_path_leads_out_of_the_folder() {
    let s = app().await;
    let attempts = [
        "/files/../Cargo.toml",
        "/files/%2e%2e/Cargo.toml",
        "/files/%2E%2E/Cargo.toml",
        "/files/..%2fCargo.toml",
        "/files/..%2FCargo.toml",
        "/files/%2e%2e%2fCargo.toml",
        "/files/nested/../../Cargo.toml",
        "/files/nested/../../x",
        "/files/nested/deeper/../../../fixtures/outside.txt",
        "/files/../outside.txt",
        "/files/%2e%2e/outside.txt",
        "/files/..%5coutside.txt",
        "/files/..%5c..%5cCargo.toml",
        "/files/nested%5c..%5c..%5coutside.txt",
        "/files//etc/passwd",
        "/files/%2fetc%2fpasswd",
        "/files/notes.txt%00",
        "/files/notes.txt%00.png",
        "/files/./notes.txt",
        "/files/nested/./deeper/app.js",
        "/files/nested//deeper/app.js",
        "/files/.secret",
        "/files/%2esecret",
    ];
    for path in attempts {
        let (status, rest) = raw_get(&s, path).await;
        assert!(status.starts_with("HTTP/1.1 404"), "{path}: {status}");
        assert!(rest.contains("custom not found"), "{path}: {rest}");
        for leaked in ["[package]", "OUTSIDE", "root:", "do not serve", "Line   1"] {
            assert!(!rest.contains(leaked), "{path} leaked {leaked}");
        }
    }
    // A raw backslash is refused before any page runs, or is a 404: never a file.
    for path in [
        "/files/..\\Cargo.toml",
        "/files/nested\\..\\..\\outside.txt",
    ] {
        let (status, rest) = raw_get(&s, path).await;
        assert!(
            status.starts_with("HTTP/1.1 404") || status.starts_with("HTTP/1.1 400"),
            "{path}: {status}"
        );
        assert!(
            !rest.contains("[package]") && !rest.contains("OUTSIDE"),
            "{path}"
        );
    }
    // The same raw client reaches real files, so the 404s above are not an accident.
    let (status, rest) = raw_get(&s, "/files/nested/deeper/app.js").await;
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    assert!(rest.ends_with(APP_JS));
}

/// `asset!` names a file by its fingerprinted URL, checked at compile time; that URL is
/// cached for a year, and the plain one stays as it was.
#[tokio::test]
async fn fingerprinted_urls_are_immutable() {
    let s = app().await;
    let url = asset!("nested/deeper/app.js");
    let hash = url
        .strip_prefix("/files/nested/deeper/app.")
        .and_then(|rest| rest.strip_suffix(".js"));
    assert!(
        hash.is_some_and(|h| h.len() == 8 && h.bytes().all(|b| b.is_ascii_hexdigit())),
        "{url}"
    );
    let res = get(&s, url, &[]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()[CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    let etag = res.headers()[ETAG].clone();
    assert_eq!(res.text().await.unwrap(), APP_JS);
    let plain = get(&s, "/files/nested/deeper/app.js", &[]).await;
    assert_eq!(plain.headers()[CACHE_CONTROL], "public, no-cache");
    assert_eq!(plain.headers()[ETAG], etag);
    // Another hash is not the file.
    let stale = url.replace(".js", "0.js");
    assert_eq!(get(&s, &stale, &[]).await.status(), 404);
}
