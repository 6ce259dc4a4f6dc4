//! Errors a page can raise with `?`, and the pages that show them.
//!
//! Any error type converts into [`Error`]. The runtime's own failures keep their status
//! (a bad form is a 400, an oversized body a 413); everything else is a 500. A 4xx shows
//! its message to the client; a 5xx shows details only in debug builds — in release
//! builds the client sees a request id that is also in the log.

use std::error::Error as StdError;
use std::fmt;

use http::StatusCode;

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

/// The status of the runtime's own error types, each registered where it is defined.
fn known_status(error: &(dyn StdError + 'static)) -> Option<StatusCode> {
    inventory::iter::<RejectionStatus>
        .into_iter()
        .find_map(|rejection| (rejection.0)(error))
}

/// How [`Error`] finds the status of one of the runtime's rejection types: each registers
/// one with [`rejection!`] beside its definition, so no list of them is kept by hand.
pub(crate) struct RejectionStatus(pub(crate) fn(&(dyn StdError + 'static)) -> Option<StatusCode>);

inventory::collect!(RejectionStatus);

/// Registers a rejection type (an error with a `status()` method) so that `?` on it gives
/// an error page with that status.
macro_rules! rejection {
    ($rejection:ty) => {
        ::inventory::submit! {
            $crate::error::RejectionStatus(|error| {
                error.downcast_ref::<$rejection>().map(<$rejection>::status)
            })
        }
    };
}

pub(crate) use rejection;

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
