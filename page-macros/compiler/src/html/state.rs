//! Where the tokenizer is in a page, and the context of a value written there.

use std::mem;

use super::context::{refusal, Context, Inner, Outer, Refusal, NO_ESCAPING, RAW_TEXT};
use super::css::Css;
use super::js::Js;
use super::url::Url;
use crate::attrs::{self, AttrKind};

/// A language inside HTML that the tracker follows character by character: URLs,
/// JavaScript and CSS.
pub(super) trait Language {
    /// Reads one character; an error is a problem with the page's static text.
    fn push(&mut self, c: char) -> Result<(), &'static str>;
    /// The context of a value written here, or why none can stand here.
    fn context(&self) -> Result<Inner, Refusal>;
    /// Moves past a value written here: the value is an opaque run of characters.
    fn after_value(&mut self);
}

/// Where the tokenizer is in the page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) enum State {
    /// Element content.
    #[default]
    Text,
    /// A `<` (or `</`) ended the previous text: what follows decides what it opens.
    Lt {
        end: bool,
    },
    /// `<!-- … -->`.
    Comment,
    /// `<!DOCTYPE …>`, `<?…>`, `</ …>`: everything up to the next `>`.
    Declaration,
    /// `<![CDATA[ … ]]>`.
    Cdata,
    TagName(Tag),
    /// Inside a tag, after its name.
    InTag(Tag, TagPos),
    /// The content of an element that only its end tag (named here) ends.
    Raw(&'static str, Body),
    /// After `<plaintext>`: nothing ends it.
    Plaintext,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Tag {
    /// Lowercased.
    pub(super) name: String,
    pub(super) end: bool,
    /// The static `type` attribute, lowercased; `None` when absent or computed.
    pub(super) script_type: Option<String>,
    /// Whether the static `method` attribute is `post`.
    pub(super) post: bool,
    /// The attributes of a form or form field, for its constraints: `None` when computed
    /// or different between branches. Not part of the tag's state: two branches that
    /// differ only here are joined (see `merge`).
    pub(super) attrs: Attrs,
}

/// Attributes by name, with their static values (`None`: computed).
pub type Attrs = Vec<(String, Option<String>)>;

impl PartialEq for Tag {
    fn eq(&self, other: &Self) -> bool {
        (&self.name, self.end, &self.script_type, self.post)
            == (&other.name, other.end, &other.script_type, other.post)
    }
}

impl Eq for Tag {}

/// The tags whose attributes [`Tag::attrs`] keeps.
pub(super) fn is_form_tag(name: &str) -> bool {
    matches!(name, "form" | "input" | "textarea" | "select")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TagPos {
    /// Between attributes.
    Attrs,
    AttrName(String),
    /// Whitespace after an attribute name: a `=` may still follow.
    AfterName(String),
    /// After an attribute name written in only some branches: a `=` would start a
    /// value in some branches and an attribute name in others.
    BranchName {
        spaced: bool,
    },
    /// After `=`, before the value.
    BeforeValue(String),
    Value(Value),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Value {
    pub(super) name: String,
    pub(super) delim: Delim,
    pub(super) lang: Lang,
    /// The value's static text; `None` once a value is written in it.
    pub(super) capture: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Delim {
    Double,
    Single,
    Unquoted,
}

/// What an attribute value holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Lang {
    Plain,
    Url(Url),
    Js(Js),
    Css(Css),
    /// A value no page text can make safe (`srcdoc`, `http-equiv`, …).
    Refused(AttrKind),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Body {
    Rcdata,
    Js(Js),
    Css(Css),
    /// `<xmp>`, `<iframe>`, `<noembed>`, `<noframes>`.
    RawText,
    /// A `<script>` whose static type is not JavaScript.
    OtherScript(String),
}

fn element(inner: Inner) -> Result<Context, Refusal> {
    Ok(Context {
        inner,
        outer: Outer::Element,
    })
}

pub(super) fn classify(state: &State) -> Result<Context, Refusal> {
    match state {
        State::Text => element(Inner::Text),
        State::Lt { .. } => refusal(
            "the place right after a `<`",
            "it would become part of a tag name",
        ),
        State::Comment => refusal("an HTML comment", NO_ESCAPING),
        State::Declaration => refusal("a `<!…>` or `<?…>` declaration", NO_ESCAPING),
        State::Cdata => refusal("a CDATA section", NO_ESCAPING),
        State::TagName(tag) => refusal(
            format!("the tag name `{}`", tag.opening()),
            "tags cannot be chosen at run time; to add attributes, leave a space before \
             the value",
        ),
        State::InTag(tag, pos) => tag_context(tag, pos),
        State::Raw(end, body) => body_context(end, body),
        State::Plaintext => refusal("the content of a <plaintext> element", RAW_TEXT),
    }
}

fn tag_context(tag: &Tag, pos: &TagPos) -> Result<Context, Refusal> {
    match pos {
        TagPos::Attrs | TagPos::AfterName(_) | TagPos::BranchName { spaced: true } => {
            if tag.end {
                refusal(
                    format!("the end tag `{}>`", tag.opening()),
                    "end tags take no attributes",
                )
            } else {
                element(Inner::AttrSet)
            }
        }
        TagPos::AttrName(name) => refusal(
            format!("the attribute name `{name}`"),
            "attribute names cannot be chosen at run time; write `name=\"<%= value %>\"`, \
             or leave a space before an attribute set",
        ),
        TagPos::BranchName { spaced: false } => refusal(
            "an attribute name written inside a branch",
            "leave a space between the branch and the value",
        ),
        TagPos::BeforeValue(name) => Value::new(name.clone(), Delim::Unquoted).context(),
        TagPos::Value(value) => value.context(),
    }
}

fn body_context(end: &str, body: &Body) -> Result<Context, Refusal> {
    match body {
        Body::Rcdata => element(Inner::Rcdata),
        Body::Js(js) => element(js.context()?),
        Body::Css(css) => element(css.context()?),
        Body::RawText => refusal(format!("the content of a <{end}> element"), RAW_TEXT),
        Body::OtherScript(kind) => refusal(
            format!("a <script type=\"{kind}\"> element"),
            "its content is not JavaScript, so no escaping is known to be safe for it",
        ),
    }
}

impl State {
    /// Moves past a value written here: the value is an opaque run of characters.
    pub(super) fn after_value(&mut self) {
        match self {
            State::InTag(_, pos) => match pos {
                TagPos::BeforeValue(name) => {
                    let mut value = Value::new(mem::take(name), Delim::Unquoted);
                    value.after_value();
                    *pos = TagPos::Value(value);
                }
                TagPos::AfterName(_) | TagPos::BranchName { .. } => *pos = TagPos::Attrs,
                TagPos::Value(value) => value.after_value(),
                TagPos::Attrs | TagPos::AttrName(_) => {}
            },
            State::Raw(_, body) => {
                if let Some(language) = body.language() {
                    language.after_value();
                }
            }
            _ => {}
        }
    }
}

impl Body {
    pub(super) fn language(&mut self) -> Option<&mut dyn Language> {
        match self {
            Body::Js(js) => Some(js),
            Body::Css(css) => Some(css),
            Body::Rcdata | Body::RawText | Body::OtherScript(_) => None,
        }
    }
}

impl Tag {
    pub(super) fn new(end: bool) -> Self {
        Self {
            end,
            ..Self::default()
        }
    }

    pub(super) fn opening(&self) -> String {
        let slash = if self.end { "/" } else { "" };
        format!("<{slash}{}", self.name)
    }

    /// Records the attributes that matter once the tag ends; `value` is `None` when
    /// computed at run time.
    pub(super) fn set_attr(&mut self, name: &str, value: Option<String>) {
        if is_form_tag(&self.name) && !self.end {
            self.attrs.push((name.to_owned(), value.clone()));
        }
        match name {
            "type" => self.script_type = value.map(|v| v.trim().to_ascii_lowercase()),
            "method" => self.post = value.is_some_and(|v| v.eq_ignore_ascii_case("post")),
            _ => {}
        }
    }

    /// The state after the `>` of this tag.
    pub(super) fn content(self) -> State {
        if self.end {
            return State::Text;
        }
        match self.name.as_str() {
            "script" => match self.script_type {
                Some(kind) if !is_js_type(&kind) => State::Raw("script", Body::OtherScript(kind)),
                _ => State::Raw("script", Body::Js(Js::new())),
            },
            "style" => State::Raw("style", Body::Css(Css::new())),
            "title" => State::Raw("title", Body::Rcdata),
            "textarea" => State::Raw("textarea", Body::Rcdata),
            "xmp" => State::Raw("xmp", Body::RawText),
            "iframe" => State::Raw("iframe", Body::RawText),
            "noembed" => State::Raw("noembed", Body::RawText),
            "noframes" => State::Raw("noframes", Body::RawText),
            "plaintext" => State::Plaintext,
            _ => State::Text,
        }
    }
}

/// Script types whose content is JavaScript, or JSON (a subset of JavaScript values).
fn is_js_type(kind: &str) -> bool {
    const TYPES: &[&str] = &[
        "",
        "module",
        "application/ecmascript",
        "application/javascript",
        "application/x-ecmascript",
        "application/x-javascript",
        "text/ecmascript",
        "text/javascript",
        "text/javascript1.0",
        "text/javascript1.1",
        "text/javascript1.2",
        "text/javascript1.3",
        "text/javascript1.4",
        "text/javascript1.5",
        "text/jscript",
        "text/livescript",
        "text/x-ecmascript",
        "text/x-javascript",
        "application/json",
        "application/ld+json",
        "importmap",
        "speculationrules",
    ];
    let essence = kind.split(';').next().unwrap_or_default().trim();
    TYPES.contains(&essence)
}

impl Value {
    pub(super) fn new(name: String, delim: Delim) -> Self {
        let lang = match attrs::kind(&name) {
            AttrKind::Plain => Lang::Plain,
            AttrKind::Url => Lang::Url(Url::Start),
            // An image candidate never runs a script: its URLs need no scheme check.
            AttrKind::Srcset => Lang::Url(Url::Rest),
            AttrKind::Script => Lang::Js(Js::new()),
            AttrKind::Style => Lang::Css(Css::new()),
            refused @ (AttrKind::Document | AttrKind::Unsafe) => Lang::Refused(refused),
        };
        let capture = Some(String::new());
        Self {
            name,
            delim,
            lang,
            capture,
        }
    }

    fn language(&mut self) -> Option<&mut dyn Language> {
        match &mut self.lang {
            Lang::Url(url) => Some(url),
            Lang::Js(js) => Some(js),
            Lang::Css(css) => Some(css),
            Lang::Plain | Lang::Refused(_) => None,
        }
    }

    pub(super) fn context(&self) -> Result<Context, Refusal> {
        let inner = match &self.lang {
            Lang::Plain => Inner::Attr,
            Lang::Url(url) => url.context()?,
            Lang::Js(js) => js.context()?,
            Lang::Css(css) => css.context()?,
            Lang::Refused(AttrKind::Document) => {
                return refusal(
                    "a srcdoc attribute",
                    "its value is an HTML document that the browser parses again, where \
                     attribute escaping is not enough",
                )
            }
            Lang::Refused(_) => {
                return refusal(
                    format!("the `{}` attribute", self.name),
                    "it can make the browser load or change anything (a refresh to any URL, \
                     an animated `href`), whatever the value's escaping",
                )
            }
        };
        let outer = match self.delim {
            Delim::Double => Outer::DoubleQuoted,
            Delim::Single => Outer::SingleQuoted,
            Delim::Unquoted => Outer::Unquoted,
        };
        Ok(Context { inner, outer })
    }

    /// Reads one (decoded) character of the value.
    pub(super) fn push(&mut self, c: char) -> Result<(), &'static str> {
        if let Some(text) = &mut self.capture {
            text.push(c);
        }
        self.language().map_or(Ok(()), |language| language.push(c))
    }

    pub(super) fn after_value(&mut self) {
        self.capture = None;
        if let Some(language) = self.language() {
            language.after_value();
        }
    }
}
