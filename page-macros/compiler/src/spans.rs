//! Spans inside the body literal, where the compiler can make them (`Literal::subspan`,
//! on a nightly compiler): the author's code in a tag gets the span of its own bytes in
//! the `.rs` file, so rustc points at them there. On stable, the mirror file does the same
//! job (see `mirror`).

use std::ops::Range;

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};

/// The span of a byte range of the page, if the compiler can make one.
pub(crate) type Subspan<'a> = &'a dyn Fn(Range<usize>) -> Option<Span>;

/// A sub-span maker for a body literal, if sub-spans work here and the literal's bytes
/// are the page's bytes (a raw string, or one without escapes).
pub(crate) fn of_literal(
    literal: &proc_macro2::Literal,
    page: &str,
) -> Option<impl Fn(Range<usize>) -> Option<Span>> {
    let source = literal.to_string();
    let start = source.find('"')? + 1;
    if source.get(start..start + page.len())? != page {
        return None;
    }
    literal.subspan(start..start + 1)?;
    let literal = literal.clone();
    Some(move |range: Range<usize>| literal.subspan(start + range.start..start + range.end))
}

/// The author's code in a text of generated code: a range of the text, and the byte of
/// the page it starts at.
pub(crate) type Authored = (Range<usize>, usize);

/// `stream`, parsed from `text`, with the tokens that come from the author's code (the
/// `authored` ranges) on their own bytes, and every other token on `fallback`; `None` if
/// a token cannot be found in `text` (the caller then puts everything on `fallback`).
/// Author tokens keep call-site hygiene; the `hidden` buffer keeps mixed-site hygiene.
pub(crate) fn place(
    stream: TokenStream,
    text: &str,
    authored: &[Authored],
    subspan: Subspan<'_>,
    fallback: Span,
    hidden: &str,
) -> Option<TokenStream> {
    let mut placer = Placer {
        text,
        cursor: 0,
        authored,
        subspan,
        fallback,
        hidden,
    };
    let placed = placer.stream(stream)?;
    placer.skip_blank();
    (placer.cursor == text.len()).then_some(placed)
}

struct Placer<'a> {
    text: &'a str,
    cursor: usize,
    authored: &'a [Authored],
    subspan: Subspan<'a>,
    fallback: Span,
    hidden: &'a str,
}

impl Placer<'_> {
    fn stream(&mut self, stream: TokenStream) -> Option<TokenStream> {
        stream.into_iter().map(|tree| self.tree(tree)).collect()
    }

    fn tree(&mut self, tree: TokenTree) -> Option<TokenTree> {
        Some(match tree {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => return None,
                };
                let start = self.expect(open)?;
                let inner = self.stream(group.stream())?;
                let end = self.expect(close)? + 1;
                let mut new = Group::new(group.delimiter(), inner);
                new.set_span(self.span(start..end));
                TokenTree::Group(new)
            }
            TokenTree::Ident(ident) => {
                let text = ident.to_string();
                let start = self.expect(&text)?;
                let located = self.located(start..start + text.len());
                let span = if text == self.hidden {
                    Span::mixed_site().located_at(located)
                } else {
                    Span::call_site().located_at(located)
                };
                TokenTree::Ident(ident_at(&text, span))
            }
            mut other => {
                let text = other.to_string();
                let start = self.expect(&text)?;
                other.set_span(self.span(start..start + text.len()));
                other
            }
        })
    }

    /// Skips blanks and comments, then `token`, which must be next; returns its start.
    fn expect(&mut self, token: &str) -> Option<usize> {
        self.skip_blank();
        let start = self.cursor;
        self.text[start..].starts_with(token).then(|| {
            self.cursor += token.len();
            start
        })
    }

    fn skip_blank(&mut self) {
        loop {
            let rest = &self.text[self.cursor..];
            let trimmed = rest.trim_start();
            self.cursor += rest.len() - trimmed.len();
            if trimmed.starts_with("//") {
                self.cursor += trimmed.find('\n').unwrap_or(trimmed.len());
            } else if trimmed.starts_with("/*") {
                self.cursor += block_comment(trimmed);
            } else {
                return;
            }
        }
    }

    /// Where a token at `range` of the text stands: its own bytes for the author's code.
    fn located(&self, range: Range<usize>) -> Span {
        let authored = self
            .authored
            .iter()
            .find(|(code, _)| code.start <= range.start && range.end <= code.end);
        authored
            .and_then(|(code, at)| {
                let start = at + range.start - code.start;
                (self.subspan)(start..start + range.len())
            })
            .unwrap_or(self.fallback)
    }

    fn span(&self, range: Range<usize>) -> Span {
        Span::call_site().located_at(self.located(range))
    }
}

/// The length of the (nested) block comment `text` starts with.
fn block_comment(text: &str) -> usize {
    let mut depth = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        if bytes[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if bytes[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    text.len()
}

/// `Ident::new`, or `Ident::new_raw` for `r#name`.
fn ident_at(text: &str, span: Span) -> Ident {
    match text.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, span),
        None => Ident::new(text, span),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_token_is_found_in_its_text() {
        let text = "::f(&mut b, ( notes[0] . titel /* c */ ) ); // done\n r#type 'a \"s\"";
        let stream: TokenStream = text.parse().unwrap();
        let fallback = Span::call_site();
        let none = |_: Range<usize>| None;
        let placed = place(stream, text, &[(12..38, 5)], &none, fallback, "b");
        assert!(placed.is_some());
        // A doc comment becomes an attribute: not found, so the caller falls back.
        let text = "/// doc\nfn f() {}";
        let stream: TokenStream = text.parse().unwrap();
        assert!(place(stream, text, &[(0..text.len(), 0)], &none, fallback, "b").is_none());
    }

    #[test]
    fn block_comments_nest() {
        assert_eq!(block_comment("/* a /* b */ c */ d"), 17);
    }
}
