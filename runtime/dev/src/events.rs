//! The event stream open pages listen to (server-sent events): `reload` after a change,
//! `failed` with the compiler's messages after a failed build. And the page served in
//! the site's place while no site runs because its first build failed.

use std::convert::Infallible;
use std::net::TcpListener;

use bytes::Bytes;
use futures_util::stream;
use http::{header, Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

#[derive(Debug, Clone)]
pub(crate) enum Event {
    Reload,
    Failed(String),
}

impl Event {
    fn to_sse(&self) -> Bytes {
        let (name, data) = match self {
            Event::Reload => ("reload", String::from("\"\"")),
            Event::Failed(message) => {
                ("failed", serde_json::to_string(message).unwrap_or_default())
            }
        };
        Bytes::from(format!("event: {name}\ndata: {data}\n\n"))
    }
}

pub(crate) struct Events {
    url: String,
    sender: broadcast::Sender<Event>,
}

type Body = BoxBody<Bytes, Infallible>;

impl Events {
    /// Serves the stream on a free loopback port.
    pub(crate) async fn start() -> Result<Self, String> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("cannot open the event stream: {e}"))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let (sender, _) = broadcast::channel(16);
        let events = sender.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let events = events.clone();
                let service = service_fn(move |_: Request<Incoming>| {
                    let events = events.subscribe();
                    async move { Ok::<_, Infallible>(stream_response(events)) }
                });
                tokio::spawn(
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service),
                );
            }
        });
        Ok(Self {
            url: format!("http://{address}/events"),
            sender,
        })
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn send(&self, event: Event) {
        // No page open is no error.
        let _ = self.sender.send(event);
    }
}

fn stream_response(events: broadcast::Receiver<Event>) -> Response<Body> {
    let hello = Frame::data(Bytes::from_static(b": rsp dev\n\n"));
    let frames = stream::unfold((Some(hello), events), |(first, mut events)| async move {
        if let Some(hello) = first {
            return Some((Ok(hello), (None, events)));
        }
        loop {
            match events.recv().await {
                Ok(event) => return Some((Ok(Frame::data(event.to_sse())), (None, events))),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .body(BodyExt::boxed(StreamBody::new(frames)))
        .expect("a valid response")
}

/// Answers every request on the site's socket with the build error, while no site runs.
pub(crate) fn serve_error_page(
    listener: &TcpListener,
    events: &Events,
    message: &str,
) -> Result<JoinHandle<()>, String> {
    let listener = listener.try_clone().map_err(|e| e.to_string())?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
    let page = Bytes::from(error_page(message, events.url()));
    Ok(tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let page = page.clone();
            let service = service_fn(move |_: Request<Incoming>| {
                let page = page.clone();
                async move {
                    let response = Response::builder()
                        .status(StatusCode::INTERNAL_SERVER_ERROR)
                        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
                        .body(Full::new(page))
                        .expect("a valid response");
                    Ok::<_, Infallible>(response)
                }
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service),
            );
        }
    }))
}

/// Stops answering in the site's place: the socket stays open for the site.
pub(crate) fn stop_error_page(page: JoinHandle<()>) {
    page.abort();
}

fn error_page(message: &str, events: &str) -> String {
    let mut escaped = String::with_capacity(message.len());
    for c in message.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            c => escaped.push(c),
        }
    }
    let url = serde_json::to_string(events).unwrap_or_default();
    format!(
        "<!doctype html>\n<meta charset=\"utf-8\">\n<title>Build failed</title>\n\
         <h1>The site did not build</h1>\n<pre id=\"rsp-dev-error\">{escaped}</pre>\n\
         <script>new EventSource({url}).addEventListener(\"reload\", () => location.reload());\
         </script>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_one_json_line() {
        let event = Event::Failed("error: a\n  |\n2 | <b>".into()).to_sse();
        assert_eq!(
            event,
            Bytes::from("event: failed\ndata: \"error: a\\n  |\\n2 | <b>\"\n\n")
        );
        assert!(error_page("<b>", "http://x/events").contains("&lt;b&gt;"));
    }
}
