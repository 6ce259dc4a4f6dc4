//! Cookies, signed by default.
//!
//! [`Response::set_cookie`](crate::Response::set_cookie) signs the value with the app's
//! key and [`Request::cookie`](crate::Request::cookie) returns it only if the signature
//! holds, so a client cannot forge or edit a cookie. Unsigned cookies (ones that
//! JavaScript must read or write) are explicit: `set_unsigned_cookie` / `cookie_unsigned`.
//! The key comes from [`App::secret`](crate::App::secret) or `RSP_SECRET`.

use std::fmt;
use std::sync::OnceLock;

use cookie::{CookieJar, Key};
use http::header::{HeaderMap, HeaderValue, COOKIE};
use http::StatusCode;

pub use cookie::{Cookie, SameSite};

/// Why the `Cookie` header was refused (400).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CookieRejection {
    /// The header, or a percent-decoded cookie in it, is not UTF-8.
    InvalidUtf8,
}

impl CookieRejection {
    /// The status of the error page.
    pub fn status(&self) -> StatusCode {
        StatusCode::BAD_REQUEST
    }
}

impl fmt::Display for CookieRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CookieRejection::InvalidUtf8 => f.write_str("the Cookie header is not valid UTF-8"),
        }
    }
}

impl std::error::Error for CookieRejection {}

crate::error::rejection!(CookieRejection);

/// The `Cookie` headers of one request, parsed on first use and only once: the page's
/// `req.cookie(…)` and the session id read the same jar.
pub(crate) struct RequestCookies {
    headers: Vec<HeaderValue>,
    jar: OnceLock<Result<CookieJar, CookieRejection>>,
}

impl RequestCookies {
    /// Keeps the request's `Cookie` headers (cheap handles) for a later parse.
    pub(crate) fn new(headers: &HeaderMap) -> Self {
        Self {
            headers: headers.get_all(COOKIE).iter().cloned().collect(),
            jar: OnceLock::new(),
        }
    }

    /// The cookies, parsed the first time they are asked for.
    pub(crate) fn jar(&self) -> Result<&CookieJar, CookieRejection> {
        self.jar
            .get_or_init(|| parse(&self.headers))
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// Reads every `Cookie` header. Pairs that are not cookies at all are skipped, as
/// browsers do; text that is not UTF-8 is refused.
fn parse(headers: &[HeaderValue]) -> Result<CookieJar, CookieRejection> {
    let mut jar = CookieJar::new();
    for value in headers {
        let text =
            std::str::from_utf8(value.as_bytes()).map_err(|_| CookieRejection::InvalidUtf8)?;
        for cookie in Cookie::split_parse_encoded(text) {
            match cookie {
                Ok(cookie) => jar.add_original(cookie.into_owned()),
                Err(cookie::ParseError::Utf8Error(_)) => return Err(CookieRejection::InvalidUtf8),
                Err(_) => {}
            }
        }
    }
    Ok(jar)
}

/// A cookie change a page asked for, applied when the response is sent.
#[derive(Debug, Clone)]
pub(crate) enum CookieChange {
    Set {
        cookie: Cookie<'static>,
        signed: bool,
    },
    Remove(Cookie<'static>),
}

/// The defaults of a cookie set by a page: the whole site, no script access, and not
/// sent on cross-site subresource requests.
pub(crate) fn with_defaults(name: String, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .build()
}

/// The `Set-Cookie` header values for a list of changes.
pub(crate) fn set_cookie_headers(changes: Vec<CookieChange>, key: &Key) -> Vec<String> {
    changes
        .into_iter()
        .map(|change| match change {
            CookieChange::Set {
                cookie,
                signed: false,
            } => cookie.encoded().to_string(),
            CookieChange::Set {
                cookie,
                signed: true,
            } => {
                let mut jar = CookieJar::new();
                jar.signed_mut(key).add(cookie);
                jar.delta()
                    .next()
                    .map(|c| c.encoded().to_string())
                    .unwrap_or_default()
            }
            CookieChange::Remove(mut cookie) => {
                cookie.make_removal();
                cookie.encoded().to_string()
            }
        })
        .collect()
}

/// The value of a signed cookie, if its signature holds.
pub(crate) fn verified(jar: &CookieJar, key: &Key, name: &str) -> Option<String> {
    jar.signed(key).get(name).map(|c| c.value().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    fn headers(raw: &[u8]) -> Vec<HeaderValue> {
        vec![HeaderValue::from_bytes(raw).unwrap()]
    }

    #[test]
    fn signed_round_trip_and_tamper() {
        let key = Key::generate();
        let set = set_cookie_headers(
            vec![CookieChange::Set {
                cookie: with_defaults("who".into(), "ann".into()),
                signed: true,
            }],
            &key,
        );
        let pair = set[0].split(';').next().unwrap().to_owned();
        assert!(set[0].contains("HttpOnly") && set[0].contains("SameSite=Lax"));
        let jar = parse(&headers(pair.as_bytes())).unwrap();
        assert_eq!(verified(&jar, &key, "who").as_deref(), Some("ann"));
        let tampered = pair.replace("ann", "bob");
        let jar = parse(&headers(tampered.as_bytes())).unwrap();
        assert_eq!(verified(&jar, &key, "who"), None);
    }

    #[test]
    fn a_request_parses_its_cookies_once() {
        let mut map = HeaderMap::new();
        map.append(COOKIE, HeaderValue::from_static("a=1"));
        map.append(COOKIE, HeaderValue::from_static("b=2"));
        let cookies = RequestCookies::new(&map);
        let first: *const CookieJar = cookies.jar().unwrap();
        let second: *const CookieJar = cookies.jar().unwrap();
        assert_eq!(first, second, "the same jar, not a second parse");
        assert_eq!(
            cookies.jar().unwrap().get("b").map(|c| c.value()),
            Some("2")
        );
    }

    #[test]
    fn invalid_utf8_is_refused_and_junk_skipped() {
        assert_eq!(
            parse(&headers(b"a=%ff")).unwrap_err(),
            CookieRejection::InvalidUtf8
        );
        assert_eq!(
            parse(&headers(b"a=\xff")).unwrap_err(),
            CookieRejection::InvalidUtf8
        );
        let jar = parse(&headers(b"junk; a=1")).unwrap();
        assert_eq!(jar.get("a").map(|c| c.value()), Some("1"));
    }
}
