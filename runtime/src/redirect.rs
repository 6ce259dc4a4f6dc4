//! The plain-HTTP listener beside HTTPS (`--http-addr`): every request is sent to the same
//! path on HTTPS with a `308`, but the answers to ACME HTTP-01 challenges.

use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use crate::tls::Tls;

/// Answers every request on `listener` with a `308` to the same path on HTTPS on
/// `https_port` (but ACME HTTP-01 challenges, which it answers), until shutdown begins.
pub(crate) async fn redirect_to_https(
    listener: TcpListener,
    https_port: u16,
    tls: Tls,
    mut stop: tokio::sync::watch::Receiver<()>,
) {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new());
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = stop.changed() => return,
        };
        let tls = tls.clone();
        let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
            let response = match tls.http_challenge(req.uri().path()) {
                Some(answer) => http::Response::builder()
                    .header(http::header::CONTENT_TYPE, "application/octet-stream")
                    .body(answer.into())
                    .unwrap_or_default(),
                None => https_redirect(&req, https_port),
            };
            async move { Ok::<_, std::convert::Infallible>(response) }
        });
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        tokio::spawn(connection);
    }
}

/// The `308` to the HTTPS address of `req`, or a `400` if it names no host.
fn https_redirect(
    req: &http::Request<hyper::body::Incoming>,
    https_port: u16,
) -> http::Response<http_body_util::Full<bytes::Bytes>> {
    let host = req
        .headers()
        .get(http::header::HOST)
        .and_then(|host| host.to_str().ok())
        .or_else(|| req.uri().host())
        .and_then(|host| host.parse::<http::uri::Authority>().ok());
    let Some(host) = host else {
        return http::Response::builder()
            .status(http::StatusCode::BAD_REQUEST)
            .header(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body("a request needs a Host header to be sent to HTTPS\n".into())
            .unwrap_or_default();
    };
    let port = if https_port == 443 {
        String::new()
    } else {
        format!(":{https_port}")
    };
    let path = req.uri().path_and_query().map_or("/", |path| path.as_str());
    http::Response::builder()
        .status(http::StatusCode::PERMANENT_REDIRECT)
        .header(
            http::header::LOCATION,
            format!("https://{}{port}{path}", host.host()),
        )
        .body(http_body_util::Full::default())
        .unwrap_or_default()
}
