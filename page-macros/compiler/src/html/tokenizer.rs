//! The HTML tokenizer: one character at a time through text, tags, attributes, comments
//! and raw-text elements, handing attribute values, scripts and styles to their
//! [`Language`].

use super::char_ref::char_ref;
use super::state::{Attrs, Body, Delim, State, Tag, TagPos, Value};
use crate::attrs::{self, AttrKind};

/// One move of the tokenizer: the new state and how many bytes it consumed. Zero
/// bytes means the same character is read again in the new state.
pub(super) struct Step {
    pub(super) state: State,
    pub(super) len: usize,
    pub(super) event: Option<Event>,
}

pub(super) enum Event {
    /// The `>` of a `<form method=post>` start tag, with the form's attributes.
    PostForm(Attrs),
    /// The `>` of an `<input>`, `<textarea>` or `<select>` start tag, with its attributes.
    Field(String, Attrs),
    /// The `>` of a `</form>` end tag.
    FormEnd,
    /// The end of a `<script` start tag's name, before the character that ends it.
    ScriptTag,
    /// The value of an inline event handler attribute begins.
    Handler(String),
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

pub(super) const AMBIGUOUS_SLASH: &str =
    "the `/` just before this could start a regular expression or \
     be a division, depending on the branch taken before it: add parentheses or a \
     semicolon so the page compiler can tell";
pub(super) const BRANCH_NAME_VALUE: &str =
    "this `=` follows an attribute name written inside a branch: \
     when the branch is not taken it would not start a value; write the whole attribute \
     inside the branch";

fn is_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ')
}

/// Reads `c`, the first character of `rest`.
pub(super) fn step(state: State, c: char, rest: &str) -> Step {
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
    let script = (!tag.end && tag.name == "script").then_some(Event::ScriptTag);
    match c {
        '>' => close_tag(tag).with(script),
        c if is_space(c) || c == '/' => Step::to(State::InTag(tag, TagPos::Attrs), 1).with(script),
        c => {
            tag.name.push(c.to_ascii_lowercase());
            Step::to(State::TagName(tag), c.len_utf8())
        }
    }
}

/// At the `>` that ends a tag.
fn close_tag(mut tag: Tag) -> Step {
    let attrs = std::mem::take(&mut tag.attrs);
    let event = match (tag.end, tag.name.as_str()) {
        (true, "form") => Some(Event::FormEnd),
        (false, "form") if tag.post => Some(Event::PostForm(attrs)),
        (false, "input" | "textarea" | "select") => Some(Event::Field(tag.name.clone(), attrs)),
        _ => None,
    };
    Step::to(tag.content(), 1).with(event)
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
        TagPos::BeforeValue(name) => {
            let delim = match c {
                c if is_space(c) => {
                    return Step::to(State::InTag(tag, TagPos::BeforeValue(name)), 1)
                }
                '>' => {
                    tag.set_attr(&name, Some(String::new()));
                    return close_tag(tag);
                }
                '"' => Delim::Double,
                '\'' => Delim::Single,
                _ => Delim::Unquoted,
            };
            let handler =
                (attrs::kind(&name) == AttrKind::Script).then(|| Event::Handler(name.clone()));
            let len = if delim == Delim::Unquoted { 0 } else { 1 };
            let value = TagPos::Value(Value::new(name, delim));
            return Step::to(State::InTag(tag, value), len).with(handler);
        }
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
fn raw(end: &'static str, mut body: Body, c: char, rest: &str) -> Step {
    if c == '<' && closes(rest, end) {
        return Step::to(State::TagName(Tag::new(true)), 2);
    }
    let len = c.len_utf8();
    match body.language() {
        Some(language) => {
            let result = language.push(c);
            Step::to(State::Raw(end, body), len).with(problem(result))
        }
        None => {
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
