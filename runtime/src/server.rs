//! The server: binds the app, takes its settings, accepts connections (served in
//! [`connection`](crate::connection)), restarts on `SIGUSR2` and shuts down gracefully.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

#[cfg(feature = "tls")]
use http::HeaderValue;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, ToSocketAddrs};

use crate::config::App;
use crate::connection::{Builders, Connection};
#[cfg(feature = "tls")]
use crate::dispatch::Https;
use crate::dispatch::Site;
use crate::registry::PageEntry;
use crate::router::Router;
use crate::settings::{self, setting};
#[cfg(feature = "tls")]
use crate::tls::Tls;

impl App {
    /// Serves the app on the address given by `--addr` or `RSP_ADDR` (default
    /// `127.0.0.1:8080`) until SIGINT or SIGTERM, logging to stderr (`RUST_LOG` sets the
    /// level). Prints `listening on http://ADDR` when ready.
    ///
    /// A listening socket handed over by the process that started this one (systemd
    /// socket activation, `cargo dev`: `LISTEN_FDS`) is used instead of binding: the one
    /// named `main` in `LISTEN_FDNAMES` (`FileDescriptorName=main` in a `.socket` unit),
    /// else the first.
    ///
    /// With `--tls-cert FILE` and `--tls-key FILE` it serves HTTPS (see [`Server::tls`]);
    /// `--http-addr ADDR` (or a handed-over socket named `http`) also listens for plain
    /// HTTP and redirects it to HTTPS (see [`Server::redirect_http`]), and `--hsts VALUE`
    /// or `--hsts off` sets the `Strict-Transport-Security` header (see [`Server::hsts`]).
    /// With `--acme-domain NAME` (and no certificate files) it gets its certificate from
    /// an ACME authority (Let's Encrypt unless `--acme-directory URL`), keeps it in
    /// `--acme-dir` and renews it when due. Under systemd with `Type=notify`
    /// (`NOTIFY_SOCKET`), the site says `READY=1` once it serves and `STOPPING=1` when
    /// shutdown begins.
    pub async fn serve(mut self) -> io::Result<()> {
        settings::check();
        crate::log::init();
        if let Some(proxies) = setting("trusted-proxies") {
            self = self.trusted_proxies(&proxies)?;
        }
        let path = |value: String| (value != "off").then_some(value);
        if let Some(health) = settings::given("health-path") {
            self = self.health_path(path(health).as_deref());
        }
        if let Some(ready) = settings::given("ready-path") {
            self = self.ready_path(path(ready).as_deref());
        }
        if let Some(delay) = setting("drain-delay") {
            let seconds: f64 = delay
                .parse()
                .ok()
                .filter(|s: &f64| s.is_finite() && *s >= 0.0)
                .ok_or_else(|| {
                    io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("--drain-delay: `{delay}` is not a number of seconds"),
                    )
                })?;
            self = self.drain_delay(Duration::from_secs_f64(seconds));
        }
        let server = match inherited_listener("main")? {
            Some(listener) => self.with_listener(listener)?,
            None => {
                let addr = setting("addr").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
                self.bind(addr).await?
            }
        };
        #[cfg(feature = "tls")]
        let server = server.tls_from_settings().await?;
        #[cfg(debug_assertions)]
        crate::dev::start();
        // Before the line that tells a deploy script it may put a new build in place.
        crate::handover::executable()?;
        // Listening for SIGTERM before READY=1: a stop sent right after it must drain.
        let stop = shutdown_signal();
        println!("listening on {}://{}", server.scheme(), server.local_addr());
        notify_service_manager(sd_notify::NotifyState::Ready);
        let served = server.serve_until(stop, true).await;
        crate::log::flush();
        served
    }

    /// Binds the app to an address, ready to run; port 0 picks a free port.
    ///
    /// # Errors
    /// If the address cannot be bound, or two pages claim the same route.
    pub async fn bind(self, addr: impl ToSocketAddrs) -> io::Result<Server> {
        let site = self.into_site()?;
        let listener = TcpListener::bind(addr).await?;
        Ok(Server::new(listener, site))
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
        let site = self.into_site()?;
        listener.set_nonblocking(true)?;
        let listener = TcpListener::from_std(listener)?;
        Ok(Server::new(listener, site))
    }

    /// The pages routed, the settings shared; an error if two pages claim one route or a
    /// page is on a probe's path.
    fn into_site(self) -> io::Result<Arc<Site>> {
        let pages = || inventory::iter::<PageEntry>.into_iter();
        let router = Router::from_pages(pages()).map_err(io::Error::other)?;
        let shared = self.into_shared()?;
        shared
            .probes
            .check_pages(pages())
            .map_err(|why| io::Error::new(io::ErrorKind::InvalidInput, why))?;
        Ok(Arc::new(Site::new(Arc::new(shared), router)))
    }
}

/// A bound app, ready to serve.
pub struct Server {
    listener: TcpListener,
    site: Arc<Site>,
    #[cfg(feature = "tls")]
    tls: Option<Tls>,
    /// `None` until set: then the default, which depends on the build.
    #[cfg(feature = "tls")]
    hsts: Option<Option<HeaderValue>>,
    /// A plain-HTTP listener that sends every request to HTTPS.
    #[cfg(feature = "tls")]
    redirect: Option<TcpListener>,
}

/// After a restart handed the sockets over, how long kept-alive connections are still
/// served (each answer closing its connection) before those left idle are closed.
const LAST_CALL: Duration = Duration::from_secs(2);

#[cfg(feature = "tls")]
/// The `Strict-Transport-Security` of release builds: a year, as browsers' preload lists
/// ask. Debug builds send none, so that `localhost` is not pinned to HTTPS.
const HSTS_RELEASE: &str = "max-age=31536000";

impl Server {
    fn new(listener: TcpListener, site: Arc<Site>) -> Self {
        Self {
            listener,
            site,
            #[cfg(feature = "tls")]
            tls: None,
            #[cfg(feature = "tls")]
            hsts: None,
            #[cfg(feature = "tls")]
            redirect: None,
        }
    }

    /// `https` once [`tls`](Self::tls) is set, else `http`.
    pub fn scheme(&self) -> &'static str {
        #[cfg(feature = "tls")]
        if self.tls.is_some() {
            return "https";
        }
        "http"
    }

    /// Serves HTTPS (TLS 1.2 and 1.3, HTTP/2 and HTTP/1.1 by ALPN) with the certificate
    /// chain (leaf first) and private key in these PEM files. On `SIGHUP` the files are
    /// read again: new connections get the new certificate, and if the files cannot be
    /// read, the old one stays. Cookies rsp sets are then `Secure`, and release builds send
    /// `Strict-Transport-Security` (see [`hsts`](Self::hsts)).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// rsp::App::new()
    ///     .bind("0.0.0.0:443")
    ///     .await?
    ///     .tls("/etc/site/fullchain.pem", "/etc/site/key.pem")?
    ///     .run()
    ///     .await
    /// # }
    /// ```
    ///
    /// # Errors
    /// If a file cannot be read, is not PEM, or the key does not fit the certificate.
    #[cfg(feature = "tls")]
    pub fn tls(
        mut self,
        cert: impl Into<std::path::PathBuf>,
        key: impl Into<std::path::PathBuf>,
    ) -> io::Result<Self> {
        self.tls = Some(Tls::new(cert, key)?);
        Ok(self)
    }

    /// The `Strict-Transport-Security` header of HTTPS responses, or `None` for none. By
    /// default `max-age=31536000` in release builds and none in debug builds.
    ///
    /// # Errors
    /// If `value` cannot be a header value.
    #[cfg(feature = "tls")]
    pub fn hsts(mut self, value: Option<&str>) -> io::Result<Self> {
        let value = value
            .map(|value| HeaderValue::from_str(value).map_err(io::Error::other))
            .transpose()?;
        self.hsts = Some(value);
        Ok(self)
    }

    /// Also listens for plain HTTP on `listener`, answering every request with a `308` to
    /// the same path on HTTPS, and nothing else. Needs [`tls`](Self::tls).
    #[cfg(feature = "tls")]
    pub fn redirect_http(mut self, listener: std::net::TcpListener) -> io::Result<Self> {
        listener.set_nonblocking(true)?;
        self.redirect = Some(TcpListener::from_std(listener)?);
        Ok(self)
    }

    /// `--tls-cert`, `--tls-key`, the `--acme-…` settings, `--http-addr` and `--hsts`.
    #[cfg(feature = "tls")]
    async fn tls_from_settings(mut self) -> io::Result<Self> {
        let refuse = |why: &str| io::Error::new(io::ErrorKind::InvalidInput, why.to_owned());
        let http = match inherited_listener("http")? {
            Some(listener) => Some(listener),
            None => match setting("http-addr") {
                Some(addr) => Some(TcpListener::bind(addr).await?.into_std()?),
                None => None,
            },
        };
        #[cfg(feature = "acme")]
        let domains = setting("acme-domain");
        #[cfg(not(feature = "acme"))]
        let domains: Option<String> = None;
        match (setting("tls-cert"), setting("tls-key"), domains) {
            (Some(_), _, Some(_)) | (_, Some(_), Some(_)) => {
                return Err(refuse(
                    "--acme-domain gets its own certificate: give it or --tls-cert, not both",
                ))
            }
            (Some(cert), Some(key), None) => self = self.tls(cert, key)?,
            (None, None, None) => {}
            #[cfg(feature = "acme")]
            (None, None, Some(domains)) => {
                let acme = crate::acme::Acme::from_settings(&domains, http.is_some())?;
                self.tls = Some(Tls::acme(acme)?);
            }
            _ => return Err(refuse("--tls-cert and --tls-key go together")),
        }
        if let Some(hsts) = setting("hsts") {
            self = self.hsts((hsts != "off").then_some(hsts.as_str()))?;
        }
        if let Some(http) = http {
            if self.tls.is_none() {
                return Err(refuse(
                    "--http-addr redirects to HTTPS: it needs --tls-cert or --acme-domain",
                ));
            }
            self = self.redirect_http(http)?;
        }
        Ok(self)
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until SIGINT or SIGTERM, then lets in-flight requests finish.
    ///
    /// On `SIGUSR2` it starts the executable now on disk (a new build put in place with
    /// `mv` or `install`) with the same arguments and the listening sockets handed over;
    /// once the new process serves, this one stops accepting, finishes its requests and
    /// exits. If the new one fails to start, this one goes on serving and logs why.
    pub async fn run(self) -> io::Result<()> {
        self.serve_until(shutdown_signal(), true).await
    }

    /// Serves until `signal` completes, then lets in-flight requests finish (up to the
    /// shutdown timeout).
    pub async fn run_until(self, signal: impl Future<Output = ()>) -> io::Result<()> {
        self.serve_until(
            async {
                signal.await;
                Stop::Drain
            },
            false,
        )
        .await
    }

    async fn serve_until(
        self,
        signal: impl Future<Output = Stop>,
        restart_on_signal: bool,
    ) -> io::Result<()> {
        let (handed_over, mut successor) = tokio::sync::oneshot::channel::<u32>();
        if restart_on_signal {
            use std::os::fd::AsFd;

            #[cfg_attr(not(feature = "tls"), allow(unused_mut))]
            let mut sockets = vec![("main", self.listener.as_fd().try_clone_to_owned()?)];
            #[cfg(feature = "tls")]
            if let Some(redirect) = &self.redirect {
                sockets.push(("http", redirect.as_fd().try_clone_to_owned()?));
            }
            crate::handover::restart_on_user_signal(sockets, handed_over)?;
        }
        let listener = self.listener;
        let site = self.site;
        #[cfg(feature = "tls")]
        let (tls, https) = {
            let hsts = self.hsts.unwrap_or_else(|| {
                (!cfg!(debug_assertions)).then(|| HeaderValue::from_static(HSTS_RELEASE))
            });
            if let Some(tls) = &self.tls {
                tls.keep_current()?;
            }
            (self.tls, Https { hsts })
        };
        let config = &site.shared.config;
        let builders = Builders::new();
        let graceful = GracefulShutdown::new();
        // Tells connections that have sent nothing yet (a browser's preconnected spare) to
        // close, as nginx does with idle ones, rather than hold the shutdown for the
        // header timeout.
        let (stopping, stop) = tokio::sync::watch::channel(());
        #[cfg(feature = "tls")]
        if let (Some(redirect), Some(tls)) = (self.redirect, &tls) {
            let https_port = listener.local_addr()?.port();
            tokio::spawn(crate::redirect::redirect_to_https(
                redirect,
                https_port,
                tls.clone(),
                stop.clone(),
            ));
        }
        let mut signal = std::pin::pin!(signal);
        let mut drained_at = None;
        let successor = loop {
            let drained = async {
                match drained_at {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
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
                stop = &mut signal, if drained_at.is_none() => {
                    site.stopping.store(true, std::sync::atomic::Ordering::Relaxed);
                    let delay = config.drain_delay;
                    if stop == Stop::Now || delay.is_zero() {
                        break None;
                    }
                    tracing::info!(
                        "draining: /readyz answers 503, serving {} s more before stopping",
                        delay.as_secs_f64()
                    );
                    site.draining.store(true, std::sync::atomic::Ordering::Relaxed);
                    drained_at = Some(tokio::time::Instant::now() + delay);
                    continue;
                }
                () = drained => break None,
                Ok(pid) = &mut successor => break Some(pid),
            };
            let connection = Connection {
                site: Arc::clone(&site),
                remote,
                builders: builders.clone(),
                watcher: graceful.watcher(),
                stop: stop.clone(),
            };
            #[cfg(feature = "tls")]
            if let Some(tls) = &tls {
                tokio::spawn(connection.serve_tls(stream, tls.clone(), https.clone()));
                continue;
            }
            tokio::spawn(connection.serve_plain(stream));
        };
        drop(listener);
        match successor {
            None => notify_service_manager(sd_notify::NotifyState::Stopping),
            Some(pid) => {
                tracing::info!(
                    "process {pid} serves now: this one finishes its requests and exits"
                );
                site.stopping
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                // A client on a kept-alive connection gets its next answer with
                // `Connection: close` and opens its next connection to the new process.
                // Those idle through the whole last call are closed below, as an idle
                // timeout closes them: a client must retry such a request anyway.
                site.draining
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                let last_call = tokio::time::Instant::now() + LAST_CALL;
                while graceful.count() > 0 && tokio::time::Instant::now() < last_call {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
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

/// The listening socket handed over in `LISTEN_FDS` that `LISTEN_FDNAMES` names `name`;
/// for `main`, the first if none is named so.
fn inherited_listener(name: &str) -> io::Result<Option<std::net::TcpListener>> {
    let names = std::env::var("LISTEN_FDNAMES").unwrap_or_default();
    let index = match names.split(':').position(|given| given == name) {
        Some(index) => index,
        None if name == "main" => 0,
        None => return Ok(None),
    };
    listenfd::ListenFd::from_env().take_tcp_listener(index)
}

/// Tells systemd how the service is doing, when it asked (`NOTIFY_SOCKET`).
fn notify_service_manager(state: sd_notify::NotifyState<'_>) {
    let stopping = matches!(state, sd_notify::NotifyState::Stopping);
    match sd_notify::notify(&[state]) {
        Ok(()) => {}
        // A process started by a restart: the one that waited for its READY=1 is gone.
        Err(e) if stopping => tracing::debug!("could not notify the service manager: {e}"),
        Err(e) => tracing::warn!("could not notify the service manager: {e}"),
    }
}

/// How a stop was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// SIGTERM (a service manager, an orchestrator): drain first.
    Drain,
    /// SIGINT (Ctrl-C at a terminal): stop accepting at once.
    Now,
}

/// Waits for SIGINT or SIGTERM. SIGTERM is listened for from the call on, not from the
/// first poll: until then it would end the process at once.
fn shutdown_signal() -> impl std::future::Future<Output = Stop> {
    #[cfg(unix)]
    let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let interrupt = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let terminate = async {
            match terminate {
                Some(mut signal) => {
                    signal.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        let stop = tokio::select! {
            () = interrupt => Stop::Now,
            () = terminate => Stop::Drain,
        };
        tracing::info!("shutting down: finishing in-flight requests");
        stop
    }
}
