//! The passes put together: a macro's input tokens → its expansion, every problem a
//! compile error that names the page line and column.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::quote;

use crate::codegen::{self, Body};
use crate::header::{FragmentDef, LayoutDef, PageDef};
use crate::html::{self, Context, Inner, Insertion, Outer};
use crate::lex::{self, Token};
use crate::mirror::{Location, Mirror};
use crate::source::{Diagnostic, PageSource};
use crate::spans::{self, Subspan};
use crate::{assets as assets_pass, check, constraints};

/// Where a span starts in its `.rs` file, when the compiler can tell: only the
/// proc-macro crate can ask it, so it passes this in.
pub type Locate<'a> = &'a dyn Fn(Span) -> Option<Location>;

/// `page!`: an async page function and its registration.
pub fn page(input: TokenStream, locate: Locate<'_>) -> TokenStream {
    let def = match syn::parse2::<PageDef>(input) {
        Ok(def) => def,
        Err(e) => return e.to_compile_error(),
    };
    // Under the strict policy a browser runs no inline handler: refuse them here.
    let handlers = if def.options.csp {
        Handlers::Refused
    } else {
        Handlers::Allowed
    };
    let Some(body) = &def.body else {
        // Answers with its last expression: nothing to compile but Rust.
        return codegen::page(&def, None);
    };
    let name = def.name.to_string();
    let page = quote!(::core::concat!(::core::module_path!(), "::", #name));
    match compile(body, handlers, Some(&page), locate) {
        Ok((compiled, mirror)) => {
            let subspan = spans::of_literal(&body.token(), &compiled.text);
            let subspan = subspan.as_ref().map(|f| f as Subspan<'_>);
            codegen::page(&def, Some(&compiled.body(mirror.as_ref(), subspan)))
        }
        Err(error) => {
            // Still define the function the user named, with the code it holds, so that
            // one mistake is one error.
            let tokens = lex::lex(&body.value()).ok();
            let stand_in = codegen::stand_in(&def, tokens.as_deref(), body.span());
            let error = error.to_compile_error();
            quote! {
                #error
                #stand_in
            }
        }
    }
}

/// `layout!`: a layout that runs like a page (`req`, `res`, `.await`, `?`) and frames
/// the page it is given as `page`.
pub fn layout(input: TokenStream, locate: Locate<'_>) -> TokenStream {
    let def = match syn::parse2::<LayoutDef>(input) {
        Ok(def) => def,
        Err(e) => return e.to_compile_error(),
    };
    // Its markup goes into pages under the strict policy, unless they opt out: no
    // inline handlers in a layout.
    match compile(&def.body, Handlers::Refused, None, locate) {
        Ok((compiled, mirror)) => {
            let subspan = spans::of_literal(&def.body.token(), &compiled.text);
            let subspan = subspan.as_ref().map(|f| f as Subspan<'_>);
            codegen::layout(&def, &compiled.body(mirror.as_ref(), subspan))
        }
        Err(error) => error.to_compile_error(),
    }
}

/// `html!`: a value that renders the body.
pub fn fragment(input: TokenStream, locate: Locate<'_>) -> TokenStream {
    let def = match syn::parse2::<FragmentDef>(input) {
        Ok(def) => def,
        Err(e) => return e.to_compile_error(),
    };
    // A fragment does not know the page it goes into: its handlers run on pages with
    // `csp: off;`.
    match compile(&def.body, Handlers::Allowed, None, locate) {
        Ok((compiled, mirror)) => {
            let subspan = spans::of_literal(&def.body.token(), &compiled.text);
            let subspan = subspan.as_ref().map(|f| f as Subspan<'_>);
            codegen::fragment(&compiled.body(mirror.as_ref(), subspan))
        }
        Err(error) => {
            let error = error.to_compile_error();
            quote!({ #error ::rsp::raw("") })
        }
    }
}

/// Whether a body may have inline event handlers (`onclick="…"`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Handlers {
    Allowed,
    Refused,
}

/// A body literal through every pass but code generation, and its mirror file.
/// `page` is the expression of the page's name, for a page.
fn compile(
    body: &syn::LitStr,
    handlers: Handlers,
    page: Option<&TokenStream>,
    locate: Locate<'_>,
) -> syn::Result<(Compiled, Option<Mirror>)> {
    let text = body.value();
    let location = locate(body.span());
    let first_line = location.as_ref().map(|l| l.line);
    let compiled = compile_body(&text, first_line, handlers, page, body.span())?;
    let mirror = location.and_then(|l| Mirror::new(&l, &body.token().to_string(), &text));
    Ok((compiled, mirror))
}

/// `assets!("/prefix", "folder")`: the folder's files embedded, and their route.
pub fn assets(input: TokenStream) -> TokenStream {
    assets_pass::expand(input)
}

/// Writes the value `value` (a string) in every context, and `attrs` (an attribute set)
/// in a tag's attribute list, each with the escaper code generation picks for it: a list
/// of `("Inner/Outer", output)`. It compiles only if every context has an escaper in the
/// runtime, which is what it is for: a test of the contract between the two.
pub fn every_context(input: TokenStream) -> TokenStream {
    let parsed = syn::parse::Parser::parse2(
        syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
        input,
    );
    let (value, attrs) = match parsed {
        Ok(args) if args.len() == 2 => (args[0].clone(), args[1].clone()),
        Ok(_) => return quote!(::core::compile_error!("expected `value, attrs`")),
        Err(e) => return e.to_compile_error(),
    };
    let (value, attrs) = (quote!((#value)), quote!((#attrs)));
    let writes = Inner::ALL.into_iter().flat_map(|inner| {
        let argument = if inner == Inner::AttrSet {
            attrs.clone()
        } else {
            value.clone()
        };
        Outer::ALL.into_iter().map(move |outer| {
            let context = Context { inner, outer };
            let (before, after) = codegen::write_value(context);
            let write: TokenStream = format!("{before}{PLACEHOLDER}{after}")
                .parse()
                .expect("generated code tokenizes");
            let write = substitute(write, &argument);
            let name = format!("{inner:?}/{outer:?}");
            let buf = codegen::buffer();
            quote! {{
                let mut __rsp_out = ::std::string::String::new();
                let #buf = &mut __rsp_out;
                #write
                (#name, __rsp_out)
            }}
        })
    });
    quote!(::std::vec![#(#writes),*])
}

const PLACEHOLDER: &str = "__rsp_value";

/// Puts `value` where the placeholder stands, and the hidden buffer where the buffer's
/// name stands, keeping the spans (and so the hygiene) of the caller's expression.
fn substitute(stream: TokenStream, value: &TokenStream) -> TokenStream {
    stream
        .into_iter()
        .flat_map(|tree| match tree {
            TokenTree::Group(group) => {
                let mut new = Group::new(group.delimiter(), substitute(group.stream(), value));
                new.set_span(group.span());
                vec![TokenTree::Group(new)]
            }
            TokenTree::Ident(ident) if ident == PLACEHOLDER => value.clone().into_iter().collect(),
            TokenTree::Ident(ident) if ident == codegen::BUFFER => {
                vec![TokenTree::Ident(codegen::buffer())]
            }
            other => vec![other],
        })
        .collect()
}

/// A body through every pass but code generation.
struct Compiled {
    text: String,
    /// Where the body literal stands.
    span: Span,
    tokens: Vec<Token>,
    contexts: Vec<Context>,
    insertions: Vec<Insertion>,
    form_rules: Vec<TokenStream>,
}

impl Compiled {
    fn body<'a>(&'a self, mirror: Option<&'a Mirror>, subspan: Option<Subspan<'a>>) -> Body<'a> {
        Body {
            subspan,
            tokens: &self.tokens,
            contexts: &self.contexts,
            insertions: &self.insertions,
            form_rules: &self.form_rules,
            span: self.span,
            mirror,
            text: &self.text,
        }
    }
}

/// Lexes and checks a body, and finds the context of each value; errors are reported on
/// the body literal at `span`.
fn compile_body(
    text: &str,
    first_line: Option<usize>,
    handlers: Handlers,
    page: Option<&TokenStream>,
    span: Span,
) -> syn::Result<Compiled> {
    let source = PageSource { text, first_line };
    let error = |diagnostics: &[Diagnostic]| to_error(&source, span, diagnostics);
    let tokens = lex::lex(text).map_err(|d| error(&[d]))?;
    // Context errors after broken code would only repeat it: check the code first.
    check::check(&tokens).map_err(|ds| error(&ds))?;
    let tracked = html::track(&tokens);
    let contexts = tracked.contexts.map_err(|ds| error(&ds))?;
    if handlers == Handlers::Refused && !tracked.handlers.is_empty() {
        let refused: Vec<Diagnostic> = tracked
            .handlers
            .iter()
            .map(|(offset, name)| Diagnostic::new(*offset, refused_handler(name)))
            .collect();
        return Err(error(&refused));
    }
    let mut form_rules = Vec::new();
    for form in &tracked.forms {
        if let Some(rules) = constraints::rules(form, page).map_err(|d| error(&[d]))? {
            form_rules.push(rules);
        }
    }
    Ok(Compiled {
        text: text.to_owned(),
        span,
        tokens,
        contexts,
        insertions: tracked.insertions,
        form_rules,
    })
}

fn refused_handler(name: &str) -> String {
    let event = name.strip_prefix("on").unwrap_or(name);
    format!(
        "inline event handler `{name}`: the strict Content-Security-Policy rsp sends runs no \
         inline handler; attach it in a <script> with \
         `element.addEventListener(\"{event}\", …)`, or turn the policy off for this page \
         with `csp: off;`"
    )
}

/// One compile error holding every diagnostic, all on the body literal.
fn to_error(source: &PageSource<'_>, span: Span, diagnostics: &[Diagnostic]) -> syn::Error {
    let mut errors = diagnostics
        .iter()
        .map(|d| syn::Error::new(span, source.render(d)));
    let mut first = errors
        .next()
        .unwrap_or_else(|| syn::Error::new(span, "invalid page"));
    for e in errors {
        first.combine(e);
    }
    first
}
