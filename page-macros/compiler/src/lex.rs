//! Body lexer: page text → tokens with their byte offsets in the page.
//!
//! The lexer knows enough Rust to find the `%>` that really closes a tag: it skips
//! string literals (plain, byte, raw), character literals and comments, so
//! `<%= "50%>" %>` is one tag.

use std::ops::Range;

use crate::source::Diagnostic;

/// One piece of a page body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    /// Byte range of the whole piece (tag delimiters included) in the page text.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// Static text, after trimming and after `<%%` became `<%`.
    Text(String),
    /// `<% statements %>`: `code` starts at byte `offset` of the page.
    Code { code: String, offset: usize },
    /// `<%= expression %>`: `code` starts at byte `offset` of the page.
    Expr { code: String, offset: usize },
}

/// A `{` or `}` in Rust code, outside strings, characters and comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Brace {
    Open,
    Close,
}

/// Splits a page body into text, code and expression tokens. Comments (`<%# %>`)
/// vanish; `<%-` and `-%>` trim the neighbouring whitespace through one newline. A
/// statement or comment tag alone on its line takes its line with it (its indentation
/// and its line break), as PHP's `?>` and Jinja's `trim_blocks`/`lstrip_blocks` do, so
/// `<% for … { %>` and `<% } %>` leave no blank lines; value tags keep their whitespace.
pub fn lex(page: &str) -> Result<Vec<Token>, Diagnostic> {
    let mut tokens: Vec<Token> = Vec::new();
    let mut text = String::new();
    let mut text_start = 0;
    let mut trim_next_text = false;
    let mut pos = 0;
    let bytes = page.as_bytes();

    while pos < page.len() {
        let Some(found) = page[pos..].find("<%") else {
            push_text(&mut text, &page[pos..], &mut trim_next_text);
            break;
        };
        let tag_start = pos + found;
        push_text(&mut text, &page[pos..tag_start], &mut trim_next_text);
        if bytes.get(tag_start + 2) == Some(&b'%') {
            // `<%%` is a literal `<%`.
            text.push_str("<%");
            pos = tag_start + 3;
            continue;
        }
        let mut inner = tag_start + 2;
        if bytes.get(inner) == Some(&b'-') {
            trim_end(&mut text);
            inner += 1;
        }
        let marker = bytes.get(inner).copied();
        let statement = marker != Some(b'=');
        if matches!(marker, Some(b'=' | b'#')) {
            inner += 1;
        }
        let close = if marker == Some(b'#') {
            page[inner..].find("%>").map(|i| inner + i)
        } else {
            find_close(page, inner)
        };
        let Some(close) = close else {
            return Err(Diagnostic::new(
                tag_start,
                "unclosed tag: this `<%` has no matching `%>`",
            ));
        };
        let (code_end, after) = if close > inner && bytes[close - 1] == b'-' {
            trim_next_text = true;
            (close - 1, close + 2)
        } else {
            (close, close + 2)
        };
        if statement && alone_on_its_line(page, tag_start, after) {
            trim_end(&mut text);
            trim_next_text = true;
        }
        pos = after;
        if marker == Some(b'#') {
            // Comments vanish: the text around them stays one piece.
            continue;
        }
        if !text.is_empty() {
            tokens.push(Token {
                kind: TokenKind::Text(std::mem::take(&mut text)),
                span: text_start..tag_start,
            });
        }
        text_start = after;
        let code = page[inner..code_end].to_owned();
        match marker {
            Some(b'=') => tokens.push(Token {
                kind: TokenKind::Expr {
                    code,
                    offset: inner,
                },
                span: tag_start..after,
            }),
            _ => tokens.push(Token {
                kind: TokenKind::Code {
                    code,
                    offset: inner,
                },
                span: tag_start..after,
            }),
        }
    }
    if !text.is_empty() {
        tokens.push(Token {
            kind: TokenKind::Text(text),
            span: text_start..page.len(),
        });
    }
    Ok(tokens)
}

fn push_text(text: &mut String, piece: &str, trim_start: &mut bool) {
    let piece = if std::mem::take(trim_start) {
        trim_start_through_newline(piece)
    } else {
        piece
    };
    text.push_str(piece);
}

/// Whether the tag at `start..end` has only spaces and tabs beside it on its line.
fn alone_on_its_line(page: &str, start: usize, end: usize) -> bool {
    let line_start = page[..start].rfind('\n').map_or(0, |i| i + 1);
    let before = &page[line_start..start];
    let after = page[end..].trim_start_matches([' ', '\t']);
    before.bytes().all(|b| b == b' ' || b == b'\t')
        && (after.is_empty() || after.starts_with('\n') || after.starts_with("\r\n"))
}

/// Removes the indentation before a tag: trailing spaces and tabs.
fn trim_end(text: &mut String) {
    let kept = text.trim_end_matches([' ', '\t']).len();
    text.truncate(kept);
}

/// Skips leading spaces and tabs, then one line break.
fn trim_start_through_newline(piece: &str) -> &str {
    let rest = piece.trim_start_matches([' ', '\t']);
    rest.strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))
        .unwrap_or(rest)
}

/// Finds the `%>` that closes a code tag whose code starts at `from`, skipping Rust
/// literals and comments. `None` if the tag never closes.
fn find_close(page: &str, from: usize) -> Option<usize> {
    let mut scan = RustScanner::new(page, from);
    while let Some((at, item)) = scan.next_item() {
        if let Item::Punct(b'%') = item {
            if page.as_bytes().get(at + 1) == Some(&b'>') {
                return Some(at);
            }
        }
    }
    None
}

/// The `{` and `}` of a piece of Rust code with their byte offsets in `code`.
pub fn braces(code: &str) -> Vec<(usize, Brace)> {
    let mut scan = RustScanner::new(code, 0);
    let mut found = Vec::new();
    while let Some((at, item)) = scan.next_item() {
        match item {
            Item::Punct(b'{') => found.push((at, Brace::Open)),
            Item::Punct(b'}') => found.push((at, Brace::Close)),
            _ => {}
        }
    }
    found
}

enum Item {
    /// A byte of code outside any literal or comment.
    Punct(u8),
    /// A literal or comment, skipped whole.
    Skipped,
}

/// Walks Rust source byte by byte, stepping over literals and comments.
struct RustScanner<'a> {
    src: &'a [u8],
    pos: usize,
}

impl<'a> RustScanner<'a> {
    fn new(src: &'a str, pos: usize) -> Self {
        Self {
            src: src.as_bytes(),
            pos,
        }
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.src.get(self.pos + ahead).copied()
    }

    /// The next item and the offset it starts at; `None` at the end of the input or
    /// inside a literal or comment that never ends.
    fn next_item(&mut self) -> Option<(usize, Item)> {
        let start = self.pos;
        let byte = self.peek(0)?;
        let ident_before = start > 0 && is_ident_byte(self.src[start - 1]);
        match byte {
            b'/' if self.peek(1) == Some(b'/') => {
                while let Some(b) = self.peek(0) {
                    if b == b'\n' {
                        break;
                    }
                    // A line comment ends where the tag ends.
                    if b == b'%' && self.peek(1) == Some(b'>') {
                        return Some((start, Item::Skipped));
                    }
                    self.pos += 1;
                }
                Some((start, Item::Skipped))
            }
            b'/' if self.peek(1) == Some(b'*') => {
                self.pos += 2;
                let mut depth = 1;
                while depth > 0 {
                    match (self.peek(0)?, self.peek(1)) {
                        (b'/', Some(b'*')) => {
                            depth += 1;
                            self.pos += 2;
                        }
                        (b'*', Some(b'/')) => {
                            depth -= 1;
                            self.pos += 2;
                        }
                        _ => self.pos += 1,
                    }
                }
                Some((start, Item::Skipped))
            }
            b'"' => {
                self.pos += 1;
                self.skip_quoted(b'"')?;
                Some((start, Item::Skipped))
            }
            b'r' | b'b' | b'c' if !ident_before && self.raw_string_ahead() => {
                self.skip_raw_string()?;
                Some((start, Item::Skipped))
            }
            b'b' | b'c' if !ident_before && self.peek(1) == Some(b'"') => {
                self.pos += 2;
                self.skip_quoted(b'"')?;
                Some((start, Item::Skipped))
            }
            b'b' if !ident_before && self.peek(1) == Some(b'\'') => {
                self.pos += 2;
                self.skip_quoted(b'\'')?;
                Some((start, Item::Skipped))
            }
            b'\'' => {
                self.pos += 1;
                if self.char_literal_ahead() {
                    self.skip_quoted(b'\'')?;
                }
                // Otherwise a lifetime or label: its name is ordinary code.
                Some((start, Item::Skipped))
            }
            _ => {
                self.pos += 1;
                Some((start, Item::Punct(byte)))
            }
        }
    }

    /// After an opening quote: steps past the closing one, honouring backslashes.
    fn skip_quoted(&mut self, quote: u8) -> Option<()> {
        loop {
            match self.peek(0)? {
                b'\\' => self.pos += 2,
                b if b == quote => {
                    self.pos += 1;
                    return Some(());
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Whether the input at `pos` starts `r"`, `r#"`, `br"`, `cr#"`, …
    fn raw_string_ahead(&self) -> bool {
        let mut i = self.pos;
        if matches!(self.src.get(i), Some(b'b' | b'c')) {
            i += 1;
        }
        if self.src.get(i) != Some(&b'r') {
            return false;
        }
        i += 1;
        while self.src.get(i) == Some(&b'#') {
            i += 1;
        }
        self.src.get(i) == Some(&b'"')
    }

    fn skip_raw_string(&mut self) -> Option<()> {
        while self.peek(0)? != b'r' {
            self.pos += 1;
        }
        self.pos += 1;
        let mut hashes = 0;
        while self.peek(0)? == b'#' {
            hashes += 1;
            self.pos += 1;
        }
        self.pos += 1; // the opening quote
        loop {
            if self.peek(0)? == b'"' && (1..=hashes).all(|k| self.peek(k) == Some(b'#')) {
                self.pos += 1 + hashes;
                return Some(());
            }
            self.pos += 1;
        }
    }

    /// After a `'`: whether a character literal follows (`'x'`, `'\n'`, `'é'`)
    /// rather than a lifetime (`'a`).
    fn char_literal_ahead(&self) -> bool {
        match self.peek(0) {
            Some(b'\\') => true,
            Some(_) => {
                let rest = &self.src[self.pos..];
                let len = utf8_len(rest[0]);
                rest.get(len) == Some(&b'\'')
            }
            None => false,
        }
    }
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> TokenKind {
        TokenKind::Text(s.to_owned())
    }
    fn code(s: &str, offset: usize) -> TokenKind {
        TokenKind::Code {
            code: s.to_owned(),
            offset,
        }
    }
    fn expr(s: &str, offset: usize) -> TokenKind {
        TokenKind::Expr {
            code: s.to_owned(),
            offset,
        }
    }
    fn kinds(page: &str) -> Vec<TokenKind> {
        lex(page).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn text_code_and_expressions() {
        assert_eq!(
            kinds("a<% let x = 1; %>b<%= x %>c"),
            vec![
                text("a"),
                code(" let x = 1; ", 3),
                text("b"),
                expr(" x ", 21),
                text("c")
            ]
        );
    }

    #[test]
    fn spans_cover_whole_tags() {
        let tokens = lex("ab<%= x %>cd").unwrap();
        assert_eq!(tokens[0].span, 0..2);
        assert_eq!(tokens[1].span, 2..10);
        assert_eq!(tokens[2].span, 10..12);
    }

    #[test]
    fn comments_vanish_and_text_merges() {
        assert_eq!(kinds("a<%# note %>b"), vec![text("ab")]);
        assert_eq!(kinds("a<%# \"%> b"), vec![text("a b")]);
    }

    #[test]
    fn percent_percent_is_literal() {
        assert_eq!(kinds("<%% x %>"), vec![text("<% x %>")]);
    }

    #[test]
    fn close_inside_strings_and_chars_does_not_end_a_tag() {
        assert_eq!(kinds(r#"<%= "50%>" %>"#), vec![expr(r#" "50%>" "#, 3)]);
        assert_eq!(
            kinds(r###"<%= r#"a"%>"# %>"###),
            vec![expr(r###" r#"a"%>"# "###, 3)]
        );
        assert_eq!(kinds("<%= '%' %>"), vec![expr(" '%' ", 3)]);
        assert_eq!(kinds(r"<%= '\'' %>"), vec![expr(r" '\'' ", 3)]);
        assert_eq!(kinds("<% /* %> */ %>"), vec![code(" /* %> */ ", 2)]);
        assert_eq!(
            kinds(r#"<%= b"%>" %>x"#),
            vec![expr(r#" b"%>" "#, 3), text("x")]
        );
    }

    #[test]
    fn lifetimes_are_not_char_literals() {
        assert_eq!(
            kinds("<% fn f<'a>(x: &'a str) {} %>"),
            vec![code(" fn f<'a>(x: &'a str) {} ", 2)]
        );
    }

    #[test]
    fn line_comment_ends_at_the_tag_end() {
        assert_eq!(
            kinds("<% x(); // note %>y"),
            vec![code(" x(); // note ", 2), text("y")]
        );
    }

    #[test]
    fn trimming_markers() {
        assert_eq!(
            kinds("<ul>\n  <%- for x in xs { -%>\n  <li>\n<% } %>"),
            vec![
                text("<ul>\n"),
                code(" for x in xs { ", 10),
                text("  <li>\n"),
                code(" } ", 38)
            ]
        );
        assert_eq!(kinds("a\n  <%-= x %>"), vec![text("a\n"), expr(" x ", 8)]);
    }

    #[test]
    fn statement_tags_alone_on_their_line_leave_no_blank_line() {
        let page = "<ul>\n  <% for x in xs { %>\n  <li><%= x %></li>\n  <% } %>\n</ul>\n";
        assert_eq!(
            kinds(page),
            vec![
                text("<ul>\n"),
                code(" for x in xs { ", 9),
                text("  <li>"),
                expr(" x ", 36),
                text("</li>\n"),
                code(" } ", 51),
                text("</ul>\n"),
            ]
        );
        // A comment alone on its line goes with its line too; CRLF line breaks as well.
        assert_eq!(kinds("a\r\n  <%# note %>\r\nb"), vec![text("a\r\nb")]);
        // Not alone: text or a value beside the tag keeps every space.
        assert_eq!(
            kinds("<p>\n  <% if x { %> yes\n"),
            vec![text("<p>\n  "), code(" if x { ", 8), text(" yes\n")]
        );
        assert_eq!(
            kinds("  <%= x %>\n"),
            vec![text("  "), expr(" x ", 5), text("\n")]
        );
    }

    #[test]
    fn unclosed_tag_is_an_error() {
        let err = lex("ab\n<%= x ").unwrap_err();
        assert_eq!(err.offset, 3);
        assert!(err.message.contains("unclosed tag"));
        assert_eq!(lex(r#"<%= "%> "#).unwrap_err().offset, 0);
    }

    #[test]
    fn braces_skip_literals() {
        assert_eq!(
            braces(r#"if x { "}" '{' /* } */ }"#),
            vec![(5, Brace::Open), (23, Brace::Close)]
        );
    }
}
