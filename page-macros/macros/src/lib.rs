//! The proc-macro entry points of rsp: `page!`, `html!` and `assets!`. Each parses
//! nothing itself and hands its input to the page compiler, `rsp-compiler`. Use them
//! through the `rsp` crate, which re-exports them and documents the page language.

use proc_macro::TokenStream;

/// Compiles a page into an async function and registers it with the runtime.
/// See the `rsp` crate for the page language.
#[proc_macro]
pub fn page(input: TokenStream) -> TokenStream {
    rsp_compiler::page(input.into(), &locate).into()
}

/// Compiles a layout that reads the request as a page does (`req`, `res`, `.await`,
/// `?`) and frames the page it is given as `page`. See the `rsp` crate.
#[proc_macro]
pub fn layout(input: TokenStream) -> TokenStream {
    rsp_compiler::layout(input.into(), &locate).into()
}

/// Compiles page text into a value that renders itself (a partial or a layout).
/// See the `rsp` crate for the page language.
#[proc_macro]
pub fn html(input: TokenStream) -> TokenStream {
    rsp_compiler::fragment(input.into(), &locate).into()
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
/// Each file is also served at a *fingerprinted* URL, with its content hash before its
/// extension, under `Cache-Control: public, max-age=31536000, immutable`: the URL changes
/// when the file does, so browsers never ask again. The invocation defines `asset!` in
/// its module, which gives that URL at compile time; a name that is not in the folder is
/// a compile error:
///
/// ```text
/// // src/assets.rs
/// rsp::assets!("/static", "static");
///
/// // in a page or layout
/// use crate::assets::asset;
/// r#"<link rel="stylesheet" href="<%= asset!("style.css") %>">"#  // /static/style.1a2b3c4d.css
/// ```
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
    rsp_compiler::assets(input.into()).into()
}

/// Writes a value in every context the page compiler knows, for the test that every
/// context has an escaper. Not a public API.
#[doc(hidden)]
#[proc_macro]
pub fn __every_context(input: TokenStream) -> TokenStream {
    rsp_compiler::every_context(input.into()).into()
}

/// Where a span starts in its `.rs` file: only the compiler can tell.
fn locate(span: proc_macro2::Span) -> Option<rsp_compiler::Location> {
    let span = span.unwrap();
    Some(rsp_compiler::Location {
        file: span.local_file(),
        line: span.line(),
        column: span.column(),
    })
}
