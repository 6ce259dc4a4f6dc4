//! Check pass: the Rust inside a page's tags is well formed.
//!
//! Each `<%= %>` must be one expression; the `{` and `}` of `<% %>` tags must balance
//! across tags; and all the code together must parse. Every problem found becomes a
//! diagnostic at its page position, so the author sees the tag, not a generated file.

use crate::lex::{braces, Brace, Token, TokenKind};
use crate::source::Diagnostic;

/// Checks the code of a page body; returns every problem found.
pub(crate) fn check(tokens: &[Token]) -> Result<(), Vec<Diagnostic>> {
    let mut problems = Vec::new();
    for token in tokens {
        if let TokenKind::Expr { code, offset } = &token.kind {
            problems.extend(expression(code, *offset));
        }
    }
    problems.extend(balance(tokens));
    if problems.is_empty() {
        if let Err(message) = parse_all(tokens) {
            problems.push(locate(tokens, &message));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Where the code of a tag really starts (after leading whitespace).
fn code_start(code: &str, offset: usize) -> usize {
    offset + (code.len() - code.trim_start().len())
}

fn expression(code: &str, offset: usize) -> Option<Diagnostic> {
    if code.trim().is_empty() {
        return Some(Diagnostic::new(
            offset,
            "empty `<%= %>`: write the value to show between the markers",
        ));
    }
    let problem = match code.parse::<proc_macro2::TokenStream>() {
        Err(_) => UNBALANCED.to_owned(),
        Ok(tokens) => syn::parse2::<syn::Expr>(tokens).err()?.to_string(),
    };
    Some(Diagnostic::new(
        code_start(code, offset),
        format!("`<%= %>` needs one Rust expression: {problem}"),
    ))
}

const UNBALANCED: &str = "its brackets or quotes do not balance";

/// Every `{` opened in a code tag must be closed in a later (or the same) one.
fn balance(tokens: &[Token]) -> Vec<Diagnostic> {
    let mut open = Vec::new();
    let mut problems = Vec::new();
    for token in tokens {
        let TokenKind::Code { code, offset } = &token.kind else {
            continue;
        };
        for (at, brace) in braces(code) {
            match brace {
                Brace::Open => open.push(offset + at),
                Brace::Close => {
                    if open.pop().is_none() {
                        problems.push(Diagnostic::new(
                            offset + at,
                            "this `}` closes no block: no `{` is open before it",
                        ));
                    }
                }
            }
        }
    }
    problems.extend(open.into_iter().map(|at| {
        Diagnostic::new(
            at,
            "this `{` is never closed: add `<% } %>` where the block ends",
        )
    }));
    problems
}

/// The code of the page as Rust statements, each value standing as an expression.
fn joined_code(tokens: &[Token]) -> String {
    let mut code = String::new();
    for token in tokens {
        match &token.kind {
            TokenKind::Text(_) => {}
            TokenKind::Code { code: c, .. } => {
                code.push_str(c);
                code.push('\n');
            }
            TokenKind::Expr { code: c, .. } => {
                code.push_str("drop(");
                code.push_str(c);
                code.push_str(");\n");
            }
        }
    }
    code
}

fn parse_statements(code: &str) -> Result<(), String> {
    let tokens: proc_macro2::TokenStream = code.parse().map_err(|_| UNBALANCED.to_owned())?;
    syn::parse::Parser::parse2(syn::Block::parse_within, tokens)
        .map(drop)
        .map_err(|e| e.to_string())
}

fn parse_all(tokens: &[Token]) -> Result<(), String> {
    parse_statements(&joined_code(tokens))
}

/// The code failed to parse as a whole: find the tag that is wrong on its own. A tag that
/// opens or closes blocks is tried inside the constructs it could belong to.
fn locate(tokens: &[Token], message: &str) -> Diagnostic {
    for token in tokens {
        let TokenKind::Code { code, offset } = &token.kind else {
            continue;
        };
        if !fits_some_block(code) {
            return Diagnostic::new(
                code_start(code, *offset),
                format!("this tag is not valid Rust: {message}"),
            );
        }
    }
    let first = tokens.iter().find_map(|t| match &t.kind {
        TokenKind::Code { code, offset } => Some(code_start(code, *offset)),
        _ => None,
    });
    Diagnostic::new(
        first.unwrap_or(0),
        format!("the Rust code of this page does not parse: {message}"),
    )
}

fn fits_some_block(code: &str) -> bool {
    // Closes before any open (`} else {`) and opens left at the end (`for x in xs {`).
    let mut depth = 0usize;
    let mut leading_closes = 0usize;
    for (_, brace) in braces(code) {
        match brace {
            Brace::Open => depth += 1,
            Brace::Close if depth == 0 => leading_closes += 1,
            Brace::Close => depth -= 1,
        }
    }
    let (c, o) = (leading_closes, depth);
    let wrappings = [
        format!("{}{code}{}", "if x {".repeat(c), "}".repeat(o)),
        format!(
            "{}{code}{}{}",
            "match x { _ => {".repeat(c),
            "}".repeat(o),
            "}".repeat(c)
        ),
        format!(
            "match x {{ {}{code}{}{} }}",
            "_ => {".repeat(c),
            "}".repeat(o),
            "}".repeat(c)
        ),
    ];
    wrappings.iter().any(|w| parse_statements(w).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lex::lex;

    fn problems(page: &str) -> Vec<Diagnostic> {
        check(&lex(page).unwrap()).err().unwrap_or_default()
    }

    #[test]
    fn good_pages_pass() {
        for page in [
            "<% for x in xs { %><li><%= x %></li><% } %>",
            "<% if a { %>A<% } else if b { %>B<% } else { %>C<% } %>",
            "<% match v { %><% Some(x) => { %><%= x %><% } %><% None => { %>-<% } %><% } %>",
            "<% let v = load().await?; %><%= v.len() %>",
            "plain text",
        ] {
            assert_eq!(problems(page), vec![], "{page}");
        }
    }

    #[test]
    fn bad_expression_is_located() {
        let found = problems("<p><%= a + %></p>");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].offset, 7);
        assert!(found[0].message.contains("one Rust expression"));
        assert!(problems("<%= %>")[0].message.contains("empty"));
    }

    #[test]
    fn braces_must_balance_across_tags() {
        let found = problems("<% for x in xs { %>\n<li>");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].offset, 15);
        assert!(found[0].message.contains("never closed"));
        let found = problems("a<% } %>");
        assert_eq!(found[0].offset, 4);
        assert!(found[0].message.contains("closes no block"));
    }

    #[test]
    fn all_errors_are_reported() {
        assert_eq!(problems("<%= + %><%= ) %><% { %>").len(), 3);
    }

    #[test]
    fn syntax_error_in_a_statement_tag_is_located() {
        let found = problems("<% let x = ; %>\n<% for y in z { %>x<% } %>");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].offset, 3);
        assert!(found[0].message.contains("not valid Rust"));
        let found = problems("<% for y in z { %>x<% } %><% } else }{ %>");
        assert!(!found.is_empty());
    }
}
