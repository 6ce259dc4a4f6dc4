//! Conditional and range requests (RFC 9110 §13 and §14): the rules embedded assets and
//! files from disk are both served by.
//!
//! - `If-None-Match` holding the ETag of what would be sent (weak comparison, lists and
//!   `*`) answers `304 Not Modified`; without it, `If-Modified-Since` at or after the
//!   `Last-Modified` date does.
//! - One `Range` of a GET (`bytes=a-b`, `a-`, `-n`) answers `206 Partial Content`; one that
//!   selects nothing, `416`; several ranges, or a malformed one, are ignored (a 200).
//!   `If-Range` keeps the range only when it holds the strong ETag or the exact
//!   `Last-Modified` date; anything else gives the whole representation.

use std::time::{SystemTime, UNIX_EPOCH};

use http::header::{HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_RANGE, RANGE};
use http::Method;

/// Whether the client's copy is current, so the answer is a 304.
pub(crate) fn not_modified(
    headers: &HeaderMap,
    etag: &str,
    last_modified: Option<SystemTime>,
) -> bool {
    if let Some(list) = text(headers, IF_NONE_MATCH) {
        return none_match_fails(list, etag);
    }
    let since = text(headers, IF_MODIFIED_SINCE).and_then(|v| httpdate::parse_http_date(v).ok());
    match (since, last_modified) {
        (Some(since), Some(modified)) => seconds(modified) <= seconds(since),
        _ => false,
    }
}

/// The part of a `len`-byte representation a request asks for.
pub(crate) fn range(
    method: &Method,
    headers: &HeaderMap,
    len: u64,
    etag: &str,
    last_modified: Option<SystemTime>,
) -> ByteRange {
    if method != Method::GET {
        return ByteRange::Whole;
    }
    let Some(value) = text(headers, RANGE) else {
        return ByteRange::Whole;
    };
    if let Some(condition) = text(headers, IF_RANGE) {
        if !if_range_holds(condition, etag, last_modified) {
            return ByteRange::Whole;
        }
    }
    parse_range(value, len)
}

/// `Last-Modified` and `If-Modified-Since` have a resolution of one second.
fn seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn text(headers: &HeaderMap, name: http::header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The entity-tags of an `If-None-Match` or `If-Range` value, each as
/// `(weak, opaque-tag with quotes)`; `None` for `*`. Parsing stops at the first
/// malformed tag, keeping those before it.
fn entity_tags(list: &str) -> Option<Vec<(bool, &str)>> {
    if list.trim() == "*" {
        return None;
    }
    let mut tags = Vec::new();
    let mut rest = list;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            break;
        }
        let (weak, tag) = match rest.strip_prefix("W/") {
            Some(tag) => (true, tag),
            None => (false, rest),
        };
        let Some(end) = tag
            .strip_prefix('"')
            .and_then(|inner| inner.find('"'))
            .map(|i| i + 2)
        else {
            break;
        };
        tags.push((weak, &tag[..end]));
        rest = &tag[end..];
    }
    Some(tags)
}

/// Whether an `If-None-Match` value matches `etag` (weak comparison): then the client's
/// copy is current and the answer is a 304.
fn none_match_fails(list: &str, etag: &str) -> bool {
    match entity_tags(list) {
        None => true,
        Some(tags) => tags.iter().any(|&(_, tag)| tag == etag),
    }
}

/// Whether an `If-Range` value lets the range through: a strong ETag equal to `etag`, or
/// a date equal to `last_modified`. A weak tag never matches.
fn if_range_holds(value: &str, etag: &str, last_modified: Option<SystemTime>) -> bool {
    if let (Ok(date), Some(modified)) = (httpdate::parse_http_date(value), last_modified) {
        return seconds(date) == seconds(modified);
    }
    matches!(entity_tags(value).as_deref(), Some([(false, tag)]) if *tag == etag)
}

/// What a `Range` header asks of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ByteRange {
    /// No usable range: send the whole body (also for several ranges or bad syntax).
    Whole,
    /// The bytes `first..=last`, both within the body.
    Part { first: u64, last: u64 },
    /// A well-formed range that selects nothing: 416.
    Unsatisfiable,
}

impl ByteRange {
    /// The `Content-Range` of a 206 or 416 for a body of `len` bytes.
    pub(crate) fn content_range(self, len: u64) -> Option<String> {
        match self {
            Self::Whole => None,
            Self::Part { first, last } => Some(format!("bytes {first}-{last}/{len}")),
            Self::Unsatisfiable => Some(format!("bytes */{len}")),
        }
    }
}

/// Parses one `bytes=` range (`a-b`, `a-`, `-n`) for a body of `len` bytes.
pub(crate) fn parse_range(value: &str, len: u64) -> ByteRange {
    let Some((unit, set)) = value.split_once('=') else {
        return ByteRange::Whole;
    };
    if !unit.trim().eq_ignore_ascii_case("bytes") {
        return ByteRange::Whole;
    }
    let mut specs = set.split(',').map(str::trim).filter(|s| !s.is_empty());
    let (Some(spec), None) = (specs.next(), specs.next()) else {
        return ByteRange::Whole;
    };
    let Some((first, last)) = spec.split_once('-') else {
        return ByteRange::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    match (number(first), number(last)) {
        // `-n`: the last n bytes.
        (None, Some(n)) if first.is_empty() => {
            if n == 0 || len == 0 {
                ByteRange::Unsatisfiable
            } else {
                ByteRange::Part {
                    first: len.saturating_sub(n),
                    last: len - 1,
                }
            }
        }
        // `a-` and `a-b`.
        (Some(a), b) if last.is_empty() || b.is_some() => {
            if b.is_some_and(|b| b < a) {
                ByteRange::Whole
            } else if a >= len {
                ByteRange::Unsatisfiable
            } else {
                ByteRange::Part {
                    first: a,
                    last: b.map_or(len - 1, |b| b.min(len - 1)),
                }
            }
        }
        _ => ByteRange::Whole,
    }
}

/// Digits as a number (too large saturates); `None` if empty or not all digits.
fn number(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.parse().unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_uses_weak_comparison_lists_and_star() {
        let etag = "\"abc\"";
        assert!(none_match_fails("\"abc\"", etag));
        assert!(none_match_fails("W/\"abc\"", etag));
        assert!(none_match_fails("\"x\", \"abc\"", etag));
        assert!(none_match_fails("\"x\",W/\"abc\"", etag));
        assert!(none_match_fails("*", etag));
        assert!(none_match_fails(" * ", etag));
        assert!(!none_match_fails("\"abcd\"", etag));
        assert!(!none_match_fails("abc", etag));
        assert!(!none_match_fails("\"ABC\"", etag));
        assert!(!none_match_fails("", etag));
        // A comma is allowed inside a tag: it does not split it.
        assert!(!none_match_fails("\"a,\"abc\"\"", etag));
        assert!(none_match_fails("\"a,b\", \"abc\"", etag));
        // Parsing stops at garbage but keeps what came before.
        assert!(none_match_fails("\"abc\", garbage", etag));
        assert!(!none_match_fails("garbage, \"abc\"", etag));
    }

    #[test]
    fn if_range_needs_the_strong_etag() {
        let etag = "\"abc\"";
        assert!(if_range_holds("\"abc\"", etag, None));
        assert!(!if_range_holds("W/\"abc\"", etag, None));
        assert!(!if_range_holds("\"other\"", etag, None));
        assert!(!if_range_holds("Tue, 15 Nov 1994 08:12:31 GMT", etag, None));
        assert!(!if_range_holds("*", etag, None));
    }

    #[test]
    fn if_range_with_a_date_needs_last_modified_exactly() {
        let modified = httpdate::parse_http_date("Tue, 15 Nov 1994 08:12:31 GMT").ok();
        assert!(if_range_holds(
            "Tue, 15 Nov 1994 08:12:31 GMT",
            "\"e\"",
            modified
        ));
        assert!(!if_range_holds(
            "Tue, 15 Nov 1994 08:12:32 GMT",
            "\"e\"",
            modified
        ));
        assert!(!if_range_holds(
            "Tue, 15 Nov 1994 08:12:30 GMT",
            "\"e\"",
            modified
        ));
    }

    fn with(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(n, v)| {
                (
                    http::header::HeaderName::from_static(n),
                    http::HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    #[test]
    fn if_modified_since_counts_only_without_if_none_match() {
        let modified = httpdate::parse_http_date("Tue, 15 Nov 1994 08:12:31 GMT").ok();
        let at = |date| with(&[("if-modified-since", date)]);
        assert!(not_modified(
            &at("Tue, 15 Nov 1994 08:12:31 GMT"),
            "\"e\"",
            modified
        ));
        assert!(not_modified(
            &at("Wed, 16 Nov 1994 00:00:00 GMT"),
            "\"e\"",
            modified
        ));
        assert!(!not_modified(
            &at("Tue, 15 Nov 1994 08:12:30 GMT"),
            "\"e\"",
            modified
        ));
        assert!(!not_modified(&at("yesterday"), "\"e\"", modified));
        assert!(!not_modified(
            &at("Tue, 15 Nov 1994 08:12:31 GMT"),
            "\"e\"",
            None
        ));
        let both = with(&[
            ("if-modified-since", "Wed, 16 Nov 1994 00:00:00 GMT"),
            ("if-none-match", "\"other\""),
        ]);
        assert!(!not_modified(&both, "\"e\"", modified));
    }

    #[test]
    fn a_range_is_for_get_only() {
        let ask = with(&[("range", "bytes=2-4")]);
        assert_eq!(range(&Method::GET, &ask, 10, "\"e\"", None), part(2, 4));
        assert_eq!(
            range(&Method::HEAD, &ask, 10, "\"e\"", None),
            ByteRange::Whole
        );
        assert_eq!(
            part(2, 4).content_range(10).as_deref(),
            Some("bytes 2-4/10")
        );
        assert_eq!(
            ByteRange::Unsatisfiable.content_range(10).as_deref(),
            Some("bytes */10")
        );
    }

    fn part(first: u64, last: u64) -> ByteRange {
        ByteRange::Part { first, last }
    }

    #[test]
    fn ranges_parse_in_their_three_forms() {
        assert_eq!(parse_range("bytes=0-9", 100), part(0, 9));
        assert_eq!(parse_range("bytes=10-", 100), part(10, 99));
        assert_eq!(parse_range("bytes=-10", 100), part(90, 99));
        assert_eq!(parse_range("bytes=5-5", 100), part(5, 5));
        assert_eq!(parse_range("Bytes = 1 - 2 ", 100), part(1, 2));
        // An end past the body is clamped; a suffix longer than the body takes it all.
        assert_eq!(parse_range("bytes=90-1000", 100), part(90, 99));
        assert_eq!(parse_range("bytes=-1000", 100), part(0, 99));
        assert_eq!(
            parse_range("bytes=0-99999999999999999999999", 100),
            part(0, 99)
        );
    }

    #[test]
    fn unsatisfiable_ranges_are_told_apart() {
        assert_eq!(parse_range("bytes=100-", 100), ByteRange::Unsatisfiable);
        assert_eq!(parse_range("bytes=100-200", 100), ByteRange::Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 100), ByteRange::Unsatisfiable);
        assert_eq!(parse_range("bytes=0-", 0), ByteRange::Unsatisfiable);
        assert_eq!(parse_range("bytes=-5", 0), ByteRange::Unsatisfiable);
        assert_eq!(
            parse_range("bytes=99999999999999999999999-", 100),
            ByteRange::Unsatisfiable
        );
    }

    #[test]
    fn malformed_or_multiple_ranges_are_ignored() {
        for value in [
            "bytes=0-1,5-6",
            "bytes=5-1",
            "bytes=-",
            "bytes=a-b",
            "bytes=1",
            "bytes=--1",
            "bytes=-1-2",
            "bytes=",
            "items=0-1",
            "0-1",
            "bytes=+1-2",
        ] {
            assert_eq!(parse_range(value, 100), ByteRange::Whole, "{value}");
        }
        // Empty elements of the list do not count as ranges.
        assert_eq!(parse_range("bytes=, 0-1 ,", 100), part(0, 1));
    }
}
