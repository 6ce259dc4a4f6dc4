//! The request a page answers: `req` in every page.

use std::any::type_name;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use cookie::CookieJar;
use futures_util::stream::{self, StreamExt};
use http::header::{HeaderMap, CONTENT_LENGTH, CONTENT_TYPE, EXPECT};
use http::{Method, Uri};
use hyper::body::{Body as _, Incoming};
use serde::de::DeserializeOwned;

use crate::body::{self as bodies, BodyStream};
use crate::config::Shared;
use crate::cookie::{self as cookies, CookieRejection, RequestCookies};
use crate::csp::Nonce;
use crate::error::Error;
use crate::form::{self, FormRejection, Origin};
use crate::session::{Session, SessionConfig, SessionId, SessionSlot};
use crate::upload::{self, Upload, UploadRejection};

/// An id for each request, shown on production error pages and in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestId(pub(crate) u64);

impl RequestId {
    /// The id as 16 lowercase hex digits, as it is shown.
    pub(crate) fn hex(self) -> [u8; 16] {
        let mut digits = [0; 16];
        for (i, digit) in digits.iter_mut().enumerate() {
            let nibble = (self.0 >> (60 - 4 * i)) & 0xF;
            *digit = b"0123456789abcdef"[nibble as usize];
        }
        digits
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Hex digits are ASCII.
        f.write_str(std::str::from_utf8(&self.hex()).unwrap_or_default())
    }
}

/// An HTTP request, as a page sees it.
///
/// Everything PHP has in `$_GET`, `$_POST`, `$_COOKIE` and `$_SERVER` is here: the method,
/// path, route parameters, query string, headers, cookies, form body and client address,
/// plus the app's shared state.
pub struct Request {
    head: http::request::Parts,
    body: Body,
    params: Vec<(String, String)>,
    remote: SocketAddr,
    id: RequestId,
    shared: Arc<Shared>,
    /// The session, and the request's cookies that its id is read from.
    session: SessionSlot,
    /// The error a status page answers.
    error: Option<Error>,
    /// The Content-Security-Policy nonce of the page's scripts.
    nonce: Arc<Nonce>,
    /// Whether the response gets the strict policy: the app's setting, cleared by a page
    /// with `csp: off;`.
    strict_csp: bool,
}

/// The request body, as far as it has been read.
enum Body {
    /// Not read yet.
    Unread(Incoming),
    /// Read whole, by [`Request::body`] or [`Request::form`].
    Read(Bytes),
    /// Parsed as an upload before the page ran (by the CSRF check), kept for the page.
    Upload(Upload),
    /// Refused part-way (over a limit, malformed): what is left, thrown away after the
    /// answer.
    Refused(BodyStream),
    /// Streamed into an upload that was handed out, or never there.
    Gone,
}

impl Request {
    pub(crate) fn new(
        head: http::request::Parts,
        body: Option<Incoming>,
        remote: SocketAddr,
        id: RequestId,
        shared: Arc<Shared>,
    ) -> Self {
        let cookies = RequestCookies::new(&head.headers);
        let session_id = SessionId::new(cookies, Arc::clone(&shared.key));
        Self {
            session: SessionSlot::new(Arc::new(session_id)),
            head,
            body: body.map_or(Body::Gone, Body::Unread),
            params: Vec::new(),
            remote,
            id,
            strict_csp: shared.config.strict_csp,
            shared,
            error: None,
            nonce: Arc::default(),
        }
    }

    pub(crate) fn session_parts(&mut self) -> (&mut SessionSlot, &SessionConfig) {
        (&mut self.session, &self.shared.sessions)
    }

    pub(crate) fn nonce(&self) -> &Arc<Nonce> {
        &self.nonce
    }

    /// Whether the response gets the strict Content-Security-Policy.
    pub(crate) fn strict_csp(&self) -> bool {
        self.strict_csp
    }

    pub(crate) fn turn_csp_off(&mut self) {
        self.strict_csp = false;
    }

    pub(crate) fn session_id(&self) -> &Arc<SessionId> {
        &self.session.id
    }

    /// The error that a status page (`500 => oops;`) is shown for: its status, message
    /// and [`location`](Error::location). `None` in any other page.
    ///
    /// ```
    /// use rsp::prelude::*;
    ///
    /// page! {
    ///     404 => missing;
    ///     let why = req.error().map(ToString::to_string).unwrap_or_default();
    ///     r#"<h1>Not here</h1><p><%= why %></p>"#
    /// }
    /// ```
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    pub(crate) fn set_error(&mut self, error: Error) {
        self.error = Some(error);
    }

    pub(crate) fn set_params(&mut self, params: Vec<(String, String)>) {
        self.params = params;
    }

    /// The request method (`GET`, `POST`, …).
    pub fn method(&self) -> &Method {
        &self.head.method
    }

    /// The HTTP version the request came in (`HTTP/1.1`, `HTTP/2.0`).
    pub fn version(&self) -> http::Version {
        self.head.version
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

    /// The whole body as bytes, up to the app's body limit (413 beyond it). A body that
    /// does not arrive in time is a 408 (see [`App::body_timeout`](crate::App::body_timeout)).
    pub async fn body(&mut self) -> Result<Bytes, FormRejection> {
        let limit = self.shared.config.body_limit;
        let mut stream = match std::mem::replace(&mut self.body, Body::Gone) {
            Body::Unread(body) => {
                let declared = self
                    .header(CONTENT_LENGTH.as_str())
                    .and_then(|n| n.parse::<u64>().ok());
                if declared.is_some_and(|n| n > limit as u64) {
                    // Unread: a client waiting for `100 Continue` is not invited to send it.
                    self.body = Body::Unread(body);
                    return Err(FormRejection::TooLarge { limit });
                }
                bodies::timed(body, self.shared.config.body_timeout)
            }
            Body::Read(bytes) => {
                self.body = Body::Read(bytes.clone());
                return Ok(bytes);
            }
            // Read by an upload already, or refused: nothing is left for this reader.
            other => {
                self.body = other;
                return Ok(Bytes::new());
            }
        };
        let mut bytes = BytesMut::new();
        while let Some(chunk) = stream.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(e) if bodies::is_timeout(&*e) => {
                    return Err(FormRejection::TimedOut(e.to_string()))
                }
                Err(e) => return Err(FormRejection::BodyRead(e.to_string())),
            };
            if bytes.len() + chunk.len() > limit {
                self.body = Body::Refused(stream);
                return Err(FormRejection::TooLarge { limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        let bytes = bytes.freeze();
        self.body = Body::Read(bytes.clone());
        Ok(bytes)
    }

    /// The `multipart/form-data` body — a form with `enctype="multipart/form-data"` — with
    /// its text fields and uploaded files: PHP's `$_POST` and `$_FILES` together.
    ///
    /// The body is streamed: files stay in memory up to 256 KiB and go to a temporary file
    /// beyond, deleted when the [`UploadedFile`](crate::UploadedFile) is dropped (copy it somewhere with
    /// [`UploadedFile::persist`](crate::UploadedFile::persist) to keep it). Limits, all answered with a 413 page: each
    /// file and the whole body as set by [`App::upload_limits`](crate::App::upload_limits)
    /// (8 MiB and 32 MiB by default; the app's `body_limit` does not apply here), 64 KiB per
    /// text field, 1000 parts. Another content type is a 415 (and the body is left unread,
    /// so the page may call [`form`](Request::form) instead); a malformed body or a text
    /// field that is not UTF-8 is a 400.
    ///
    /// The body is read once: a second call is an error (a 500: keep the [`Upload`]).
    /// After [`body`](Request::body), the bytes it read are parsed. When the CSRF check
    /// has already parsed the upload for its `_csrf` field, this returns that upload.
    ///
    /// ```no_run
    /// # async fn page(req: &mut rsp::Request) -> rsp::Result<()> {
    /// let upload = req.upload().await?;
    /// let title = upload.field("title").unwrap_or("untitled");
    /// if let Some(photo) = upload.file("photo") {
    ///     photo.persist(format!("/srv/photos/{}", photo.name()))?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn upload(&mut self) -> Result<Upload, UploadRejection> {
        match std::mem::replace(&mut self.body, Body::Gone) {
            Body::Upload(upload) => Ok(upload),
            body => {
                self.body = body;
                self.read_upload().await
            }
        }
    }

    /// For checks that run before the page (CSRF): parses the upload, or returns the one
    /// already parsed, and keeps it for the page's own [`upload`](Request::upload).
    pub(crate) async fn peek_upload(&mut self) -> Result<&Upload, UploadRejection> {
        if !matches!(self.body, Body::Upload(_)) {
            let upload = self.read_upload().await?;
            self.body = Body::Upload(upload);
        }
        match &self.body {
            Body::Upload(upload) => Ok(upload),
            _ => unreachable!("kept just above"),
        }
    }

    /// Reads and parses the body (see [`upload`](Request::upload)); bytes an earlier
    /// [`body`](Request::body) call read are parsed and kept.
    async fn read_upload(&mut self) -> Result<Upload, UploadRejection> {
        let kind = self.header(CONTENT_TYPE.as_str()).unwrap_or("");
        let boundary = upload::boundary(kind)?;
        let limits = self.shared.config.upload_limits;
        let mut stream: BodyStream = match std::mem::replace(&mut self.body, Body::Gone) {
            Body::Unread(body) => {
                let declared = self
                    .header(CONTENT_LENGTH.as_str())
                    .and_then(|n| n.parse::<u64>().ok());
                if declared.is_some_and(|n| n > limits.total) {
                    // Unread: a client waiting for `100 Continue` is not invited to send it.
                    self.body = Body::Unread(body);
                    return Err(UploadRejection::TooLarge {
                        limit: limits.total,
                    });
                }
                bodies::timed(body, self.shared.config.body_timeout)
            }
            Body::Read(bytes) => {
                self.body = Body::Read(bytes.clone());
                stream::iter([Ok(bytes)]).boxed()
            }
            Body::Upload(_) | Body::Refused(_) | Body::Gone => {
                return Err(UploadRejection::BodyConsumed)
            }
        };
        let result = upload::read(boundary, &mut stream, limits).await;
        if result.is_err() && matches!(self.body, Body::Gone) {
            self.body = Body::Refused(stream);
        }
        result
    }

    /// What is left of a body no reader finished, for the server to throw away after the
    /// answer; `None` for a client still waiting for `100 Continue`, which was never
    /// invited to send it.
    pub(crate) fn unread_body(&mut self) -> Option<BodyStream> {
        match std::mem::replace(&mut self.body, Body::Gone) {
            Body::Refused(rest) => Some(rest),
            Body::Unread(body) if body.is_end_stream() => None,
            Body::Unread(body) => {
                let waiting =
                    self.head.headers.get(EXPECT).is_some_and(|expect| {
                        expect.as_bytes().eq_ignore_ascii_case(b"100-continue")
                    });
                (!waiting).then(|| bodies::timed(body, self.shared.config.body_timeout))
            }
            _ => None,
        }
    }

    /// The visitor's session, loaded from the store on first use in this request.
    ///
    /// # Errors
    /// If the store cannot be reached (a 500). A missing, expired or forged session is
    /// not an error: it is a fresh, empty session.
    pub async fn session(&mut self) -> Result<&mut Session, Error> {
        // Another request of the session holds the lock until it is done, which is within
        // its time limit.
        let patience = self.shared.config.request_timeout + Duration::from_secs(5);
        self.session.load(&self.shared.sessions, patience).await
    }

    fn cookie_jar(&self) -> Result<&CookieJar, CookieRejection> {
        self.session.id.cookies().jar()
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
