//! Header pass: the tokens of a `page!` invocation → what the page answers, its Rust
//! statements and its body literal.
//!
//! ```text
//! GET | POST "/users/{id: u64}" => user;    // methods, route, function name
//! 404 => missing;                            // or: the page shown for a status
//! layout: crate::layouts::main;             // options, each `name: value;`
//! title: user.name;
//! let user = load(req)?;                    // any Rust statements
//! r#"<h1><%= user.name %></h1>"#             // the body
//! ```

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream};
use syn::{Expr, Ident, LitInt, LitStr, Path, Stmt, Token, Type};

/// A parsed `page!` invocation.
pub(crate) struct PageDef {
    pub(crate) target: Target,
    pub(crate) name: Ident,
    pub(crate) options: Options,
    pub(crate) stmts: Vec<Stmt>,
    /// `None` for a page that answers with its last expression (`json(&value)`).
    pub(crate) body: Option<LitStr>,
}

/// The options a page header may set.
pub(crate) struct Options {
    /// `layout: path;` — a function taking `rsp::Slots` that frames the body.
    pub(crate) layout: Option<Path>,
    /// `title: expr;` — for the layout; evaluated after the page's statements.
    pub(crate) title: Option<Expr>,
    /// `head: expr;` — extra markup for the layout's `<head>`; evaluated after the statements.
    pub(crate) head: Option<Expr>,
    /// `csrf: off;` clears it: unsafe requests then need no CSRF token.
    pub(crate) csrf: bool,
    /// `csp: off;` clears it: the page gets no Content-Security-Policy header, and may
    /// have inline event handlers.
    pub(crate) csp: bool,
    /// `errors: json;` — an API page: its errors are JSON whatever the client accepts.
    pub(crate) json_errors: bool,
}

/// What requests a page answers.
pub(crate) enum Target {
    Route {
        methods: Vec<Method>,
        route: Route,
    },
    /// The page shown when a request ends with this status (404, 500, …).
    Status(u16),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// A route pattern, checked, in the router's syntax.
pub(crate) struct Route {
    /// The pattern for the router: `/users/{id}` (types removed).
    pub(crate) pattern: String,
    pub(crate) params: Vec<Param>,
}

pub(crate) struct Param {
    pub(crate) name: Ident,
    /// `{id: u64}`: parsed with `FromStr`; `None` for plain `&str` parameters.
    pub(crate) ty: Option<Type>,
}

/// A parsed `layout!` invocation: a layout that runs like a page.
///
/// ```text
/// /// The frame of every page.                // attributes, doc comments
/// pub main;                                  // visibility and name
/// layout: crate::layouts::outer;             // optional: the layout this one nests in
/// let user = req.session().await?.get::<String>("user");
/// r#"<nav><%= user %></nav><%= page.body %>"#
/// ```
pub(crate) struct LayoutDef {
    pub(crate) attrs: Vec<syn::Attribute>,
    pub(crate) vis: syn::Visibility,
    pub(crate) name: Ident,
    /// The layout this one frames its output with.
    pub(crate) outer: Option<Path>,
    pub(crate) stmts: Vec<Stmt>,
    pub(crate) body: LitStr,
}

impl Parse for LayoutDef {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(syn::Attribute::parse_outer)?;
        let vis: syn::Visibility = input.parse()?;
        let name: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected the layout's name: `layout! { pub main; … }`",
            )
        })?;
        input.parse::<Token![;]>()?;
        let options = parse_options(input)?;
        if let Some(option) = [&options.title, &options.head].into_iter().flatten().next() {
            return Err(syn::Error::new_spanned(
                option,
                "a layout passes on the title and head its page set: only `layout:` is an option here",
            ));
        }
        if !options.csrf || !options.csp || options.json_errors {
            return Err(syn::Error::new(
                name.span(),
                "`csrf:`, `csp:` and `errors:` are set by each page, not by its layout",
            ));
        }
        let (stmts, body) = parse_rest(input)?;
        let Some(body) = body else {
            return Err(syn::Error::new(
                name.span(),
                "a layout ends with its markup, a string literal that writes `<%= page.body %>`",
            ));
        };
        Ok(Self {
            attrs,
            vis,
            name,
            outer: options.layout,
            stmts,
            body,
        })
    }
}

/// A `html!` invocation: just a body.
pub(crate) struct FragmentDef {
    pub(crate) body: LitStr,
}

impl Parse for FragmentDef {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let body: LitStr = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "html! takes one string literal: html!(r#\"<p>…</p>\"#)",
            )
        })?;
        if !input.is_empty() {
            return Err(input.error("html! takes one string literal and nothing after it"));
        }
        Ok(Self { body })
    }
}

impl Parse for PageDef {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let target = if input.peek(LitInt) {
            let status: LitInt = input.parse()?;
            let code: u16 = status.base10_parse()?;
            if !(400..=599).contains(&code) {
                return Err(syn::Error::new(
                    status.span(),
                    "a status page answers an error status: 400 to 599",
                ));
            }
            Target::Status(code)
        } else {
            let methods = parse_methods(input)?;
            let route_lit: LitStr = input.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected the route, a string like \"/users/{id}\"",
                )
            })?;
            let route = parse_route(&route_lit.value()).map_err(|msg| {
                syn::Error::new(route_lit.span(), format!("invalid route: {msg}"))
            })?;
            Target::Route { methods, route }
        };
        input.parse::<Token![=>]>()?;
        let name: Ident = input.parse()?;
        input.parse::<Token![;]>()?;
        let options = parse_options(input)?;
        if options.layout.is_none() {
            if let Some(title) = &options.title {
                return Err(syn::Error::new_spanned(
                    title,
                    "`title:` fills a layout: add `layout: path;`",
                ));
            }
            if let Some(head) = &options.head {
                return Err(syn::Error::new_spanned(
                    head,
                    "`head:` fills a layout: add `layout: path;`",
                ));
            }
        }
        let (stmts, body) = parse_rest(input)?;
        if body.is_none() && options.layout.is_some() {
            return Err(syn::Error::new(
                name.span(),
                "a page without a body has nothing for its layout to frame: end it with \
                 its body, or drop `layout:`",
            ));
        }
        Ok(Self {
            target,
            name,
            options,
            stmts,
            body,
        })
    }
}

fn parse_methods(input: ParseStream<'_>) -> syn::Result<Vec<Method>> {
    let mut methods = Vec::new();
    loop {
        let ident: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected the page header: `GET \"/path\" => name;` (or a status: `404 => name;`)",
            )
        })?;
        let method = match ident.to_string().as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            other => {
                return Err(syn::Error::new(
                    ident.span(),
                    format!("unknown method `{other}`: expected GET, POST, PUT, PATCH or DELETE"),
                ))
            }
        };
        if methods.contains(&method) {
            return Err(syn::Error::new(ident.span(), "method listed twice"));
        }
        methods.push(method);
        if !input.peek(Token![|]) {
            return Ok(methods);
        }
        input.parse::<Token![|]>()?;
    }
}

/// `name: value;` lines after the header line. `ident :` cannot start a Rust statement,
/// so options and statements never get confused.
fn parse_options(input: ParseStream<'_>) -> syn::Result<Options> {
    let mut options = Options {
        layout: None,
        title: None,
        head: None,
        csrf: true,
        csp: true,
        json_errors: false,
    };
    while input.peek(Ident) && input.peek2(Token![:]) && !input.peek2(Token![::]) {
        let name: Ident = input.parse()?;
        input.parse::<Token![:]>()?;
        let twice = || syn::Error::new(name.span(), format!("option `{name}` is set twice"));
        match name.to_string().as_str() {
            "layout" if options.layout.is_some() => return Err(twice()),
            "layout" => options.layout = Some(input.parse()?),
            "title" if options.title.is_some() => return Err(twice()),
            "title" => options.title = Some(input.parse()?),
            "head" if options.head.is_some() => return Err(twice()),
            "head" => options.head = Some(input.parse()?),
            "csrf" => {
                let value: Ident = input.parse()?;
                if value != "off" {
                    return Err(syn::Error::new(
                        value.span(),
                        "CSRF protection is on by default: the only setting is `csrf: off;`",
                    ));
                }
                options.csrf = false;
            }
            "csp" => {
                let value: Ident = input.parse()?;
                if value != "off" {
                    return Err(syn::Error::new(
                        value.span(),
                        "the strict Content-Security-Policy is on by default: the only setting \
                         is `csp: off;`",
                    ));
                }
                options.csp = false;
            }
            "errors" => {
                let value: Ident = input.parse()?;
                if value != "json" {
                    return Err(syn::Error::new(
                        value.span(),
                        "errors are HTML pages by default: the only setting is `errors: json;`, \
                         for a page that programs call",
                    ));
                }
                options.json_errors = true;
            }
            other => {
                return Err(syn::Error::new(
                    name.span(),
                    format!(
                        "unknown page option `{other}`: expected layout, title, head, csrf, csp or errors"
                    ),
                ))
            }
        }
        input.parse::<Token![;]>()?;
    }
    Ok(options)
}

/// Statements, then the body literal as the very last token.
/// The statements and the body literal; a page without a body literal answers with its
/// last expression, which must then have no `;`.
fn parse_rest(input: ParseStream<'_>) -> syn::Result<(Vec<Stmt>, Option<LitStr>)> {
    let mut tokens: Vec<proc_macro2::TokenTree> =
        input.parse::<TokenStream>()?.into_iter().collect();
    let last = tokens.last().cloned();
    let body = last
        .as_ref()
        .and_then(|t| syn::parse2::<LitStr>(t.clone().into()).ok());
    if body.is_some() {
        tokens.pop();
    }
    let stmts = syn::parse::Parser::parse2(syn::Block::parse_within, tokens.into_iter().collect())?;
    if body.is_none() && !matches!(stmts.last(), Some(Stmt::Expr(_, None))) {
        let span = last.as_ref().map_or_else(Span::call_site, |t| t.span());
        return Err(syn::Error::new(
            span,
            "a page ends with its body, a string literal such as r#\"<p>…</p>\"#, or with \
             an expression that answers the request, such as `json(&value)`",
        ));
    }
    Ok((stmts, body))
}

/// Checks a route and turns it into the router's pattern and typed parameters.
fn parse_route(route: &str) -> Result<Route, String> {
    if !route.starts_with('/') {
        return Err(format!("`{route}` must start with `/`"));
    }
    let mut pattern = String::with_capacity(route.len());
    let mut params: Vec<Param> = Vec::new();
    let mut rest = route;
    while let Some(open) = rest.find(['{', '}']) {
        if rest.as_bytes()[open] == b'}' {
            return Err("a `}` closes no parameter".into());
        }
        pattern.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .map(|i| open + i)
            .ok_or("a `{` is never closed")?;
        let inner = &rest[open + 1..close];
        let (catch_all, inner) = match inner.strip_prefix('*') {
            Some(name) => (true, name),
            None => (false, inner),
        };
        let (name, ty) = match inner.split_once(':') {
            Some((name, ty)) => (name.trim(), Some(ty.trim())),
            None => (inner.trim(), None),
        };
        let ident: Ident = syn::parse_str(name)
            .map_err(|_| format!("`{name}` is not a parameter name (a Rust identifier)"))?;
        if params.iter().any(|p| p.name == ident) {
            return Err(format!("parameter `{name}` appears twice"));
        }
        let ty = match ty {
            Some("") => return Err(format!("parameter `{name}` has `:` but no type")),
            Some(ty) => Some(
                syn::parse_str::<Type>(ty)
                    .map_err(|_| format!("`{ty}` is not a type (in parameter `{name}`)"))?,
            ),
            None => None,
        };
        let after = &rest[close + 1..];
        if catch_all && !after.is_empty() {
            return Err(format!("the catch-all `{{*{name}}}` must end the route"));
        }
        if !(catch_all || after.is_empty() || after.starts_with('/')) {
            return Err(format!("parameter `{name}` must fill a whole path segment"));
        }
        pattern.push('{');
        if catch_all {
            pattern.push('*');
        }
        pattern.push_str(name);
        pattern.push('}');
        params.push(Param { name: ident, ty });
        rest = after;
    }
    pattern.push_str(rest);
    Ok(Route { pattern, params })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn route_patterns_drop_types() {
        let route = parse_route("/users/{id: u64}/posts/{slug}").unwrap();
        assert_eq!(route.pattern, "/users/{id}/posts/{slug}");
        assert_eq!(route.params.len(), 2);
        assert!(route.params[0].ty.is_some());
        assert!(route.params[1].ty.is_none());
        assert_eq!(
            parse_route("/files/{*path}").unwrap().pattern,
            "/files/{*path}"
        );
    }

    #[test]
    fn bad_routes_say_why() {
        for (route, message) in [
            ("users", "must start with `/`"),
            ("/a/{id", "never closed"),
            ("/a/id}", "closes no parameter"),
            ("/a/{1x}", "not a parameter name"),
            ("/a/{id:}", "no type"),
            ("/a/{id: !!}", "is not a type"),
            ("/a/{x}/{x}", "appears twice"),
            ("/a/{*rest}/b", "must end the route"),
            ("/a/x{id}y", "whole path segment"),
        ] {
            let err = parse_route(route).err().unwrap_or_default();
            assert!(err.contains(message), "{route}: {err}");
        }
    }

    #[test]
    fn header_statements_and_body() {
        let page: PageDef = syn::parse2(quote! {
            GET | POST "/guestbook" => guestbook;
            let x = 1;
            r"<p><%= x %></p>"
        })
        .unwrap();
        assert_eq!(page.name, "guestbook");
        assert_eq!(page.stmts.len(), 1);
        assert_eq!(page.body.unwrap().value(), "<p><%= x %></p>");
        match page.target {
            Target::Route { methods, route } => {
                assert_eq!(methods, vec![Method::Get, Method::Post]);
                assert_eq!(route.pattern, "/guestbook");
            }
            Target::Status(_) => panic!("expected a route"),
        }
    }

    #[test]
    fn options_then_statements() {
        let page: PageDef = syn::parse2(quote! {
            POST "/hook" => hook;
            layout: crate::layouts::main;
            title: format!("{} items", n);
            csrf: off;
            let n = 3;
            "x"
        })
        .unwrap();
        assert!(page.options.layout.is_some() && page.options.title.is_some());
        assert!(!page.options.csrf);
        assert_eq!(page.stmts.len(), 1);
        let err = |tokens| syn::parse2::<PageDef>(tokens).err().unwrap().to_string();
        assert!(
            err(quote! { GET "/" => x; colour: red; "" }).contains("unknown page option `colour`")
        );
        assert!(err(quote! { GET "/" => x; title: "t"; "" }).contains("add `layout: path;`"));
        assert!(err(quote! { GET "/" => x; csrf: on; "" }).contains("only setting is `csrf: off;`"));
    }

    #[test]
    fn status_pages() {
        let page: PageDef = syn::parse2(quote! { 404 => missing; "gone" }).unwrap();
        assert!(matches!(page.target, Target::Status(404)));
        assert!(syn::parse2::<PageDef>(quote! { 200 => ok; "x" }).is_err());
    }

    #[test]
    fn header_errors() {
        let err = |tokens| syn::parse2::<PageDef>(tokens).err().unwrap().to_string();
        assert!(err(quote! { FETCH "/" => x; "" }).contains("unknown method `FETCH`"));
        assert!(err(quote! { GET "/" => x; let y = 1; }).contains("ends with its body"));
        assert!(err(quote! { GET | GET "/" => x; "" }).contains("listed twice"));
    }
}
