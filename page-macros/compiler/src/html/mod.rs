//! Contextual auto-escaping, decided at compile time: the HTML context tracker.
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

mod char_ref;
mod context;
mod css;
mod js;
mod merge;
mod state;
mod tokenizer;
mod url;

#[cfg(test)]
mod tests;

use std::mem;

use crate::lex::{braces, Brace, Token, TokenKind};
use crate::source::Diagnostic;

pub use context::{Context, Inner, Outer};

use context::Refusal;
use merge::merge;
pub use state::Attrs;
use state::{classify, State};
use tokenizer::{step, Event};

/// What the tracker found in a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracked {
    /// The context of every `<%= %>` value of the page, in order; or every place where a
    /// value cannot stand and every block that ends in another context than it starts in.
    pub contexts: Result<Vec<Context>, Vec<Diagnostic>>,
    /// What the compiler inserts into the page's text, in order.
    pub insertions: Vec<Insertion>,
    /// The inline event handlers (`onclick="…"`): where each value starts, and the
    /// attribute's name.
    pub handlers: Vec<(usize, String)>,
    /// The `<form method=post>` forms, with their fields.
    pub forms: Vec<Form>,
}

/// A `<form method=post>` and the fields inside it, with their static attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// Where the form's start tag ends in the page.
    pub offset: usize,
    pub attrs: Attrs,
    pub fields: Vec<Field>,
}

/// An `<input>`, `<textarea>` or `<select>` of a [`Form`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Where the field's start tag ends in the page.
    pub offset: usize,
    /// `input`, `textarea` or `select`.
    pub tag: String,
    pub attrs: Attrs,
    /// Inside a block of code the form is not in (an `if`, a loop): it may not be there.
    pub conditional: bool,
}

/// Something the compiler writes into a page's static text at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insertion {
    /// The index of the Text token it goes into.
    pub token: usize,
    /// The byte index in that token's text.
    pub at: usize,
    pub what: Inserted,
}

/// What an [`Insertion`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Inserted {
    /// The CSRF field of a `<form>` whose static `method` is `post` (any case, any
    /// quoting), right after the `>` that ends its start tag. A method computed at run
    /// time is not detected.
    CsrfField,
    /// ` nonce="…"`, the request's Content-Security-Policy nonce, right after the name
    /// of a `<script` start tag.
    ScriptNonce,
}

#[derive(Default)]
struct Tracker {
    state: State,
    /// The state at each open `{` of the code.
    blocks: Vec<State>,
    contexts: Vec<Context>,
    insertions: Vec<Insertion>,
    handlers: Vec<(usize, String)>,
    forms: Vec<Form>,
    /// The form being read, and how many blocks of code were open at its start.
    open_form: Option<(Form, usize)>,
    errors: Vec<Diagnostic>,
}

/// Follows a page's static text through HTML, JavaScript, CSS and URLs, once.
pub fn track(tokens: &[Token]) -> Tracked {
    let mut tracker = Tracker::default();
    for (index, token) in tokens.iter().enumerate() {
        match &token.kind {
            TokenKind::Text(text) => tracker.text(index, token.span.start, text),
            TokenKind::Expr { .. } => tracker.value(token.span.start),
            TokenKind::Code { code, offset } => tracker.code(code, *offset),
        }
    }
    tracker.close_form();
    let contexts = if tracker.errors.is_empty() {
        Ok(tracker.contexts)
    } else {
        Err(tracker.errors)
    };
    Tracked {
        contexts,
        insertions: tracker.insertions,
        handlers: tracker.handlers,
        forms: tracker.forms,
    }
}

impl Tracker {
    fn text(&mut self, index: usize, start: usize, text: &str) {
        let mut pos = 0;
        while let Some(c) = text[pos..].chars().next() {
            let moved = step(mem::take(&mut self.state), c, &text[pos..]);
            self.state = moved.state;
            let insert = |at, what| Insertion {
                token: index,
                at,
                what,
            };
            let end = start + pos + moved.len;
            match moved.event {
                Some(Event::PostForm(attrs)) => {
                    let field = insert(pos + moved.len, Inserted::CsrfField);
                    self.insertions.push(field);
                    self.close_form();
                    let form = Form {
                        offset: end,
                        attrs,
                        fields: Vec::new(),
                    };
                    self.open_form = Some((form, self.blocks.len()));
                }
                Some(Event::Field(tag, attrs)) => {
                    let depth = self.blocks.len();
                    if let Some((form, form_depth)) = &mut self.open_form {
                        form.fields.push(Field {
                            offset: end,
                            tag,
                            attrs,
                            conditional: depth > *form_depth,
                        });
                    }
                }
                Some(Event::FormEnd) => self.close_form(),
                Some(Event::ScriptTag) => self.insertions.push(insert(pos, Inserted::ScriptNonce)),
                Some(Event::Handler(name)) => self.handlers.push((start + pos, name)),
                // The lexer may have trimmed the text, so the offset is close, not exact.
                Some(Event::Problem(message)) => {
                    self.errors.push(Diagnostic::new(start + pos, message));
                }
                None => {}
            }
            pos += moved.len;
        }
    }

    fn close_form(&mut self) {
        if let Some((form, _)) = self.open_form.take() {
            self.forms.push(form);
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
