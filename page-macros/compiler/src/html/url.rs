//! URL attribute values: whether a value starts the URL, and whether the static text
//! made it a `javascript:` URL.

use std::mem;

use super::context::{refusal, Inner, Refusal};
use super::state::Language;

/// How far a URL attribute value got.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) enum Url {
    /// Nothing but whitespace yet: a value here starts the URL.
    #[default]
    Start,
    /// Letters that may be a scheme (lowercased, at most the length of `javascript`).
    Scheme(String),
    /// The scheme is settled.
    Rest,
    /// Branches disagree on whether the URL has started.
    Ambiguous,
    /// After `javascript:` or `vbscript:`.
    Script,
    /// A value started the URL: until `/`, `?` or `#`, static text must not add a `:`,
    /// which would let the value choose the scheme.
    AfterValue,
}
impl Language for Url {
    fn push(&mut self, c: char) -> Result<(), &'static str> {
        if *self == Url::AfterValue {
            match c {
                ':' => {
                    return Err("a `:` right after a value that starts a URL would let the \
                                value choose the scheme: start the URL with static text, or \
                                put the `:` in the value");
                }
                '/' | '?' | '#' => *self = Url::Rest,
                _ => {}
            }
            return Ok(());
        }
        *self = match mem::take(self) {
            // Browsers strip leading spaces and controls, and tabs and newlines anywhere.
            state @ (Url::Start | Url::Ambiguous) if c <= ' ' => state,
            Url::Start | Url::Ambiguous if c.is_ascii_alphabetic() => {
                Url::Scheme(c.to_ascii_lowercase().to_string())
            }
            Url::Scheme(scheme) if matches!(c, '\t' | '\n' | '\r') => Url::Scheme(scheme),
            Url::Scheme(mut scheme)
                if (c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                    && scheme.len() < "javascript".len() =>
            {
                scheme.push(c.to_ascii_lowercase());
                Url::Scheme(scheme)
            }
            Url::Scheme(scheme)
                if c == ':' && matches!(scheme.as_str(), "javascript" | "vbscript") =>
            {
                Url::Script
            }
            Url::Script => Url::Script,
            _ => Url::Rest,
        };
        Ok(())
    }

    fn context(&self) -> Result<Inner, Refusal> {
        match self {
            Url::Start => Ok(Inner::Url),
            Url::Scheme(_) | Url::Rest | Url::AfterValue => Ok(Inner::UrlPart),
            Url::Ambiguous => refusal(
                "a URL attribute value that has started in some branches before it and not \
                 in others",
                "the page compiler cannot tell whether the value starts the URL; write the \
                 value in each branch, or static text before it",
            ),
            Url::Script => refusal(
                "a javascript: URL",
                "its text runs as code; call a function from an event-handler attribute \
                 instead",
            ),
        }
    }

    fn after_value(&mut self) {
        *self = match self {
            Url::Start => Url::AfterValue,
            Url::Script => Url::Script,
            _ => Url::Rest,
        };
    }
}
