//! The pages compiled into the binary: each `page!` registers one entry at build time
//! (with inventory), and the router reads them all at start-up.

use std::future::Future;
use std::pin::Pin;

use crate::error::Result;
use crate::request::Request;
use crate::response::Response;

/// The future of a page function.
pub type PageFuture<'a> = Pin<Box<dyn Future<Output = Result<Response>> + Send + 'a>>;

/// A page function, as registered.
pub type Handler = for<'a> fn(&'a mut Request, &'a mut Response) -> PageFuture<'a>;

/// What a page answers.
pub enum Target {
    Route {
        pattern: &'static str,
        methods: &'static [http::Method],
    },
    Status(u16),
}

impl Target {
    /// The route pattern, for a routed page.
    pub(crate) fn pattern(&self) -> Option<&'static str> {
        match self {
            Target::Route { pattern, .. } => Some(pattern),
            Target::Status(_) => None,
        }
    }

    /// Whether a routed page answers `method`.
    pub(crate) fn accepts(&self, method: &http::Method) -> bool {
        matches!(self, Target::Route { methods, .. } if methods.contains(method))
    }
}

/// A page compiled into the binary.
pub struct PageEntry {
    pub target: Target,
    pub name: &'static str,
    pub file: &'static str,
    pub line: u32,
    pub handler: Handler,
    /// Whether unsafe requests need the session's CSRF token (`csrf: off;` clears it).
    pub csrf: bool,
    /// Whether the page is sent under the strict Content-Security-Policy (`csp: off;`
    /// clears it).
    pub csp: bool,
    /// Whether its errors are JSON whatever the client accepts (`errors: json;`).
    pub json_errors: bool,
}

inventory::collect!(PageEntry);
