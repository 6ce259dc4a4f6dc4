//! The page language of rsp, as a library: what `page!`, `html!` and `assets!` compile
//! with, and what the runtime and tools reuse.
//!
//! A page body goes through small passes, each with one input and one output:
//!
//! | pass | in → out |
//! | --- | --- |
//! | `header` | the `page!` invocation → route, options, statements, body literal |
//! | [`lex`] | body text → [`lex::Token`]s with their page offsets |
//! | [`check`] | tokens → the Rust in the tags is well formed |
//! | [`html`] | tokens → the [`html::Context`] of every value, what to insert (CSRF fields, script nonces), inline handlers, post forms and their fields |
//! | `constraints` | a post form → the rules the server checks its fields by |
//! | `codegen` | tokens and contexts → the Rust of a page function or fragment |
//!
//! Every problem is a [`source::Diagnostic`] at a byte offset of the page, rendered with
//! its page line and column. [`attrs`] is the table of attribute rules that the runtime
//! follows too, [`media_types`] the table of content types both send files with, and [`numbers`]
//! HTML's number syntax, which both check form fields by.
//!
//! The lexer, the tracker, the diagnostics and the attribute rules need no dependency;
//! the passes that read and write Rust (`check`, the header, code generation, `assets!`)
//! come with the default feature `codegen`.
//!
//! ```
//! use rsp_compiler::{html, lex};
//!
//! let tokens = lex::lex(r#"<a href="<%= url %>"><%= name %></a>"#).unwrap();
//! let tracked = html::track(&tokens);
//! let contexts = tracked.contexts.unwrap();
//! assert_eq!(contexts[0].inner, html::Inner::Url);
//! assert_eq!(contexts[1].inner, html::Inner::Text);
//! ```

pub mod attrs;
pub mod html;
pub mod lex;
pub mod media_types;
pub mod numbers;
pub mod skeleton;
pub mod source;

#[cfg(feature = "codegen")]
mod assets;
#[cfg(feature = "codegen")]
pub mod check;
#[cfg(feature = "codegen")]
mod codegen;
#[cfg(feature = "codegen")]
mod constraints;
#[cfg(feature = "codegen")]
mod expand;
#[cfg(feature = "codegen")]
mod header;
#[cfg(feature = "codegen")]
mod mirror;
#[cfg(feature = "codegen")]
mod spans;

#[cfg(feature = "codegen")]
pub use expand::{assets, every_context, fragment, layout, page, Locate};
#[cfg(feature = "codegen")]
pub use mirror::Location;
