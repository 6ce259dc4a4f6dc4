//! Static assets embedded in the binary by `rsp::assets!`, and how they are served.
//!
//! The macro reads a folder at compile time into a table of [`Asset`]s, sorted by path,
//! with each file's content type, a strong ETag and its gzip and brotli variants already
//! compressed. This module answers a request from that table; it never touches the file
//! system, so no path a client sends can reach a file outside the folder: a request
//! path is only ever compared, whole, with the table's keys.
//!
//! What a response carries:
//!
//! - `Content-Type`, `ETag`, `Accept-Ranges: bytes`, and `Cache-Control: public, no-cache`:
//!   caches keep the file but revalidate it on each use, which the ETag makes a cheap 304.
//!   URLs carry no fingerprint, so a long `max-age` would show a stale file after a
//!   deploy; `no-cache` never does.
//! - `Content-Encoding: br` or `gzip` when the client accepts it (q-values honoured,
//!   `q=0` refuses; br wins a tie, then gzip, then identity) and `Vary: Accept-Encoding`
//!   when the file has variants. Each encoding has its own strong ETag (`"…-br"`,
//!   `"…-gz"`), as the bytes differ.
//! - `304 Not Modified` when `If-None-Match` holds the ETag of the representation that
//!   would be sent, and `206`/`416` for a `Range`, always of the identity encoding: the
//!   rules of the `conditional` module, which files from disk follow too.

use bytes::Bytes;
use http::header::{
    HeaderMap, HeaderValue, ACCEPT_ENCODING, ACCEPT_RANGES, CACHE_CONTROL, CONTENT_ENCODING,
    CONTENT_RANGE, CONTENT_TYPE, ETAG, VARY,
};
use http::{Method, StatusCode};

use crate::conditional::{self, ByteRange};
use crate::error::Result;
use crate::registry::PageFuture;
use crate::request::Request;
use crate::response::{not_found, Response};

/// One embedded file. Built by `rsp::assets!`; not a public API.
#[doc(hidden)]
#[derive(Debug)]
pub struct Asset {
    /// The path below the URL prefix: `/`-separated, no `.` or `..` segments.
    pub path: &'static str,
    /// The same with the content hash before the extension (`style.2cf24dba.css`).
    pub fingerprinted: &'static str,
    /// The file's bytes.
    pub body: &'static [u8],
    /// The `Content-Type` value.
    pub content_type: &'static str,
    /// The strong ETag of `body`, quoted.
    pub etag: &'static str,
    /// The gzip variant, when it is smaller than `body`.
    pub gzip: Option<Variant>,
    /// The brotli variant, when it is smaller than `body`.
    pub br: Option<Variant>,
}

/// A precompressed form of an [`Asset`]. Not a public API.
#[doc(hidden)]
#[derive(Debug)]
pub struct Variant {
    pub body: &'static [u8],
    /// The strong ETag of this encoding, quoted.
    pub etag: &'static str,
}

/// The files of one `rsp::assets!`, sorted by path. Not a public API.
#[doc(hidden)]
#[derive(Debug)]
pub struct Assets {
    pub files: &'static [Asset],
}

impl Assets {
    /// The file at exactly `path`, and whether `path` is its fingerprinted one; a path
    /// that is not in normal form is never looked up.
    fn get(&self, path: &str) -> Option<(&'static Asset, bool)> {
        if !is_normal(path) {
            return None;
        }
        let files = self.files;
        let plain = files
            .binary_search_by(|asset| asset.path.cmp(path))
            .ok()
            .map(|i| (&files[i], false));
        plain.or_else(|| {
            let fingerprinted = files.iter().find(|asset| asset.fingerprinted == path);
            fingerprinted.map(|asset| (asset, true))
        })
    }
}

/// The handler body of an `rsp::assets!` route: serves `req.param("path")` from `assets`.
#[doc(hidden)]
pub fn serve<'a>(assets: &'static Assets, req: &'a mut Request) -> PageFuture<'a> {
    Box::pin(std::future::ready(respond(assets, req)))
}

fn respond(assets: &Assets, req: &Request) -> Result<Response> {
    let Some((asset, fingerprinted)) = req.param("path").and_then(|path| assets.get(path)) else {
        return not_found();
    };
    let mut res = answer(asset, req.method(), req.headers());
    if fingerprinted {
        // Its URL changes with its content: nothing to revalidate, ever.
        res.headers_mut().insert(CACHE_CONTROL, IMMUTABLE);
    }
    Ok(res)
}

/// `/`-separated segments, none empty, `.` or `..`, and no backslash or NUL anywhere.
fn is_normal(path: &str) -> bool {
    !path.is_empty()
        && !path.contains(['\\', '\0'])
        && path
            .split('/')
            .all(|segment| !matches!(segment, "" | "." | ".."))
}

const CACHE: HeaderValue = HeaderValue::from_static("public, no-cache");
const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const BYTES: HeaderValue = HeaderValue::from_static("bytes");

/// The response for `asset`, given the request's method and headers.
fn answer(asset: &'static Asset, method: &Method, headers: &HeaderMap) -> Response {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let has_variants = asset.gzip.is_some() || asset.br.is_some();
    let len = asset.body.len() as u64;
    let range = conditional::range(method, headers, len, asset.etag, None);
    let encoding = if range == ByteRange::Whole {
        choose_encoding(
            header(ACCEPT_ENCODING),
            asset.br.is_some(),
            asset.gzip.is_some(),
        )
    } else {
        Encoding::Identity
    };
    let (body, etag) = match encoding {
        Encoding::Br => asset.br.as_ref().map(|v| (v.body, v.etag)),
        Encoding::Gzip => asset.gzip.as_ref().map(|v| (v.body, v.etag)),
        Encoding::Identity => None,
    }
    .unwrap_or((asset.body, asset.etag));

    let mut res = if conditional::not_modified(headers, etag, None) {
        let mut res = Response::bytes(Bytes::new());
        res.set_status(StatusCode::NOT_MODIFIED);
        res
    } else {
        match range {
            ByteRange::Whole => Response::bytes(Bytes::from_static(body)),
            ByteRange::Part { first, last } => {
                // `conditional::range` keeps both ends within the body.
                let part = Bytes::from_static(&body[first as usize..=last as usize]);
                let mut res = Response::bytes(part);
                res.set_status(StatusCode::PARTIAL_CONTENT);
                insert(
                    &mut res,
                    CONTENT_RANGE,
                    &range.content_range(len).unwrap_or_default(),
                );
                res
            }
            ByteRange::Unsatisfiable => {
                let mut res = Response::text("range not satisfiable");
                res.set_status(StatusCode::RANGE_NOT_SATISFIABLE);
                insert(
                    &mut res,
                    CONTENT_RANGE,
                    &range.content_range(len).unwrap_or_default(),
                );
                return with_validators(res, has_variants, etag);
            }
        }
    };
    insert(&mut res, CONTENT_TYPE, asset.content_type);
    if encoding != Encoding::Identity {
        insert(&mut res, CONTENT_ENCODING, encoding.token());
    }
    res.headers_mut().insert(ACCEPT_RANGES, BYTES);
    with_validators(res, has_variants, etag)
}

fn with_validators(mut res: Response, has_variants: bool, etag: &str) -> Response {
    insert(&mut res, ETAG, etag);
    res.headers_mut().insert(CACHE_CONTROL, CACHE);
    if has_variants {
        res.headers_mut()
            .insert(VARY, HeaderValue::from_static("accept-encoding"));
    }
    res
}

/// Sets a header whose value the macro or this module built (always valid).
fn insert(res: &mut Response, name: http::header::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        res.headers_mut().insert(name, value);
    }
}

/// A content coding this module can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Br,
    Gzip,
    Identity,
}

impl Encoding {
    fn token(self) -> &'static str {
        match self {
            Self::Br => "br",
            Self::Gzip => "gzip",
            Self::Identity => "identity",
        }
    }
}

/// The encoding to send, from `Accept-Encoding` and the variants the file has.
///
/// A coding's weight is its own q-value, else that of `*`, else it is not acceptable;
/// `x-gzip` counts as gzip. The acceptable coding with the highest weight wins, br before
/// gzip before identity on a tie. Identity competes with its explicit weight (or that of
/// `*`) and is the fallback when nothing else is acceptable, even if refused: sending the
/// file is better than a 406. No header, or an empty one, means identity.
fn choose_encoding(accept: Option<&str>, has_br: bool, has_gzip: bool) -> Encoding {
    let Some(accept) = accept else {
        return Encoding::Identity;
    };
    let (mut br, mut gzip, mut identity, mut any) = (None, None, None, None);
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim();
        let mut q = Some(1000);
        for param in parts {
            let (name, value) = param.split_once('=').unwrap_or((param, ""));
            if name.trim().eq_ignore_ascii_case("q") {
                q = parse_q(value.trim());
            }
        }
        let Some(q) = q else { continue };
        let slot = if coding.eq_ignore_ascii_case("br") {
            &mut br
        } else if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            &mut gzip
        } else if coding.eq_ignore_ascii_case("identity") {
            &mut identity
        } else if coding == "*" {
            &mut any
        } else {
            continue;
        };
        // A coding listed twice keeps its best weight.
        *slot = Some(slot.map_or(q, |old: u16| old.max(q)));
    }
    let weight = |explicit: Option<u16>, available: bool| {
        if available {
            explicit.or(any).unwrap_or(0)
        } else {
            0
        }
    };
    let br = weight(br, has_br);
    let gzip = weight(gzip, has_gzip);
    let identity = identity.or(any).unwrap_or(0);
    if br > 0 && br >= gzip && br >= identity {
        Encoding::Br
    } else if gzip > 0 && gzip >= identity {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// A q-value in thousandths (`0`, `0.5`, `1.000`); `None` if malformed.
fn parse_q(value: &str) -> Option<u16> {
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac = frac.bytes().chain(std::iter::repeat(b'0')).take(3);
    let thousandths = frac.fold(0u16, |n, digit| n * 10 + u16::from(digit - b'0'));
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BR: Encoding = Encoding::Br;
    const GZ: Encoding = Encoding::Gzip;
    const ID: Encoding = Encoding::Identity;

    fn both(accept: &str) -> Encoding {
        choose_encoding(Some(accept), true, true)
    }

    #[test]
    fn encoding_prefers_br_then_gzip_on_a_tie() {
        assert_eq!(both("gzip, deflate, br"), BR);
        assert_eq!(both("br;q=1.0, gzip;q=1.0"), BR);
        assert_eq!(both("gzip"), GZ);
        assert_eq!(both("x-gzip"), GZ);
        assert_eq!(both("BR"), BR);
        assert_eq!(both("*"), BR);
        assert_eq!(choose_encoding(Some("gzip, br"), false, true), GZ);
        assert_eq!(choose_encoding(Some("br"), false, true), ID);
        assert_eq!(choose_encoding(Some("gzip, br"), false, false), ID);
    }

    #[test]
    fn encoding_honours_q_values() {
        assert_eq!(both("br;q=0.5, gzip;q=0.8"), GZ);
        assert_eq!(both("br;q=0.9, gzip;q=0.8"), BR);
        assert_eq!(both("gzip;q=0.5, identity"), ID);
        assert_eq!(both("gzip;q=0.5, identity;q=0.5"), GZ);
        assert_eq!(both("gzip ; q = 0.3 , br;q=0.2"), GZ);
        assert_eq!(both("*;q=0.5, gzip;q=0.6"), GZ);
        // A malformed weight drops that entry.
        assert_eq!(both("br;q=2, gzip"), GZ);
        assert_eq!(both("br;q=abc"), ID);
    }

    #[test]
    fn encoding_q_zero_refuses() {
        assert_eq!(both("br;q=0, gzip"), GZ);
        assert_eq!(both("br;q=0.000, gzip;q=0"), ID);
        assert_eq!(both("*;q=0"), ID);
        assert_eq!(both("*, br;q=0"), GZ);
        assert_eq!(both("*;q=0, gzip"), GZ);
        // Identity refused but nothing else on offer: the file is sent anyway.
        assert_eq!(both("identity;q=0"), ID);
    }

    #[test]
    fn encoding_without_a_header_or_with_an_empty_one_is_identity() {
        assert_eq!(choose_encoding(None, true, true), ID);
        assert_eq!(both(""), ID);
        assert_eq!(both("deflate, compress"), ID);
    }

    #[test]
    fn q_values_parse_as_rfc_9110_writes_them() {
        assert_eq!(parse_q("1"), Some(1000));
        assert_eq!(parse_q("1.000"), Some(1000));
        assert_eq!(parse_q("0.5"), Some(500));
        assert_eq!(parse_q("0.05"), Some(50));
        assert_eq!(parse_q("0"), Some(0));
        assert_eq!(parse_q("0."), Some(0));
        assert_eq!(parse_q("1.5"), None);
        assert_eq!(parse_q("0.1234"), None);
        assert_eq!(parse_q("-0"), None);
        assert_eq!(parse_q(""), None);
    }

    #[test]
    fn only_normal_paths_are_looked_up() {
        for good in ["a.css", "nested/b.txt", "a b/c%.txt", "..a", "a.."] {
            assert!(is_normal(good), "{good}");
        }
        for bad in [
            "", "/a.css", "a.css/", "a//b", "..", "../a", "a/../b", "./a", "a/.", "a\\b", "..\\a",
            "a\0",
        ] {
            assert!(!is_normal(bad), "{bad:?}");
        }
    }

    static FILES: Assets = Assets {
        files: &[
            Asset {
                path: "a.txt",
                fingerprinted: "a.0a1b2c3d.txt",
                body: b"0123456789",
                content_type: "text/plain; charset=utf-8",
                etag: "\"a\"",
                gzip: Some(Variant {
                    body: b"gz",
                    etag: "\"a-gz\"",
                }),
                br: None,
            },
            Asset {
                path: "b/c.png",
                fingerprinted: "b/c.4e5f6a7b.png",
                body: b"png",
                content_type: "image/png",
                etag: "\"c\"",
                gzip: None,
                br: None,
            },
        ],
    };

    #[test]
    fn lookup_is_exact() {
        assert_eq!(FILES.get("a.txt").map(|(a, _)| a.etag), Some("\"a\""));
        assert_eq!(FILES.get("b/c.png").map(|(a, _)| a.etag), Some("\"c\""));
        let fingerprinted = FILES.get("b/c.4e5f6a7b.png");
        assert_eq!(
            fingerprinted.map(|(a, f)| (a.path, f)),
            Some(("b/c.png", true))
        );
        assert!(FILES.get("b/c.00000000.png").is_none());
        for missing in ["A.txt", "b", "b/", "b/./c.png", "b//c.png", "x/../a.txt"] {
            assert!(FILES.get(missing).is_none(), "{missing}");
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(n, v)| {
                (
                    http::header::HeaderName::from_static(n),
                    HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    #[test]
    fn answers_carry_the_validators_of_what_they_send() {
        let a = &FILES.files[0];
        let res = answer(a, &Method::GET, &headers(&[("accept-encoding", "gzip")]));
        assert_eq!(res.body().as_ref(), b"gz");
        assert_eq!(res.headers()[CONTENT_ENCODING], "gzip");
        assert_eq!(res.headers()[ETAG], "\"a-gz\"");
        assert_eq!(res.headers()[VARY], "accept-encoding");
        let res = answer(
            a,
            &Method::GET,
            &headers(&[("accept-encoding", "gzip"), ("if-none-match", "\"a\"")]),
        );
        assert_eq!(res.status(), StatusCode::OK);
        let res = answer(
            a,
            &Method::GET,
            &headers(&[("accept-encoding", "gzip"), ("if-none-match", "\"a-gz\"")]),
        );
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
        assert!(res.body().is_empty());
        let c = &FILES.files[1];
        let res = answer(c, &Method::GET, &headers(&[("accept-encoding", "gzip")]));
        assert!(!res.headers().contains_key(VARY));
        assert!(!res.headers().contains_key(CONTENT_ENCODING));
    }

    #[test]
    fn a_range_is_of_the_identity_encoding_and_get_only() {
        let a = &FILES.files[0];
        let ask = headers(&[("accept-encoding", "gzip"), ("range", "bytes=2-4")]);
        let res = answer(a, &Method::GET, &ask);
        assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(res.body().as_ref(), b"234");
        assert_eq!(res.headers()[CONTENT_RANGE], "bytes 2-4/10");
        assert!(!res.headers().contains_key(CONTENT_ENCODING));
        assert_eq!(res.headers()[ETAG], "\"a\"");
        let res = answer(a, &Method::HEAD, &ask);
        assert_eq!(res.status(), StatusCode::OK);
        let stale = headers(&[("range", "bytes=2-4"), ("if-range", "\"old\"")]);
        assert_eq!(answer(a, &Method::GET, &stale).status(), StatusCode::OK);
        let fresh = headers(&[("range", "bytes=2-4"), ("if-range", "\"a\"")]);
        let res = answer(a, &Method::GET, &fresh);
        assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
        let res = answer(a, &Method::GET, &headers(&[("range", "bytes=10-")]));
        assert_eq!(res.status(), StatusCode::RANGE_NOT_SATISFIABLE);
        assert_eq!(res.headers()[CONTENT_RANGE], "bytes */10");
    }
}
