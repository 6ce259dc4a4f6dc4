//! The serving benchmark's raw hyper server: hyper 1 with hyper-util's HTTP/1 + HTTP/2
//! connection, as a server written by hand would be, rendering with sailfish. See
//! `tests/measure/serving.sh`.

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rsp_tests::fortunes::{self, Fortune};
use sailfish::TemplateOnce;

#[derive(TemplateOnce)]
#[template(path = "fortunes.stpl")]
struct FortunesPage {
    fortunes: Vec<Fortune>,
}

fn respond(path: &str, stored: &[Fortune]) -> Response<Full<Bytes>> {
    let (status, body) = match path {
        "/fortunes" => {
            let page = FortunesPage {
                fortunes: fortunes::for_request(stored),
            };
            (200, page.render_once().unwrap_or_default())
        }
        "/static" => (200, fortunes::STATIC_PAGE.to_owned()),
        _ => (404, String::new()),
    };
    Response::builder()
        .status(status)
        .header("content-type", "text/html; charset=utf-8")
        .body(Full::new(Bytes::from(body)))
        .expect("a valid response")
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(fortunes::addr()).await?;
    println!("listening on http://{}", listener.local_addr()?);
    let stored: &'static [Fortune] = Box::leak(fortunes::stored().into_boxed_slice());
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            let service = service_fn(move |req: Request<hyper::body::Incoming>| async move {
                Ok::<_, Infallible>(respond(req.uri().path(), stored))
            });
            let _ = auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
