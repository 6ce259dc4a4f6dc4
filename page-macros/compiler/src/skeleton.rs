//! A body without its static text, and its static text without the rest: what the dev
//! mode needs to serve an edit of a page's text without a rebuild.
//!
//! Code generation writes a body's static text in *slots*: each text token, cut where the
//! compiler inserts something (a CSRF field, a script's nonce); the `i`-th text write of
//! the generated code writes slot `i` (an empty slot is written by no code at all). Two
//! versions of a body with the same [`Skeleton`] — the same code tags in the same order,
//! the same contexts, the same insertions and the same empty slots — differ only in the
//! text of their slots, which a running page can swap.
//!
//! ```
//! use rsp_compiler::skeleton::{skeleton, text_slots};
//!
//! let old = "<h1>Hi</h1><%= name %>";
//! let new = "<h1>Hello!</h1>\n<%= name %>";
//! assert_eq!(skeleton(old), skeleton(new));
//! assert_eq!(text_slots(new).unwrap(), ["<h1>Hello!</h1>\n"]);
//! assert_ne!(skeleton(old), skeleton("<h1><%= name.len() %></h1>"));
//! ```

use crate::html::{self, Context, Inserted, Insertion};
use crate::lex::{self, Token, TokenKind};

/// The slots of a body's static text, in the order code generation writes them, from
/// its tokens and the insertions the tracker found.
pub fn slots<'a>(tokens: &'a [Token], insertions: &[Insertion]) -> Vec<&'a str> {
    let mut slots = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        if let TokenKind::Text(text) = &token.kind {
            let mut done = 0;
            for insertion in insertions.iter().filter(|i| i.token == index) {
                slots.push(&text[done..insertion.at]);
                done = insertion.at;
            }
            slots.push(&text[done..]);
        }
    }
    slots
}

/// The slots of a body's text (see [`slots`]), or `None` if the body has errors.
pub fn text_slots(body: &str) -> Option<Vec<String>> {
    let tokens = lex::lex(body).ok()?;
    let tracked = html::track(&tokens);
    tracked.contexts.ok()?;
    Some(
        slots(&tokens, &tracked.insertions)
            .into_iter()
            .map(str::to_owned)
            .collect(),
    )
}

/// What a body is besides the text of its slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skeleton {
    parts: Vec<Part>,
    contexts: Vec<Context>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Code(String),
    Value(String),
    /// A text token: what is inserted into it, and which of its slots are empty.
    Text {
        inserted: Vec<Inserted>,
        empty_slots: Vec<bool>,
    },
}

/// The skeleton of a body, or `None` if the body has errors (which only a build reports).
pub fn skeleton(body: &str) -> Option<Skeleton> {
    let tokens = lex::lex(body).ok()?;
    let tracked = html::track(&tokens);
    let contexts = tracked.contexts.ok()?;
    let parts = tokens
        .iter()
        .enumerate()
        .map(|(index, token)| match &token.kind {
            TokenKind::Code { code, .. } => Part::Code(code.clone()),
            TokenKind::Expr { code, .. } => Part::Value(code.clone()),
            TokenKind::Text(_) => {
                let one = std::slice::from_ref(token);
                let here: Vec<Insertion> = tracked
                    .insertions
                    .iter()
                    .filter(|i| i.token == index)
                    .map(|&i| Insertion { token: 0, ..i })
                    .collect();
                Part::Text {
                    inserted: here.iter().map(|i| i.what).collect(),
                    empty_slots: slots(one, &here).iter().map(|s| s.is_empty()).collect(),
                }
            }
        })
        .collect();
    Some(Skeleton { parts, contexts })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_cut_at_csrf_fields() {
        assert_eq!(
            text_slots("<form method=post><input></form><%= x %>!").unwrap(),
            ["<form method=post>", "<input></form>", "!"]
        );
    }

    #[test]
    fn what_a_text_edit_may_not_change() {
        let base = skeleton("<p><% if a { %><%= b %><% } %></p>");
        for changed in [
            "<p><% if c { %><%= b %><% } %></p>",
            "<p><% if a { %><%= b + 1 %><% } %></p>",
            "<p title=\"<% if a { %><%= b %><% } %>\"></p>",
            "<% if a { %><%= b %><% } %></p>",
            "<p><% if a { %><%= b %><% } %></p><form method=post>",
        ] {
            assert_ne!(skeleton(changed), base, "{changed}");
        }
        assert_eq!(skeleton("<div><% if a { %><%= b %><% } %>\n</div>"), base);
        assert_eq!(skeleton("<p><%= x"), None, "a body with errors has none");
    }
}
