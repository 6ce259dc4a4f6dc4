//! The app: shared state, settings, and the server that runs every page of the binary.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use cookie::Key;
use futures_util::FutureExt;
use http::header::{HeaderValue, ALLOW, CONTENT_TYPE, SET_COOKIE};
use http::StatusCode;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use sha2::{Digest, Sha256};
use tokio::net::{TcpListener, ToSocketAddrs};

use crate::__private::PageEntry;
use crate::cookie::set_cookie_headers;
use crate::csrf;
use crate::error::{self, Error, Result};
use crate::request::{Request, RequestId, State};
use crate::response::Response;
use crate::router::{Lookup, Router};
use crate::session::{self, SessionConfig, SessionStore};

/// Limits and behaviour, set on [`App`].
pub(crate) struct Config {
    pub(crate) body_limit: usize,
    pub(crate) upload_limits: crate::upload::UploadLimits,
    request_timeout: Duration,
    header_timeout: Duration,
    shutdown_timeout: Duration,
    detailed_errors: bool,
}

/// What every request of a running app shares.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) state: State,
    pub(crate) key: Arc<Key>,
    pub(crate) sessions: SessionConfig,
    router: Router,
    next_id: AtomicU64,
}

/// A site: the pages compiled into this binary, plus shared state and settings.
///
/// ```no_run
/// #[tokio::main]
/// async fn main() -> std::io::Result<()> {
///     rsp::App::new().serve().await
/// }
/// ```
pub struct App {
    config: Config,
    state: State,
    secret: Option<Vec<u8>>,
    secret_file: Option<PathBuf>,
    sessions: SessionConfig,
}

impl Default for App {
    fn default() -> Self {
        Self::new()
    }
}

impl App {
    /// An app with the default limits: 1 MiB bodies, 10 s to send headers, 30 s per page,
    /// 30 s for in-flight requests at shutdown; detailed error pages in debug builds only.
    pub fn new() -> Self {
        Self {
            config: Config {
                body_limit: 1024 * 1024,
                upload_limits: crate::upload::UploadLimits::default(),
                request_timeout: Duration::from_secs(30),
                header_timeout: Duration::from_secs(10),
                shutdown_timeout: Duration::from_secs(30),
                detailed_errors: cfg!(debug_assertions),
            },
            state: State::default(),
            secret: None,
            secret_file: None,
            sessions: SessionConfig::default(),
        }
    }

    /// Adds a value every page can reach with `req.state::<T>()`: a database pool, a
    /// configuration, a cache. One value per type.
    ///
    /// ```
    /// struct Greeting(&'static str);
    /// let app = rsp::App::new().state(Greeting("hello"));
    /// ```
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.state.insert(value);
        self
    }

    /// The largest request body accepted, in bytes (413 beyond it).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.config.body_limit = bytes;
        self
    }

    /// The largest file and the largest whole body a file upload
    /// ([`Request::upload`](crate::Request::upload)) may have, in bytes (413 beyond them).
    /// The defaults are 8 MiB per file and 32 MiB in all; `body_limit` does not apply to
    /// uploads.
    ///
    /// ```
    /// let app = rsp::App::new().upload_limits(2 << 20, 10 << 20); // 2 MiB, 10 MiB
    /// ```
    pub fn upload_limits(mut self, per_file: u64, total: u64) -> Self {
        self.config.upload_limits = crate::upload::UploadLimits { per_file, total };
        self
    }

    /// How long a page may run before the client gets a 503.
    pub fn request_timeout(mut self, limit: Duration) -> Self {
        self.config.request_timeout = limit;
        self
    }

    /// How long a client has to send a request's headers before the connection is closed.
    pub fn header_timeout(mut self, limit: Duration) -> Self {
        self.config.header_timeout = limit;
        self
    }

    /// How long shutdown waits for in-flight requests.
    pub fn shutdown_timeout(mut self, limit: Duration) -> Self {
        self.config.shutdown_timeout = limit;
        self
    }

    /// Whether 5xx pages show the error, the page and the request (default: in debug
    /// builds). Never turn this on for a public server.
    pub fn detailed_errors(mut self, on: bool) -> Self {
        self.config.detailed_errors = on;
        self
    }

    /// The secret that signs cookies. Without it, `RSP_SECRET` is used, or else a random
    /// key, which makes cookies invalid after a restart.
    pub fn secret(mut self, secret: impl Into<Vec<u8>>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// Keeps the cookie-signing secret in a file: read if it exists, else generated once
    /// and written there (readable by the owner only), so sessions and signed cookies
    /// survive a restart. `RSP_SECRET` and [`App::secret`] take precedence.
    pub fn secret_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.secret_file = Some(path.into());
        self
    }

    /// Where sessions are kept (default: in memory). See [`SessionStore`].
    ///
    /// ```no_run
    /// let app = rsp::App::new().sessions(rsp::SqliteStore::open("data/sessions.sqlite3")?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn sessions(mut self, store: impl SessionStore) -> Self {
        self.sessions.store = Arc::new(store);
        self
    }

    /// How long an unused session lives (default: 24 hours).
    pub fn session_idle_timeout(mut self, limit: Duration) -> Self {
        self.sessions.idle_timeout = limit;
        self
    }

    /// Marks the session cookie Secure (sent over HTTPS only). Without it, the cookie is
    /// Secure when a proxy says the request came over HTTPS (`X-Forwarded-Proto: https`).
    pub fn secure_cookies(mut self, on: bool) -> Self {
        self.sessions.secure_cookie = on;
        self
    }

    /// Serves the app on the address given by `--addr` or `RSP_ADDR` (default
    /// `127.0.0.1:8080`) until SIGINT or SIGTERM, logging to stderr (`RUST_LOG` sets the
    /// level). Prints `listening on http://ADDR` when ready.
    pub async fn serve(self) -> io::Result<()> {
        init_logging();
        let addr = setting("addr").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let server = self.bind(addr).await?;
        println!("listening on http://{}", server.local_addr());
        server.run().await
    }

    /// Binds the app to an address, ready to run; port 0 picks a free port.
    ///
    /// # Errors
    /// If the address cannot be bound, or two pages claim the same route.
    pub async fn bind(self, addr: impl ToSocketAddrs) -> io::Result<Server> {
        let router = Router::from_pages(inventory::iter::<PageEntry>.into_iter())
            .map_err(io::Error::other)?;
        let secret = match self
            .secret
            .or_else(|| std::env::var("RSP_SECRET").ok().map(String::into_bytes))
        {
            Some(secret) => Some(secret),
            None => self
                .secret_file
                .as_deref()
                .map(read_or_create_secret)
                .transpose()?,
        };
        let key = match secret {
            Some(secret) => Key::derive_from(&Sha256::digest(&secret)),
            None => Key::generate(),
        };
        let listener = TcpListener::bind(addr).await?;
        let shared = Arc::new(Shared {
            config: self.config,
            state: self.state,
            key: Arc::new(key),
            sessions: self.sessions,
            router,
            next_id: AtomicU64::new(u64::from(rand::random::<u32>()) << 32),
        });
        Ok(Server { listener, shared })
    }
}

/// A bound app, ready to serve.
pub struct Server {
    listener: TcpListener,
    shared: Arc<Shared>,
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
        let Server { listener, shared } = self;
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(shared.config.header_timeout);
        builder.http2().timer(TokioTimer::new());
        let graceful = GracefulShutdown::new();
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
            let shared = Arc::clone(&shared);
            let builder = builder.clone();
            let watcher = graceful.watcher();
            tokio::spawn(async move {
                // The protocol sniffing of `auto` has no timer of its own: a client that
                // connects and sends nothing is dropped after the header timeout.
                let header_timeout = shared.config.header_timeout;
                let mut first = [0u8; 1];
                let first_byte = stream.peek(&mut first);
                if !matches!(
                    tokio::time::timeout(header_timeout, first_byte).await,
                    Ok(Ok(1))
                ) {
                    return;
                }
                let service = service_fn(move |req| handle(Arc::clone(&shared), remote, req));
                let connection = builder.serve_connection(TokioIo::new(stream), service);
                if let Err(e) = watcher.watch(connection).await {
                    tracing::debug!("connection from {remote} ended: {e}");
                }
            });
        }
        drop(listener);
        tokio::select! {
            () = graceful.shutdown() => {}
            () = tokio::time::sleep(shared.config.shutdown_timeout) => {
                tracing::warn!("shutdown timeout reached with requests still in flight");
            }
        }
        Ok(())
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

/// One request, start to end: route, run the page, turn errors into pages, log.
async fn handle(
    shared: Arc<Shared>,
    remote: SocketAddr,
    request: http::Request<Incoming>,
) -> std::result::Result<http::Response<Full<Bytes>>, Infallible> {
    let started = Instant::now();
    let id = RequestId(shared.next_id.fetch_add(1, Ordering::Relaxed));
    let (head, body) = request.into_parts();
    let mut req = Request::new(head, Some(body), remote, id, Arc::clone(&shared));
    let mut response = respond(&shared, &mut req).await;
    let over_https = req.header("x-forwarded-proto") == Some("https");
    let (slot, sessions) = req.session_parts();
    if let Err(e) = session::commit(slot, sessions, over_https, &mut response).await {
        let error = Error::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the session could not be saved: {e}"),
        );
        tracing::error!(request_id = %id, "{error}");
        response = error::builtin_page(&error, &req, None, shared.config.detailed_errors);
    }
    let response = into_http(response, &shared.key);
    tracing::info!(
        target: "rsp::access",
        "{remote} {} {} {} {}us id={id}",
        req.method(),
        req.uri(),
        response.status().as_u16(),
        started.elapsed().as_micros(),
    );
    Ok(response)
}

async fn respond(shared: &Shared, req: &mut Request) -> Response {
    let (entry, outcome) = match shared.router.find(req.method(), req.path()) {
        Lookup::Page { entry, params } => {
            req.set_params(params);
            (Some(entry), run(entry, req, shared).await)
        }
        Lookup::WrongMethod(allow) => {
            let error = Error::new(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("{} is not allowed here; allowed: {allow}", req.method()),
            );
            let mut res = error_page(shared, req, None, error).await;
            if let Ok(value) = HeaderValue::from_str(&allow) {
                res.headers_mut().insert(ALLOW, value);
            }
            return res;
        }
        Lookup::Missing => (None, Err(Error::status_only(StatusCode::NOT_FOUND))),
        Lookup::BadPath => (
            None,
            Err(Error::new(
                StatusCode::BAD_REQUEST,
                "the path is not valid UTF-8 once percent-decoded",
            )),
        ),
    };
    match outcome {
        Ok(res) => res,
        Err(error) => error_page(shared, req, entry, error).await,
    }
}

/// Runs a page: a panic becomes a 500 and a page over its time a 503, and the server
/// goes on serving either way.
async fn run(entry: &'static PageEntry, req: &mut Request, shared: &Shared) -> Result<Response> {
    if entry.csrf {
        csrf::check(req).await?;
    }
    let mut res = Response::default();
    let session = Arc::clone(req.session_id());
    let page = csrf::scope(
        session,
        AssertUnwindSafe((entry.handler)(req, &mut res)).catch_unwind(),
    );
    let limit = shared.config.request_timeout;
    match tokio::time::timeout(limit, page).await {
        Ok(Ok(Ok(mut response))) => {
            response.absorb(res);
            Ok(response)
        }
        Ok(Ok(Err(error))) => Err(error),
        Ok(Err(panic)) => {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-text panic payload".to_owned());
            Err(Error::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the page panicked: {why}"),
            ))
        }
        Err(_) => Err(Error::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the page did not finish within {limit:?}"),
        )),
    }
}

/// The page for an error: the site's own page for that status if it has one, else a
/// built-in one. Server errors are logged with the request id.
async fn error_page(
    shared: &Shared,
    req: &mut Request,
    entry: Option<&'static PageEntry>,
    error: Error,
) -> Response {
    let status = error.status();
    if status.is_server_error() {
        tracing::error!(
            request_id = %req.id(),
            page = entry.map_or("-", |e| e.name),
            "{}",
            error.chain().collect::<Vec<_>>().join(": "),
        );
    }
    if let Some(custom) = shared.router.status_page(status.as_u16()) {
        match run(custom, req, shared).await {
            Ok(mut res) => {
                res.set_status(status);
                return res;
            }
            Err(e) => tracing::error!(
                request_id = %req.id(),
                "the {} page failed too: {e}",
                status.as_u16()
            ),
        }
    }
    error::builtin_page(&error, req, entry, shared.config.detailed_errors)
}

const HTML: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");

fn into_http(response: Response, key: &Key) -> http::Response<Full<Bytes>> {
    let (status, mut headers, cookies, body) = response.into_parts();
    headers.entry(CONTENT_TYPE).or_insert(HTML);
    for cookie in set_cookie_headers(cookies, key) {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(SET_COOKIE, value);
        }
    }
    let mut http = http::Response::new(Full::new(body));
    *http.status_mut() = status;
    *http.headers_mut() = headers;
    http
}

/// The secret in `path`, or a new random one written there first.
fn read_or_create_secret(path: &Path) -> io::Result<Vec<u8>> {
    match std::fs::read(path) {
        Ok(secret) if !secret.is_empty() => return Ok(secret),
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let bytes: [u8; 32] = rand::random();
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(path)?, secret.as_bytes())?;
    Ok(secret.into_bytes())
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .try_init();
}

/// A setting from the command line (`--name value` or `--name=value`) or else from the
/// environment (`RSP_NAME`, upper case, `-` as `_`).
///
/// ```
/// // `site --data /var/lib/site` or `RSP_DATA=/var/lib/site site`
/// let data = rsp::setting("data").unwrap_or_else(|| "./data".into());
/// ```
pub fn setting(name: &str) -> Option<String> {
    let flag = format!("--{name}");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == flag {
            return args.next();
        }
        if let Some(value) = arg.strip_prefix(&flag).and_then(|r| r.strip_prefix('=')) {
            return Some(value.to_owned());
        }
    }
    std::env::var(format!("RSP_{}", name.to_uppercase().replace('-', "_"))).ok()
}
