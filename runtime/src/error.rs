//! Errors a page can raise with `?`, and the pages that show them.
//!
//! Any error type converts into [`Error`]. The runtime's own failures keep their status
//! (a bad form is a 400, an oversized body a 413); everything else is a 500. A 4xx shows
//! its message to the client; a 5xx shows details only in debug builds — in release
//! builds the client sees a request id that is also in the log.
//!
//! Every error knows where it was raised: the `?` that converted it, or the call of
//! [`Error::new`] (see [`Error::location`]). The development error page and the log show
//! it, at the page's own line when the `?` stands in a page's tag.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::panic::Location;

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
    location: Raised,
}

/// Where an error was raised: a file as rustc names it, a line and a column.
///
/// It prints as the author's own file (see [`page_file`](Raised::page_file)), line and
/// column: `site/src/pages/notes.rs:19:20`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raised {
    file: Cow<'static, str>,
    line: u32,
    column: u32,
}

impl Raised {
    pub(crate) fn new(file: impl Into<Cow<'static, str>>, line: u32, column: u32) -> Self {
        Self {
            file: file.into(),
            line,
            column,
        }
    }

    fn caller(location: &'static Location<'static>) -> Self {
        Self::new(location.file(), location.line(), location.column())
    }

    /// The file as rustc named it.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The file as the author knows it: for code in a page's tags, which rustc compiled
    /// from the page's mirror file under the target directory, the page's own `.rs` file
    /// (the line and column are the same); any other file as it is.
    ///
    /// ```
    /// fn parse(text: &str) -> rsp::Result<u32> {
    ///     Ok(text.parse::<u32>()?)
    /// }
    ///
    /// let error = parse("x").unwrap_err();
    /// assert!(error.location().page_file().ends_with(".rs"));
    /// ```
    pub fn page_file(&self) -> String {
        page_file(&self.file)
    }

    /// The 1-based line.
    pub fn line(&self) -> u32 {
        self.line
    }

    /// The 1-based column.
    pub fn column(&self) -> u32 {
        self.column
    }
}

impl fmt::Display for Raised {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.page_file(), self.line, self.column)
    }
}

impl Error {
    /// An error with a status and a message. For 4xx statuses the message is shown to
    /// the client, so say what was wrong with the request.
    #[track_caller]
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            source: message.into().into(),
            location: Raised::caller(Location::caller()),
        }
    }

    /// An error that only carries a status; its message is the status's reason.
    #[track_caller]
    pub fn status_only(status: StatusCode) -> Self {
        Self::new(status, status.canonical_reason().unwrap_or("error"))
    }

    /// Where the error was raised: the `?` that turned another error into this one, the
    /// call of [`Error::new`], or the panic it reports. For code in a page's tags it names
    /// the page's own line and column.
    ///
    /// ```
    /// fn parse(text: &str) -> rsp::Result<u32> {
    ///     Ok(text.parse::<u32>()?) // raised here
    /// }
    ///
    /// let error = parse("x").unwrap_err();
    /// assert_eq!(error.location().line(), line!() - 4);
    /// assert_eq!(error.location().column(), 8);
    /// ```
    pub fn location(&self) -> &Raised {
        &self.location
    }

    /// The same error, raised at `location` (a panic's, say).
    pub(crate) fn at(mut self, location: Raised) -> Self {
        self.location = location;
        self
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
    // `?` calls this: the caller is the `?`.
    #[track_caller]
    fn from(error: E) -> Self {
        let status = known_status(&error).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Self {
            status,
            source: Box::new(error),
            location: Raised::caller(Location::caller()),
        }
    }
}

/// The source file behind a file name rustc gave: a page's mirror file
/// (`<page folder>/../…/target/rsp/<package>/…/<name>.<line>.rs`, included from the page's
/// folder) names the page's own file, `<page folder>/<name>.rs`.
pub(crate) fn page_file(file: &str) -> String {
    let Some(at) = file.find("/../") else {
        return file.to_owned();
    };
    let (folder, mirror) = (&file[..at], &file[at..]);
    if !mirror.contains("/rsp/") {
        return file.to_owned();
    }
    let name = mirror.rsplit('/').next().unwrap_or(mirror);
    let stem = name
        .strip_suffix(".rs")
        .and_then(|stem| stem.rsplit_once('.'))
        .filter(|(_, line)| line.bytes().all(|b| b.is_ascii_digit()))
        .map(|(stem, _)| stem);
    match stem {
        Some(stem) => format!("{folder}/{stem}.rs"),
        None => file.to_owned(),
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
            .field("location", &self.location)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_files_name_their_page() {
        assert_eq!(
            page_file("site/src/pages/../../../target/rsp/site/src/pages/notes.13.rs"),
            "site/src/pages/notes.rs"
        );
        assert_eq!(page_file("site/src/main.rs"), "site/src/main.rs");
        assert_eq!(page_file("a/../b.rs"), "a/../b.rs");
    }

    #[test]
    fn question_marks_and_new_record_where_they_stand() {
        fn failing() -> Result<u32> {
            Ok("x".parse::<u32>()?)
        }
        let line = line!() - 2;
        let error = failing().unwrap_err();
        assert_eq!(error.location().file(), file!());
        assert_eq!(error.location().line(), line);
        assert_eq!(error.location().column(), 16);
        let made = Error::new(StatusCode::GONE, "gone");
        assert_eq!(made.location().line(), line!() - 1);
        assert_eq!(
            made.location().to_string(),
            format!("{}:{}:20", file!(), line!() - 4)
        );
    }
}
