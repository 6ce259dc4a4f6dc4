//! Fuzzes the page compiler's front passes: lex → html::contexts and html::post_forms,
//! with the diagnostics they give rendered. The input is the longest UTF-8 prefix of
//! libFuzzer's bytes. `check::check` is left out: its syn parsing took ~70% of the time.
//!
//! A proc-macro crate cannot be linked into a binary, so its pass files are compiled
//! into this one, at the crate root, where their `crate::lex` and `crate::source`
//! paths resolve.
#![no_main]
#![allow(dead_code)] // Parts of the passes that only codegen uses.

#[path = "../../page-macros/src/html.rs"]
mod html;
#[path = "../../page-macros/src/lex.rs"]
mod lex;
#[path = "../../page-macros/src/source.rs"]
mod source;

use libfuzzer_sys::fuzz_target;

use lex::{Token, TokenKind};
use source::{Diagnostic, PageSource};

fuzz_target!(|page: &str| {
    let source = PageSource {
        text: page,
        span: proc_macro2::Span::call_site(), // Fallback mode outside a proc macro.
        first_line: Some(1),
    };
    // Every diagnostic points into the page at a character and renders.
    let diagnostics = |found: &[Diagnostic]| {
        for d in found {
            assert!(d.offset <= page.len(), "diagnostic past the end: {d:?}");
            assert!(
                page.is_char_boundary(d.offset),
                "diagnostic mid-char: {d:?}"
            );
            source.render(d);
        }
    };

    let tokens = match lex::lex(page) {
        Ok(tokens) => tokens,
        Err(d) => return diagnostics(&[d]),
    };
    check_spans(page, &tokens);
    match html::contexts(&tokens) {
        Ok(contexts) => {
            let values = tokens
                .iter()
                .filter(|t| matches!(t.kind, TokenKind::Expr { .. }));
            assert_eq!(contexts.len(), values.count(), "one context per value");
        }
        Err(found) => diagnostics(&found),
    }
    for (index, at) in html::post_forms(&tokens) {
        let TokenKind::Text(text) = &tokens[index].kind else {
            panic!(
                "post form in token {index}, not a Text: {:?}",
                tokens[index]
            );
        };
        assert!(
            at <= text.len() && text.is_char_boundary(at),
            "post form at {at} of {text:?}"
        );
        assert!(
            text[..at].ends_with('>'),
            "post form not after a `>`: {at} of {text:?}"
        );
    }
});

/// Token spans are in bounds, on char boundaries, in order and disjoint; tags keep their
/// code where they say.
fn check_spans(page: &str, tokens: &[Token]) {
    let mut end = 0;
    for token in tokens {
        let span = &token.span;
        assert!(
            end <= span.start && span.start <= span.end && span.end <= page.len(),
            "{token:?} after {end}"
        );
        assert!(
            page.is_char_boundary(span.start) && page.is_char_boundary(span.end),
            "{token:?}"
        );
        end = span.end;
        if let TokenKind::Code { code, offset } | TokenKind::Expr { code, offset } = &token.kind {
            let tag = &page[span.clone()];
            assert!(tag.starts_with("<%") && tag.ends_with("%>"), "{token:?}");
            assert_eq!(
                page.get(*offset..offset + code.len()),
                Some(code.as_str()),
                "{token:?}"
            );
        }
    }
}
