//! The app's configuration: the [`App`] builder, its limits, shared state and secret.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use cookie::Key;
use sha2::{Digest, Sha256};

use crate::health::Probes;
use crate::proxy::TrustedProxies;
use crate::session::{SessionConfig, SessionStore};
use crate::upload::UploadLimits;

/// Limits and behaviour, set on [`App`].
pub(crate) struct Config {
    pub(crate) body_limit: usize,
    pub(crate) upload_limits: UploadLimits,
    pub(crate) request_timeout: Duration,
    pub(crate) header_timeout: Duration,
    pub(crate) body_timeout: Duration,
    pub(crate) shutdown_timeout: Duration,
    pub(crate) drain_delay: Duration,
    pub(crate) detailed_errors: bool,
    pub(crate) strict_csp: bool,
}

/// What every request of a running app shares.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) state: State,
    pub(crate) key: Arc<Key>,
    pub(crate) sessions: SessionConfig,
    pub(crate) proxies: TrustedProxies,
    pub(crate) probes: Probes,
}

/// Values shared by every request, looked up by type (see [`App::state`]).
#[derive(Default)]
pub(crate) struct State(HashMap<TypeId, Box<dyn Any + Send + Sync>>);

impl State {
    pub(crate) fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        self.0.insert(TypeId::of::<T>(), Box::new(value));
    }

    pub(crate) fn get<T: 'static>(&self) -> Option<&T> {
        self.0.get(&TypeId::of::<T>())?.downcast_ref()
    }
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
    proxies: TrustedProxies,
    probes: Probes,
}

impl Default for App {
    fn default() -> Self {
        Self::new()
    }
}

impl App {
    /// An app with the default limits: 1 MiB bodies, 10 s to send headers, 20 s to send a
    /// body (more for large ones), 30 s per page, 30 s for in-flight requests at shutdown;
    /// detailed error pages in debug builds only.
    pub fn new() -> Self {
        Self {
            config: Config {
                body_limit: 1024 * 1024,
                upload_limits: UploadLimits::default(),
                request_timeout: Duration::from_secs(30),
                header_timeout: Duration::from_secs(10),
                body_timeout: Duration::from_secs(20),
                shutdown_timeout: Duration::from_secs(30),
                drain_delay: Duration::from_secs(if cfg!(debug_assertions) { 0 } else { 5 }),
                detailed_errors: cfg!(debug_assertions),
                strict_csp: true,
            },
            state: State::default(),
            secret: None,
            secret_file: None,
            sessions: SessionConfig::default(),
            proxies: TrustedProxies::default(),
            probes: Probes::default(),
        }
    }

    /// Adds a value every page can reach with `req.state::<T>()`: a database pool, a
    /// configuration, a cache. One value per type.
    ///
    /// ```
    /// struct Greeting(&'static str);
    /// let app = rsp::App::new().state(Greeting("hello"));
    /// ```
    ///
    /// A database server, as the example site keeps its guestbook in PostgreSQL with
    /// `--database-url`: a setting names it, `main` opens a pool (cheap to clone), the
    /// pages reach it as state, and `/readyz` asks it whether it answers.
    ///
    /// ```no_run
    /// # #[derive(Clone)] struct Pool;
    /// # impl Pool {
    /// #     async fn connect(_: &str) -> std::io::Result<Self> { Ok(Pool) }
    /// #     async fn ping(&self) -> Result<(), String> { Ok(()) }
    /// # }
    /// rsp::settings! {
    ///     /// The database: `postgres://user@host/db`.
    ///     database_url: URL;
    /// }
    ///
    /// # async fn run() -> std::io::Result<()> {
    /// let url = rsp::setting("database-url").expect("--database-url");
    /// let pool = Pool::connect(&url).await?;
    /// let probe = pool.clone();
    /// rsp::App::new()
    ///     .state(pool)
    ///     .readiness_check("database", move || {
    ///         let probe = probe.clone();
    ///         async move { probe.ping().await }
    ///     })
    ///     .serve()
    ///     .await
    /// # }
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
        self.config.upload_limits = UploadLimits { per_file, total };
        self
    }

    /// How long a page may run before the client gets a 503.
    pub fn request_timeout(mut self, limit: Duration) -> Self {
        self.config.request_timeout = limit;
        self
    }

    /// How long a client has to send a request's headers before the connection is closed,
    /// counted from the connection's first byte and from the end of each response: a
    /// kept-alive connection (HTTP/2 ones too) with no request for this long is closed.
    pub fn header_timeout(mut self, limit: Duration) -> Self {
        self.config.header_timeout = limit;
        self
    }

    /// How long a client has to send a request's body (408 beyond it), plus one second
    /// for each KiB received, so that a large upload over a slow line gets the time it
    /// needs and a client that trickles a byte at a time does not hold a connection.
    ///
    /// ```
    /// let app = rsp::App::new().body_timeout(std::time::Duration::from_secs(60));
    /// ```
    pub fn body_timeout(mut self, limit: Duration) -> Self {
        self.config.body_timeout = limit;
        self
    }

    /// How long shutdown waits for in-flight requests.
    pub fn shutdown_timeout(mut self, limit: Duration) -> Self {
        self.config.shutdown_timeout = limit;
        self
    }

    /// How long the site goes on serving after SIGTERM before it stops accepting (default:
    /// 5 s in release builds, none in debug builds), so that a load balancer's health
    /// check sees `/readyz` answer 503 and sends no more: during the delay HTTP/1 answers
    /// close their connection, and then shutdown goes on as without it (HTTP/2
    /// connections get GOAWAY, requests in flight finish). `--drain-delay SECONDS`.
    ///
    /// ```
    /// let app = rsp::App::new().drain_delay(std::time::Duration::from_secs(10));
    /// ```
    pub fn drain_delay(mut self, delay: Duration) -> Self {
        self.config.drain_delay = delay;
        self
    }

    /// Where the health check answers (`GET /healthz` by default: 200 while the process
    /// serves, checking nothing, and not in the access log at info level), or `None` for
    /// nowhere. `--health-path PATH` or `--health-path off`.
    ///
    /// ```
    /// let app = rsp::App::new().health_path(Some("/up"));
    /// ```
    pub fn health_path(mut self, path: Option<&str>) -> Self {
        self.probes.health = path.map(str::to_owned);
        self
    }

    /// Where the readiness check answers (`GET /readyz` by default: 200 while the site
    /// takes requests, 503 once shutdown began or a [readiness
    /// check](App::readiness_check) fails), or `None` for nowhere. `--ready-path PATH` or
    /// `--ready-path off`.
    pub fn ready_path(mut self, path: Option<&str>) -> Self {
        self.probes.ready = path.map(str::to_owned);
        self
    }

    /// A check `/readyz` runs each time it is asked (all of them at once, 2 s each at
    /// most): an error makes it answer 503 with the check's name and the error, so a load
    /// balancer sends nothing to an instance whose database is gone.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use std::sync::Arc;
    ///
    /// let connected = Arc::new(AtomicBool::new(true));
    /// let app = rsp::App::new().readiness_check("database", move || {
    ///     let connected = Arc::clone(&connected);
    ///     async move {
    ///         match connected.load(Ordering::Relaxed) {
    ///             true => Ok(()),
    ///             false => Err("no connection".to_owned()),
    ///         }
    ///     }
    /// });
    /// ```
    pub fn readiness_check<F, Fut>(mut self, name: &'static str, check: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<(), String>> + Send + 'static,
    {
        self.probes.add_check(name, check);
        self
    }

    /// Whether 5xx pages show the error, the page and the request (default: in debug
    /// builds). Never turn this on for a public server.
    pub fn detailed_errors(mut self, on: bool) -> Self {
        self.config.detailed_errors = on;
        self
    }

    /// Whether HTML pages get the strict Content-Security-Policy (default: on): every
    /// `<script>` the page compiler saw gets a nonce made for the request, and the policy
    /// runs no other script, so even a value that escaped its context could not run one.
    /// The header, unless the page says `csp: off;` or sets its own
    /// `Content-Security-Policy`:
    ///
    /// - `script-src 'nonce-…' 'strict-dynamic'; object-src 'none'; base-uri 'none'` on a
    ///   page with scripts (what they load runs too);
    /// - `script-src 'none'; object-src 'none'; base-uri 'none'` on a page without.
    ///
    /// Inline event handlers (`onclick="…"`) run under neither, so the compiler refuses
    /// them in pages and points to `addEventListener`; `csp: off;` allows them. Turn the
    /// policy off here to send one of your own, or none.
    ///
    /// ```
    /// use rsp::prelude::*;
    ///
    /// page! {
    ///     GET "/clock" => clock;
    ///     r#"<p id="now"></p>
    /// <script>document.getElementById("now").textContent = new Date();</script>"#
    /// }
    ///
    /// let app = App::new().strict_csp(true); // the default
    /// ```
    pub fn strict_csp(mut self, on: bool) -> Self {
        self.config.strict_csp = on;
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

    /// The reverse proxies or load balancers in front of the site, a comma list of
    /// addresses and CIDR ranges (`--trusted-proxies`; none by default). A request from one
    /// of them may say who the client is (`Forwarded` or `X-Forwarded-For`: the right-most
    /// address that is not a trusted proxy) and that it came over HTTPS
    /// (`X-Forwarded-Proto`); [`Request::remote_addr`](crate::Request::remote_addr), the
    /// access log and `Secure` cookies then go by that. From anyone else those headers
    /// are ignored.
    ///
    /// ```
    /// let app = rsp::App::new().trusted_proxies("10.0.0.0/8, 127.0.0.1")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// If an entry is neither an address nor a CIDR range.
    pub fn trusted_proxies(mut self, list: &str) -> io::Result<Self> {
        self.proxies = TrustedProxies::parse(list)
            .map_err(|why| io::Error::new(io::ErrorKind::InvalidInput, why))?;
        Ok(self)
    }

    /// Marks the session cookie Secure (sent over HTTPS only). Without it, the cookie is
    /// Secure when the request came over HTTPS, to the site or to a trusted proxy (see
    /// [`App::trusted_proxies`]).
    pub fn secure_cookies(mut self, on: bool) -> Self {
        self.sessions.secure_cookie = on;
        self
    }

    /// The settings every request shares, with the cookie key from the secret:
    /// `RSP_SECRET`, else [`App::secret`], else the secret file, else a random key.
    pub(crate) fn into_shared(self) -> io::Result<Shared> {
        let secret = match self
            .secret
            .or_else(|| std::env::var("RSP_SECRET").ok().map(String::into_bytes))
        {
            Some(secret) => Some(secret),
            None => {
                if let (Some(file), true) = (
                    &self.secret_file,
                    self.sessions.store.shared_between_machines(),
                ) {
                    tracing::warn!(
                        "sessions are shared with other instances, but the cookie secret is \
                         this one's own ({}): set RSP_SECRET to one value on every instance, \
                         or their cookies and CSRF tokens are not each other's",
                        file.display()
                    );
                }
                self.secret_file
                    .as_deref()
                    .map(read_or_create_secret)
                    .transpose()?
            }
        };
        let key = match secret {
            Some(secret) => Key::derive_from(&Sha256::digest(&secret)),
            None => Key::generate(),
        };
        Ok(Shared {
            config: self.config,
            state: self.state,
            key: Arc::new(key),
            sessions: self.sessions,
            proxies: self.proxies,
            probes: self.probes,
        })
    }
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
