//! Error pages: the built-in ones, the development details (the error chain, where it
//! was raised, the page, the request), and where a page panicked.

use std::cell::RefCell;
use std::sync::Once;

use crate::error::{Error, Raised};
use crate::escape;
use crate::registry::PageEntry;
use crate::request::Request;
use crate::response::Response;

/// The built-in error page. Client errors say what was wrong; server errors say it only
/// when `detailed` (debug builds), and otherwise give the request id to quote.
pub(crate) fn builtin(
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
        body.push_str(&details(error, req, page));
    } else {
        body.push_str("<p>Something went wrong on our side. Request id: <code>");
        body.push_str(&req.id().to_string());
        body.push_str("</code></p>\n");
    }
    let mut res = Response::html(body);
    res.set_status(status);
    res
}

/// The error as JSON, for a client that asked for JSON: `{"status": 404, "error": "…"}`;
/// a server error says only that, with the request id, unless `detailed`.
pub(crate) fn json(error: &Error, req: &Request, detailed: bool) -> Response {
    let status = error.status();
    let message = if status.is_client_error() || detailed {
        error.chain().collect::<Vec<_>>().join(": ")
    } else {
        format!("something went wrong on our side (request id {})", req.id())
    };
    let body = serde_json::json!({ "status": status.as_u16(), "error": message });
    let mut res = Response::json(&body).unwrap_or_default();
    res.set_status(status);
    res
}

/// Whether the client asked for JSON rather than a page: `Accept` names JSON and not HTML.
pub(crate) fn wants_json(req: &Request) -> bool {
    let accept = req.header("accept").unwrap_or("");
    accept.contains("json") && !accept.contains("text/html")
}

/// The development view of a server error: the error chain, where it was raised (with
/// that line of the source, when the file can be read), the page and the request.
pub(crate) fn details(error: &Error, req: &Request, page: Option<&PageEntry>) -> String {
    let mut out = String::with_capacity(1024);
    let body = &mut out;
    body.push_str("<section id=\"rsp-error\">\n<h2>Error</h2>\n<ol>\n");
    for cause in error.chain() {
        body.push_str("<li><pre>");
        escape::html(&cause, body);
        body.push_str("</pre></li>\n");
    }
    body.push_str("</ol>\n<p>Raised at <code>");
    let at = error.location();
    escape::html(&at.to_string(), body);
    body.push_str("</code></p>\n");
    if let Some(line) = source_line(&at.page_file(), at.line()) {
        body.push_str("<pre>");
        escape::html(&format!("{:>5} | {line}", at.line()), body);
        body.push_str("</pre>\n");
    }
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
    body.push_str("</section>\n");
    out
}

/// A line of a source file, read only to show it on a development error page (the
/// server usually runs from the workspace, where rustc's file names are relative to).
fn source_line(file: &str, line: u32) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let line = text
        .lines()
        .nth(usize::try_from(line).ok()?.checked_sub(1)?)?;
    Some(line.to_owned())
}

thread_local! {
    /// Where the last panic on this thread happened: a page's panic is caught on the
    /// thread it happened on, which reads it right after.
    static PANICKED_AT: RefCell<Option<Raised>> = const { RefCell::new(None) };
}

/// Has every panic record where it happened (then report it as before), for the error
/// page of a page that panicked. Set once per process; a hook set later replaces it.
pub(crate) fn record_panic_locations() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if let Some(at) = info.location() {
                let raised = Raised::new(at.file().to_owned(), at.line(), at.column());
                PANICKED_AT.with(|slot| *slot.borrow_mut() = Some(raised));
            }
            previous(info);
        }));
    });
}

/// Where the last panic on this thread happened, if not asked before.
pub(crate) fn panicked_at() -> Option<Raised> {
    PANICKED_AT.with(|slot| slot.borrow_mut().take())
}
