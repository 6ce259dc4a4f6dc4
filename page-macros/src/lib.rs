//! The page compiler of rsp. Use it through the `rsp` crate, which re-exports
//! [`page!`] and [`html!`] and documents the page language.
//!
//! A body goes through small passes, each with one input and one output:
//! `header` (the invocation → route, statements, body literal) · `lex` (body text →
//! tokens with offsets) · `check` (the Rust in the tags is well formed) · `codegen`
//! (→ Rust). Every problem is reported with its page line and column.

mod check;
mod codegen;
mod header;
mod lex;
mod source;

use proc_macro::TokenStream;
use quote::quote;

use codegen::{Body, Escaper};
use header::{FragmentDef, PageDef};
use source::PageSource;

/// Compiles a page into an async function and registers it with the runtime.
/// See the `rsp` crate for the page language.
#[proc_macro]
pub fn page(input: TokenStream) -> TokenStream {
    let def = match syn::parse::<PageDef>(input) {
        Ok(def) => def,
        Err(e) => return e.to_compile_error().into(),
    };
    let text = def.body.value();
    let source = page_source(&def.body, &text);
    match compile_body(&source) {
        Ok((tokens, escapers)) => {
            let body = Body {
                tokens: &tokens,
                escapers: &escapers,
                span: source.span,
            };
            codegen::page(&def, &body).into()
        }
        Err(error) => {
            // Still define the function the user named, so one mistake is one error.
            let name = &def.name;
            let error = error.to_compile_error();
            quote! {
                #error
                #[allow(dead_code)]
                fn #name() {}
            }
            .into()
        }
    }
}

/// Compiles page text into a value that renders itself (a partial or a layout).
/// See the `rsp` crate for the page language.
#[proc_macro]
pub fn html(input: TokenStream) -> TokenStream {
    let def = match syn::parse::<FragmentDef>(input) {
        Ok(def) => def,
        Err(e) => return e.to_compile_error().into(),
    };
    let text = def.body.value();
    let source = page_source(&def.body, &text);
    match compile_body(&source) {
        Ok((tokens, escapers)) => {
            let body = Body {
                tokens: &tokens,
                escapers: &escapers,
                span: source.span,
            };
            codegen::fragment(&body).into()
        }
        Err(error) => {
            let error = error.to_compile_error();
            quote!({ #error ::rsp::raw("") }).into()
        }
    }
}

fn page_source<'a>(literal: &syn::LitStr, text: &'a str) -> PageSource<'a> {
    PageSource {
        text,
        span: literal.span(),
        first_line: Some(literal.span().unwrap().line()),
    }
}

/// Lexes and checks a body; gives its tokens and the escaper of each value.
fn compile_body(source: &PageSource<'_>) -> syn::Result<(Vec<lex::Token>, Vec<Escaper>)> {
    let tokens = lex::lex(source.text).map_err(|d| source.to_error(&[d]))?;
    check::check(&tokens).map_err(|ds| source.to_error(&ds))?;
    let values = tokens
        .iter()
        .filter(|t| matches!(t.kind, lex::TokenKind::Expr { .. }))
        .count();
    let escapers = vec![
        Escaper {
            inner: "text",
            outer: "element",
        };
        values
    ];
    Ok((tokens, escapers))
}
