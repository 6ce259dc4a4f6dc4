//! The server: binds the app, accepts connections, serves HTTP/1.1 (and HTTP/2 with the
//! `http2` feature) with hyper, and shuts down gracefully.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, ToSocketAddrs};

use crate::config::App;
use crate::dispatch::{self, Site};
use crate::registry::PageEntry;
use crate::router::Router;
use crate::settings::{self, setting};

impl App {
    /// Serves the app on the address given by `--addr` or `RSP_ADDR` (default
    /// `127.0.0.1:8080`) until SIGINT or SIGTERM, logging to stderr (`RUST_LOG` sets the
    /// level). Prints `listening on http://ADDR` when ready.
    ///
    /// A listening socket handed over by the process that started this one (systemd
    /// socket activation, `cargo dev`: `LISTEN_FDS`) is used instead of binding: the one
    /// named `main` in `LISTEN_FDNAMES` (`FileDescriptorName=main` in a `.socket` unit),
    /// else the first. Under systemd with `Type=notify` (`NOTIFY_SOCKET`), the site says
    /// `READY=1` once it serves and `STOPPING=1` when shutdown begins.
    pub async fn serve(self) -> io::Result<()> {
        settings::check();
        crate::log::init();
        let server = match inherited_listener()? {
            Some(listener) => self.with_listener(listener)?,
            None => {
                let addr = setting("addr").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
                self.bind(addr).await?
            }
        };
        #[cfg(debug_assertions)]
        crate::dev::start();
        println!("listening on http://{}", server.local_addr());
        notify_service_manager(sd_notify::NotifyState::Ready);
        let served = server.run().await;
        crate::log::flush();
        served
    }

    /// Binds the app to an address, ready to run; port 0 picks a free port.
    ///
    /// # Errors
    /// If the address cannot be bound, or two pages claim the same route.
    pub async fn bind(self, addr: impl ToSocketAddrs) -> io::Result<Server> {
        let router = Router::from_pages(inventory::iter::<PageEntry>.into_iter())
            .map_err(io::Error::other)?;
        let shared = Arc::new(self.into_shared()?);
        let listener = TcpListener::bind(addr).await?;
        let site = Arc::new(Site::new(shared, router));
        Ok(Server { listener, site })
    }

    /// Takes a socket that is already listening (one handed over by another process, or
    /// bound by the caller), ready to run.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// rsp::App::new().with_listener(listener)?.run().await
    /// # }
    /// ```
    ///
    /// # Errors
    /// If two pages claim the same route, or the socket cannot be used.
    pub fn with_listener(self, listener: std::net::TcpListener) -> io::Result<Server> {
        let router = Router::from_pages(inventory::iter::<PageEntry>.into_iter())
            .map_err(io::Error::other)?;
        let shared = Arc::new(self.into_shared()?);
        listener.set_nonblocking(true)?;
        let listener = TcpListener::from_std(listener)?;
        let site = Arc::new(Site::new(shared, router));
        Ok(Server { listener, site })
    }
}

/// A bound app, ready to serve.
pub struct Server {
    listener: TcpListener,
    site: Arc<Site>,
}

impl Server {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until SIGINT or SIGTERM, then lets in-flight requests finish.
    pub async fn run(self) -> io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `signal` completes, then lets in-flight requests finish (up to the
    /// shutdown timeout).
    pub async fn run_until(self, signal: impl Future<Output = ()>) -> io::Result<()> {
        let Server { listener, site } = self;
        let config = &site.shared.config;
        let builder = connection_builder(config.header_timeout);
        let graceful = GracefulShutdown::new();
        // Tells connections that have sent nothing yet (a browser's preconnected spare) to
        // close, as nginx does with idle ones, rather than hold the shutdown for the
        // header timeout.
        let (stopping, stop) = tokio::sync::watch::channel(());
        let mut signal = std::pin::pin!(signal);
        loop {
            let (stream, remote) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of descriptors, say: wait and go on, never stop serving.
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
                () = &mut signal => break,
            };
            let site = Arc::clone(&site);
            let builder = builder.clone();
            let watcher = graceful.watcher();
            let mut stop = stop.clone();
            tokio::spawn(async move {
                // The protocol sniffing of `auto` has no timer of its own (and HTTP/1's
                // starts with the first byte): a client that connects and sends nothing is
                // dropped after the header timeout.
                let header_timeout = site.shared.config.header_timeout;
                let mut first = [0u8; 1];
                let first_byte = tokio::time::timeout(header_timeout, stream.peek(&mut first));
                // Once shutdown begins, a silent connection has a moment more to speak: a
                // request may be on its way on a connection made just before.
                let last_call = async {
                    let _ = stop.changed().await;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                };
                tokio::select! {
                    read = first_byte => if !matches!(read, Ok(Ok(1))) {
                        return;
                    },
                    () = last_call => return,
                }
                let service =
                    service_fn(move |req| dispatch::handle(Arc::clone(&site), remote, req));
                let connection = builder.serve_connection(TokioIo::new(stream), service);
                if let Err(e) = watcher.watch(connection).await {
                    tracing::debug!("connection from {remote} ended: {e}");
                }
            });
        }
        notify_service_manager(sd_notify::NotifyState::Stopping);
        drop(listener);
        drop(stopping);
        tokio::select! {
            () = graceful.shutdown() => {}
            () = tokio::time::sleep(config.shutdown_timeout) => {
                tracing::warn!("shutdown timeout reached with requests still in flight");
            }
        }
        Ok(())
    }
}

/// What serves a connection: HTTP/1.1, and HTTP/2 with prior knowledge (what load
/// balancers and gRPC clients speak in clear text), told apart by the first bytes.
#[cfg(feature = "http2")]
fn connection_builder(
    header_timeout: Duration,
) -> hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor> {
    let mut builder =
        hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    builder.http2().timer(TokioTimer::new());
    builder
}

/// What serves a connection: HTTP/1.1 only, without the `http2` feature (browsers speak
/// HTTP/2 only over TLS).
#[cfg(not(feature = "http2"))]
fn connection_builder(header_timeout: Duration) -> hyper::server::conn::http1::Builder {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    builder
}

/// The listening socket handed over in `LISTEN_FDS`: the one `LISTEN_FDNAMES` names
/// `main`, else the first.
fn inherited_listener() -> io::Result<Option<std::net::TcpListener>> {
    let names = std::env::var("LISTEN_FDNAMES").unwrap_or_default();
    let main = names
        .split(':')
        .position(|name| name == "main")
        .unwrap_or(0);
    listenfd::ListenFd::from_env().take_tcp_listener(main)
}

/// Tells systemd how the service is doing, when it asked (`NOTIFY_SOCKET`).
fn notify_service_manager(state: sd_notify::NotifyState<'_>) {
    if let Err(e) = sd_notify::notify(&[state]) {
        tracing::warn!("could not notify the service manager: {e}");
    }
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
