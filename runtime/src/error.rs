//! Errors a page can raise with `?`, and the pages that show them.
//!
//! Any error type converts into [`Error`]. The runtime's own failures keep their status
//! (a bad form is a 400, an oversized body a 413); everything else is a 500. A 4xx shows
//! its message to the client; a 5xx shows details only in debug builds — in release
//! builds the client sees a request id that is also in the log.

use std::any::Any;
use std::error::Error as StdError;
use std::fmt;

use http::StatusCode;

use crate::__private::PageEntry;
use crate::cookie::CookieRejection;
use crate::csrf::CsrfRejection;
use crate::escape;
use crate::form::FormRejection;
use crate::request::Request;
use crate::response::Response;
use crate::upload::UploadRejection;

/// The result of a page: `?` works on any error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error that ends a page and becomes an error page with a status.
///
/// ```
/// use rsp::{Error, StatusCode};
///
/// let parse: Result<u32, _> = "x".parse::<u32>();
/// let err = Error::from(parse.unwrap_err());
/// assert_eq!(err.status(), StatusCode::INTERNAL_SERVER_ERROR);
///
/// let gone = Error::new(StatusCode::GONE, "this post was deleted");
/// assert_eq!(gone.status(), StatusCode::GONE);
/// assert_eq!(gone.to_string(), "this post was deleted");
/// ```
pub struct Error {
    status: StatusCode,
    source: Box<dyn StdError + Send + Sync>,
}

impl Error {
    /// An error with a status and a message. For 4xx statuses the message is shown to
    /// the client, so say what was wrong with the request.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            source: message.into().into(),
        }
    }

    /// An error that only carries a status; its message is the status's reason.
    pub fn status_only(status: StatusCode) -> Self {
        Self::new(status, status.canonical_reason().unwrap_or("error"))
    }

    /// The status of the error page.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The messages of this error and of each error that caused it, outermost first.
    pub fn chain(&self) -> impl Iterator<Item = String> + '_ {
        let mut next: Option<&(dyn StdError + 'static)> = Some(&*self.source);
        std::iter::from_fn(move || {
            let current = next?;
            next = current.source();
            Some(current.to_string())
        })
    }
}

impl<E: StdError + Send + Sync + 'static> From<E> for Error {
    fn from(error: E) -> Self {
        let status = known_status(&error).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Self {
            status,
            source: Box::new(error),
        }
    }
}

/// The status of the runtime's own error types.
fn known_status(error: &dyn Any) -> Option<StatusCode> {
    if let Some(e) = error.downcast_ref::<FormRejection>() {
        return Some(e.status());
    }
    if let Some(e) = error.downcast_ref::<CookieRejection>() {
        return Some(e.status());
    }
    if let Some(e) = error.downcast_ref::<UploadRejection>() {
        return Some(e.status());
    }
    if let Some(e) = error.downcast_ref::<CsrfRejection>() {
        return Some(e.status());
    }
    None
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.source, f)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("status", &self.status)
            .field("source", &self.source)
            .finish()
    }
}

/// The built-in error page. Client errors say what was wrong; server errors say it only
/// when `detailed` (debug builds), and otherwise give the request id to quote.
pub(crate) fn builtin_page(
    error: &Error,
    req: &Request,
    page: Option<&PageEntry>,
    detailed: bool,
) -> Response {
    let status = error.status();
    let title = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    let mut body = String::with_capacity(1024);
    body.push_str("<!doctype html>\n<meta charset=\"utf-8\">\n<title>");
    escape::html(&title, &mut body);
    body.push_str("</title>\n<h1>");
    escape::html(&title, &mut body);
    body.push_str("</h1>\n");
    if status.is_client_error() {
        body.push_str("<p>");
        escape::html(&error.to_string(), &mut body);
        body.push_str("</p>\n");
    } else if detailed {
        detail(&mut body, error, req, page);
    } else {
        body.push_str("<p>Something went wrong on our side. Request id: <code>");
        body.push_str(&req.id().to_string());
        body.push_str("</code></p>\n");
    }
    let mut res = Response::html(body);
    res.set_status(status);
    res
}

/// The development view of a server error: the error chain, the page and the request.
fn detail(body: &mut String, error: &Error, req: &Request, page: Option<&PageEntry>) {
    body.push_str("<h2>Error</h2>\n<ol>\n");
    for cause in error.chain() {
        body.push_str("<li><pre>");
        escape::html(&cause, body);
        body.push_str("</pre></li>\n");
    }
    body.push_str("</ol>\n");
    if let Some(page) = page {
        body.push_str("<h2>Page</h2>\n<p><code>");
        escape::html(page.name, body);
        body.push_str("</code> at <code>");
        escape::html(&format!("{}:{}", page.file, page.line), body);
        body.push_str("</code></p>\n");
    }
    body.push_str("<h2>Request</h2>\n<pre>");
    escape::html(
        &format!(
            "{} {}  (id {}, from {})\n",
            req.method(),
            req.uri(),
            req.id(),
            req.remote_addr()
        ),
        body,
    );
    for (name, value) in req.headers() {
        escape::html(
            &format!("{name}: {}\n", String::from_utf8_lossy(value.as_bytes())),
            body,
        );
    }
    body.push_str("</pre>\n");
}
