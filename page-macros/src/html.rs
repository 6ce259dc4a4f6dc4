//! Contextual auto-escaping, decided at compile time.
//!
//! A small HTML tokenizer, with JavaScript, CSS and URL tokenizers inside it (in the
//! spirit of Go's html/template), follows the static text of a page and tells, for each
//! `<%= %>` value, which escaper the generated code must call. A value is an opaque
//! run of characters of its context: it never changes the context, except that it
//! starts an unquoted attribute value, ends the start of a URL and stands for an
//! operand in JavaScript.
//!
//! Decisions:
//! - Character references in attribute values are decoded (numeric ones, and every
//!   named one that stands for an ASCII character), so the value in
//!   `onclick="f(&quot;<%= x %>&quot;)"` is in a JavaScript string, as the browser sees it.
//! - `srcset` values are URL parts everywhere: an image never runs a `javascript:` URL,
//!   and the URL-part escaper keeps a value from adding image candidates.
//! - Values are refused after a static `javascript:` or `vbscript:` scheme, in `srcdoc`,
//!   in an unquoted CSS `url(…)`, in comments, and in raw text other than script and
//!   style (`<xmp>`, `<iframe>`, `<noembed>`, `<noframes>`, `<plaintext>`).
//! - A `<script>` is JavaScript without a `type`, with a JavaScript MIME type, `module`,
//!   a JSON type (`application/json`, `application/ld+json`, `importmap`,
//!   `speculationrules`), or a type computed at run time (JavaScript escaping is safe
//!   in any script). Values in a script of any other static type are refused.
//! - A page may end anywhere, even inside a tag: partial markup is a legitimate
//!   `html!` fragment.
//! - A `{ … }` block of code spanning static text must end in the context it starts
//!   in, with three relaxations taken from Go: a branch may add attribute names
//!   (`<input <% if c { %>checked<% } %>>`); JavaScript may end before a division in
//!   one branch and before a regular expression in the other (a `/` right after is then
//!   an error); a URL may have started or not (a value right after is then an error).
//!
//! What the escapers must guarantee for these contexts to be safe:
//! - `url_part` percent-encodes at least `:`, whitespace and `,` (a value may follow a
//!   partial scheme, as in `href="java<%= x %>"`, or stand in a `srcset`);
//! - `js` and the JS string escapers write JSON-compatible literals (`\uXXXX` escapes
//!   only), since JSON scripts use them;
//! - `js_regex` never writes an empty pattern or a leading `*` (`/` + value must not
//!   open a comment); `js_template` escapes `` ` ``, `$`, `{` and `}`.

use std::mem;

use crate::lex::{braces, Brace, Token, TokenKind};
use crate::source::Diagnostic;

/// Where a value is written: codegen calls the escaper for `(inner, outer)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Context {
    pub(crate) inner: Inner,
    pub(crate) outer: Outer,
}

/// The HTML around a value: element content, or an attribute value with its quoting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outer {
    Element,
    DoubleQuoted,
    SingleQuoted,
    Unquoted,
}

/// The language a value is written in, inside its [`Outer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inner {
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
    pub(crate) fn name(self) -> &'static str {
        match self {
            Inner::Text => "text",
            Inner::Rcdata => "rcdata",
            Inner::Attr => "attr",
            Inner::Url => "url",
            Inner::UrlPart => "url_part",
            Inner::Js => "js",
            Inner::JsDoubleQuoted => "js_dq",
            Inner::JsSingleQuoted => "js_sq",
            Inner::JsTemplate => "js_template",
            Inner::JsRegex => "js_regex",
            Inner::Css => "css",
            Inner::CssDoubleQuoted => "css_dq",
            Inner::CssSingleQuoted => "css_sq",
            Inner::AttrSet => "attrs",
        }
    }
}

impl Outer {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Outer::Element => "element",
            Outer::DoubleQuoted => "dq",
            Outer::SingleQuoted => "sq",
            Outer::Unquoted => "unquoted",
        }
    }
}

impl Context {
    /// A human name for messages, such as "a double-quoted URL attribute value".
    pub(crate) fn describe(&self) -> String {
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

/// The context of every `<%= %>` value of the page, in order, or every place where a
/// value cannot stand and every block that ends in another context than it starts in.
pub(crate) fn contexts(tokens: &[Token]) -> Result<Vec<Context>, Vec<Diagnostic>> {
    let tracker = track(tokens);
    if tracker.errors.is_empty() {
        Ok(tracker.contexts)
    } else {
        Err(tracker.errors)
    }
}

/// Where to insert the CSRF field of each `<form>` whose static `method` is `post` (any
/// case, any quoting): `(index of a Text token, byte index in its text)`, right after
/// the `>` that ends the start tag. A method computed at run time is not detected.
pub(crate) fn post_forms(tokens: &[Token]) -> Vec<(usize, usize)> {
    track(tokens).post_forms
}

/// Why a value cannot stand somewhere: "a value cannot stand in {place}: {why}".
#[derive(Debug)]
struct Refusal {
    place: String,
    why: &'static str,
}

fn refusal<T>(place: impl Into<String>, why: &'static str) -> Result<T, Refusal> {
    Err(Refusal {
        place: place.into(),
        why,
    })
}

const NO_ESCAPING: &str = "no escaping makes it safe";
const RAW_TEXT: &str = "its content is raw text that no escaping makes safe";

/// Where the tokenizer is in the page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum State {
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

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Tag {
    /// Lowercased.
    name: String,
    end: bool,
    /// The static `type` attribute, lowercased; `None` when absent or computed.
    script_type: Option<String>,
    /// Whether the static `method` attribute is `post`.
    post: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum TagPos {
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
struct Value {
    name: String,
    delim: Delim,
    lang: Lang,
    /// The text of a `type` or `method` value; `None` for other attributes or when a
    /// value is written in it.
    capture: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delim {
    Double,
    Single,
    Unquoted,
}

/// What an attribute value holds.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Lang {
    Plain,
    Url(Url),
    Js(Js),
    Css(Css),
    /// A whole HTML document, parsed again by the browser.
    Srcdoc,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Body {
    Rcdata,
    Js(Js),
    Css(Css),
    /// `<xmp>`, `<iframe>`, `<noembed>`, `<noframes>`.
    RawText,
    /// A `<script>` whose static type is not JavaScript.
    OtherScript(String),
}

/// How far a URL attribute value got.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Url {
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

#[derive(Debug, Clone, PartialEq, Eq)]
struct Js {
    state: JsState,
    /// One entry per open `${` of template literals: the `{` opened since.
    braces: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum JsState {
    Expr(Last),
    /// A `/` whose meaning the next character decides; holds a settled [`Last`].
    Slash(Last),
    String {
        quote: char,
        escaped: bool,
    },
    Template {
        escaped: bool,
        dollar: bool,
    },
    Regex {
        escaped: bool,
        class: bool,
    },
    LineComment(Last),
    BlockComment {
        last: Last,
        star: bool,
    },
}

/// What precedes in JavaScript code, to tell a regular expression from a division.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Last {
    /// A `/` here starts a regular expression.
    Regex,
    /// A `/` here is a division.
    Div,
    /// Branches disagree.
    Unknown,
    /// An identifier, keyword or number being read (its first characters).
    Word(String),
    /// A run of `+` or `-`: an odd run ends with an operator, an even one with `++`/`--`.
    Sign { sign: char, odd: bool },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Css {
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

/// One move of the tokenizer: the new state and how many bytes it consumed. Zero
/// bytes means the same character is read again in the new state.
struct Step {
    state: State,
    len: usize,
    event: Option<Event>,
}

enum Event {
    /// The `>` of a `<form method=post>` start tag.
    PostForm,
    Problem(&'static str),
}

impl Step {
    fn to(state: State, len: usize) -> Self {
        Self {
            state,
            len,
            event: None,
        }
    }

    fn with(mut self, event: Option<Event>) -> Self {
        self.event = event;
        self
    }

    fn shift(mut self, len: usize) -> Self {
        self.len += len;
        self
    }
}

fn problem(result: Result<(), &'static str>) -> Option<Event> {
    result.err().map(Event::Problem)
}

const AMBIGUOUS_SLASH: &str = "the `/` just before this could start a regular expression or \
     be a division, depending on the branch taken before it: add parentheses or a \
     semicolon so the page compiler can tell";
const BRANCH_NAME_VALUE: &str = "this `=` follows an attribute name written inside a branch: \
     when the branch is not taken it would not start a value; write the whole attribute \
     inside the branch";

/// The pass over a page.
#[derive(Default)]
struct Tracker {
    state: State,
    /// The state at each open `{` of the code.
    blocks: Vec<State>,
    contexts: Vec<Context>,
    post_forms: Vec<(usize, usize)>,
    errors: Vec<Diagnostic>,
}

fn track(tokens: &[Token]) -> Tracker {
    let mut tracker = Tracker::default();
    for (index, token) in tokens.iter().enumerate() {
        match &token.kind {
            TokenKind::Text(text) => tracker.text(index, token.span.start, text),
            TokenKind::Expr { .. } => tracker.value(token.span.start),
            TokenKind::Code { code, offset } => tracker.code(code, *offset),
        }
    }
    tracker
}

impl Tracker {
    fn text(&mut self, index: usize, start: usize, text: &str) {
        let mut pos = 0;
        while let Some(c) = text[pos..].chars().next() {
            let moved = step(mem::take(&mut self.state), c, &text[pos..]);
            self.state = moved.state;
            match moved.event {
                Some(Event::PostForm) => self.post_forms.push((index, pos + moved.len)),
                // The lexer may have trimmed the text, so the offset is close, not exact.
                Some(Event::Problem(message)) => {
                    self.errors.push(Diagnostic::new(start + pos, message));
                }
                None => {}
            }
            pos += moved.len;
        }
    }

    fn value(&mut self, offset: usize) {
        match classify(&self.state) {
            Ok(context) => self.contexts.push(context),
            Err(Refusal { place, why }) => self.errors.push(Diagnostic::new(
                offset,
                format!("a value cannot stand in {place}: {why}"),
            )),
        }
        self.state.after_value();
    }

    fn code(&mut self, code: &str, offset: usize) {
        for (at, brace) in braces(code) {
            match brace {
                Brace::Open => self.blocks.push(self.state.clone()),
                // An unmatched `}` is a Rust error: rustc reports it.
                Brace::Close => {
                    if let Some(start) = self.blocks.pop() {
                        self.close_block(&start, offset + at);
                    }
                }
            }
        }
    }

    fn close_block(&mut self, start: &State, offset: usize) {
        match merge(start, &self.state) {
            Some(state) => self.state = state,
            None => {
                let message = mismatch(start, &self.state);
                self.errors.push(Diagnostic::new(offset, message));
            }
        }
    }
}

fn mismatch(start: &State, end: &State) -> String {
    const RULE: &str = "branches and loop bodies must end in the context they start in";
    let (from, to) = (place(start), place(end));
    if from == to {
        format!(
            "this block starts and ends in {from}, but changes what the page compiler \
             tracks there (a tag name, a `<script type>`, a `<form method>`, a URL \
             scheme, JavaScript nesting): {RULE}"
        )
    } else {
        format!("this block starts in {from} but ends in {to}: {RULE}")
    }
}

/// A human name for any state.
fn place(state: &State) -> String {
    match classify(state) {
        Ok(context) => context.describe(),
        Err(refusal) => refusal.place,
    }
}

// ---------------------------------------------------------------- joining branches

/// The state after a block that started in `start` and ended in `end`, if the two
/// agree (see the module documentation for the tolerated differences).
fn merge(start: &State, end: &State) -> Option<State> {
    if start == end {
        return Some(end.clone());
    }
    join_part(start, end, tag_pos, join_pos)
        .or_else(|| join_part(start, end, js_last, join_last))
        .or_else(|| join_part(start, end, css_word, join_word))
        .or_else(|| join_part(start, end, url, join_url))
        .or_else(|| join_part(start, end, capture, join_capture))
}

/// Joins `a` and `b` if they differ only in the part that `part` selects.
fn join_part<T: Clone>(
    a: &State,
    b: &State,
    part: fn(&mut State) -> Option<&mut T>,
    join: fn(T, T) -> Option<T>,
) -> Option<State> {
    let (mut a, mut b) = (a.clone(), b.clone());
    let joined = join(part(&mut a)?.clone(), part(&mut b)?.clone())?;
    *part(&mut a)? = joined.clone();
    *part(&mut b)? = joined;
    (a == b).then_some(b)
}

fn tag_pos(state: &mut State) -> Option<&mut TagPos> {
    match state {
        State::InTag(_, pos) => Some(pos),
        _ => None,
    }
}

fn attr(state: &mut State) -> Option<&mut Value> {
    match tag_pos(state)? {
        TagPos::Value(value) => Some(value),
        _ => None,
    }
}

fn js_last(state: &mut State) -> Option<&mut Last> {
    let js = match state {
        State::Raw(_, Body::Js(js)) => js,
        _ => match &mut attr(state)?.lang {
            Lang::Js(js) => js,
            _ => return None,
        },
    };
    match &mut js.state {
        JsState::Expr(last) => Some(last),
        _ => None,
    }
}

fn css_word(state: &mut State) -> Option<&mut String> {
    let css = match state {
        State::Raw(_, Body::Css(css)) => css,
        _ => match &mut attr(state)?.lang {
            Lang::Css(css) => css,
            _ => return None,
        },
    };
    match css {
        Css::Value { word } => Some(word),
        _ => None,
    }
}

fn url(state: &mut State) -> Option<&mut Url> {
    match &mut attr(state)?.lang {
        Lang::Url(url) => Some(url),
        _ => None,
    }
}

fn capture(state: &mut State) -> Option<&mut Option<String>> {
    Some(&mut attr(state)?.capture)
}

fn join_pos(a: TagPos, b: TagPos) -> Option<TagPos> {
    if a == b {
        return Some(b);
    }
    let spaced = |pos: &TagPos| match pos {
        TagPos::Attrs | TagPos::AfterName(_) => Some(true),
        TagPos::AttrName(_) => Some(false),
        TagPos::BranchName { spaced } => Some(*spaced),
        _ => None,
    };
    Some(TagPos::BranchName {
        spaced: spaced(&a)? && spaced(&b)?,
    })
}

fn join_last(a: Last, b: Last) -> Option<Last> {
    let (a, b) = (a.settled(), b.settled());
    Some(if a == b { b } else { Last::Unknown })
}

/// A word read in only some branches may be `url`: assume it is, so that values in
/// an unquoted `(…)` after it are refused.
fn join_word(a: String, b: String) -> Option<String> {
    Some(if a == b { b } else { "url".to_owned() })
}

fn join_url(a: Url, b: Url) -> Option<Url> {
    match (a, b) {
        (a, b) if a == b => Some(b),
        (
            Url::Start | Url::Rest | Url::Ambiguous | Url::AfterValue,
            Url::Start | Url::Rest | Url::Ambiguous | Url::AfterValue,
        ) => Some(Url::Ambiguous),
        _ => None,
    }
}

/// A `type` or `method` that differs between branches is as good as computed.
fn join_capture(a: Option<String>, b: Option<String>) -> Option<Option<String>> {
    Some(if a == b { b } else { None })
}

// ---------------------------------------------------------------- contexts of values

fn element(inner: Inner) -> Result<Context, Refusal> {
    Ok(Context {
        inner,
        outer: Outer::Element,
    })
}

fn classify(state: &State) -> Result<Context, Refusal> {
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
    fn after_value(&mut self) {
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
            State::Raw(_, Body::Js(js)) => js.after_value(),
            State::Raw(_, Body::Css(css)) => css.after_value(),
            _ => {}
        }
    }
}

// ---------------------------------------------------------------- HTML

fn is_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ')
}

/// Reads `c`, the first character of `rest`.
fn step(state: State, c: char, rest: &str) -> Step {
    match state {
        State::Text => text(rest),
        State::Lt { end } => lt(end, Some(c)),
        State::Comment => until(State::Comment, rest, &["-->", "--!>"]),
        State::Declaration => until(State::Declaration, rest, &[">"]),
        State::Cdata => until(State::Cdata, rest, &["]]>"]),
        State::TagName(tag) => tag_name(tag, c),
        State::InTag(tag, pos) => in_tag(tag, pos, c, rest),
        State::Raw(end, body) => raw(end, body, c, rest),
        State::Plaintext => Step::to(State::Plaintext, rest.len()),
    }
}

fn text(rest: &str) -> Step {
    match rest.find('<') {
        Some(0) => open(rest),
        Some(n) => Step::to(State::Text, n),
        None => Step::to(State::Text, rest.len()),
    }
}

/// At a `<` in text.
fn open(rest: &str) -> Step {
    let after = &rest[1..];
    if let Some(comment) = after.strip_prefix("!--") {
        // `<!-->` and `<!--->` are whole (empty) comments.
        return if comment.starts_with('>') {
            Step::to(State::Text, 5)
        } else if comment.starts_with("->") {
            Step::to(State::Text, 6)
        } else {
            Step::to(State::Comment, 4)
        };
    }
    if after.starts_with("![CDATA[") {
        return Step::to(State::Cdata, 9);
    }
    lt(false, after.chars().next()).shift(1)
}

/// After `<` (or `</` when `end`), at `next`.
fn lt(end: bool, next: Option<char>) -> Step {
    match next {
        Some(c) if c.is_ascii_alphabetic() => Step::to(State::TagName(Tag::new(end)), 0),
        Some('/') if !end => Step::to(State::Lt { end: true }, 1),
        Some('!' | '?') if !end => Step::to(State::Declaration, 1),
        Some('>') if end => Step::to(State::Text, 1),
        Some(_) if end => Step::to(State::Declaration, 0),
        Some(_) => Step::to(State::Text, 0),
        // The text ends here: the next text decides.
        None => Step::to(State::Lt { end }, 0),
    }
}

/// Skips to the end of the first of `ends`, back to text.
fn until(state: State, rest: &str, ends: &[&str]) -> Step {
    let found = ends
        .iter()
        .filter_map(|end| rest.find(end).map(|at| at + end.len()))
        .min();
    match found {
        Some(len) => Step::to(State::Text, len),
        None => Step::to(state, rest.len()),
    }
}

fn tag_name(mut tag: Tag, c: char) -> Step {
    match c {
        '>' => close_tag(tag),
        c if is_space(c) || c == '/' => Step::to(State::InTag(tag, TagPos::Attrs), 1),
        c => {
            tag.name.push(c.to_ascii_lowercase());
            Step::to(State::TagName(tag), c.len_utf8())
        }
    }
}

/// At the `>` that ends a tag.
fn close_tag(tag: Tag) -> Step {
    let post_form = !tag.end && tag.post && tag.name == "form";
    Step::to(tag.content(), 1).with(post_form.then_some(Event::PostForm))
}

fn in_tag(mut tag: Tag, pos: TagPos, c: char, rest: &str) -> Step {
    let (pos, len) = match pos {
        TagPos::Attrs => match c {
            '>' => return close_tag(tag),
            c if is_space(c) || c == '/' => (TagPos::Attrs, 1),
            _ => (TagPos::AttrName(String::new()), 0),
        },
        TagPos::BranchName { spaced } => match c {
            '=' => {
                let name = TagPos::AttrName("=".to_owned());
                return Step::to(State::InTag(tag, name), 1)
                    .with(Some(Event::Problem(BRANCH_NAME_VALUE)));
            }
            c if is_space(c) => (TagPos::BranchName { spaced: true }, 1),
            _ if spaced => (TagPos::Attrs, 0),
            _ => (TagPos::AttrName(String::new()), 0),
        },
        TagPos::AttrName(mut name) => match c {
            // A `=` first is part of the name.
            '=' if !name.is_empty() => (TagPos::BeforeValue(name), 1),
            '/' | '>' => {
                tag.set_attr(&name, Some(String::new()));
                (TagPos::Attrs, 0)
            }
            c if is_space(c) => (TagPos::AfterName(name), 1),
            c => {
                name.push(c.to_ascii_lowercase());
                (TagPos::AttrName(name), c.len_utf8())
            }
        },
        TagPos::AfterName(name) => match c {
            '=' => (TagPos::BeforeValue(name), 1),
            c if is_space(c) => (TagPos::AfterName(name), 1),
            _ => {
                tag.set_attr(&name, Some(String::new()));
                (TagPos::Attrs, 0)
            }
        },
        TagPos::BeforeValue(name) => match c {
            c if is_space(c) => (TagPos::BeforeValue(name), 1),
            '"' => (TagPos::Value(Value::new(name, Delim::Double)), 1),
            '\'' => (TagPos::Value(Value::new(name, Delim::Single)), 1),
            '>' => {
                tag.set_attr(&name, Some(String::new()));
                return close_tag(tag);
            }
            _ => (TagPos::Value(Value::new(name, Delim::Unquoted)), 0),
        },
        TagPos::Value(value) => return attr_value(tag, value, c, rest),
    };
    Step::to(State::InTag(tag, pos), len)
}

fn attr_value(mut tag: Tag, mut value: Value, c: char, rest: &str) -> Step {
    let ends = match value.delim {
        Delim::Double => c == '"',
        Delim::Single => c == '\'',
        Delim::Unquoted => is_space(c) || c == '>',
    };
    if ends {
        tag.set_attr(&value.name, value.capture);
        // The `>` that ends an unquoted value ends the tag too: read it again.
        let len = if c == '>' { 0 } else { 1 };
        return Step::to(State::InTag(tag, TagPos::Attrs), len);
    }
    let (decoded, len) = if c == '&' {
        char_ref(rest)
    } else {
        (c, c.len_utf8())
    };
    let result = value.push(decoded);
    Step::to(State::InTag(tag, TagPos::Value(value)), len).with(problem(result))
}

/// In the content of a raw-text or RCDATA element, which only `</end` ends, even
/// inside a JavaScript or CSS string (as in browsers).
fn raw(end: &'static str, body: Body, c: char, rest: &str) -> Step {
    if c == '<' && closes(rest, end) {
        return Step::to(State::TagName(Tag::new(true)), 2);
    }
    let len = c.len_utf8();
    match body {
        Body::Js(mut js) => {
            let result = js.push(c);
            Step::to(State::Raw(end, Body::Js(js)), len).with(problem(result))
        }
        Body::Css(mut css) => {
            css.push(c);
            Step::to(State::Raw(end, Body::Css(css)), len)
        }
        body => {
            let len = rest[len..].find('<').map_or(rest.len(), |at| at + len);
            Step::to(State::Raw(end, body), len)
        }
    }
}

/// Whether `rest` starts with the end tag `</name`, in any case.
fn closes(rest: &str, name: &str) -> bool {
    let bytes = rest.as_bytes();
    let after = 2 + name.len();
    bytes.len() >= after
        && bytes.starts_with(b"</")
        && bytes[2..after].eq_ignore_ascii_case(name.as_bytes())
        && match bytes.get(after) {
            None => true,
            Some(&b) => b == b'/' || b == b'>' || is_space(char::from(b)),
        }
}

impl Tag {
    fn new(end: bool) -> Self {
        Self {
            end,
            ..Self::default()
        }
    }

    fn opening(&self) -> String {
        let slash = if self.end { "/" } else { "" };
        format!("<{slash}{}", self.name)
    }

    /// Records the attributes that matter once the tag ends; `value` is `None` when
    /// computed at run time.
    fn set_attr(&mut self, name: &str, value: Option<String>) {
        match name {
            "type" => self.script_type = value.map(|v| v.trim().to_ascii_lowercase()),
            "method" => self.post = value.is_some_and(|v| v.eq_ignore_ascii_case("post")),
            _ => {}
        }
    }

    /// The state after the `>` of this tag.
    fn content(self) -> State {
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

/// The attributes whose value is a URL (`srcset` is handled apart).
const URL_ATTRS: &[&str] = &[
    "action",
    "archive",
    "background",
    "cite",
    "classid",
    "codebase",
    "data",
    "formaction",
    "href",
    "icon",
    "longdesc",
    "manifest",
    "ping",
    "poster",
    "profile",
    "src",
    "usemap",
    "xlink:href",
];

impl Value {
    fn new(name: String, delim: Delim) -> Self {
        let lang = match name.as_str() {
            "style" => Lang::Css(Css::new()),
            "srcdoc" => Lang::Srcdoc,
            // An image candidate never runs a script: its URLs need no scheme check.
            "srcset" => Lang::Url(Url::Rest),
            _ if name.starts_with("on") => Lang::Js(Js::new()),
            _ if URL_ATTRS.contains(&name.as_str()) => Lang::Url(Url::Start),
            _ => Lang::Plain,
        };
        let capture = matches!(name.as_str(), "type" | "method").then(String::new);
        Self {
            name,
            delim,
            lang,
            capture,
        }
    }

    fn context(&self) -> Result<Context, Refusal> {
        let inner = match &self.lang {
            Lang::Plain => Inner::Attr,
            Lang::Url(url) => url.context()?,
            Lang::Js(js) => js.context()?,
            Lang::Css(css) => css.context()?,
            Lang::Srcdoc => {
                return refusal(
                    "a srcdoc attribute",
                    "its value is an HTML document that the browser parses again, where \
                     attribute escaping is not enough",
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
    fn push(&mut self, c: char) -> Result<(), &'static str> {
        if let Some(text) = &mut self.capture {
            text.push(c);
        }
        match &mut self.lang {
            Lang::Url(url) => return url.push(c),
            Lang::Js(js) => return js.push(c),
            Lang::Css(css) => css.push(c),
            Lang::Plain | Lang::Srcdoc => {}
        }
        Ok(())
    }

    fn after_value(&mut self) {
        self.capture = None;
        match &mut self.lang {
            Lang::Url(url) => url.after_value(),
            Lang::Js(js) => js.after_value(),
            Lang::Css(css) => css.after_value(),
            Lang::Plain | Lang::Srcdoc => {}
        }
    }
}

/// Decodes the character reference at the start of `rest` (which starts with `&`) as
/// in an attribute value: the character and the bytes it takes. Named references
/// that stand for non-ASCII characters are left alone: they cannot change the
/// JavaScript, CSS or URL structure that the tracker follows.
fn char_ref(rest: &str) -> (char, usize) {
    let body = &rest[1..];
    if let Some(number) = body.strip_prefix('#') {
        return numeric_ref(number).map_or(('&', 1), |(c, len)| (c, len + 2));
    }
    let name_len = body
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(body.len());
    let name = &body[..name_len];
    let next = body[name_len..].chars().next();
    let found = NAMED_REFS.iter().find(|(n, _)| *n == name).map(|&(_, c)| c);
    match (found, next) {
        (Some(c), Some(';')) => (c, name_len + 2),
        // Legacy references may omit the `;`, but not before `=` in attributes.
        (Some(c), next) if LEGACY_REFS.contains(&name) && next != Some('=') => (c, name_len + 1),
        _ => ('&', 1),
    }
}

/// A decimal or hexadecimal reference after `&#`: the character and its length.
fn numeric_ref(number: &str) -> Option<(char, usize)> {
    let (digits, radix, prefix) = match number.strip_prefix(['x', 'X']) {
        Some(hex) => (hex, 16, 1),
        None => (number, 10, 0),
    };
    let len = digits
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(digits.len());
    if len == 0 {
        return None;
    }
    let code = digits[..len].chars().try_fold(0u32, |n, d| {
        n.checked_mul(radix)?.checked_add(d.to_digit(radix)?)
    });
    let c = code
        .filter(|&n| n != 0)
        .and_then(char::from_u32)
        .unwrap_or('\u{FFFD}');
    let semicolon = usize::from(digits[len..].starts_with(';'));
    Some((c, prefix + len + semicolon))
}

/// Named references that stand for a string starting with an ASCII character (the
/// first character is enough for the tracker).
const NAMED_REFS: &[(&str, char)] = &[
    ("AMP", '&'),
    ("DiacriticalGrave", '`'),
    ("GT", '>'),
    ("Hat", '^'),
    ("LT", '<'),
    ("NewLine", '\n'),
    ("QUOT", '"'),
    ("Tab", '\t'),
    ("UnderBar", '_'),
    ("VerticalLine", '|'),
    ("amp", '&'),
    ("apos", '\''),
    ("ast", '*'),
    ("bne", '='),
    ("bsol", '\\'),
    ("colon", ':'),
    ("comma", ','),
    ("commat", '@'),
    ("dollar", '$'),
    ("equals", '='),
    ("excl", '!'),
    ("fjlig", 'f'),
    ("grave", '`'),
    ("gt", '>'),
    ("lbrace", '{'),
    ("lbrack", '['),
    ("lcub", '{'),
    ("lowbar", '_'),
    ("lpar", '('),
    ("lsqb", '['),
    ("lt", '<'),
    ("midast", '*'),
    ("num", '#'),
    ("nvgt", '>'),
    ("nvlt", '<'),
    ("percnt", '%'),
    ("period", '.'),
    ("plus", '+'),
    ("quest", '?'),
    ("quot", '"'),
    ("rbrace", '}'),
    ("rbrack", ']'),
    ("rcub", '}'),
    ("rpar", ')'),
    ("rsqb", ']'),
    ("semi", ';'),
    ("sol", '/'),
    ("verbar", '|'),
    ("vert", '|'),
];

/// Those of [`NAMED_REFS`] that are also recognised without a `;`.
const LEGACY_REFS: &[&str] = &["AMP", "GT", "LT", "QUOT", "amp", "gt", "lt", "quot"];

// ---------------------------------------------------------------- URL

impl Url {
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

// ---------------------------------------------------------------- JavaScript

/// Keywords after which a `/` starts a regular expression.
const REGEX_KEYWORDS: &[&str] = &[
    "break",
    "case",
    "continue",
    "delete",
    "do",
    "else",
    "finally",
    "in",
    "instanceof",
    "return",
    "throw",
    "try",
    "typeof",
    "void",
];

impl Last {
    /// Whether a `/` here is a regular expression, division or ambiguous.
    fn settled(self) -> Last {
        match self {
            Last::Word(word) if REGEX_KEYWORDS.contains(&word.as_str()) => Last::Regex,
            Last::Word(_) => Last::Div,
            Last::Sign { odd: true, .. } => Last::Regex,
            Last::Sign { odd: false, .. } => Last::Div,
            last => last,
        }
    }
}

fn is_js_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

impl Js {
    fn new() -> Self {
        Self {
            state: JsState::Expr(Last::Regex),
            braces: Vec::new(),
        }
    }

    fn push(&mut self, c: char) -> Result<(), &'static str> {
        let state = mem::replace(&mut self.state, JsState::Expr(Last::Regex));
        let ambiguous = state == JsState::Slash(Last::Unknown) && c != '/' && c != '*';
        self.state = self.next(state, c);
        if ambiguous {
            Err(AMBIGUOUS_SLASH)
        } else {
            Ok(())
        }
    }

    fn next(&mut self, state: JsState, c: char) -> JsState {
        match state {
            JsState::Expr(last) => self.expr(last, c),
            JsState::Slash(last) => match c {
                '/' => JsState::LineComment(last),
                '*' => JsState::BlockComment { last, star: false },
                _ if last == Last::Regex => self.next(
                    JsState::Regex {
                        escaped: false,
                        class: false,
                    },
                    c,
                ),
                // A division (an ambiguous `/` is reported, then read as one).
                _ => self.expr(Last::Regex, c),
            },
            JsState::String { quote, escaped } => match c {
                _ if escaped => JsState::String {
                    quote,
                    escaped: false,
                },
                '\\' => JsState::String {
                    quote,
                    escaped: true,
                },
                _ if c == quote => JsState::Expr(Last::Div),
                _ => JsState::String { quote, escaped },
            },
            JsState::Template { escaped, dollar } => self.template(escaped, dollar, c),
            JsState::Regex { escaped, class } => match c {
                _ if escaped => JsState::Regex {
                    escaped: false,
                    class,
                },
                '\\' => JsState::Regex {
                    escaped: true,
                    class,
                },
                '/' if !class => JsState::Expr(Last::Div),
                _ => JsState::Regex {
                    escaped: false,
                    class: match c {
                        '[' => true,
                        ']' => false,
                        _ => class,
                    },
                },
            },
            JsState::LineComment(last) => match c {
                '\n' | '\r' | '\u{2028}' | '\u{2029}' => JsState::Expr(last),
                _ => JsState::LineComment(last),
            },
            JsState::BlockComment { last, star } => match c {
                '/' if star => JsState::Expr(last),
                _ => JsState::BlockComment {
                    last,
                    star: c == '*',
                },
            },
        }
    }

    /// Code outside literals and comments.
    fn expr(&mut self, last: Last, c: char) -> JsState {
        let last = match c {
            '"' | '\'' => {
                return JsState::String {
                    quote: c,
                    escaped: false,
                }
            }
            '`' => {
                return JsState::Template {
                    escaped: false,
                    dollar: false,
                }
            }
            '/' => return JsState::Slash(last.settled()),
            // The `}` that closes a `${` goes back into the template literal.
            '}' if self.braces.last() == Some(&0) => {
                self.braces.pop();
                return JsState::Template {
                    escaped: false,
                    dollar: false,
                };
            }
            '{' | '}' => {
                if let Some(depth) = self.braces.last_mut() {
                    if c == '{' {
                        *depth += 1;
                    } else {
                        *depth -= 1;
                    }
                }
                Last::Regex
            }
            c if c.is_whitespace() => last.settled(),
            c if is_js_ident(c) => match last {
                Last::Word(mut word) => {
                    // Longer words are not keywords anyway.
                    if word.len() <= "instanceof".len() {
                        word.push(c);
                    }
                    Last::Word(word)
                }
                _ => Last::Word(c.to_string()),
            },
            // The dot of a number such as `42.`.
            '.' => match last {
                Last::Word(mut word) if word.starts_with(|d: char| d.is_ascii_digit()) => {
                    word.push('.');
                    Last::Word(word)
                }
                _ => Last::Regex,
            },
            '+' | '-' => match last {
                Last::Sign { sign, odd } if sign == c => Last::Sign { sign, odd: !odd },
                _ => Last::Sign { sign: c, odd: true },
            },
            ',' | '<' | '>' | '=' | '*' | '%' | '&' | '|' | '^' | '?' | '!' | '~' | '(' | '['
            | ':' | ';' => Last::Regex,
            _ => Last::Div,
        };
        JsState::Expr(last)
    }

    fn template(&mut self, escaped: bool, dollar: bool, c: char) -> JsState {
        let (escaped, dollar) = match c {
            _ if escaped => (false, false),
            '\\' => (true, false),
            '`' => return JsState::Expr(Last::Div),
            '{' if dollar => {
                self.braces.push(0);
                return JsState::Expr(Last::Regex);
            }
            _ => (false, c == '$'),
        };
        JsState::Template { escaped, dollar }
    }

    fn context(&self) -> Result<Inner, Refusal> {
        match &self.state {
            JsState::Expr(_) | JsState::Slash(Last::Div) => Ok(Inner::Js),
            JsState::Slash(Last::Unknown) => refusal(
                "JavaScript code right after a `/` that starts a regular expression or a \
                 division, depending on the branch taken before it",
                "add parentheses or a semicolon so the page compiler can tell",
            ),
            JsState::Slash(_) | JsState::Regex { .. } => Ok(Inner::JsRegex),
            JsState::String { quote: '"', .. } => Ok(Inner::JsDoubleQuoted),
            JsState::String { .. } => Ok(Inner::JsSingleQuoted),
            JsState::Template { .. } => Ok(Inner::JsTemplate),
            JsState::LineComment(_) | JsState::BlockComment { .. } => {
                refusal("a JavaScript comment", NO_ESCAPING)
            }
        }
    }

    /// A value in code is an operand; in a literal, part of it.
    fn after_value(&mut self) {
        self.state = match mem::replace(&mut self.state, JsState::Expr(Last::Regex)) {
            JsState::Expr(_) | JsState::Slash(Last::Div | Last::Unknown) => {
                JsState::Expr(Last::Div)
            }
            JsState::Slash(_) => JsState::Regex {
                escaped: false,
                class: false,
            },
            JsState::String { quote, .. } => JsState::String {
                quote,
                escaped: false,
            },
            JsState::Template { .. } => JsState::Template {
                escaped: false,
                dollar: false,
            },
            JsState::Regex { class, .. } => JsState::Regex {
                escaped: false,
                class,
            },
            comment => comment,
        };
    }
}

// ---------------------------------------------------------------- CSS

impl Css {
    fn new() -> Self {
        Css::Value {
            word: String::new(),
        }
    }

    fn push(&mut self, c: char) {
        *self = mem::replace(self, Css::new()).next(c);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lex::lex;

    /// The contexts of a page's values as `inner/outer` names.
    fn names(page: &str) -> Vec<String> {
        match contexts(&lex(page).unwrap()) {
            Ok(found) => found
                .iter()
                .map(|c| format!("{}/{}", c.inner.name(), c.outer.name()))
                .collect(),
            Err(errors) => panic!("{page:?}: {errors:?}"),
        }
    }

    fn errors(page: &str) -> Vec<Diagnostic> {
        match contexts(&lex(page).unwrap()) {
            Ok(found) => panic!("{page:?} was accepted: {found:?}"),
            Err(errors) => errors,
        }
    }

    fn forms(page: &str) -> Vec<(usize, usize)> {
        post_forms(&lex(page).unwrap())
    }

    fn check(table: &[(&str, &[&str])]) {
        for (page, expected) in table {
            assert_eq!(names(page), *expected, "page: {page:?}");
        }
    }

    #[test]
    fn html_text_rcdata_and_markup() {
        check(&[
            ("<p><%= x %></p>", &["text/element"]),
            ("a < b <%= x %>", &["text/element"]),
            (
                "<title>a <%= x %></title><%= y %>",
                &["rcdata/element", "text/element"],
            ),
            ("<textarea><b><%= x %></textarea>", &["rcdata/element"]),
            ("<title></titlex><%= x %></title>", &["rcdata/element"]),
            ("<!-- a > b --><%= x %>", &["text/element"]),
            ("<!--><%= x %>", &["text/element"]),
            ("<!---><%= x %>", &["text/element"]),
            ("<!-- a --!><%= x %>", &["text/element"]),
            ("<!DOCTYPE html><%= x %>", &["text/element"]),
            ("<![CDATA[ a > b ]]><%= x %>", &["text/element"]),
            ("</><%= x %>", &["text/element"]),
            ("<xmp><b></xmp><%= x %>", &["text/element"]),
            ("<iframe></iframe ><%= x %>", &["text/element"]),
            // A fragment may end inside markup.
            (r#"<a href="<%= u %>"#, &["url/dq"]),
        ]);
    }

    #[test]
    fn tags_and_attribute_values() {
        check(&[
            ("<input <%= a %>>", &["attrs/element"]),
            ("<input type=checkbox <%= a %> checked>", &["attrs/element"]),
            ("<input checked <%= a %>>", &["attrs/element"]),
            (
                r#"<a title="<%= t %>" class='<%= c %>' id=<%= i %>>"#,
                &["attr/dq", "attr/sq", "attr/unquoted"],
            ),
            (
                "<a title = <%= t %> href=<%= u %>>",
                &["attr/unquoted", "url/unquoted"],
            ),
            (
                "<input value=<%= v %> <%= a %>>",
                &["attr/unquoted", "attrs/element"],
            ),
            ("<a title=x<%= t %>>", &["attr/unquoted"]),
            (r#"<a data-href="<%= u %>">"#, &["attr/dq"]),
            (r#"<a title="a>b" class="<%= c %>">"#, &["attr/dq"]),
        ]);
    }

    #[test]
    fn a_colon_after_a_value_that_starts_a_url_is_refused() {
        let found = errors(r#"<a href="<%= u %>:alert(1)">"#);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.contains("choose the scheme"), "{found:?}");
        check(&[
            (r#"<a href="<%= u %>/a:b">"#, &["url/dq"]),
            (
                r#"<a href="<%= u %>?x=1:2#a:b"><%= t %>"#,
                &["url/dq", "text/element"],
            ),
        ]);
    }

    #[test]
    fn url_attributes() {
        check(&[
            (r#"<a href="<%= u %>">"#, &["url/dq"]),
            (r#"<a href=" <%= u %>">"#, &["url/dq"]),
            (r#"<a href="/users/<%= id %>">"#, &["url_part/dq"]),
            ("<a href='?q=<%= q %>'>", &["url_part/sq"]),
            (
                r#"<a href="<%= base %>/x/<%= id %>">"#,
                &["url/dq", "url_part/dq"],
            ),
            (
                "<img src=<%= a %><%= b %>>",
                &["url/unquoted", "url_part/unquoted"],
            ),
            (r#"<a href="http://x/<%= p %>">"#, &["url_part/dq"]),
            (
                r#"<img src="data:image/png;base64,<%= b %>">"#,
                &["url_part/dq"],
            ),
            (r#"<form action="<%= a %>">"#, &["url/dq"]),
            (r#"<button formaction="<%= a %>">"#, &["url/dq"]),
            (r#"<object data="<%= d %>">"#, &["url/dq"]),
            (r#"<svg><a xlink:href="<%= u %>">"#, &["url/dq"]),
            (
                r#"<img srcset="<%= a %> 1x, <%= b %> 2x">"#,
                &["url_part/dq", "url_part/dq"],
            ),
        ]);
    }

    #[test]
    fn javascript_contexts() {
        check(&[
            ("<script>var x = <%= x %>;</script>", &["js/element"]),
            (
                r#"<script>var s = "a<%= x %>", t = 'b<%= y %>';</script>"#,
                &["js_dq/element", "js_sq/element"],
            ),
            (
                r#"<script>var s = "\"<%= x %>";</script>"#,
                &["js_dq/element"],
            ),
            (
                r#"<script>var s = '\\'; <%= x %></script>"#,
                &["js/element"],
            ),
            (
                r#"<button onclick="go(<%= x %>)" onmouseover='say("<%= y %>")'>"#,
                &["js/dq", "js_dq/sq"],
            ),
            ("<a onclick=go(<%= x %>)>", &["js/unquoted"]),
            ("<script>// c\n<%= x %></script>", &["js/element"]),
            ("<script>/* c */<%= x %></script>", &["js/element"]),
            ("<script type=module><%= x %></script>", &["js/element"]),
            (
                r#"<script type="application/ld+json">{"name": "<%= n %>"}</script>"#,
                &["js_dq/element"],
            ),
            (
                r#"<script type="TEXT/JavaScript; charset=utf-8"><%= x %></script>"#,
                &["js/element"],
            ),
            (
                r#"<script type="<%= t %>"><%= x %></script>"#,
                &["attr/dq", "js/element"],
            ),
            // Attribute values are decoded as the browser does.
            (r#"<a onclick="f(&quot;<%= x %>&quot;)">"#, &["js_dq/dq"]),
            (
                r#"<a onclick="f(&#39;<%= x %>&#x27;, <%= y %>)">"#,
                &["js_sq/dq", "js/dq"],
            ),
            (r#"<a onclick="a &amp;&amp; /<%= r %>/">"#, &["js_regex/dq"]),
        ]);
    }

    #[test]
    fn template_literals() {
        check(&[
            (
                "<script>`a <%= x %> ${ <%= y %> } b <%= z %>`; <%= w %></script>",
                &[
                    "js_template/element",
                    "js/element",
                    "js_template/element",
                    "js/element",
                ],
            ),
            (
                "<script>`${ {a: 1}[<%= k %>] } <%= t %>`</script>",
                &["js/element", "js_template/element"],
            ),
            (
                "<script>`${ `in ${ <%= x %> } <%= y %>` } <%= z %>`</script>",
                &["js/element", "js_template/element", "js_template/element"],
            ),
            (
                r"<script>`a\${<%= x %>}`</script>",
                &["js_template/element"],
            ),
            (
                "<script>`${ '}' } <%= x %>`</script>",
                &["js_template/element"],
            ),
        ]);
    }

    #[test]
    fn regular_expressions_and_divisions() {
        check(&[
            ("<script>a / <%= b %></script>", &["js/element"]),
            ("<script>a = /<%= b %>/</script>", &["js_regex/element"]),
            ("<script>a = b / c / <%= d %></script>", &["js/element"]),
            ("<script>(a) / <%= b %></script>", &["js/element"]),
            ("<script>x[1] / <%= b %></script>", &["js/element"]),
            ("<script>return /<%= r %>/</script>", &["js_regex/element"]),
            ("<script>typeof /<%= r %>/</script>", &["js_regex/element"]),
            ("<script>returned / <%= b %></script>", &["js/element"]),
            ("<script>i++ / <%= b %></script>", &["js/element"]),
            ("<script>+ /<%= r %>/</script>", &["js_regex/element"]),
            ("<script>42. / <%= b %></script>", &["js/element"]),
            ("<script>a = /re/g / <%= b %></script>", &["js/element"]),
            (
                "<script>x = /[/]<%= r %>/; y = 1 / <%= b %></script>",
                &["js_regex/element", "js/element"],
            ),
            (r"<script>x = /\/<%= r %>/</script>", &["js_regex/element"]),
            // A value is an operand.
            (
                "<script><%= a %> / <%= b %></script>",
                &["js/element", "js/element"],
            ),
            (
                "<script>x = <%= a %>/<%= b %></script>",
                &["js/element", "js/element"],
            ),
        ]);
    }

    #[test]
    fn script_and_style_end_even_inside_strings() {
        check(&[
            (r#"<script>var s = "</script><%= x %>"#, &["text/element"]),
            ("<script>var s = '</SCRIPT ><%= x %>", &["text/element"]),
            ("<script>// </script><%= x %>", &["text/element"]),
            (
                r#"<script>var s = "</scripty><%= x %>";</script>"#,
                &["js_dq/element"],
            ),
            (
                r#"<style>a { content: "</style><%= x %>"#,
                &["text/element"],
            ),
        ]);
    }

    #[test]
    fn css_contexts() {
        check(&[
            (
                r#"<style>p { color: <%= c %>; } a::after { content: "<%= s %>" '<%= t %>' }</style><%= x %>"#,
                &[
                    "css/element",
                    "css_dq/element",
                    "css_sq/element",
                    "text/element",
                ],
            ),
            (
                r#"<p style="width: <%= w %>px; font-family: '<%= f %>'">"#,
                &["css/dq", "css_sq/dq"],
            ),
            (
                r#"<style>a { background: url("<%= u %>") } b { c: <%= d %> }</style>"#,
                &["css_dq/element", "css/element"],
            ),
            (
                "<style>a { background: url( '<%= u %>' ) }</style>",
                &["css_sq/element"],
            ),
            ("<style>a { b: c/<%= d %> }</style>", &["css/element"]),
            ("<style>a { b: curl(<%= d %>) }</style>", &["css/element"]),
        ]);
    }

    #[test]
    fn case_insensitive_names() {
        check(&[
            (
                "<SCRIPT>x = <%= a %></ScRiPt><%= b %>",
                &["js/element", "text/element"],
            ),
            (
                "<TITLE><%= a %></TiTlE ><%= b %>",
                &["rcdata/element", "text/element"],
            ),
            (
                r#"<A HREF="<%= u %>" OnClick="<%= j %>" STYLE="<%= s %>">"#,
                &["url/dq", "js/dq", "css/dq"],
            ),
            ("<STYLE>a{}</Style><%= x %>", &["text/element"]),
        ]);
    }

    #[test]
    fn tags_split_by_code() {
        check(&[
            (r#"<a <% let u = 1; %>href="<%= u %>">"#, &["url/dq"]),
            (
                r#"<a href="/x<% let y = 1; %>/<%= y %>">"#,
                &["url_part/dq"],
            ),
            ("<scr<% %>ipt>var a = <%= x %>", &["js/element"]),
            ("<<% %>script><%= x %>", &["js/element"]),
            ("<<% %> <%= x %>", &["text/element"]),
            (r#"<script>var s = "<% %><%= x %>""#, &["js_dq/element"]),
            ("<script>a /<% %> <%= x %></script>", &["js/element"]),
        ]);
    }

    /// Every refusal: the message and its offset, at the value.
    #[test]
    fn refusals() {
        let table = [
            (
                "<!-- <%= x %> -->",
                "an HTML comment: no escaping makes it safe",
            ),
            ("<!DOCTYPE <%= x %>>", "declaration"),
            ("<?xml <%= x %>?>", "declaration"),
            ("<![CDATA[ <%= x %> ]]>", "a CDATA section"),
            ("<<%= x %>", "right after a `<`"),
            ("</<%= x %>", "right after a `<`"),
            ("<h<%= n %>>", "the tag name `<h`"),
            ("<input<%= a %>>", "the tag name `<input`"),
            (
                "</a <%= x %>>",
                "the end tag `</a>`: end tags take no attributes",
            ),
            ("<a hr<%= x %>=1>", "the attribute name `hr`"),
            (r#"<a href="javascript:<%= x %>">"#, "a javascript: URL"),
            (
                r#"<a href=" JavaScript:void(<%= x %>)">"#,
                "a javascript: URL",
            ),
            (
                r#"<a href="java&#x09;script&colon;<%= x %>">"#,
                "a javascript: URL",
            ),
            ("<a href=vbscript:<%= x %>>", "a javascript: URL"),
            (r#"<iframe srcdoc="<%= d %>">"#, "a srcdoc attribute"),
            ("<script>// <%= x %>\n</script>", "a JavaScript comment"),
            ("<script>/* <%= x %> */</script>", "a JavaScript comment"),
            (
                "<script>a /<% %>/<%= x %>\n</script>",
                "a JavaScript comment",
            ),
            (r#"<a onclick="/*<%= x %>*/">"#, "a JavaScript comment"),
            ("<style>/* <%= x %> */</style>", "a CSS comment"),
            (
                "<style>a { background: url(<%= u %>) }</style>",
                "an unquoted CSS url(…): quote the URL",
            ),
            (
                r#"<p style="background: URL( <%= u %>)">"#,
                "unquoted CSS url",
            ),
            (
                r#"<script type="text/template"><%= x %></script>"#,
                r#"a <script type="text/template"> element: its content is not JavaScript"#,
            ),
            ("<xmp><%= x %></xmp>", "the content of a <xmp> element"),
            (
                "<iframe><%= x %></iframe>",
                "the content of a <iframe> element",
            ),
            (
                "<noembed><%= x %></noembed>",
                "the content of a <noembed> element",
            ),
            (
                "<noframes><%= x %></noframes>",
                "the content of a <noframes> element",
            ),
            (
                "<plaintext></plaintext><%= x %>",
                "the content of a <plaintext> element",
            ),
        ];
        for (page, message) in table {
            let found = errors(page);
            assert_eq!(found.len(), 1, "{page:?}: {found:?}");
            assert_eq!(found[0].offset, page.find("<%=").unwrap(), "{page:?}");
            assert!(
                found[0].message.starts_with("a value cannot stand in ")
                    && found[0].message.contains(message),
                "{page:?}: {}",
                found[0].message
            );
        }
    }

    #[test]
    fn all_errors_are_collected() {
        let page = r#"<!-- <%= a %> --><% if x { %><a title="<% } %>"><h<%= b %>>"#;
        let found = errors(page);
        let offsets: Vec<usize> = found.iter().map(|d| d.offset).collect();
        assert_eq!(
            offsets,
            vec![5, page.find("} %>").unwrap(), page.rfind("<%=").unwrap()]
        );
    }

    #[test]
    fn a_block_must_end_in_its_start_context() {
        let page = r#"<% if x { %><a title="<% } %>"#;
        let found = errors(page);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].offset, page.find('}').unwrap());
        assert_eq!(
            found[0].message,
            "this block starts in HTML text but ends in a double-quoted attribute value: \
             branches and loop bodies must end in the context they start in"
        );
        let found = errors(r#"<% if x { %><a href="<% } %>"#);
        assert!(found[0]
            .message
            .contains("ends in a double-quoted URL attribute value:"));
        let found = errors(r#"<% for x in xs { %><li title="<%= x %><% } %>"#);
        assert!(found[0].message.contains("starts in HTML text but ends in"));
        // Same description, different state.
        let found = errors("<scr<% if x { %>ipt<% } %>>");
        assert!(found[0].message.starts_with(
            "this block starts in the tag name `<scr` but ends in the tag name `<script`"
        ));
        // Same description, different state: the CSRF field depends on the method.
        let found = errors(r#"<form <% if e { %>method="post"<% } %>>"#);
        assert!(found[0]
            .message
            .starts_with("this block starts and ends in the attribute list of a tag, but changes"));
    }

    #[test]
    fn consistent_blocks_are_accepted() {
        check(&[
            (
                "<% if a { %><b>x</b><% } else { %><i>y</i><% } %><%= z %>",
                &["text/element"],
            ),
            (
                "<ul><% for x in xs { %><li><%= x %></li><% } %></ul>",
                &["text/element"],
            ),
            (
                "<% match x { A => { %><b><%= a %></b><% } B => { %><%= b %><% } } %>",
                &["text/element", "text/element"],
            ),
            ("<% } %><%= x %>", &["text/element"]),
            (r#"<li class="<% if a { %>on<% } %>">"#, &[]),
            (
                "<input <% if c { %>checked<% } %> <%= a %>>",
                &["attrs/element"],
            ),
            (
                "<option <% if s { %>selected<% } %>><%= x %>",
                &["text/element"],
            ),
            (
                "<input <% if c { %>disabled <% } else { %>checked<% } %>>",
                &[],
            ),
            (
                "<script>var x = <% if a { %>1<% } else { %>2<% } %>; y = /<%= r %>/</script>",
                &["js_regex/element"],
            ),
            (
                "<script>var x = <% if a { %>1<% } %> // note\n<%= y %></script>",
                &["js/element"],
            ),
            (
                r#"<a href="<% if a { %>/x<% } %>/<%= y %>">"#,
                &["url_part/dq"],
            ),
            (
                r#"<p style="color: <% if d { %>black<% } else { %>white<% } %>; x: <%= v %>">"#,
                &["css/dq"],
            ),
            (
                r#"<input type="<% if p { %>password<% } else { %>text<% } %>">"#,
                &[],
            ),
            (
                r#"<script type="<% if m { %>module<% } else { %>text/template<% } %>"><%= x %></script>"#,
                &["js/element"],
            ),
        ]);
    }

    #[test]
    fn tolerated_differences_are_checked_later() {
        let page = r#"<a <% if c { %>href<% } %>="<%= u %>">"#;
        let found = errors(page);
        assert_eq!(found[0].message, BRANCH_NAME_VALUE);
        assert_eq!(found[0].offset, page.find("%>=").unwrap() + 2);
        let found = errors("<input <% if c { %>checked<% } %><%= a %>>");
        assert!(found[0]
            .message
            .contains("an attribute name written inside a branch"));

        let page = "<script>var x = <% if a { %>1<% } %> /2/ <%= y %></script>";
        let found = errors(page);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, AMBIGUOUS_SLASH);
        assert_eq!(found[0].offset, page.find("/2").unwrap() + 1);

        let found = errors(r#"<a href="<% if a { %>/x<% } %><%= y %>">"#);
        assert!(found[0].message.contains("has started in some branches"));
        let found = errors("<style>a { b: <% if x { %>url<% } else { %>rgb<% } %>(<%= v %>) }");
        assert!(found[0].message.contains("unquoted CSS url"));
    }

    #[test]
    fn post_forms_in_every_spelling() {
        for page in [
            r#"<form method="post">"#,
            "<form method=post>",
            "<FORM METHOD='POST'>",
            r#"<form action="/x" Method = "Post" class=a>"#,
            "<form method=post >",
            r#"<form method="&#80;OST">"#,
        ] {
            assert_eq!(forms(page), vec![(0, page.len())], "{page:?}");
        }
        let page = "<p><form method=post><input></form><form method=post>";
        assert_eq!(forms(page), vec![(0, 21), (0, page.len())]);
    }

    #[test]
    fn post_forms_split_by_values() {
        let page = r#"<form action="<%= a %>" method="post"><input>"#;
        assert_eq!(forms(page), vec![(2, r#"" method="post">"#.len())]);
        assert_eq!(forms(r#"<form method="post" <%= attrs %>>"#), vec![(2, 1)]);
    }

    #[test]
    fn not_post_forms() {
        for page in [
            r#"<form method="get">"#,
            "<form>",
            "<form method=post/>",
            r#"<form data-method="post">"#,
            "<formx method=post>",
            "</form method=post>",
            "<!-- <form method=post> -->",
            r#"<script>"<form method=post>"</script>"#,
            "<textarea><form method=post></textarea>",
            r#"<form method="<%= m %>">"#,
        ] {
            assert_eq!(forms(page), vec![], "{page:?}");
        }
    }

    #[test]
    fn character_references() {
        for (text, expected) in [
            ("&quot;x", ('"', 6)),
            ("&quot x", ('"', 5)),
            ("&quot", ('"', 5)),
            ("&quot=", ('&', 1)),
            ("&quotx;", ('&', 1)),
            ("&apos", ('&', 1)),
            ("&sol;", ('/', 5)),
            ("&#34;", ('"', 5)),
            ("&#x22", ('"', 5)),
            ("&#X22;", ('"', 6)),
            ("&#;", ('&', 1)),
            ("&#x;", ('&', 1)),
            ("&eacute;", ('&', 1)),
            ("&#0;", ('\u{FFFD}', 4)),
            ("&#99999999999;", ('\u{FFFD}', 14)),
            ("&#xD800;", ('\u{FFFD}', 8)),
        ] {
            assert_eq!(char_ref(text), expected, "{text:?}");
        }
    }

    #[test]
    fn descriptions() {
        let describe = |inner, outer| Context { inner, outer }.describe();
        assert_eq!(
            describe(Inner::Url, Outer::DoubleQuoted),
            "a double-quoted URL attribute value"
        );
        assert_eq!(
            describe(Inner::UrlPart, Outer::SingleQuoted),
            "a single-quoted URL attribute value, after its start"
        );
        assert_eq!(
            describe(Inner::Attr, Outer::Unquoted),
            "an unquoted attribute value"
        );
        assert_eq!(
            describe(Inner::Js, Outer::Element),
            "JavaScript code in a <script> element"
        );
        assert_eq!(
            describe(Inner::JsSingleQuoted, Outer::DoubleQuoted),
            "a single-quoted JavaScript string in a double-quoted event-handler attribute"
        );
        assert_eq!(
            describe(Inner::Css, Outer::Unquoted),
            "CSS in an unquoted style attribute"
        );
        assert_eq!(
            describe(Inner::CssDoubleQuoted, Outer::Element),
            "a double-quoted CSS string in a <style> element"
        );
    }

    #[test]
    fn names_for_codegen() {
        let inner = [
            (Inner::Text, "text"),
            (Inner::Rcdata, "rcdata"),
            (Inner::Attr, "attr"),
            (Inner::Url, "url"),
            (Inner::UrlPart, "url_part"),
            (Inner::Js, "js"),
            (Inner::JsDoubleQuoted, "js_dq"),
            (Inner::JsSingleQuoted, "js_sq"),
            (Inner::JsTemplate, "js_template"),
            (Inner::JsRegex, "js_regex"),
            (Inner::Css, "css"),
            (Inner::CssDoubleQuoted, "css_dq"),
            (Inner::CssSingleQuoted, "css_sq"),
            (Inner::AttrSet, "attrs"),
        ];
        for (value, name) in inner {
            assert_eq!(value.name(), name);
        }
        let outer = [
            (Outer::Element, "element"),
            (Outer::DoubleQuoted, "dq"),
            (Outer::SingleQuoted, "sq"),
            (Outer::Unquoted, "unquoted"),
        ];
        for (value, name) in outer {
            assert_eq!(value.name(), name);
        }
    }
}
