//! Fuzzes the page compiler's front passes: lex → html::track (contexts and post forms),
//! with the diagnostics they give rendered. The input is the longest UTF-8 prefix of
//! libFuzzer's bytes. `check::check` is left out: its syn parsing took ~70% of the time.
#![no_main]

use libfuzzer_sys::fuzz_target;

use rsp_compiler::html;
use rsp_compiler::lex::{self, Token, TokenKind};
use rsp_compiler::source::{Diagnostic, PageSource};

fuzz_target!(|page: &str| {
    let source = PageSource {
        text: page,
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
    let tracked = html::track(&tokens);
    match tracked.contexts {
        Ok(contexts) => {
            let values = tokens
                .iter()
                .filter(|t| matches!(t.kind, TokenKind::Expr { .. }));
            assert_eq!(contexts.len(), values.count(), "one context per value");
        }
        Err(found) => diagnostics(&found),
    }
    for (index, at) in tracked.post_forms {
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
