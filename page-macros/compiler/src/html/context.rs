//! The contexts a value can stand in, and why a value cannot stand somewhere.

/// Where a value is written: code generation picks its escaper from the pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    pub inner: Inner,
    pub outer: Outer,
}

/// The HTML around a value: element content, or an attribute value with its quoting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outer {
    Element,
    DoubleQuoted,
    SingleQuoted,
    Unquoted,
}

/// The language a value is written in, inside its [`Outer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inner {
    /// HTML text.
    Text,
    /// The text of `<title>` or `<textarea>`.
    Rcdata,
    /// A plain attribute value.
    Attr,
    /// The start of a URL attribute value: the scheme must be checked.
    Url,
    /// A URL attribute value after its start.
    UrlPart,
    Js,
    JsDoubleQuoted,
    JsSingleQuoted,
    JsTemplate,
    JsRegex,
    Css,
    CssDoubleQuoted,
    CssSingleQuoted,
    /// The attribute list of a start tag: only an attribute set fits there.
    AttrSet,
}

impl Inner {
    /// Every inner context.
    pub const ALL: [Inner; 14] = [
        Inner::Text,
        Inner::Rcdata,
        Inner::Attr,
        Inner::Url,
        Inner::UrlPart,
        Inner::Js,
        Inner::JsDoubleQuoted,
        Inner::JsSingleQuoted,
        Inner::JsTemplate,
        Inner::JsRegex,
        Inner::Css,
        Inner::CssDoubleQuoted,
        Inner::CssSingleQuoted,
        Inner::AttrSet,
    ];
}

impl Outer {
    /// Every outer context.
    pub const ALL: [Outer; 4] = [
        Outer::Element,
        Outer::DoubleQuoted,
        Outer::SingleQuoted,
        Outer::Unquoted,
    ];
}

impl Context {
    /// A human name for messages, such as "a double-quoted URL attribute value".
    pub fn describe(&self) -> String {
        let quoting = match self.outer {
            Outer::Element => "",
            Outer::DoubleQuoted => "double-quoted ",
            Outer::SingleQuoted => "single-quoted ",
            Outer::Unquoted => "unquoted ",
        };
        let attribute = |kind: &str| with_article(&format!("{quoting}{kind}"));
        let host = |element: &str, attr: &str| match self.outer {
            Outer::Element => format!("a {element} element"),
            _ => attribute(attr),
        };
        let script = || host("<script>", "event-handler attribute");
        let style = || host("<style>", "style attribute");
        match self.inner {
            Inner::Text => "HTML text".to_owned(),
            Inner::Rcdata => "the text of a <title> or <textarea>".to_owned(),
            Inner::AttrSet => "the attribute list of a tag".to_owned(),
            Inner::Attr => attribute("attribute value"),
            Inner::Url => attribute("URL attribute value"),
            Inner::UrlPart => format!("{}, after its start", attribute("URL attribute value")),
            Inner::Js => format!("JavaScript code in {}", script()),
            Inner::JsDoubleQuoted => format!("a double-quoted JavaScript string in {}", script()),
            Inner::JsSingleQuoted => format!("a single-quoted JavaScript string in {}", script()),
            Inner::JsTemplate => format!("a JavaScript template literal in {}", script()),
            Inner::JsRegex => format!("a JavaScript regular expression in {}", script()),
            Inner::Css => format!("CSS in {}", style()),
            Inner::CssDoubleQuoted => format!("a double-quoted CSS string in {}", style()),
            Inner::CssSingleQuoted => format!("a single-quoted CSS string in {}", style()),
        }
    }
}

fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

/// Why a value cannot stand somewhere: "a value cannot stand in {place}: {why}".
#[derive(Debug)]
pub(super) struct Refusal {
    pub(super) place: String,
    pub(super) why: &'static str,
}

pub(super) fn refusal<T>(place: impl Into<String>, why: &'static str) -> Result<T, Refusal> {
    Err(Refusal {
        place: place.into(),
        why,
    })
}

pub(super) const NO_ESCAPING: &str = "no escaping makes it safe";
pub(super) const RAW_TEXT: &str = "its content is raw text that no escaping makes safe";
