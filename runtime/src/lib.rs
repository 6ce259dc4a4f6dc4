//! # rsp — Rust Server Pages
//!
//! Write web pages the way PHP lets you — HTML with code in it — and get one fast,
//! safe executable. Each [`page!`] is compiled into a plain async Rust function at build
//! time, registered by route, and served by a thin [hyper] runtime:
//!
//! ```no_run
//! use rsp::prelude::*;
//!
//! page! {
//!     GET "/hello/{name}" => hello;
//!     r#"
//! <!doctype html>
//! <title>Hello</title>
//! <% if name == "world" { %>
//!   <h1>Hello, whole world!</h1>
//! <% } else { %>
//!   <h1>Hello, <%= name %>!</h1>
//! <% } %>
//! "#
//! }
//!
//! #[tokio::main]
//! async fn main() -> std::io::Result<()> {
//!     App::new().serve().await
//! }
//! ```
//!
//! ## The page header
//!
//! `METHOD[ | METHOD…] "ROUTE" => name;` — methods are GET, POST, PUT, PATCH and DELETE; a
//! GET page answers HEAD too. Route parameters are variables in the page: `{name}` is a
//! `&str`, `{id: u64}` is parsed with `FromStr` (a value that does not parse is a 404),
//! and `{*rest}` takes the rest of the path. `404 => name;` (any 4xx or 5xx) makes the
//! page shown for that status.
//!
//! Rust statements may follow the header, before the body: the page's logic lives there
//! and the compiler points at it precisely.
//!
//! ```no_run
//! use rsp::prelude::*;
//!
//! #[derive(serde::Deserialize)]
//! struct Entry { name: String }
//!
//! page! {
//!     GET | POST "/sign" => sign;
//!     if req.method() == Method::POST {
//!         let entry: Entry = req.form().await?;
//!         res.set_cookie("name", entry.name);
//!         return redirect("/sign");
//!     }
//!     let name = req.cookie("name")?.unwrap_or_default();
//!     r#"<p>Signed by <%= name %></p><form method="post"><input name="name"></form>"#
//! }
//! ```
//!
//! A page that always answers from its statements needs no body: it ends with the
//! answer, such as [`json(&value)`](json) or [`redirect("/")`](redirect).
//!
//! ## The body
//!
//! | tag | meaning |
//! | --- | --- |
//! | `<% stmts %>` | Rust statements; a block may open in one tag and close in a later one |
//! | `<%= expr %>` | writes `expr`, escaped (see [`escape`]) |
//! | `<%# … %>` | a comment, removed at compile time |
//! | `<%-` / `-%>` | `<%-` drops the indentation before the tag, `-%>` the whitespace after it through one newline (as in ERB) |
//! | `<%%` | a literal `<%` |
//!
//! A statement or comment tag alone on its line takes its line with it (its indentation
//! and its line break), as PHP's `?>` does, so `<% for … { %>` and `<% } %>` on lines of
//! their own leave no blank lines in the HTML; value tags keep the whitespace around them.
//!
//! In a page, `req` is the [`Request`] and `res` the [`Response`] being prepared; `?` turns
//! any error into an error page, and `.await` works. [`html!`] compiles the same language
//! into a value for partials and layouts (synchronous: no `.await` or `?` inside).
//!
//! Mistakes in a page are compile errors that name the page line and column:
//!
//! ```text
//! error: page line 3, column 8 (file line 14): `<%= %>` needs one Rust expression: unexpected end of input
//!   |
//! 3 | <p><%= name + %></p>
//!   |        ^
//! ```
//!
//! ## Header options
//!
//! After the header line, a page may set options, each `name: value;`:
//! `layout: path;` frames the body with a layout (a function, or a [`layout!`] that reads
//! the request: see [`Layout`]), `title: expr;` and
//! `head: expr;` fill the layout's slots (see [`Slots`]), `csrf: off;` lets unsafe
//! requests in without a CSRF token (for webhooks and APIs authenticated otherwise), and
//! `csp: off;` sends the page without the strict Content-Security-Policy (see
//! [`App::strict_csp`]), which also lets it have inline event handlers, and
//! `errors: json;` makes it an API page: its errors (a `?`, a 404, a 405 for its path) are
//! JSON (`{"status": 404, "error": "…"}`) whatever the client accepts.
//!
//! ## What a page gets for free
//!
//! | PHP | rsp |
//! | --- | --- |
//! | `$_GET` | [`req.query()`](Request::query) into a serde type or a [`Form`] |
//! | `$_POST` | [`req.form().await`](Request::form), checked strictly; a bad form is a 400 naming the field |
//! | `$_FILES` | [`req.upload().await`](Request::upload): streamed, size-limited, names sanitised |
//! | `$_COOKIE`, `setcookie` | [`req.cookie`](Request::cookie), [`res.set_cookie`](Response::set_cookie): signed by default |
//! | `$_SESSION` | [`req.session().await`](Request::session): memory, SQLite or Redis stores |
//! | `header()`, `http_response_code()` | [`res.set_header`](Response::set_header), [`res.set_status`](Response::set_status), at any point of the page |
//! | `include` | partials: functions returning [`html!`] values; layouts: the same, or [`layout!`] to read the session |
//! | a folder of static files | [`assets!`]: embedded, compressed, cached |
//! | `readfile()` | [`send_file`], [`send_file_in`]: streamed from disk, with `Range`, `ETag` and a download name |
//!
//! Every `<form method="post">` gets its CSRF field from the compiler, and every unsafe
//! request is checked (see [`csrf_field`]); the constraints the form declares to the
//! browser (`required`, `maxlength`, `pattern`, `type=email`, …) are checked on the server
//! too, before the page that receives it runs (a 400 naming the field; `novalidate` opts
//! out). Every `<script>` gets the request's Content-Security-Policy nonce (see
//! [`App::strict_csp`]). Every value is escaped for the HTML context it stands in — text,
//! attributes, URLs, JavaScript, CSS — chosen at compile time (see [`escape`]).

// Generated code names `::rsp`, also in this crate's own tests.
extern crate self as rsp;

#[cfg(feature = "acme")]
mod acme;
mod assets;
mod body;
mod conditional;
mod config;
mod connection;
mod constraints;
mod cookie;
mod csp;
mod csrf;
#[cfg(debug_assertions)]
mod dev;
mod dispatch;
mod error;
mod error_page;
pub mod escape;
mod file;
mod form;
#[doc(hidden)]
pub mod handover;
mod health;
mod idle;
mod layout;
mod log;
mod proxy;
#[cfg(feature = "tls")]
mod redirect;
mod registry;
mod rendering;
mod request;
mod response;
mod router;
mod server;
mod session;
mod settings;
#[cfg(feature = "tls")]
mod tls;
mod upload;

pub use config::App;
pub use cookie::{Cookie, CookieRejection, SameSite};
pub use csrf::{csrf_field, CsrfRejection};
pub use error::{Error, Raised, Result};
pub use escape::{raw, Html, Raw, Render};
pub use file::{send_file, send_file_in};
pub use form::{Form, FormRejection};
pub use http::{Method, StatusCode};
pub use layout::{Layout, Slots};
pub use request::{Request, RequestId};
pub use response::{json, not_found, redirect, Response};
#[doc(hidden)]
pub use rsp_macros::__every_context;
pub use rsp_macros::{assets, html, layout, page};
pub use server::Server;
#[cfg(feature = "redis")]
pub use session::RedisStore;
#[cfg(feature = "sqlite")]
pub use session::SqliteStore;
pub use settings::setting;

/// The SQLite binding rsp's [`SqliteStore`] links (bundled SQLite, nothing to install):
/// use it for the site's own data, and the site has one SQLite, at a version that fits.
///
/// ```
/// use rsp::rusqlite::Connection;
///
/// let db = Connection::open_in_memory()?;
/// db.execute_batch("CREATE TABLE notes (title TEXT NOT NULL)")?;
/// # Ok::<(), rsp::rusqlite::Error>(())
/// ```
#[cfg(feature = "sqlite")]
pub use rusqlite;
pub use session::{MemoryStore, Session, SessionStore, StoreFuture};
pub use upload::{Upload, UploadRejection, UploadedFile};

/// What a page needs in scope: `use rsp::prelude::*;`.
pub mod prelude {
    pub use crate::{
        csrf_field, html, json, layout, not_found, page, raw, redirect, send_file, send_file_in,
        App, Error, Form, Method, Render, Request, Response, Result, Slots, StatusCode, Upload,
    };
}

/// What generated code calls. Not a public API.
#[doc(hidden)]
pub mod __private {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use crate::{Request, Response, Result};

    pub use crate::assets::{serve as serve_asset, Asset, Assets, Variant};
    pub use crate::constraints::{FieldKind, FieldRule, FormRules};
    pub use crate::csrf::write_field as csrf_field;
    #[cfg(debug_assertions)]
    pub use crate::dev::{text as dev_text, BodyRef, BodySource};
    pub use crate::layout::FrameFn;
    pub use crate::registry::{Handler, PageEntry, PageFuture, Target};
    pub use crate::rendering::write_nonce as script_nonce;
    pub use crate::settings::SettingInfo;
    pub use inventory;

    /// A route parameter, owned, so the page can borrow `req` mutably while using it.
    pub fn param(req: &Request, name: &str) -> String {
        req.param(name).unwrap_or_default().to_owned()
    }

    /// The output size of one page or fragment, learned as it renders, so the next render
    /// allocates its buffer once. Starts at the compiler's estimate.
    pub struct SizeHint(AtomicUsize);

    /// Past this, a page's buffer grows as it goes rather than being reserved up front.
    const LARGEST_HINT: usize = 4 << 20;

    impl SizeHint {
        pub const fn new(estimate: usize) -> Self {
            Self(AtomicUsize::new(estimate))
        }

        #[inline]
        pub fn get(&self) -> usize {
            self.0.load(Ordering::Relaxed)
        }

        /// Makes room in `out` for the size this hint holds. An empty string with no room
        /// (a fresh `String::new()`) is given a new one of that size: allocating it costs
        /// less than growing the old.
        #[inline]
        pub fn reserve(&self, out: &mut String) {
            if out.capacity() == 0 {
                *out = String::with_capacity(self.get());
            } else {
                out.reserve(self.get());
            }
        }

        /// Remembers a rendered size, with some room to spare.
        #[inline]
        pub fn learn(&self, size: usize) {
            if size > self.get() {
                let room = (size + size / 8).min(LARGEST_HINT);
                self.0.store(room, Ordering::Relaxed);
            }
        }
    }

    /// The response of a page that ran to its end: what it set on `res`, and its markup.
    pub fn finish(res: &mut Response, body: String) -> Result<Response> {
        Ok(std::mem::take(res).with_body(body))
    }
}

/// Registers a page body's source for `cargo dev` (development builds; nothing in
/// release builds). Generated code calls it.
#[doc(hidden)]
#[macro_export]
#[cfg(debug_assertions)]
macro_rules! __rsp_body_source {
    ($name:ident, $file:expr, $text:expr) => {
        static $name: $crate::__private::BodySource =
            $crate::__private::BodySource::new($file, $text);
        $crate::__private::inventory::submit! { $crate::__private::BodyRef(&$name) }
    };
}

/// Registers a page body's source for `cargo dev`: nothing in release builds.
#[doc(hidden)]
#[macro_export]
#[cfg(not(debug_assertions))]
macro_rules! __rsp_body_source {
    ($name:ident, $file:expr, $text:expr) => {};
}

/// A slot of a page's static text: in development builds, the text `cargo dev` swapped
/// in since, if any. Generated code calls it.
#[doc(hidden)]
#[macro_export]
#[cfg(debug_assertions)]
macro_rules! __rsp_text {
    ($body:ident, $slot:expr, $text:expr) => {
        &*$crate::__private::dev_text(&$body, $slot, $text)
    };
}

/// A slot of a page's static text: the compiled text, in release builds.
#[doc(hidden)]
#[macro_export]
#[cfg(not(debug_assertions))]
macro_rules! __rsp_text {
    ($body:ident, $slot:expr, $text:expr) => {
        $text
    };
}
