//! JavaScript, in `<script>` and event-handler attributes: strings, template literals,
//! regular expressions and comments, and whether a `/` starts a regular expression.

use std::mem;

use super::context::{refusal, Inner, Refusal, NO_ESCAPING};
use super::state::Language;
use super::tokenizer::AMBIGUOUS_SLASH;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Js {
    pub(super) state: JsState,
    /// One entry per open `${` of template literals: the `{` opened since.
    braces: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum JsState {
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
pub(super) enum Last {
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
    pub(super) fn settled(self) -> Last {
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
    pub(super) fn new() -> Self {
        Self {
            state: JsState::Expr(Last::Regex),
            braces: Vec::new(),
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
}

impl Language for Js {
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
