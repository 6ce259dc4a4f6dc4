//! Cross-site request forgery protection, with nothing to remember.
//!
//! A page that answers POST, PUT, PATCH or DELETE accepts such a request only with the
//! token of the visitor's session: in the `_csrf` field of a form, or in an
//! `X-CSRF-Token` header (for `fetch` calls). The page compiler inserts the hidden field
//! into every `<form method="post">` it sees, in pages and `html!` fragments alike; for a
//! form built in code, write [`csrf_field`] yourself. A missing or wrong token is a 403.
//!
//! A page that must take cross-site requests (a webhook, a JSON API authenticated
//! otherwise) opts out in its header with `csrf: off;`.
//!
//! The token is an HMAC of the session id under the app's secret: nothing is stored, and
//! it changes when the session id does (`regenerate()` at login).

use std::fmt;
use std::sync::Arc;

use hmac::{Hmac, KeyInit, Mac};
use http::StatusCode;
use sha2::Sha256;

use crate::escape::Render;
use crate::form::Form;
use crate::rendering;
use crate::request::Request;
use crate::session::SessionId;

/// The name of the hidden form field that carries the token.
pub(crate) const FIELD: &str = "_csrf";

/// The header that carries the token for scripts.
pub(crate) const HEADER: &str = "x-csrf-token";

/// Why an unsafe request was refused (403).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CsrfRejection {
    /// The request carried no token.
    Missing,
    /// The token does not belong to this visitor's session.
    Mismatch,
}

impl CsrfRejection {
    /// The status of the error page.
    pub fn status(&self) -> StatusCode {
        StatusCode::FORBIDDEN
    }
}

impl fmt::Display for CsrfRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CsrfRejection::Missing => f.write_str(
                "this form has no CSRF token: reload the page it came from and send it again",
            ),
            CsrfRejection::Mismatch => f.write_str(
                "this form's CSRF token does not match your session (it may have expired): \
                 reload the page it came from and send it again",
            ),
        }
    }
}

impl std::error::Error for CsrfRejection {}

crate::error::rejection!(CsrfRejection);

/// The HMAC of the session id under the app's key, ready to finish or verify.
fn mac(session: &SessionId) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(session.key().signing())
        .expect("HMAC takes a key of any length");
    mac.update(b"rsp csrf ");
    mac.update(session.pin().as_bytes());
    mac
}

fn token_for(session: &SessionId) -> String {
    let bytes = mac(session).finalize().into_bytes();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `given` is the token for `session`, comparing in constant time.
fn verify(session: &SessionId, given: &str) -> bool {
    decode_hex(given).is_some_and(|given| mac(session).verify_slice(&given).is_ok())
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

impl Request {
    /// The CSRF token of this visitor's session, for an `X-CSRF-Token` header sent by
    /// scripts. Forms get it as a hidden field without asking.
    pub fn csrf_token(&self) -> String {
        token_for(self.session_id())
    }
}

/// The hidden `_csrf` field, for a form whose method is computed at run time (the page
/// compiler inserts it into every literal `<form method="post">` by itself).
///
/// ```
/// use rsp::prelude::*;
///
/// page! {
///     GET | POST "/rename" => rename;
///     let method = "post";
///     r#"<form method="<%= method %>"><%= csrf_field() %><input name="to"></form>"#
/// }
/// ```
///
/// Outside a request (a unit test rendering a fragment, say) it writes nothing.
pub fn csrf_field() -> impl Render {
    CsrfField
}

struct CsrfField;

impl Render for CsrfField {
    fn render(&self, out: &mut String) {
        rendering::with(|rendering| {
            out.push_str("<input type=\"hidden\" name=\"");
            out.push_str(FIELD);
            out.push_str("\" value=\"");
            out.push_str(&token_for(&rendering.session));
            out.push_str("\">");
        });
    }
}

/// Writes the hidden field where the page compiler found a `<form method="post">`.
#[doc(hidden)]
pub fn write_field(out: &mut String) {
    CsrfField.render(out);
}

/// Checks the token of an unsafe request before its page runs. Safe methods pass.
pub(crate) async fn check(req: &mut Request) -> crate::Result<()> {
    if matches!(
        *req.method(),
        http::Method::GET | http::Method::HEAD | http::Method::OPTIONS | http::Method::TRACE
    ) {
        return Ok(());
    }
    let session = Arc::clone(req.session_id());
    if let Some(given) = req.header(HEADER) {
        return if verify(&session, given) {
            Ok(())
        } else {
            Err(CsrfRejection::Mismatch.into())
        };
    }
    let kind = req
        .header(http::header::CONTENT_TYPE.as_str())
        .unwrap_or("");
    let essence = kind
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let given = match essence.as_str() {
        "application/x-www-form-urlencoded" => {
            let form: Form = req.form().await?;
            form.get(FIELD).map(str::to_owned)
        }
        // The upload is parsed here and kept for the page's own `req.upload()`.
        "multipart/form-data" => req.peek_upload().await?.field(FIELD).map(str::to_owned),
        _ => None,
    };
    match given {
        None => Err(CsrfRejection::Missing.into()),
        Some(given) if verify(&session, &given) => Ok(()),
        Some(_) => Err(CsrfRejection::Mismatch.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cookie::RequestCookies;
    use cookie::Key;

    #[test]
    fn tokens_are_bound_to_the_session() {
        let key = Arc::new(Key::generate());
        let a = SessionId::new(
            RequestCookies::new(&http::HeaderMap::new()),
            Arc::clone(&key),
        );
        let b = SessionId::new(RequestCookies::new(&http::HeaderMap::new()), key);
        let token = token_for(&a);
        assert_eq!(token.len(), 64);
        assert!(verify(&a, &token));
        assert!(!verify(&b, &token));
        assert!(!verify(&a, "zz"));
        assert!(!verify(&a, ""));
        assert!(!verify(&a, &token[..62]));
    }

    #[tokio::test]
    async fn the_field_renders_only_inside_a_request() {
        let mut out = String::new();
        write_field(&mut out);
        assert_eq!(out, "");
        let session = Arc::new(SessionId::new(
            RequestCookies::new(&http::HeaderMap::new()),
            Arc::new(Key::generate()),
        ));
        let expected = token_for(&session);
        let rendering = rendering::Rendering {
            session,
            nonce: None,
        };
        let rendered = rendering::scope(rendering, async {
            let mut out = String::new();
            write_field(&mut out);
            out
        })
        .await;
        assert_eq!(
            rendered,
            format!("<input type=\"hidden\" name=\"_csrf\" value=\"{expected}\">")
        );
    }
}
