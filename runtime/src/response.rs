//! The response: `res` in every page, and the early exits a page can take.
//!
//! Output is buffered, so a page may set the status, headers or cookies at any point,
//! even after writing markup; and an early exit (`return redirect("/x");`) keeps the
//! cookies and headers set before it.

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue, LOCATION};
use http::StatusCode;
use serde::Serialize;

use crate::body::FileBody;
use crate::cookie::{self as cookies, Cookie, CookieChange};
use crate::error::{Error, Result};

/// An HTTP response: status, headers, cookie changes and a body.
///
/// In a page, `res` is the response being prepared; the page's markup becomes its body.
///
/// ```
/// use rsp::{Response, StatusCode};
///
/// let mut res = Response::html("<p>made</p>");
/// res.set_status(StatusCode::CREATED);
/// res.set_header("x-note", "hi")?;
/// assert_eq!(res.status(), StatusCode::CREATED);
/// # Ok::<(), rsp::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    cookies: Vec<CookieChange>,
    body: Bytes,
    /// A file to stream instead of `body` (see [`send_file`](crate::send_file)); boxed,
    /// as most responses have none and every response is moved a few times.
    file: Option<Box<FileBody>>,
}

impl Response {
    /// A 200 response with an HTML body (`text/html; charset=utf-8`).
    pub fn html(body: impl Into<String>) -> Self {
        Self {
            body: Bytes::from(body.into()),
            ..Self::default()
        }
    }

    /// A 200 response with a plain-text body.
    pub fn text(body: impl Into<String>) -> Self {
        let mut res = Self::html(body);
        res.headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        res
    }

    /// A 200 response with a binary body, typed `application/octet-stream` until a
    /// `Content-Type` header is set. A `&'static [u8]` (wrapped with
    /// `Bytes::from_static`) or a `Vec<u8>` becomes the body without a copy.
    ///
    /// ```
    /// let mut res = rsp::Response::bytes(vec![0x89, b'P', b'N', b'G']);
    /// res.set_header("content-type", "image/png")?;
    /// assert_eq!(res.body().len(), 4);
    /// # Ok::<(), rsp::Error>(())
    /// ```
    pub fn bytes(body: impl Into<Bytes>) -> Self {
        let mut res = Self {
            body: body.into(),
            ..Self::default()
        };
        res.headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        res
    }

    /// A 200 response with `value` as JSON (`application/json`). See [`json`].
    ///
    /// # Errors
    /// If `value` cannot be written as JSON (a map with non-string keys): a 500.
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Self> {
        let body = serde_json::to_vec(value).map_err(|e| {
            Error::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the response could not be written as JSON: {e}"),
            )
        })?;
        let mut res = Self::bytes(body);
        res.headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        Ok(res)
    }

    /// A redirect with the given status (301, 302, 303, 307 or 308).
    ///
    /// # Errors
    /// If `location` cannot be a header value (it contains a line break).
    pub fn redirect_with(status: StatusCode, location: &str) -> Result<Self> {
        let mut res = Self {
            status,
            ..Self::default()
        };
        res.set_header(LOCATION, location)?;
        Ok(res)
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Sets the status (200 unless set).
    pub fn set_status(&mut self, status: StatusCode) -> &mut Self {
        self.status = status;
        self
    }

    /// The headers set so far.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The headers, to change freely.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    /// Sets a header, replacing any earlier value.
    ///
    /// # Errors
    /// If the name or value is not valid in a header (a line break in a value, say): a 500
    /// rather than a header injection.
    pub fn set_header<K, V>(&mut self, name: K, value: V) -> Result<&mut Self>
    where
        K: TryInto<HeaderName>,
        K::Error: std::error::Error + Send + Sync + 'static,
        V: TryInto<HeaderValue>,
        V::Error: std::error::Error + Send + Sync + 'static,
    {
        self.headers.insert(name.try_into()?, value.try_into()?);
        Ok(self)
    }

    /// Sets a signed cookie for the whole site: HttpOnly, SameSite=Lax, ending with the
    /// browser session. Read it back with [`Request::cookie`](crate::Request::cookie).
    pub fn set_cookie(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.set_cookie_with(cookies::with_defaults(name.into(), value.into()))
    }

    /// Sets a signed cookie built in full (expiry, domain, path, flags).
    ///
    /// ```
    /// use rsp::{Cookie, Response};
    ///
    /// let mut res = Response::html("");
    /// res.set_cookie_with(Cookie::build(("theme", "dark")).path("/settings").secure(true).build());
    /// ```
    pub fn set_cookie_with(&mut self, cookie: Cookie<'static>) -> &mut Self {
        self.cookies.push(CookieChange::Set {
            cookie,
            signed: true,
        });
        self
    }

    /// Sets a cookie without a signature, readable and writable by JavaScript's own code
    /// (it is still HttpOnly unless built otherwise with [`Cookie::build`]).
    pub fn set_unsigned_cookie(&mut self, cookie: Cookie<'static>) -> &mut Self {
        self.cookies.push(CookieChange::Set {
            cookie,
            signed: false,
        });
        self
    }

    /// Tells the browser to delete a cookie set for the whole site.
    pub fn remove_cookie(&mut self, name: impl Into<String>) -> &mut Self {
        let cookie = Cookie::build(name.into()).path("/").build();
        self.cookies.push(CookieChange::Remove(cookie));
        self
    }

    /// The body bytes; empty for a file, which is read from disk as it is sent.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    pub(crate) fn with_file(file: FileBody) -> Self {
        Self {
            file: Some(Box::new(file)),
            ..Self::default()
        }
    }

    pub(crate) fn has_file(&self) -> bool {
        self.file.is_some()
    }

    pub(crate) fn take_file(&mut self) -> Option<FileBody> {
        self.file.take().map(|file| *file)
    }

    /// Moves the headers and cookies of `earlier` (set by a page before it returned this
    /// response) into this one; headers this response sets itself win.
    pub(crate) fn absorb(&mut self, earlier: Response) {
        // Most pages set nothing on `res`, or only there: then there is nothing to merge.
        if self.headers.is_empty() {
            self.headers = earlier.headers;
        } else if !earlier.headers.is_empty() {
            self.merge_headers(earlier.headers);
        }
        if self.cookies.is_empty() {
            self.cookies = earlier.cookies;
        } else if !earlier.cookies.is_empty() {
            let mut cookies = earlier.cookies;
            cookies.append(&mut self.cookies);
            self.cookies = cookies;
        }
    }

    /// Each header of `earlier` with all its values, unless this response has it.
    fn merge_headers(&mut self, earlier: HeaderMap) {
        // The name whose values are being moved: a header's second value and on come
        // without a name.
        let mut moving = None;
        for (name, value) in earlier {
            match name {
                Some(name) if self.headers.contains_key(&name) => moving = None,
                Some(name) => {
                    self.headers.insert(name.clone(), value);
                    moving = Some(name);
                }
                None => {
                    if let Some(name) = &moving {
                        self.headers.append(name, value);
                    }
                }
            }
        }
    }

    /// Adds markup at the end of the body.
    pub(crate) fn append_html(&mut self, html: &str) {
        let mut body = Vec::with_capacity(self.body.len() + html.len());
        body.extend_from_slice(&self.body);
        body.extend_from_slice(html.as_bytes());
        self.body = Bytes::from(body);
    }

    pub(crate) fn with_body(mut self, body: String) -> Self {
        self.body = Bytes::from(body);
        self
    }

    /// Its parts, but a file: [`take_file`](Self::take_file) it first.
    pub(crate) fn into_parts(self) -> (StatusCode, HeaderMap, Vec<CookieChange>, Bytes) {
        (self.status, self.headers, self.cookies, self.body)
    }
}

/// A `303 See Other` to `location`: the way to end a POST (Post/Redirect/Get).
///
/// ```
/// use rsp::prelude::*;
///
/// page! {
///     POST "/logout" => logout;
///     res.remove_cookie("user");
///     return redirect("/");
///     ""
/// }
/// ```
pub fn redirect(location: &str) -> Result<Response> {
    Response::redirect_with(StatusCode::SEE_OTHER, location)
}

/// Answers with `value` as JSON, as short as [`redirect`]: a page that ends with it needs
/// no body. Errors of a request that asks for JSON (`Accept: application/json`) are JSON
/// too: `{"status": 404, "error": "…"}`; so are all errors of a page whose header says
/// `errors: json;`.
///
/// ```
/// use rsp::prelude::*;
///
/// #[derive(serde::Serialize)]
/// struct Entry { name: String, message: String }
///
/// page! {
///     GET "/api/entries" => entries;
///     errors: json;
///     let entries = vec![Entry { name: "ann".into(), message: "hi".into() }];
///     json(&entries)
/// }
/// ```
///
/// # Errors
/// If `value` cannot be written as JSON: a 500.
pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Response> {
    Response::json(value)
}

/// Ends the page with the 404 page.
///
/// ```
/// use rsp::prelude::*;
///
/// page! {
///     GET "/posts/{id: u32}" => post;
///     if id > 100 {
///         return not_found();
///     }
///     "<p>Post <%= id %></p>"
/// }
/// ```
pub fn not_found() -> Result<Response> {
    Err(Error::status_only(StatusCode::NOT_FOUND))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::{HeaderValue, LINK, VARY};

    fn with(headers: &[(http::header::HeaderName, &'static str)]) -> Response {
        let mut response = Response::default();
        for (name, value) in headers {
            response
                .headers_mut()
                .append(name, HeaderValue::from_static(value));
        }
        response
    }

    fn values(response: &Response, name: &http::header::HeaderName) -> Vec<String> {
        let values = response.headers().get_all(name).iter();
        values.map(|v| v.to_str().unwrap().to_owned()).collect()
    }

    #[test]
    fn absorbing_keeps_every_value_and_the_returned_response_wins() {
        let earlier = [(LINK, "</a.css>"), (LINK, "</b.js>"), (VARY, "cookie")];
        let mut returned = with(&[(VARY, "accept")]);
        returned.absorb(with(&earlier));
        assert_eq!(values(&returned, &LINK), ["</a.css>", "</b.js>"]);
        assert_eq!(values(&returned, &VARY), ["accept"]);

        let mut empty = Response::default();
        empty.absorb(with(&earlier));
        assert_eq!(values(&empty, &LINK), ["</a.css>", "</b.js>"]);
        assert_eq!(values(&empty, &VARY), ["cookie"]);
    }
}
