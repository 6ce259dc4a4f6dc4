//! The request a page answers: `req` in every page.

use std::any::type_name;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use cookie::CookieJar;
use http::header::{HeaderMap, CONTENT_LENGTH, CONTENT_TYPE};
use http::{Method, Uri};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use serde::de::DeserializeOwned;

use crate::config::Shared;
use crate::cookie::{self as cookies, CookieRejection};
use crate::form::{self, FormRejection, Origin};
use crate::session::{SessionConfig, SessionId, SessionSlot};

/// An id for each request, shown on production error pages and in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestId(pub(crate) u64);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// An HTTP request, as a page sees it.
///
/// Everything PHP has in `$_GET`, `$_POST`, `$_COOKIE` and `$_SERVER` is here: the method,
/// path, route parameters, query string, headers, cookies, form body and client address,
/// plus the app's shared state.
pub struct Request {
    head: http::request::Parts,
    body: Option<Incoming>,
    read_body: Option<Bytes>,
    upload: Option<crate::upload::Upload>,
    params: Vec<(String, String)>,
    remote: SocketAddr,
    id: RequestId,
    shared: Arc<Shared>,
    cookies: OnceLock<Result<CookieJar, CookieRejection>>,
    session: SessionSlot,
}

impl Request {
    pub(crate) fn new(
        head: http::request::Parts,
        body: Option<Incoming>,
        remote: SocketAddr,
        id: RequestId,
        shared: Arc<Shared>,
    ) -> Self {
        let cookie_header = head
            .headers
            .get_all(http::header::COOKIE)
            .iter()
            .cloned()
            .collect();
        let session_id = SessionId::new(cookie_header, Arc::clone(&shared.key));
        Self {
            session: SessionSlot::new(Arc::new(session_id)),
            head,
            body,
            read_body: None,
            upload: None,
            params: Vec::new(),
            remote,
            id,
            shared,
            cookies: OnceLock::new(),
        }
    }

    pub(crate) fn session_parts(&mut self) -> (&mut SessionSlot, &SessionConfig) {
        (&mut self.session, &self.shared.sessions)
    }

    pub(crate) fn session_id(&self) -> &Arc<SessionId> {
        &self.session.id
    }

    /// The unread body, for a reader that streams it (uploads); `None` once taken.
    pub(crate) fn take_body(&mut self) -> Option<Incoming> {
        self.body.take()
    }

    /// The body as an earlier [`body`](Self::body) call read it.
    pub(crate) fn read_body(&self) -> Option<&Bytes> {
        self.read_body.as_ref()
    }

    /// The app's upload limits.
    pub(crate) fn upload_limits(&self) -> crate::upload::UploadLimits {
        self.shared.config.upload_limits
    }

    /// An upload parsed before the page ran (by the CSRF check), kept for the page.
    pub(crate) fn kept_upload(&mut self) -> &mut Option<crate::upload::Upload> {
        &mut self.upload
    }

    pub(crate) fn set_params(&mut self, params: Vec<(String, String)>) {
        self.params = params;
    }

    /// The request method (`GET`, `POST`, …).
    pub fn method(&self) -> &Method {
        &self.head.method
    }

    /// The full request target: path and query.
    pub fn uri(&self) -> &Uri {
        &self.head.uri
    }

    /// The path, still percent-encoded (`/hello/world`).
    pub fn path(&self) -> &str {
        self.head.uri.path()
    }

    /// All request headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.head.headers
    }

    /// One header as text; `None` if absent or not visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.headers.get(name)?.to_str().ok()
    }

    /// A route parameter by name, percent-decoded (`{name}` in `"/hello/{name}"`).
    /// Pages have their parameters as variables already; this is for code they call.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The query string read into `T`: your own `#[derive(Deserialize)]` struct, or a
    /// [`Form`](crate::Form) to read fields by name. Malformed text is a 400 that says why.
    ///
    /// ```
    /// # async fn page(req: &mut rsp::Request) -> rsp::Result<()> {
    /// let query: rsp::Form = req.query()?;
    /// let search = query.get("q").unwrap_or("");
    /// # Ok(()) }
    /// ```
    pub fn query<T: DeserializeOwned>(&self) -> Result<T, FormRejection> {
        let raw = self.head.uri.query().unwrap_or("");
        form::decode(raw.as_bytes(), Origin::Query)
    }

    /// The urlencoded form body read into `T` (a serde type, or a [`Form`](crate::Form)).
    /// The body is read once, up to the app's body limit (413 beyond it).
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Entry { name: String, message: String }
    ///
    /// # async fn page(req: &mut rsp::Request) -> rsp::Result<()> {
    /// let entry: Entry = req.form().await?;
    /// # Ok(()) }
    /// ```
    pub async fn form<T: DeserializeOwned>(&mut self) -> Result<T, FormRejection> {
        let kind = self.header(CONTENT_TYPE.as_str()).unwrap_or("");
        let essence = kind.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err(FormRejection::UnsupportedType {
                found: kind.to_owned(),
            });
        }
        let body = self.body().await?;
        form::decode(&body, Origin::Body)
    }

    /// The whole body as bytes, up to the app's body limit (413 beyond it).
    pub async fn body(&mut self) -> Result<Bytes, FormRejection> {
        if let Some(bytes) = &self.read_body {
            return Ok(bytes.clone());
        }
        let limit = self.shared.config.body_limit;
        let declared = self
            .header(CONTENT_LENGTH.as_str())
            .and_then(|n| n.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(FormRejection::TooLarge { limit });
        }
        let bytes = match self.body.take() {
            None => Bytes::new(),
            Some(body) => match Limited::new(body, limit).collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                    return Err(FormRejection::TooLarge { limit })
                }
                Err(e) => return Err(FormRejection::BodyRead(e.to_string())),
            },
        };
        self.read_body = Some(bytes.clone());
        Ok(bytes)
    }

    fn cookie_jar(&self) -> Result<&CookieJar, CookieRejection> {
        self.cookies
            .get_or_init(|| cookies::parse(&self.head.headers))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// A signed cookie's value; `None` if absent or if its signature does not hold
    /// (it was forged or edited). Set it with [`Response::set_cookie`](crate::Response::set_cookie).
    pub fn cookie(&self, name: &str) -> Result<Option<String>, CookieRejection> {
        Ok(cookies::verified(
            self.cookie_jar()?,
            &self.shared.key,
            name,
        ))
    }

    /// An unsigned cookie's value, as the client sent it (for cookies JavaScript sets).
    pub fn cookie_unsigned(&self, name: &str) -> Result<Option<&str>, CookieRejection> {
        Ok(self.cookie_jar()?.get(name).map(|c| c.value()))
    }

    /// The address of the client (of the proxy, behind one).
    pub fn remote_addr(&self) -> SocketAddr {
        self.remote
    }

    /// This request's id, as logged and shown on production error pages.
    pub fn id(&self) -> RequestId {
        self.id
    }

    /// The shared value of type `T` given to [`App::state`](crate::App::state).
    ///
    /// # Panics
    /// If the app has no state of that type: a programming error, shown as a 500.
    pub fn state<T: Send + Sync + 'static>(&self) -> &T {
        self.shared.state.get::<T>().unwrap_or_else(|| {
            panic!(
                "no shared state of type `{}`: add it with App::new().state(value)",
                type_name::<T>()
            )
        })
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.head.method)
            .field("uri", &self.head.uri)
            .field("remote", &self.remote)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}
