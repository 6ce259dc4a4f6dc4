//! One accepted connection: what comes before its first request (a first byte, a TLS
//! handshake), the HTTP version it speaks, its header timeout, and the end of it.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::service::{service_fn, Service};
use hyper_util::rt::TokioIo;
#[cfg(feature = "http2")]
use hyper_util::rt::TokioTimer;
use hyper_util::server::graceful::{GracefulConnection, Watcher};
use tokio::net::TcpStream;

use crate::dispatch::{self, Https, Site};
use crate::idle::{Activity, Sending};
#[cfg(feature = "tls")]
use crate::tls::Tls;

/// One accepted connection, and what serving it needs.
pub(crate) struct Connection {
    pub(crate) site: Arc<Site>,
    pub(crate) remote: SocketAddr,
    pub(crate) builders: Builders,
    /// Counts the connection in for a graceful shutdown and closes it then.
    pub(crate) watcher: Watcher,
    /// Changes when shutdown begins.
    pub(crate) stop: tokio::sync::watch::Receiver<()>,
}

impl Connection {
    /// Serves plain HTTP: HTTP/1.1, or HTTP/2 with prior knowledge (what load balancers
    /// and gRPC clients speak in clear text), told apart by the first bytes.
    pub(crate) async fn serve_plain(mut self, stream: TcpStream) {
        // The protocol sniffing of `auto` has no timer of its own (and HTTP/1's starts
        // with the first byte): a client that connects and sends nothing is dropped after
        // the header timeout.
        let mut first = [0u8; 1];
        let first_byte = stream.peek(&mut first);
        if !matches!(self.before_first_request(first_byte).await, Some(Ok(1))) {
            return;
        }
        let activity = Activity::new();
        let service = self.service(&activity, None);
        let connection = self
            .builders
            .plain
            .serve_connection(TokioIo::new(stream), service);
        drive(self.watcher, &activity, &self.site, self.remote, connection).await;
    }

    /// Serves HTTPS: the handshake (within the header timeout), then HTTP/2 or HTTP/1.1
    /// as ALPN settled it.
    #[cfg(feature = "tls")]
    pub(crate) async fn serve_tls(mut self, stream: TcpStream, tls: Tls, https: Https) {
        let Some(Ok(stream)) = self.before_first_request(tls.acceptor.accept(stream)).await else {
            return;
        };
        let h2 = match stream.get_ref().1.alpn_protocol() {
            Some(b"h2") => true,
            // A certificate authority checking the TLS-ALPN-01 answer: the handshake was it.
            Some(crate::tls::ACME_TLS_ALPN) => return,
            _ => false,
        };
        let activity = Activity::new();
        let service = self.service(&activity, Some(https));
        let io = TokioIo::new(stream);
        let (watcher, site, remote) = (self.watcher, &self.site, self.remote);
        match h2 {
            #[cfg(feature = "http2")]
            true => {
                let connection = self.builders.http2.serve_connection(io, service);
                drive(watcher, &activity, site, remote, connection).await;
            }
            _ => {
                let connection = self.builders.http1.serve_connection(io, service);
                drive(watcher, &activity, site, remote, connection).await;
            }
        }
    }

    /// Waits for what comes before the first request (its first byte, a TLS handshake)
    /// for the header timeout at most; `None` if it did not come in time, or shutdown
    /// began and it did not come within a moment more (a request may be on its way on a
    /// connection made just before).
    async fn before_first_request<T>(&mut self, step: impl Future<Output = T>) -> Option<T> {
        let header_timeout = self.site.shared.config.header_timeout;
        let step = tokio::time::timeout(header_timeout, step);
        let stop = &mut self.stop;
        let last_call = async {
            let _ = stop.changed().await;
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        tokio::select! {
            done = step => done.ok(),
            () = last_call => None,
        }
    }

    /// The service that dispatches the connection's requests, each counted in flight on
    /// `activity` until its response is sent.
    fn service(
        &self,
        activity: &Arc<Activity>,
        https: Option<Https>,
    ) -> impl Service<
        http::Request<Incoming>,
        Response = http::Response<Sending>,
        Error = Infallible,
        Future = impl Future<Output = ServiceAnswer> + Send + 'static,
    > + Clone {
        use futures_util::FutureExt as _;

        let (site, activity, remote) = (Arc::clone(&self.site), Arc::clone(activity), self.remote);
        service_fn(move |req| {
            let in_flight = activity.begin();
            dispatch::handle(Arc::clone(&site), remote, https.clone(), req)
                .map(|response| Ok(response?.map(|body| Sending::new(body, in_flight))))
        })
    }
}

/// What the service answers a request with.
type ServiceAnswer = Result<http::Response<Sending>, Infallible>;

/// Serves `connection` to its end: closed by either side, by a graceful shutdown, or
/// after the header timeout with no request in flight. How it ended goes to the debug log.
async fn drive<C>(
    watcher: Watcher,
    activity: &Activity,
    site: &Site,
    remote: SocketAddr,
    connection: C,
) where
    C: GracefulConnection,
    C::Error: std::fmt::Display,
{
    let header_timeout = site.shared.config.header_timeout;
    match activity
        .limit(watcher.watch(connection), header_timeout)
        .await
    {
        Some(Ok(())) => {}
        Some(Err(e)) => tracing::debug!("connection from {remote} ended: {e}"),
        None => {
            tracing::debug!("connection from {remote} closed: no request within the header timeout")
        }
    }
}

/// What serves connections: plain ones (HTTP/1.1, and HTTP/2 by prior knowledge with the
/// `http2` feature), and TLS ones by the protocol ALPN chose.
#[derive(Clone)]
pub(crate) struct Builders {
    #[cfg(feature = "http2")]
    plain: hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
    #[cfg(not(feature = "http2"))]
    plain: hyper::server::conn::http1::Builder,
    #[cfg(feature = "tls")]
    http1: hyper::server::conn::http1::Builder,
    #[cfg(all(feature = "tls", feature = "http2"))]
    http2: hyper::server::conn::http2::Builder<hyper_util::rt::TokioExecutor>,
}

impl Builders {
    /// hyper's own header timeout is off: [`idle`](crate::idle) keeps it, with one timer
    /// per connection rather than one per request.
    pub(crate) fn new() -> Self {
        let mut http1 = hyper::server::conn::http1::Builder::new();
        http1.header_read_timeout(None);
        #[cfg(feature = "http2")]
        let mut http2 =
            hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new());
        #[cfg(feature = "http2")]
        http2.timer(TokioTimer::new());
        #[cfg(feature = "http2")]
        let plain = {
            let mut auto =
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
            auto.http1().header_read_timeout(None);
            auto.http2().timer(TokioTimer::new());
            auto
        };
        #[cfg(not(feature = "http2"))]
        let plain = http1.clone();
        Self {
            plain,
            #[cfg(feature = "tls")]
            http1,
            #[cfg(all(feature = "tls", feature = "http2"))]
            http2,
        }
    }
}
