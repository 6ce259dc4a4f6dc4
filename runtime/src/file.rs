//! Files from disk: a page answers with one, streamed, as a static file server would.
//!
//! [`send_file`] opens the file when the page runs; what is sent is decided once the page
//! is done, from the request: the whole file, `304 Not Modified` (its `ETag` or
//! `Last-Modified`), one `Range` (`206`, or `416`), by the rules of the `conditional`
//! module that embedded assets follow too. The file is read a chunk at a time as the
//! connection takes it, so a large file costs no more memory than a small one.

use std::io::ErrorKind;
use std::path::Path;
use std::time::UNIX_EPOCH;

use http::header::{
    HeaderValue, ACCEPT_RANGES, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE,
    ETAG, LAST_MODIFIED,
};
use http::{HeaderMap, Method, StatusCode};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::body::FileBody;
use crate::conditional::{self, ByteRange};
use crate::error::{Error, Result};
use crate::response::Response;

/// Answers with the file at `path`, streamed from disk: its content type from its
/// extension, `ETag` and `Last-Modified` (so a revisit is a `304`), and `Range` requests
/// (`206`), for resumed downloads and media players. A missing file, or a folder, is a
/// 404. Add [`Response::download_as`] to have the browser save it under a name.
///
/// `path` is opened as it is: never build it from what a request says. For a name that
/// comes from a request, use [`send_file_in`].
///
/// ```
/// use rsp::prelude::*;
///
/// page! {
///     GET "/report" => report;
///     Ok(send_file("data/report.pdf").await?.download_as("Report 2026.pdf"))
/// }
/// ```
///
/// # Errors
/// 404 if there is no such file; 500 if it cannot be opened (permissions, I/O).
pub async fn send_file(path: impl AsRef<Path>) -> Result<Response> {
    let path = path.as_ref();
    let missing = || {
        Error::new(
            StatusCode::NOT_FOUND,
            format!("no file at {}", path.display()),
        )
    };
    let file = match tokio::fs::File::open(path).await {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Err(missing()),
        Err(e) => {
            return Err(Error::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("{} could not be opened: {e}", path.display()),
            ))
        }
    };
    let meta = file.metadata().await.map_err(|e| {
        Error::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{} could not be read: {e}", path.display()),
        )
    })?;
    if !meta.is_file() {
        return Err(missing());
    }
    let modified = meta.modified().ok();
    let mut res = Response::with_file(FileBody {
        file,
        len: meta.len(),
        modified,
    });
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let headers = res.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(rsp_compiler::media_types::content_type(extension)),
    );
    headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(etag) = HeaderValue::from_str(&etag(meta.len(), modified)) {
        headers.insert(ETAG, etag);
    }
    if let Some(modified) = modified {
        if let Ok(date) = HeaderValue::from_str(&httpdate::fmt_http_date(modified)) {
            headers.insert(LAST_MODIFIED, date);
        }
    }
    Ok(res)
}

/// Answers with the file called `name` in the folder `dir`, as [`send_file`] does, when
/// `name` is one plain file name: a name with a path separator, `..`, a NUL or a leading
/// `.` is a 404, so a name taken from the URL cannot reach outside the folder.
///
/// ```
/// use rsp::prelude::*;
///
/// page! {
///     GET "/files/{name}" => download;
///     Ok(send_file_in("data/files", name).await?.download_as(name))
/// }
/// ```
///
/// # Errors
/// 404 for a name that is not a plain file name, or no such file; 500 if it cannot be
/// opened.
pub async fn send_file_in(dir: impl AsRef<Path>, name: &str) -> Result<Response> {
    if !is_plain_name(name) {
        return Err(Error::new(
            StatusCode::NOT_FOUND,
            format!("`{name}` is not a plain file name"),
        ));
    }
    send_file(dir.as_ref().join(name)).await
}

/// One path segment, naming no hidden file and nothing special on any system.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\0', ':'])
        && Path::new(name).file_name() == Some(std::ffi::OsStr::new(name))
}

impl Response {
    /// Has the browser save the response as a file called `name` (`Content-Disposition:
    /// attachment`) rather than show it. Any name is safe: quotes, line breaks and
    /// non-ASCII letters are encoded (RFC 6266: an ASCII fallback and the UTF-8 name).
    ///
    /// ```
    /// let res = rsp::Response::text("a,b\n").download_as("Zoë's \"list\".csv");
    /// assert_eq!(
    ///     res.headers()["content-disposition"],
    ///     "attachment; filename=\"Zo_'s _list_.csv\"; filename*=UTF-8''Zo%C3%AB%27s%20%22list%22.csv"
    /// );
    /// ```
    #[must_use]
    pub fn download_as(mut self, name: &str) -> Self {
        if let Ok(value) = HeaderValue::from_str(&content_disposition(name)) {
            self.headers_mut().insert(CONTENT_DISPOSITION, value);
        }
        self
    }
}

/// RFC 8187's `attr-char`: what `filename*` may hold unencoded.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| match c {
            ' ' | '\'' | '(' | ')' | ',' | '.' | '-' | '_' => c,
            c if c.is_ascii_alphanumeric() => c,
            _ => '_',
        })
        .collect();
    let encoded = utf8_percent_encode(name, ATTR_CHAR);
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// A strong ETag from the file's length and modification time, as nginx makes them.
fn etag(len: u64, modified: Option<std::time::SystemTime>) -> String {
    let since = modified
        .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
        .unwrap_or_default();
    format!(
        "\"{:x}-{:x}-{len:x}\"",
        since.as_secs(),
        since.subsec_nanos()
    )
}

/// Decides what of a file response to send, now that the page is done: for a 200, the
/// whole file, a 304, a 206 with one range or a 416; any other status the page set is
/// sent with the whole file. Returns the file and how many bytes of it to send.
pub(crate) fn answer(
    res: &mut Response,
    method: &Method,
    request: &HeaderMap,
) -> Option<(tokio::fs::File, u64, u64)> {
    let file = res.take_file()?;
    let len = file.len;
    if res.status() != StatusCode::OK {
        return Some((file.file, 0, len));
    }
    let etag = res
        .headers()
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if conditional::not_modified(request, &etag, file.modified) {
        res.set_status(StatusCode::NOT_MODIFIED);
        res.headers_mut().remove(CONTENT_LENGTH);
        return None;
    }
    let range = conditional::range(method, request, len, &etag, file.modified);
    if let Some(value) = range
        .content_range(len)
        .and_then(|v| HeaderValue::from_str(&v).ok())
    {
        res.headers_mut().insert(CONTENT_RANGE, value);
    }
    match range {
        ByteRange::Whole => Some((file.file, 0, len)),
        ByteRange::Part { first, last } => {
            res.set_status(StatusCode::PARTIAL_CONTENT);
            Some((file.file, first, last - first + 1))
        }
        ByteRange::Unsatisfiable => {
            res.set_status(StatusCode::RANGE_NOT_SATISFIABLE);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_are_looked_up() {
        for good in ["a.pdf", "report 2026.csv", "Zoë.txt", "a..b", "a%2F"] {
            assert!(is_plain_name(good), "{good}");
        }
        for bad in [
            "", ".", "..", ".env", "a/b", "../a", "a\\b", "a\0", "C:x", "/etc",
        ] {
            assert!(!is_plain_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_download_name_is_encoded_for_both_kinds_of_client() {
        assert_eq!(
            content_disposition("plain.txt"),
            "attachment; filename=\"plain.txt\"; filename*=UTF-8''plain.txt"
        );
        assert_eq!(
            content_disposition("a\r\nSet-Cookie: x\".txt"),
            "attachment; filename=\"a__Set-Cookie_ x_.txt\"; \
             filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x%22.txt"
        );
        assert_eq!(
            content_disposition("日本.pdf"),
            "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.pdf"
        );
    }

    #[test]
    fn etags_change_with_length_and_time() {
        let t = UNIX_EPOCH + std::time::Duration::new(1_700_000_000, 5);
        assert_eq!(etag(10, Some(t)), "\"6553f100-5-a\"");
        assert_ne!(etag(11, Some(t)), etag(10, Some(t)));
        assert_ne!(
            etag(10, Some(t + std::time::Duration::from_nanos(1))),
            etag(10, Some(t))
        );
    }
}
