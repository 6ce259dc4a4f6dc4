//! Code generation: checked tokens and their escapers → the Rust of a page function or
//! an `html!` fragment.
//!
//! Static text becomes one `push_str` of a `&'static str` per run (the lexer already
//! merged neighbouring text), values become a call of the escaper their context needs,
//! and code tags are copied as they are. The buffer starts with a capacity estimated
//! from the page's static text.

use proc_macro2::{Group, Ident, Span, TokenStream, TokenTree};
use quote::{format_ident, quote};

use crate::header::{LayoutDef, PageDef, Target};
use crate::html::{Context, Inner, Inserted, Insertion, Outer};
use crate::lex::{Token, TokenKind};
use crate::mirror::Mirror;
use crate::skeleton;
use crate::spans::{self, Subspan};

/// The checked body of a page or fragment.
pub(crate) struct Body<'a> {
    pub(crate) tokens: &'a [Token],
    /// The context of each `Expr` token, in order.
    pub(crate) contexts: &'a [Context],
    /// What to insert into the static text (CSRF fields, script nonces), in order.
    pub(crate) insertions: &'a [Insertion],
    /// Where the body literal stands; user code is reported there.
    pub(crate) span: Span,
    /// Where the body's mirror file goes, when the compiler told where the page is.
    pub(crate) mirror: Option<&'a Mirror>,
    /// The body's text, as written.
    pub(crate) text: &'a str,
    /// The rules of its post forms (`rsp::__private::FormRules` expressions).
    pub(crate) form_rules: &'a [TokenStream],
    /// Spans of the page's own bytes, where the compiler makes them (nightly).
    pub(crate) subspan: Option<Subspan<'a>>,
}

/// Bytes assumed for each value when estimating the output size.
const BYTES_PER_VALUE: usize = 16;

pub(crate) const BUFFER: &str = "__rsp_buf";

/// The static that holds a body's source in development builds.
const BODY_SOURCE: &str = "__RSP_BODY_SOURCE";

impl Body<'_> {
    fn capacity(&self) -> usize {
        self.tokens
            .iter()
            .map(|t| match &t.kind {
                TokenKind::Text(text) => text.len(),
                TokenKind::Expr { .. } => BYTES_PER_VALUE,
                TokenKind::Code { .. } => 0,
            })
            .sum()
    }

    /// The code of the body in order: static text writes, tags, values.
    fn pieces(&self) -> Vec<Piece<'_>> {
        let mut pieces = Vec::new();
        let mut contexts = self.contexts.iter();
        // The text slots (see `skeleton`), which the dev mode can swap by their number.
        let mut slots = skeleton::slots(self.tokens, self.insertions)
            .into_iter()
            .enumerate();
        let mut write_slot = |pieces: &mut Vec<Piece<'_>>| {
            let (slot, text) = slots.next().expect("one slot per text piece");
            if !text.is_empty() {
                pieces.push(Piece::Generated(format!(
                    "{BUFFER}.push_str(::rsp::__rsp_text!({BODY_SOURCE}, {slot}, {text:?}));"
                )));
            }
        };
        for (index, token) in self.tokens.iter().enumerate() {
            match &token.kind {
                TokenKind::Text(_) => {
                    for insertion in self.insertions.iter().filter(|i| i.token == index) {
                        write_slot(&mut pieces);
                        let write = match insertion.what {
                            Inserted::CsrfField => "csrf_field",
                            Inserted::ScriptNonce => "script_nonce",
                        };
                        pieces.push(Piece::Generated(format!(
                            "::rsp::__private::{write}({BUFFER});"
                        )));
                    }
                    write_slot(&mut pieces);
                }
                TokenKind::Code { code, offset } => pieces.push(Piece::Tag {
                    code,
                    offset: *offset,
                }),
                TokenKind::Expr { code, offset } => {
                    let context = contexts.next().expect("one context per value");
                    let (before, after) = write_value(*context);
                    pieces.push(Piece::Value {
                        before,
                        code,
                        offset: *offset,
                        after,
                    });
                }
            }
        }
        pieces
    }

    /// The statements that write the body, and the name of the buffer they write to:
    /// an `include!` of the body's mirror file when it can be written (so rustc points
    /// into it at the page's own lines), else the code itself, on the body literal.
    fn statements(&self) -> (TokenStream, Ident) {
        let pieces = self.pieces();
        // On the author's own bytes when the compiler can point there; else in the mirror.
        let mirror = self.mirror.filter(|_| self.subspan.is_none());
        if let Some(include) = mirror.and_then(|mirror| mirror.include(&pieces)) {
            // Included code is placed unhygienically: the buffer must be a plain name.
            return (include, Ident::new(BUFFER, Span::call_site()));
        }
        let mut code = String::new();
        let mut authored = Vec::new();
        let mut push_authored = |code: &mut String, text: &str, offset: usize| {
            authored.push((code.len()..code.len() + text.len(), offset));
            code.push_str(text);
        };
        for piece in &pieces {
            match piece {
                Piece::Generated(generated) => code.push_str(generated),
                Piece::Tag { code: tag, offset } => push_authored(&mut code, tag, *offset),
                Piece::Value {
                    before,
                    code: value,
                    offset,
                    after,
                } => {
                    code.push_str(before);
                    push_authored(&mut code, value, *offset);
                    code.push_str(after);
                }
            }
            code.push('\n');
        }
        // The check pass parsed the same code, so this cannot fail; say so if it does.
        let stream: TokenStream = code
            .parse()
            .unwrap_or_else(|_| quote!(::core::compile_error!("rsp: page code did not tokenize");));
        let placed = self.subspan.and_then(|subspan| {
            spans::place(stream.clone(), &code, &authored, subspan, self.span, BUFFER)
        });
        (
            placed.unwrap_or_else(|| respan(stream, self.span)),
            buffer(),
        )
    }
}

/// One piece of a body's code.
pub(crate) enum Piece<'a> {
    /// Code the compiler writes (static text, the CSRF field): one line, no comment.
    Generated(String),
    /// The code of a `<% %>` tag, which starts at byte `offset` of the page.
    Tag { code: &'a str, offset: usize },
    /// A `<%= %>` value: the author's expression, at byte `offset` of the page, between
    /// the start and the end of the call of its escaper. `before` ends with the `(` that
    /// opens the expression (see [`OPEN`]).
    Value {
        before: String,
        code: &'a str,
        offset: usize,
        after: String,
    },
}

/// The statement that registers a body's source for the dev mode (nothing in release
/// builds), so that an edit of its text can be served without a rebuild.
fn body_source(text: &str) -> TokenStream {
    let name = Ident::new(BODY_SOURCE, Span::call_site());
    quote!(::rsp::__rsp_body_source!(#name, ::core::file!(), #text);)
}

/// How the code before a value ends: the expression is `(…)`, or `&(…)` for an attribute
/// set. The mirror file puts it right before the author's code, so that a message about
/// the value underlines the value alone.
pub(crate) const OPEN: [&str; 2] = ["&(", "("];

/// The code before and after a value written in `context`: the call of the runtime's
/// escaper for it. One arm per context: a context the tracker can produce without an
/// escaper does not compile.
pub(crate) fn write_value(context: Context) -> (String, String) {
    let d = quote!(::rsp::escape::__dispatch);
    // An attribute value's own encoding: its quotes, or none.
    let attr = |outer| match outer {
        Outer::Unquoted => quote!(#d::Unquoted),
        Outer::Element | Outer::DoubleQuoted | Outer::SingleQuoted => quote!(#d::Quoted),
    };
    // Inside a string or literal the escaper already escapes every HTML special
    // character: only an unquoted attribute needs more (its whitespace).
    let literal = |outer| match outer {
        Outer::Unquoted => quote!(#d::UnquotedPart),
        Outer::Element | Outer::DoubleQuoted | Outer::SingleQuoted => quote!(#d::Direct),
    };
    let outer = context.outer;
    let escaper = match context.inner {
        Inner::AttrSet => {
            let write = quote!(#d::write_attrs).to_string().replace(' ', "");
            return (format!("{write}(&("), format!("), {BUFFER});"));
        }
        Inner::Text if outer == Outer::Element => quote!(#d::Text),
        // RCDATA decodes entities as attribute values do, and markup has no place there
        // (a fragment's `</title>` would end it).
        Inner::Text | Inner::Rcdata | Inner::Attr => {
            let outer = attr(outer);
            quote!(#d::Attr<#outer>)
        }
        Inner::Url => {
            let outer = attr(outer);
            quote!(#d::Url<#outer>)
        }
        Inner::UrlPart => quote!(#d::UrlPart),
        Inner::Js if outer == Outer::Element => quote!(#d::Js<#d::Direct>),
        Inner::Js => {
            let outer = attr(outer);
            quote!(#d::Js<#outer>)
        }
        Inner::JsDoubleQuoted | Inner::JsSingleQuoted => {
            let outer = literal(outer);
            quote!(#d::JsString<#outer>)
        }
        Inner::JsTemplate => {
            let outer = literal(outer);
            quote!(#d::JsTemplate<#outer>)
        }
        Inner::JsRegex => {
            let outer = literal(outer);
            quote!(#d::JsRegex<#outer>)
        }
        // CSS values are filtered to a grammar with no HTML special character.
        Inner::Css if outer == Outer::Unquoted => quote!(#d::Css<#d::Unquoted>),
        Inner::Css => quote!(#d::Css<#d::Direct>),
        Inner::CssDoubleQuoted | Inner::CssSingleQuoted => {
            let outer = literal(outer);
            quote!(#d::CssString<#outer>)
        }
    };
    // Without the spaces of token printing: the call stands in the mirror file's lines.
    let escaper = escaper.to_string().replace(' ', "");
    (
        format!("::rsp::__rsp_write!({escaper}, {BUFFER}, ("),
        "));".to_owned(),
    )
}

/// Gives generated tokens the body literal's location, so rustc's errors about code in the
/// page point at the page; the buffer gets a name user code cannot see.
fn respan(stream: TokenStream, at: Span) -> TokenStream {
    let user = Span::call_site().located_at(at);
    let hidden = Span::mixed_site().located_at(at);
    stream
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => {
                let mut new = Group::new(group.delimiter(), respan(group.stream(), at));
                new.set_span(user);
                TokenTree::Group(new)
            }
            TokenTree::Ident(ident) if ident == BUFFER => {
                TokenTree::Ident(Ident::new(BUFFER, hidden))
            }
            mut other => {
                other.set_span(user);
                other
            }
        })
        .collect()
}

pub(crate) fn buffer() -> Ident {
    Ident::new(BUFFER, Span::mixed_site())
}

/// A hidden name for generated code.
fn hidden(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

/// `html!`: a value that renders the body into the buffer it is given.
pub(crate) fn fragment(body: &Body<'_>) -> TokenStream {
    let capacity = body.capacity();
    let (statements, buf) = body.statements();
    let source = body_source(body.text);
    let size = hidden("__RSP_SIZE");
    let start = hidden("__rsp_start");
    let rules = body.form_rules;
    quote! {{
        #(::rsp::__private::inventory::submit! { #rules })*
        ::rsp::escape::Html::__new(move |#buf: &mut ::std::string::String| {
            static #size: ::rsp::__private::SizeHint = ::rsp::__private::SizeHint::new(#capacity);
            #source
            let #start = #buf.len();
            #size.reserve(#buf);
            #statements
            #size.learn(#buf.len() - #start);
        })
    }}
}

/// `page!`: an async page function and its registration. A page without a body (`None`)
/// answers with its last expression.
pub(crate) fn page(def: &PageDef, body: Option<&Body<'_>>) -> TokenStream {
    let name = &def.name;
    let stmts = &def.stmts;
    let params = param_bindings(&def.target);
    let target = match &def.target {
        Target::Route { methods, route } => {
            let pattern = &route.pattern;
            let methods = methods.iter().map(|m| format_ident!("{}", m.as_str()));
            quote!(::rsp::__private::Target::Route {
                pattern: #pattern,
                methods: &[#(::rsp::Method::#methods),*],
            })
        }
        Target::Status(code) => quote!(::rsp::__private::Target::Status(#code)),
    };
    let written = body.map(|body| written(def, body));
    // A status page only shows an error; it never acts on the request it answers, so
    // checking that request's CSRF token would just hide the page behind a 403.
    let csrf = def.options.csrf && matches!(def.target, Target::Route { .. });
    let csp = def.options.csp;
    let json_errors = def.options.json_errors;
    let rules = body.map_or(&[][..], |body| body.form_rules);
    let handler = format_ident!("__rsp_handler_{}", name);
    let name_str = name.to_string();
    let req = Ident::new("req", Span::call_site());
    let res = Ident::new("res", Span::call_site());
    quote! {
        #[allow(unused_variables, unused_mut, unreachable_code, clippy::all)]
        async fn #name(
            #req: &mut ::rsp::Request,
            #res: &mut ::rsp::Response,
        ) -> ::rsp::Result<::rsp::Response> {
            #params
            #(#stmts)*
            #written
        }

        #[doc(hidden)]
        #[allow(non_snake_case)]
        fn #handler<'a>(
            req: &'a mut ::rsp::Request,
            res: &'a mut ::rsp::Response,
        ) -> ::rsp::__private::PageFuture<'a> {
            ::std::boxed::Box::pin(#name(req, res))
        }

        ::rsp::__private::inventory::submit! {
            ::rsp::__private::PageEntry {
                target: #target,
                name: ::core::concat!(::core::module_path!(), "::", #name_str),
                file: ::core::file!(),
                line: ::core::line!(),
                handler: #handler,
                csrf: #csrf,
                csp: #csp,
                json_errors: #json_errors,
            }
        }

        #(::rsp::__private::inventory::submit! { #rules })*
    }
}

/// What a page that has an error in its body expands to besides the error: its function
/// with its statements and the code of its tags (when the body lexes), so that rustc
/// reports the one error and not, as well, the imports only they use as unused.
pub(crate) fn stand_in(def: &PageDef, tokens: Option<&[Token]>, span: Span) -> TokenStream {
    let name = &def.name;
    let stmts = &def.stmts;
    let params = param_bindings(&def.target);
    let mut code = String::new();
    for token in tokens.unwrap_or_default() {
        match &token.kind {
            TokenKind::Code { code: tag, .. } => code.push_str(tag),
            TokenKind::Expr { code: value, .. } => {
                code.push_str("let _ = &(");
                code.push_str(value);
                code.push_str(");");
            }
            TokenKind::Text(_) => {}
        }
        code.push('\n');
    }
    // Code that does not parse was reported already: leave it out.
    let parses = syn::parse_str::<syn::Block>(&format!("{{{code}}}")).is_ok();
    let tags = code
        .parse::<TokenStream>()
        .ok()
        .filter(|_| parses)
        .map(|stream| respan(stream, span))
        .unwrap_or_default();
    quote! {
        #[allow(dead_code, unused_variables, unused_mut, unreachable_code, clippy::all)]
        async fn #name(
            req: &mut ::rsp::Request,
            res: &mut ::rsp::Response,
        ) -> ::rsp::Result<::rsp::Response> {
            #params
            #(#stmts)*
            #tags
            ::core::unreachable!()
        }
    }
}

/// What follows a page's statements when it has a body: the body written, framed by the
/// layout, and returned as the response.
fn written(def: &PageDef, body: &Body<'_>) -> TokenStream {
    let capacity = body.capacity();
    let (statements, buf) = body.statements();
    let source = body_source(body.text);
    let size = hidden("__RSP_SIZE");
    let out = hidden("__rsp_out");
    let finish = match &def.options.layout {
        None => quote! {
            #size.learn(#out.len());
            ::rsp::__private::finish(res, #out)
        },
        Some(layout) => {
            // The slots own what they hold, so that the layout may borrow `req` mutably
            // even when the title or head were made from it.
            let title = match &def.options.title {
                None => quote!(""),
                Some(syn::Expr::Lit(lit)) => quote!(#lit),
                Some(title) => quote! {
                    ::std::string::String::from(::core::convert::AsRef::<str>::as_ref(&(#title)))
                },
            };
            let head = def.options.head.as_ref().map_or_else(
                || quote!(::rsp::raw("")),
                |head| {
                    quote!(::rsp::raw({
                        let mut head = ::std::string::String::new();
                        ::rsp::Render::render(&(#head), &mut head);
                        head
                    }))
                },
            );
            let (slot_title, slot_head) = (hidden("__rsp_title"), hidden("__rsp_head"));
            let slots = quote! {
                let (#slot_title, #slot_head) = {
                    // Shared here, so that a `move` fragment in the head copies it.
                    let req: &::rsp::Request = &*req;
                    (#title, #head)
                };
            };
            let title = quote!(::core::convert::AsRef::<str>::as_ref(&#slot_title));
            let head = quote!(#slot_head);
            let framed = framed(layout, capacity, &out, &title, &head);
            quote! {
                #size.learn(#out.len());
                #slots
                #framed
                ::rsp::__private::finish(res, #out)
            }
        }
    };
    quote! {
        static #size: ::rsp::__private::SizeHint = ::rsp::__private::SizeHint::new(#capacity);
        #source
        let mut #out = ::std::string::String::with_capacity(#size.get());
        // The body writes through `&mut String`, as a fragment's does.
        let #buf = &mut #out;
        #statements
        #finish
    }
}

/// The markup in the string `out` framed by `layout` with the given title (a `&str`)
/// and head (a `Render + Sync`), into `out` again. Expects `req` and `res` in scope.
fn framed(
    layout: &syn::Path,
    capacity: usize,
    out: &Ident,
    title: &TokenStream,
    head: &TokenStream,
) -> TokenStream {
    let framed_size = hidden("__RSP_FRAMED_SIZE");
    let framed_capacity = capacity + BYTES_PER_VALUE * 64;
    quote! {
        let __rsp_body = ::rsp::raw(#out);
        static #framed_size: ::rsp::__private::SizeHint =
            ::rsp::__private::SizeHint::new(#framed_capacity);
        let mut #out = ::std::string::String::with_capacity(#framed_size.get());
        ::rsp::Layout::frame(
            &#layout,
            req,
            res,
            ::rsp::Slots { title: #title, head: &#head, body: &__rsp_body },
            &mut #out,
        )
        .await?;
        #framed_size.learn(#out.len());
    }
}

/// `layout!`: a unit struct named as the layout, whose [`Layout`] impl runs the
/// statements with `req`, `res` and `page` in scope, then writes the body, framed by the
/// outer layout if it names one.
pub(crate) fn layout(def: &LayoutDef, body: &Body<'_>) -> TokenStream {
    let LayoutDef {
        attrs,
        vis,
        name,
        outer,
        stmts,
        ..
    } = def;
    let capacity = body.capacity();
    let (statements, buf) = body.statements();
    let source = body_source(body.text);
    let size = hidden("__RSP_SIZE");
    let out = hidden("__rsp_out");
    let frame = hidden("__rsp_frame");
    let rules = body.form_rules;
    let start = hidden("__rsp_start");
    let write = match outer {
        None => quote! {
            let #start = #frame.len();
            #size.reserve(#frame);
            let #buf = &mut *#frame;
            #statements
            #size.learn(#frame.len() - #start);
        },
        Some(outer) => {
            let framed = framed(
                outer,
                capacity,
                &out,
                &quote!(page.title),
                &quote!(page.head),
            );
            quote! {
                let mut #out = ::std::string::String::with_capacity(#size.get());
                let #buf = &mut #out;
                #statements
                #size.learn(#out.len());
                #framed
                #frame.push_str(&#out);
            }
        }
    };
    quote! {
        #(#attrs)*
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug)]
        #vis struct #name;

        impl ::rsp::Layout for #name {
            #[allow(unused_variables, unused_mut, unreachable_code, clippy::all)]
            fn frame<'a>(
                &'a self,
                req: &'a mut ::rsp::Request,
                res: &'a mut ::rsp::Response,
                page: ::rsp::Slots<'a>,
                #frame: &'a mut ::std::string::String,
            ) -> impl ::core::future::Future<Output = ::rsp::Result<()>> + ::core::marker::Send + 'a {
                async move {
                    #(#stmts)*
                    static #size: ::rsp::__private::SizeHint = ::rsp::__private::SizeHint::new(#capacity);
                    #source
                    #write
                    ::rsp::Result::Ok(())
                }
            }
        }

        #(::rsp::__private::inventory::submit! { #rules })*
    }
}

/// Route parameters as local variables: `&str`, or parsed with `FromStr` (404 if that fails).
fn param_bindings(target: &Target) -> TokenStream {
    let Target::Route { route, .. } = target else {
        return TokenStream::new();
    };
    route
        .params
        .iter()
        .map(|param| {
            let name = &param.name;
            let key = name.to_string();
            let owned = format_ident!("__rsp_param_{}", name);
            match &param.ty {
                None => quote! {
                    let #owned = ::rsp::__private::param(req, #key);
                    let #name: &str = &#owned;
                },
                Some(ty) => quote! {
                    let #name: #ty = match ::rsp::__private::param(req, #key).parse() {
                        ::core::result::Result::Ok(value) => value,
                        ::core::result::Result::Err(_) => return ::rsp::not_found(),
                    };
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lex::lex;
    use proc_macro2::Delimiter;

    fn text_contexts(n: usize) -> Vec<Context> {
        let text = Context {
            inner: Inner::Text,
            outer: Outer::Element,
        };
        vec![text; n]
    }

    fn generated(page: &str) -> String {
        let tokens = lex(page).unwrap();
        let values = tokens
            .iter()
            .filter(|t| matches!(t.kind, TokenKind::Expr { .. }))
            .count();
        let contexts = text_contexts(values);
        let body = Body {
            tokens: &tokens,
            contexts: &contexts,
            insertions: &[],
            form_rules: &[],
            subspan: None,
            span: Span::call_site(),
            mirror: None,
            text: page,
        };
        Group::new(Delimiter::Brace, body.statements().0).to_string()
    }

    #[test]
    fn static_text_is_one_write() {
        assert_eq!(
            generated("<p>hi</p>"),
            r#"{ __rsp_buf . push_str (:: rsp :: __rsp_text ! (__RSP_BODY_SOURCE , 0 , "<p>hi</p>")) ; }"#
        );
    }

    #[test]
    fn values_call_their_escaper_and_code_is_copied() {
        let code = generated("<% for x in xs { %><li><%= x %><% } %>");
        assert_eq!(
            code,
            r#"{ for x in xs { __rsp_buf . push_str (:: rsp :: __rsp_text ! (__RSP_BODY_SOURCE , 0 , "<li>")) ; :: rsp :: __rsp_write ! (:: rsp :: escape :: __dispatch :: Text , __rsp_buf , (x)) ; } }"#
        );
    }

    #[test]
    fn capacity_counts_text_and_values() {
        let page = "abc<%= x %>de";
        let tokens = lex(page).unwrap();
        let body = Body {
            tokens: &tokens,
            contexts: &text_contexts(1),
            insertions: &[],
            form_rules: &[],
            subspan: None,
            span: Span::call_site(),
            mirror: None,
            text: page,
        };
        assert_eq!(body.capacity(), 5 + BYTES_PER_VALUE);
    }
}
