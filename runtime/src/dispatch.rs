//! Request dispatch: route a request to its page, run it (CSRF check, panic isolation,
//! time limit), turn errors into error pages, save the session, log the request.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use cookie::Key;
use futures_util::future::Either;
use futures_util::FutureExt;
use http::header::{
    HeaderValue, ALLOW, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HOST, SET_COOKIE,
};
use http::{StatusCode, Version};
use hyper::body::Incoming;

use crate::body::{self, Outgoing};
use crate::config::Shared;
use crate::constraints::Constraints;
use crate::cookie::set_cookie_headers;
use crate::csrf;
use crate::error::{Error, Result};
use crate::error_page;
use crate::registry::PageEntry;
use crate::rendering::{self, Rendering};
use crate::request::{Request, RequestId};
use crate::response::Response;
use crate::router::{Lookup, Router};
use crate::session;

/// A running app: its settings and its pages.
pub(crate) struct Site {
    pub(crate) shared: Arc<Shared>,
    router: Router,
    /// The constraints of the forms each page receives.
    constraints: Constraints,
    next_id: AtomicU64,
    /// Set once a new process took the sockets over (`SIGUSR2`), or during the drain delay
    /// after SIGTERM: HTTP/1 responses then close their connection, so that a client's
    /// next request goes to the new process, or to another instance.
    pub(crate) draining: AtomicBool,
    /// Set once shutdown began: `/readyz` answers 503.
    pub(crate) stopping: AtomicBool,
}

impl Site {
    pub(crate) fn new(shared: Arc<Shared>, router: Router) -> Self {
        error_page::record_panic_locations();
        Self {
            shared,
            constraints: Constraints::resolve(&router),
            router,
            next_id: AtomicU64::new(u64::from(rand::random::<u32>()) << 32),
            draining: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
        }
    }
}

/// What a connection over TLS adds to each response.
#[derive(Clone)]
pub(crate) struct Https {
    /// The `Strict-Transport-Security` value, if one is sent.
    pub(crate) hsts: Option<http::HeaderValue>,
}

/// What a request is answered with: hyper's response, never an error (an error is a page).
pub(crate) type Answer = std::result::Result<http::Response<Outgoing>, Infallible>;

/// One request, start to end: route, run the page, turn errors into pages, log. `https`
/// is set when the connection is TLS.
///
/// Not an `async fn`: its future is moved a few times on its way into hyper's connection,
/// and an `async fn` would keep its arguments twice (as arguments and as the parts taken
/// from them). The probes' rare requests get a future of their own, on the heap.
pub(crate) fn handle(
    site: Arc<Site>,
    remote: SocketAddr,
    https: Option<Https>,
    request: http::Request<Incoming>,
) -> impl Future<Output = Answer> + Send + 'static {
    if site.shared.probes.is_probe(request.uri().path()) {
        return Either::Left(Box::pin(probe(site, remote, https, request)));
    }
    Either::Right(page(site, remote, https, request))
}

/// A request on a probe's path (`/healthz`, `/readyz`): the probe's answer, or the page
/// there if the probe does not answer this method.
async fn probe(
    site: Arc<Site>,
    remote: SocketAddr,
    https: Option<Https>,
    request: http::Request<Incoming>,
) -> Answer {
    let stopping = site.stopping.load(Ordering::Relaxed);
    let path = request.uri().path();
    if let Some(mut answer) = site
        .shared
        .probes
        .answer(request.method(), path, stopping)
        .await
    {
        close_if_draining(&site, request.version(), &mut answer);
        tracing::debug!(target: "rsp::access", "{remote} {} {} {}", request.method(), request.uri(), answer.status().as_u16());
        return Ok(answer);
    }
    page(site, remote, https, request).await
}

/// A request for a page (or an asset, or a missing one).
fn page(
    site: Arc<Site>,
    remote: SocketAddr,
    https: Option<Https>,
    request: http::Request<Incoming>,
) -> impl Future<Output = Answer> + Send + 'static {
    let started = std::time::SystemTime::now();
    let id = RequestId(site.next_id.fetch_add(1, Ordering::Relaxed));
    let (head, body) = request.into_parts();
    let origin = site.shared.proxies.origin(remote, &head.headers);
    let client = origin.client;
    let over_https = https.is_some() || origin.https;
    let mut req = Request::new(head, Some(body), client, id, Arc::clone(&site.shared));
    async move {
        let shared = &*site.shared;
        let mut response = respond(&site, &mut req).await;
        let (slot, sessions) = req.session_parts();
        if let Err(e) = session::commit(slot, sessions, over_https, &mut response).await {
            let error = Error::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the session could not be saved: {e}"),
            );
            tracing::error!(request_id = %id, "{error}");
            response = error_page::builtin(&error, &req, None, shared.config.detailed_errors);
        }
        // A page's markup, not a file from disk, which is sent as it is (as assets are).
        let html = !response.has_file()
            && response
                .headers()
                .get(CONTENT_TYPE)
                .is_none_or(|kind| kind.as_bytes().starts_with(b"text/html"));
        #[cfg(debug_assertions)]
        if html {
            if let Some(script) = crate::dev::reload_script(req.nonce()) {
                response.append_html(&script);
            }
        }
        if html && req.strict_csp() {
            let policy = req.nonce().policy();
            response
                .headers_mut()
                .entry(CONTENT_SECURITY_POLICY)
                .or_insert(policy);
        }
        if let Some(rest) = req.unread_body() {
            body::linger(rest);
        }
        let file = match crate::file::answer(&mut response, req.method(), req.headers()) {
            Some((mut file, offset, len)) => match seek(&mut file, offset).await {
                Ok(()) => Some((file, len)),
                Err(e) => {
                    let error = Error::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        format!("the file could not be read: {e}"),
                    );
                    tracing::error!(request_id = %id, "{error}");
                    response =
                        error_page::builtin(&error, &req, None, shared.config.detailed_errors);
                    None
                }
            },
            None => None,
        };
        // A page for this visitor alone: no shared cache may keep it.
        let private = req.session_id().is_used();
        let mut response = into_http(response, file, &shared.key, private);
        if let Some(Https { hsts: Some(hsts) }) = https {
            response
                .headers_mut()
                .insert(http::header::STRICT_TRANSPORT_SECURITY, hsts);
        }
        close_if_draining(&site, req.version(), &mut response);
        crate::log::access(
            client,
            req.method(),
            req.uri(),
            response.status().as_u16(),
            started,
            id,
        );
        Ok(response)
    }
}

async fn respond(site: &Site, req: &mut Request) -> Response {
    if let Err(error) = check_host(req) {
        return error_page(site, req, None, error).await;
    }
    let (entry, outcome) = match site.router.find(req.method(), req.path()) {
        Lookup::Page { entry, params } => {
            req.set_params(params);
            (Some(entry), run(entry, req, site).await)
        }
        Lookup::WrongMethod { allow, json } => {
            let error = Error::new(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("{} is not allowed here; allowed: {allow}", req.method()),
            );
            let mut res = if json {
                error_page::json(&error, req, site.shared.config.detailed_errors)
            } else {
                error_page(site, req, None, error).await
            };
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
        Err(error) => error_page(site, req, entry, error).await,
    }
}

/// RFC 9112 §3.2: an HTTP/1.1 request has exactly one `Host` header, and no request
/// has two.
fn check_host(req: &Request) -> Result<()> {
    let hosts = req.headers().get_all(HOST).iter().count();
    if hosts > 1 || (hosts == 0 && req.version() == Version::HTTP_11) {
        let found = if hosts == 0 { "none" } else { "several" };
        return Err(Error::new(
            StatusCode::BAD_REQUEST,
            format!("a request needs exactly one Host header; this one has {found}"),
        ));
    }
    Ok(())
}

/// Runs a page: a panic becomes a 500 and a page over its time a 503, and the server
/// goes on serving either way.
async fn run(entry: &'static PageEntry, req: &mut Request, site: &Site) -> Result<Response> {
    let shared = &*site.shared;
    if !req.method().is_safe() {
        // Reading a form takes a large future: on the heap, only for requests that send one,
        // so that every request's future (which is moved as a whole) stays small.
        Box::pin(check_submission(entry, req, site)).await?;
    }
    if !entry.csp {
        req.turn_csp_off();
    }
    let mut res = Response::default();
    let rendering = Rendering {
        session: Arc::clone(req.session_id()),
        nonce: req.strict_csp().then(|| Arc::clone(req.nonce())),
    };
    let page = AssertUnwindSafe((entry.handler)(req, &mut res)).catch_unwind();
    let page = rendering::scope(rendering, page);
    let limit = shared.config.request_timeout;
    match within(limit, page).await {
        Some(Ok(Ok(mut response))) => {
            response.absorb(res);
            Ok(response)
        }
        Some(Ok(Err(error))) => Err(error),
        Some(Err(panic)) => {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-text panic payload".to_owned());
            let error = Error::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the page panicked: {why}"),
            );
            Err(match error_page::panicked_at() {
                Some(at) => error.at(at),
                None => error,
            })
        }
        None => Err(Error::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the page did not finish within {limit:?}"),
        )),
    }
}

/// The checks of a request that may change something: its CSRF token, and the page's
/// form constraints for a POST.
async fn check_submission(entry: &'static PageEntry, req: &mut Request, site: &Site) -> Result<()> {
    if entry.csrf {
        csrf::check(req).await?;
    }
    if *req.method() == http::Method::POST {
        site.constraints.check(entry.name, req).await?;
    }
    Ok(())
}

/// `page`'s output, or `None` once `limit` has passed. A page that finishes on its first
/// poll, as most do, never arms a timer: no clock read, no timer-wheel entry. Polled by
/// hand rather than with `tokio::time::timeout`, whose future (the page's and a timer's,
/// side by side) every request's future would carry.
async fn within<F: Future>(limit: Duration, page: F) -> Option<F::Output> {
    let mut page = std::pin::pin!(page);
    // On the heap, and only for pages that wait for something.
    let mut timer: Option<Pin<Box<tokio::time::Sleep>>> = None;
    std::future::poll_fn(|cx| {
        if let Poll::Ready(output) = page.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        let timer = timer.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        timer.as_mut().poll(cx).map(|()| None)
    })
    .await
}

/// The page for an error: the site's own page for that status if it has one, else a
/// built-in one. Server errors are logged with the request id. Boxed: it may run a page,
/// whose future a request without an error should not carry.
fn error_page<'a>(
    site: &'a Site,
    req: &'a mut Request,
    entry: Option<&'static PageEntry>,
    error: Error,
) -> Pin<Box<dyn Future<Output = Response> + Send + 'a>> {
    Box::pin(error_page_of(site, req, entry, error))
}

async fn error_page_of(
    site: &Site,
    req: &mut Request,
    entry: Option<&'static PageEntry>,
    error: Error,
) -> Response {
    let status = error.status();
    if status.is_server_error() {
        tracing::error!(
            request_id = %req.id(),
            page = entry.map_or("-", |e| e.name),
            at = %error.location(),
            "{}",
            error.chain().collect::<Vec<_>>().join(": "),
        );
    }
    if error_page::wants_json(req) || entry.is_some_and(|page| page.json_errors) {
        return error_page::json(&error, req, site.shared.config.detailed_errors);
    }
    let detailed = site.shared.config.detailed_errors && status.is_server_error();
    // The site's own page for the status can read the error (`req.error()`).
    req.set_error(error);
    if let Some(custom) = site.router.status_page(status.as_u16()) {
        match run(custom, req, site).await {
            Ok(mut res) => {
                res.set_status(status);
                if detailed {
                    // In development the details follow the site's own page.
                    if let Some(error) = req.error() {
                        res.append_html(&error_page::details(error, req, entry));
                    }
                }
                return res;
            }
            Err(e) => tracing::error!(
                request_id = %req.id(),
                "the {} page failed too: {e}",
                status.as_u16()
            ),
        }
    }
    let error = req.error().expect("set above");
    error_page::builtin(error, req, entry, site.shared.config.detailed_errors)
}

/// Moves a file's cursor to where its part starts.
async fn seek(file: &mut tokio::fs::File, offset: u64) -> std::io::Result<()> {
    use tokio::io::AsyncSeekExt;
    if offset > 0 {
        file.seek(std::io::SeekFrom::Start(offset)).await?;
    }
    Ok(())
}

const HTML: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");

const PRIVATE: HeaderValue = HeaderValue::from_static("private, no-cache");

/// Closes an HTTP/1 connection after this response while the site drains.
fn close_if_draining(site: &Site, version: http::Version, response: &mut http::Response<Outgoing>) {
    if site.draining.load(Ordering::Relaxed) && version < http::Version::HTTP_2 {
        response.headers_mut().insert(
            http::header::CONNECTION,
            http::HeaderValue::from_static("close"),
        );
    }
}

/// The response as hyper sends it. A `private` one (it read the session or a CSRF token)
/// or one that sets a cookie is marked `Cache-Control: private, no-cache` unless the page
/// set its own `Cache-Control`, as PHP does for pages that start a session.
fn into_http(
    response: Response,
    file: Option<(tokio::fs::File, u64)>,
    key: &Key,
    private: bool,
) -> http::Response<Outgoing> {
    let (status, mut headers, cookies, body) = response.into_parts();
    headers.entry(CONTENT_TYPE).or_insert(HTML);
    if private || !cookies.is_empty() {
        headers.entry(CACHE_CONTROL).or_insert(PRIVATE);
    }
    for cookie in set_cookie_headers(cookies, key) {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(SET_COOKIE, value);
        }
    }
    let body = match file {
        Some((file, len)) => Outgoing::file(file, len),
        None => Outgoing::bytes(body),
    };
    let mut http = http::Response::new(body);
    *http.status_mut() = status;
    *http.headers_mut() = headers;
    http
}
