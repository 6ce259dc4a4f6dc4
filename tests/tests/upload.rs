//! File uploads end to end: multipart bodies with several files and fields, limits,
//! hostile file names, large files streamed to disk, and broken bodies.

use std::path::Path;
use std::time::Duration;

use reqwest::multipart::{Form as Multipart, Part};
use rsp::prelude::*;
use rsp_tests::{serve, TestServer};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PER_FILE: u64 = 512 * 1024;
const TOTAL: u64 = 1024 * 1024;

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

page! {
    GET "/" => home;
    "home"
}

page! {
    POST "/echo" => echo;
    csrf: off;
    let upload = req.upload().await?;
    let mut report = String::new();
    for (name, value) in upload.fields() {
        report.push_str(&format!("field {name}={value}\n"));
    }
    for file in upload.files() {
        let bytes = file.bytes()?;
        report.push_str(&format!(
            "file {} {} {} {} {} {}\n",
            file.field(),
            file.name(),
            file.content_type(),
            file.size(),
            sha256(&bytes),
            if file.path().is_some() { "disk" } else { "memory" },
        ));
    }
    "<%= report %>"
}

page! {
    POST "/spill" => spill;
    csrf: off;
    let upload = req.upload().await?;
    let file = upload.file("big").ok_or_else(|| Error::new(StatusCode::BAD_REQUEST, "no file"))?;
    let path = file.path().map(|p| p.display().to_string()).unwrap_or_default();
    let on_disk = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let copy = std::env::temp_dir().join(format!("rsp-upload-test-{}", req.id()));
    file.persist(&copy)?;
    let copied = std::fs::read(&copy)?;
    std::fs::remove_file(&copy)?;
    "<%= path %>|<%= file.size() %>|<%= on_disk %>|<%= sha256(&copied) %>"
}

page! {
    POST "/twice" => twice;
    csrf: off;
    let first = req.upload().await?;
    let again = req.upload().await;
    "<%= first.fields().count() %>|<%= again.err().map(|e| e.to_string()).unwrap_or_default() %>"
}

#[derive(serde::Deserialize)]
struct Attachment {
    description: String,
    pages: u32,
}

page! {
    POST "/attach" => attach;
    csrf: off;
    let upload = req.upload().await?;
    let about: Attachment = upload.form()?;
    let sizes: Vec<u64> = upload.files().iter().map(|f| f.size()).collect();
    "<%= about.description %>|<%= about.pages %>|<%= format!(\"{sizes:?}\") %>"
}

async fn app() -> TestServer {
    serve(App::new().upload_limits(PER_FILE, TOTAL)).await
}

/// Bytes that are not all the same, so a misplaced chunk changes the hash.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

async fn post(s: &TestServer, path: &str, form: Multipart) -> (u16, String) {
    let res = s
        .client
        .post(s.url(path))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

fn file(bytes: Vec<u8>, name: &str, kind: &str) -> Part {
    Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str(kind)
        .unwrap()
}

#[tokio::test]
async fn several_files_and_fields_in_one_request() {
    let s = app().await;
    let binary = pattern(100 * 1024);
    let form = Multipart::new()
        .text("title", "My holiday")
        .text("_csrf", "abc123")
        .part(
            "notes",
            file(b"hello, world".to_vec(), "notes.txt", "text/plain"),
        )
        .part("photo", file(binary.clone(), "beach.png", "image/png"))
        .part("photo", file(vec![1, 2, 3], "sea.png", "image/png"))
        .part("blob", Part::bytes(b"raw".to_vec()).file_name("data"))
        .text("unicode", "héllo wörld ✓");
    let (status, body) = post(&s, "/echo", form).await;
    assert_eq!(status, 200, "{body}");
    let expected = [
        "field title=My holiday".to_owned(),
        "field _csrf=abc123".to_owned(),
        "field unicode=héllo wörld ✓".to_owned(),
        format!(
            "file notes notes.txt text/plain 12 {} memory",
            sha256(b"hello, world")
        ),
        format!(
            "file photo beach.png image/png {} {} memory",
            binary.len(),
            sha256(&binary)
        ),
        format!(
            "file photo sea.png image/png 3 {} memory",
            sha256(&[1, 2, 3])
        ),
        format!(
            "file blob data application/octet-stream 3 {} memory",
            sha256(b"raw")
        ),
    ];
    assert_eq!(body.lines().collect::<Vec<_>>(), expected);
}

#[tokio::test]
async fn an_empty_file_input_is_skipped() {
    let s = app().await;
    let form = Multipart::new()
        .text("name", "x")
        .part(
            "attachment",
            Part::bytes(Vec::new())
                .file_name("")
                .mime_str("application/octet-stream")
                .unwrap(),
        )
        .part("kept", file(b"k".to_vec(), "k.txt", "text/plain"));
    let (status, body) = post(&s, "/echo", form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.lines().count(), 2, "{body}");
    assert!(!body.contains("attachment"), "{body}");
    assert!(body.contains("file kept k.txt"), "{body}");
}

#[tokio::test]
async fn hostile_file_names_are_sanitised() {
    let s = app().await;
    let form = Multipart::new()
        .part("a", file(b"1".to_vec(), "../../etc/passwd", "text/plain"))
        .part(
            "b",
            file(b"2".to_vec(), "C:\\Users\\x\\evil.exe", "text/plain"),
        )
        .part("c", file(b"3".to_vec(), ".htaccess", "text/plain"))
        .part("d", file(b"4".to_vec(), "..", "text/plain"));
    let (status, body) = post(&s, "/echo", form).await;
    assert_eq!(status, 200, "{body}");
    let names: Vec<_> = body.lines().map(|l| l.split(' ').nth(2).unwrap()).collect();
    assert_eq!(names, ["passwd", "evil.exe", "htaccess", "upload"]);
}

#[tokio::test]
async fn a_file_over_the_per_file_limit_is_413() {
    let s = app().await;
    let form = Multipart::new().text("title", "too big").part(
        "doc",
        file(pattern(PER_FILE as usize + 1), "big.bin", "application/pdf"),
    );
    let (status, body) = post(&s, "/echo", form).await;
    assert_eq!(status, 413, "{body}");
    assert!(
        body.contains("`doc` is larger than the limit of 524288 bytes per file"),
        "{body}"
    );
    s.assert_alive("/").await;
}

#[tokio::test]
async fn a_body_over_the_total_limit_is_413() {
    let s = app().await;
    let part = || file(pattern(400 * 1024), "part.bin", "application/octet-stream");
    let form = Multipart::new()
        .part("a", part())
        .part("b", part())
        .part("c", part());
    let (status, body) = post(&s, "/echo", form).await;
    assert_eq!(status, 413, "{body}");
    assert!(
        body.contains("the upload is larger than the limit of 1048576 bytes"),
        "{body}"
    );
    s.assert_alive("/").await;
}

#[tokio::test]
async fn a_chunked_body_over_the_total_limit_is_413_while_streaming() {
    let s = app().await;
    let addr = s.base.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    let head = "POST /echo HTTP/1.1\r\nHost: x\r\n\
                Content-Type: multipart/form-data; boundary=XYZ\r\n\
                Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    let mut body =
        b"--XYZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f\"\r\n\r\n".to_vec();
    // Files under the per-file limit, but more than the total in all.
    for i in 0..3 {
        body.extend_from_slice(&pattern(400 * 1024));
        body.extend_from_slice(
            format!("\r\n--XYZ\r\nContent-Disposition: form-data; name=\"f{i}\"; filename=\"f\"\r\n\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(b"x\r\n--XYZ--\r\n");
    let (mut read, mut write) = stream.split();
    let send = async {
        write.write_all(head.as_bytes()).await?;
        for chunk in body.chunks(16 * 1024) {
            write
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            write.write_all(chunk).await?;
            write.write_all(b"\r\n").await?;
        }
        write.write_all(b"0\r\n\r\n").await
    };
    let mut response = Vec::new();
    let receive = read.read_to_end(&mut response);
    // The server may answer (and stop reading) before everything is sent.
    let (_, received) = tokio::join!(send, receive);
    received.unwrap();
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("limit of 1048576 bytes"), "{response}");
    s.assert_alive("/").await;
}

#[tokio::test]
async fn a_large_file_goes_to_disk_and_is_deleted_after_the_request() {
    let s = app().await;
    let big = pattern(400 * 1024);
    let form = Multipart::new().part("big", file(big.clone(), "big.bin", "application/zip"));
    let (status, body) = post(&s, "/spill", form).await;
    assert_eq!(status, 200, "{body}");
    let fields: Vec<_> = body.split('|').collect();
    let [path, size, on_disk, hash] = fields[..] else {
        panic!("{body}")
    };
    assert!(!path.is_empty(), "the file went to disk: {body}");
    assert_eq!(size, big.len().to_string());
    assert_eq!(on_disk, big.len().to_string());
    assert_eq!(hash, sha256(&big));
    assert!(
        !Path::new(path).exists(),
        "{path} is deleted after the request"
    );

    // Same file through the echo page: the content read back from disk is whole.
    let form = Multipart::new().part("big", file(big.clone(), "big.bin", "application/zip"));
    let (_, body) = post(&s, "/echo", form).await;
    assert_eq!(
        body.trim_end(),
        format!(
            "file big big.bin application/zip {} {} disk",
            big.len(),
            sha256(&big)
        )
    );
}

#[tokio::test]
async fn another_content_type_is_415() {
    let s = app().await;
    for (kind, message) in [
        (
            "application/x-www-form-urlencoded",
            "got `application/x-www-form-urlencoded`",
        ),
        ("multipart/form-data", "multipart/form-data with a boundary"),
        ("text/plain", "got `text/plain`"),
    ] {
        let res = s
            .client
            .post(s.url("/echo"))
            .header("content-type", kind)
            .body("a=1")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 415, "{kind}");
        let body = res.text().await.unwrap();
        assert!(body.contains(message), "{kind}: {body}");
    }
    let res = s.client.post(s.url("/echo")).send().await.unwrap();
    assert_eq!(res.status(), 415);
    assert!(res.text().await.unwrap().contains("got no content type"));
}

#[tokio::test]
async fn malformed_multipart_bodies_are_400_and_the_server_lives_on() {
    let s = app().await;
    let addr = s.base.trim_start_matches("http://").to_owned();
    for body in [
        "no boundary anywhere".to_owned(),
        "--XYZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nnever closed".to_owned(),
        "--XYZ\r\nthis is not a header line\r\n\r\nvalue\r\n--XYZ--\r\n".to_owned(),
        "--XYZ\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n\u{0}\r\n--XYZ".to_owned(),
    ] {
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        let request = format!(
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XYZ\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        tokio::time::timeout(
            Duration::from_secs(10),
            stream.read_to_string(&mut response),
        )
        .await
        .expect("the server answers")
        .unwrap();
        assert!(response.starts_with("HTTP/1.1 400"), "{body:?}: {response}");
        assert!(response.contains("malformed multipart body"), "{response}");
        s.assert_alive("/").await;
    }
}

#[tokio::test]
async fn a_text_field_that_is_not_utf8_is_400() {
    let s = app().await;
    let form = Multipart::new().part("t", Part::bytes(vec![0xff, 0xfe]));
    let (status, body) = post(&s, "/echo", form).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("the form field `t` is not valid UTF-8"),
        "{body}"
    );
}

#[tokio::test]
async fn the_body_is_read_once() {
    let s = app().await;
    let form = Multipart::new().text("a", "1");
    let (status, body) = post(&s, "/twice", form).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.starts_with("1|the request body was already read"),
        "{body}"
    );
}

#[tokio::test]
async fn text_fields_read_into_a_type_beside_the_files() {
    let s = app().await;
    let file = || Part::bytes(vec![1u8; 10]).file_name("a.bin");
    let form = Multipart::new()
        .text("description", "<scan>")
        .text("pages", "3")
        .part("file", file());
    assert_eq!(
        post(&s, "/attach", form).await,
        (200, "&lt;scan&gt;|3|[10]".to_owned())
    );
    for (form, field) in [
        (
            Multipart::new()
                .text("description", "x")
                .text("pages", "three"),
            "pages",
        ),
        (Multipart::new().text("pages", "3"), "description"),
    ] {
        let (status, body) = post(&s, "/attach", form.part("file", file())).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains(&format!("`{field}`")), "{body}");
    }
}
