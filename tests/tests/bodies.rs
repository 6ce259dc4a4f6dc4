//! Request framing and bodies over raw sockets, with the exact bytes a hostile or careless
//! client sends: the `Host` rule, bodies refused before they are invited (`Expect:
//! 100-continue`), refused bodies the client is still sending, bodies that trickle in,
//! and multipart parts whose headers never end.

use std::time::Duration;

use rsp::prelude::*;
use rsp_tests::{serve, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

page! {
    GET "/" => home;
    "home"
}

page! {
    POST "/form" => form;
    csrf: off;
    let form: Form = req.form().await?;
    "<%= form.get(\"a\").unwrap_or(\"-\") %>"
}

page! {
    POST "/upload" => upload;
    csrf: off;
    let upload = req.upload().await?;
    "<%= upload.files().len() %> files"
}

async fn app() -> TestServer {
    serve(
        App::new()
            .body_limit(1024)
            .upload_limits(64 * 1024, 256 * 1024)
            .body_timeout(Duration::from_millis(300)),
    )
    .await
}

async fn connect(s: &TestServer) -> TcpStream {
    TcpStream::connect(s.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// The head of the next response on `stream` (up to its blank line); panics after 20 s,
/// which only a broken server reaches.
async fn response_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    let read = tokio::time::timeout(Duration::from_secs(20), async {
        while !head.ends_with(b"\r\n\r\n") {
            if stream.read(&mut byte).await.unwrap() == 0 {
                break;
            }
            head.push(byte[0]);
        }
    });
    read.await.expect("an answer");
    String::from_utf8_lossy(&head).into_owned()
}

#[tokio::test]
async fn an_http11_request_has_exactly_one_host() {
    let s = app().await;
    for (request, status) in [
        ("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", "400"),
        (
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
            "400",
        ),
        ("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", "400"),
        ("GET / HTTP/1.0\r\n\r\n", "200"),
        (
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            "200",
        ),
    ] {
        let mut stream = connect(&s).await;
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        assert!(answer[9..].starts_with(status), "{request:?}: {answer}");
        if status == "400" {
            assert!(answer.contains("exactly one Host header"), "{answer}");
        }
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_before_it_is_invited() {
    let s = app().await;
    for (path, kind) in [
        ("/form", "application/x-www-form-urlencoded"),
        ("/upload", "multipart/form-data; boundary=XYZ"),
    ] {
        let mut stream = connect(&s).await;
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {kind}\r\n\
             Content-Length: 67108864\r\nExpect: 100-continue\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        // The first answer is the final one: no `100 Continue` invites the body.
        let head = response_head(&mut stream).await;
        assert!(head.starts_with("HTTP/1.1 413"), "{path}: {head}");
    }
    // Under the limit, the body is invited and read.
    let mut stream = connect(&s).await;
    stream
        .write_all(
            b"POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 3\r\nExpect: 100-continue\r\n\r\n",
        )
        .await
        .unwrap();
    assert!(response_head(&mut stream).await.starts_with("HTTP/1.1 100"));
    stream.write_all(b"a=1").await.unwrap();
    assert!(response_head(&mut stream).await.starts_with("HTTP/1.1 200"));
}

/// A browser sends the whole body before it reads the answer: a refused body is read and
/// thrown away, so that it is not cut off with a reset that loses the error page.
#[tokio::test]
async fn a_client_still_sending_a_refused_body_reads_the_answer() {
    let s = app().await;
    let body = vec![b'a'; 32 << 20];
    let boundary_body = [
        &b"--XYZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f.bin\"\r\n\r\n"[..],
        &body,
        b"\r\n--XYZ--\r\n",
    ]
    .concat();
    for (path, kind, body, declared) in [
        // Refused from its Content-Length, unread.
        ("/form", "application/x-www-form-urlencoded", &body, true),
        // Refused part-way: chunked, so its size shows only as it arrives.
        ("/form", "application/x-www-form-urlencoded", &body, false),
        (
            "/upload",
            "multipart/form-data; boundary=XYZ",
            &boundary_body,
            true,
        ),
        (
            "/upload",
            "multipart/form-data; boundary=XYZ",
            &boundary_body,
            false,
        ),
    ] {
        let mut stream = connect(&s).await;
        let framing = if declared {
            format!("Content-Length: {}", body.len())
        } else {
            "Transfer-Encoding: chunked".to_owned()
        };
        let head =
            format!("POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {kind}\r\n{framing}\r\n\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        if declared {
            stream.write_all(body).await.expect("the body is read");
        } else {
            for chunk in body.chunks(1 << 20) {
                let size = format!("{:x}\r\n", chunk.len());
                stream.write_all(size.as_bytes()).await.unwrap();
                stream.write_all(chunk).await.expect("the body is read");
                stream.write_all(b"\r\n").await.unwrap();
            }
            stream.write_all(b"0\r\n\r\n").await.unwrap();
        }
        let head = response_head(&mut stream).await;
        assert!(head.starts_with("HTTP/1.1 413"), "{path}: {head}");
    }
    s.assert_alive("/").await;
}

#[tokio::test]
async fn a_body_that_trickles_in_is_408() {
    let s = app().await;
    for (path, kind) in [
        ("/form", "application/x-www-form-urlencoded"),
        ("/upload", "multipart/form-data; boundary=XYZ"),
    ] {
        let mut stream = connect(&s).await;
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {kind}\r\nContent-Length: 100\r\n\r\n-"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        // One byte and then silence, as a client sending one byte a second looks to a
        // limit of 300 ms.
        let head = response_head(&mut stream).await;
        assert!(head.starts_with("HTTP/1.1 408"), "{path}: {head}");
    }
    s.assert_alive("/").await;
}

#[tokio::test]
async fn a_part_whose_headers_never_end_is_400() {
    // Limits that let the body through: only the part headers' bound refuses it.
    let s = serve(App::new().upload_limits(64 << 20, 64 << 20)).await;
    let mut stream = connect(&s).await;
    let name = "n".repeat(24 << 20);
    let body = format!(
        "--XYZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"{name}\"\r\n\r\nx\r\n--XYZ--\r\n"
    );
    let head = format!(
        "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XYZ\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let head = response_head(&mut stream).await;
    assert!(head.starts_with("HTTP/1.1 400"), "{head}");
    s.assert_alive("/").await;
}
