//! The page compiler of rsp. Use it through the `rsp` crate, which re-exports
//! [`page!`] and [`html!`] and documents the page language.
//!
//! A body goes through small passes, each with one input and one output:
//! `header` (the invocation → route, options, statements, body literal) · `lex` (body
//! text → tokens with offsets) · `check` (the Rust in the tags is well formed) · `html`
//! (the HTML context of every value, and the post forms that need a CSRF field) ·
//! `codegen` (→ Rust). Every problem is reported with its page line and column.

mod assets;
mod check;
mod codegen;
mod header;
mod html;
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
        Ok(compiled) => codegen::page(&def, &compiled.body(source.span)).into(),
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

/// Embeds a folder of static files in the binary and serves it under a URL prefix:
/// `rsp::assets!("/static", "static");` at module level, the folder relative to the
/// crate's `Cargo.toml`.
///
/// Every file below the folder (recursively; names starting with `.` are left out) is
/// read at compile time: its bytes with `include_bytes!`, so changing a file rebuilds the
/// crate, plus its content type (from the extension), a strong ETag (a content hash) and
/// gzip and brotli variants compressed once, at build time (at the best levels in release
/// builds, at fast ones in development builds). `GET /static/css/site.css`
/// then serves `static/css/site.css` with `ETag`/`304`, `Cache-Control: public,
/// no-cache`, `Content-Encoding` by the client's `Accept-Encoding`, and `Range`. Only the
/// embedded table is ever read: no request reaches the file system.
///
/// To have cargo notice files *added* to the folder, give the site a `build.rs`:
///
/// ```text
/// fn main() {
///     println!("cargo:rerun-if-changed=static");
/// }
/// ```
#[proc_macro]
pub fn assets(input: TokenStream) -> TokenStream {
    assets::expand(input.into()).into()
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
        Ok(compiled) => codegen::fragment(&compiled.body(source.span)).into(),
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

/// A body through every pass but code generation.
struct Compiled {
    tokens: Vec<lex::Token>,
    escapers: Vec<Escaper>,
    csrf_fields: Vec<(usize, usize)>,
}

impl Compiled {
    fn body(&self, span: proc_macro2::Span) -> Body<'_> {
        Body {
            tokens: &self.tokens,
            escapers: &self.escapers,
            csrf_fields: &self.csrf_fields,
            span,
        }
    }
}

/// Lexes and checks a body, and finds the context of each value.
fn compile_body(source: &PageSource<'_>) -> syn::Result<Compiled> {
    let tokens = lex::lex(source.text).map_err(|d| source.to_error(&[d]))?;
    // Context errors after broken code would only repeat it: check the code first.
    check::check(&tokens).map_err(|ds| source.to_error(&ds))?;
    let contexts = html::contexts(&tokens).map_err(|ds| source.to_error(&ds))?;
    let escapers = contexts
        .into_iter()
        .map(|context| Escaper {
            inner: context.inner.name(),
            outer: context.outer.name(),
        })
        .collect();
    let csrf_fields = html::post_forms(&tokens);
    Ok(Compiled {
        tokens,
        escapers,
        csrf_fields,
    })
}
