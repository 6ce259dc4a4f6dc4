//! CSS, in `<style>` and `style` attributes: strings, comments and `url(…)`.

use std::mem;

use super::context::{refusal, Inner, Refusal, NO_ESCAPING};
use super::state::Language;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Css {
    /// Outside strings and comments; `word` holds the start of the identifier just
    /// read, to spot `url(`.
    Value {
        word: String,
    },
    /// A `/` that may open a comment.
    Slash,
    Comment {
        star: bool,
    },
    String {
        quote: char,
        escaped: bool,
    },
    /// Right after `url(`.
    UrlStart,
    /// In an unquoted `url(…)`.
    Url {
        escaped: bool,
    },
}

impl Css {
    pub(super) fn new() -> Self {
        Css::Value {
            word: String::new(),
        }
    }

    fn next(self, c: char) -> Css {
        match self {
            Css::Value { mut word } => match c {
                '"' | '\'' => Css::String {
                    quote: c,
                    escaped: false,
                },
                '/' => Css::Slash,
                '(' if word.eq_ignore_ascii_case("url") => Css::UrlStart,
                c if c.is_alphanumeric() || c == '-' || c == '_' => {
                    // Enough to tell `url` from longer words.
                    if word.len() <= "url".len() {
                        word.push(c);
                    }
                    Css::Value { word }
                }
                _ => Css::new(),
            },
            Css::Slash if c == '*' => Css::Comment { star: false },
            Css::Slash => Css::new().next(c),
            Css::Comment { star } => match c {
                '/' if star => Css::new(),
                _ => Css::Comment { star: c == '*' },
            },
            Css::String { quote, escaped } => match c {
                _ if escaped => Css::String {
                    quote,
                    escaped: false,
                },
                '\\' => Css::String {
                    quote,
                    escaped: true,
                },
                _ if c == quote => Css::new(),
                _ => Css::String { quote, escaped },
            },
            Css::UrlStart => match c {
                c if c.is_whitespace() => Css::UrlStart,
                '"' | '\'' => Css::String {
                    quote: c,
                    escaped: false,
                },
                _ => Css::Url { escaped: false }.next(c),
            },
            Css::Url { escaped } => match c {
                _ if escaped => Css::Url { escaped: false },
                '\\' => Css::Url { escaped: true },
                ')' => Css::new(),
                _ => Css::Url { escaped: false },
            },
        }
    }
}

impl Language for Css {
    fn push(&mut self, c: char) -> Result<(), &'static str> {
        *self = mem::replace(self, Css::new()).next(c);
        Ok(())
    }

    fn context(&self) -> Result<Inner, Refusal> {
        match self {
            Css::Value { .. } | Css::Slash => Ok(Inner::Css),
            Css::String { quote: '"', .. } => Ok(Inner::CssDoubleQuoted),
            Css::String { .. } => Ok(Inner::CssSingleQuoted),
            Css::Comment { .. } => refusal("a CSS comment", NO_ESCAPING),
            Css::UrlStart | Css::Url { .. } => refusal(
                "an unquoted CSS url(…)",
                "quote the URL: url(\"<%= value %>\")",
            ),
        }
    }

    fn after_value(&mut self) {
        match self {
            Css::Value { .. } | Css::Slash => *self = Css::new(),
            Css::String { escaped, .. } => *escaped = false,
            Css::Comment { .. } | Css::UrlStart | Css::Url { .. } => {}
        }
    }
}
