//! Query strings and urlencoded form bodies, read strictly.
//!
//! A browser never sends malformed percent-encoding or invalid UTF-8, so rsp refuses them
//! with a 400 instead of guessing (the lenient decoders turn them into U+FFFD silently).
//! Values are read into your own serde type, or into a [`Form`] to look fields up by name.

use std::fmt;

use http::StatusCode;
use percent_encoding::percent_decode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// Form or query fields in the order they were sent, for reading by name.
///
/// Read it like any other type: `let form: Form = req.form().await?;`
///
/// ```
/// use rsp::Form;
///
/// let form: Form = Form::parse("name=Ann&tag=a&tag=b&empty=").unwrap();
/// assert_eq!(form.get("name"), Some("Ann"));
/// assert_eq!(form.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!(form.get("empty"), Some(""));
/// assert_eq!(form.get("missing"), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form {
    fields: Vec<(String, String)>,
}

impl Form {
    /// Parses urlencoded text (`a=1&b=2`) into any serde type, [`Form`] included.
    ///
    /// ```
    /// #[derive(Debug, serde::Deserialize)]
    /// struct Search { q: String, page: u32 }
    ///
    /// let s: Search = rsp::Form::parse("q=rust+pages&page=2").unwrap();
    /// assert_eq!((s.q.as_str(), s.page), ("rust pages", 2));
    ///
    /// let bad = rsp::Form::parse::<Search>("q=x&page=two").unwrap_err();
    /// assert_eq!(bad.to_string(), "invalid form field `page`: invalid digit found in string");
    /// ```
    pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, FormRejection> {
        decode(text.as_bytes(), Origin::Body)
    }

    /// The first value of a field.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a field (`tag=a&tag=b`), in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// All fields, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Whether no field was sent.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

impl<'de> Deserialize<'de> for Form {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<(String, String)>::deserialize(deserializer).map(|fields| Form { fields })
    }
}

/// Where urlencoded data came from, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    Query,
    Body,
}

impl Origin {
    fn noun(self) -> &'static str {
        match self {
            Origin::Query => "query string",
            Origin::Body => "form",
        }
    }
}

/// Why a query string or a form body was refused. Each becomes a 4xx page that says so.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormRejection {
    /// A `%` not followed by two hex digits.
    MalformedEncoding {
        /// "query string" or "form".
        origin: &'static str,
        /// The offending text.
        near: String,
    },
    /// Bytes that do not decode to UTF-8.
    InvalidUtf8 {
        /// "query string" or "form".
        origin: &'static str,
    },
    /// A field is missing or its value does not fit its type.
    InvalidField {
        /// "query string" or "form".
        origin: &'static str,
        /// The field, as its path in the target type (empty when not known).
        field: String,
        /// What was wrong.
        message: String,
    },
    /// The body is larger than the limit (413).
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The body is not `application/x-www-form-urlencoded` (415).
    UnsupportedType {
        /// The content type that was sent.
        found: String,
    },
    /// The body could not be read (the client went away or sent a broken body).
    BodyRead(String),
    /// The body did not arrive in time (408).
    TimedOut(String),
}

impl FormRejection {
    /// The status of the error page.
    pub fn status(&self) -> StatusCode {
        match self {
            FormRejection::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            FormRejection::UnsupportedType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            FormRejection::TimedOut(_) => StatusCode::REQUEST_TIMEOUT,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl fmt::Display for FormRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormRejection::MalformedEncoding { origin, near } => {
                write!(f, "malformed percent-encoding in the {origin}: `{near}`")
            }
            FormRejection::InvalidUtf8 { origin } => {
                write!(f, "the {origin} is not valid UTF-8 once decoded")
            }
            FormRejection::InvalidField {
                origin,
                field,
                message,
            } if field.is_empty() => write!(f, "invalid {origin}: {message}"),
            FormRejection::InvalidField {
                origin,
                field,
                message,
            } => write!(f, "invalid {origin} field `{field}`: {message}"),
            FormRejection::TooLarge { limit } => {
                write!(
                    f,
                    "the request body is larger than the limit of {limit} bytes"
                )
            }
            FormRejection::UnsupportedType { found } => write!(
                f,
                "expected a form (application/x-www-form-urlencoded), got `{found}`"
            ),
            FormRejection::BodyRead(why) => write!(f, "could not read the request body: {why}"),
            FormRejection::TimedOut(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for FormRejection {}

crate::error::rejection!(FormRejection);

/// Checks urlencoded bytes strictly, then reads them into `T`, naming the bad field.
/// Reads form fields given as pairs (an upload's text fields) into `T`, with the same
/// rules and errors as a urlencoded form.
pub(crate) fn decode_pairs<'a, T: DeserializeOwned>(
    pairs: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<T, FormRejection> {
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    decode(encoded.as_bytes(), Origin::Body)
}

pub(crate) fn decode<T: DeserializeOwned>(raw: &[u8], origin: Origin) -> Result<T, FormRejection> {
    validate(raw, origin)?;
    let fields = form_urlencoded::parse(raw);
    serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(fields)).map_err(|e| {
        let field = e.path().to_string();
        FormRejection::InvalidField {
            origin: origin.noun(),
            field: if field == "." { String::new() } else { field },
            message: e.into_inner().to_string(),
        }
    })
}

/// Every `%` starts two hex digits, and every name and value decodes to UTF-8.
fn validate(raw: &[u8], origin: Origin) -> Result<(), FormRejection> {
    for (i, &byte) in raw.iter().enumerate() {
        if byte == b'%' {
            let hex = raw.get(i + 1..i + 3);
            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                let end = (i + 3).min(raw.len());
                return Err(FormRejection::MalformedEncoding {
                    origin: origin.noun(),
                    near: String::from_utf8_lossy(&raw[i..end]).into_owned(),
                });
            }
        }
    }
    for piece in raw.split(|&b| b == b'&' || b == b'=') {
        if percent_decode(piece).decode_utf8().is_err() {
            return Err(FormRejection::InvalidUtf8 {
                origin: origin.noun(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_decoding_refuses_bad_bytes() {
        for (raw, expected) in [
            ("a=%zz", "malformed percent-encoding in the form: `%zz`"),
            ("a=1%2", "malformed percent-encoding in the form: `%2`"),
            ("a=%ff", "the form is not valid UTF-8 once decoded"),
            ("%c3%28=x", "the form is not valid UTF-8 once decoded"),
        ] {
            let err = decode::<Form>(raw.as_bytes(), Origin::Body).unwrap_err();
            assert_eq!(err.to_string(), expected, "{raw}");
            assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        }
    }

    #[test]
    fn plus_and_percent_decode() {
        let form = decode::<Form>(b"q=a+b%26c&x=%C3%A9", Origin::Query).unwrap();
        assert_eq!(form.get("q"), Some("a b&c"));
        assert_eq!(form.get("x"), Some("é"));
    }

    #[test]
    fn missing_field_is_named() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Entry {
            name: String,
        }
        let err = decode::<Entry>(b"other=1", Origin::Body).unwrap_err();
        assert_eq!(err.to_string(), "invalid form: missing field `name`");
    }
}
