//! Layouts: one frame for many pages, filled with each page's title, head and body.
//!
//! A layout is either a plain function taking [`Slots`] and returning markup, or a
//! [`layout!`](crate::layout!) that may also read the request (the session, the path, the
//! flash messages) the way a page does. A page names its layout in its header and fills
//! the slots. Partials are plain functions returning `html!` values, and layouts nest.
//!
//! ```
//! use rsp::prelude::*;
//! use rsp::Slots;
//!
//! fn main_layout(page: Slots<'_>) -> impl Render + '_ {
//!     html!(r#"<!doctype html>
//! <title><%= page.title %></title><%= page.head %>
//! <main><%= page.body %></main>"#)
//! }
//!
//! page! {
//!     GET "/about" => about;
//!     layout: main_layout;
//!     title: "About";
//!     head: html!(r#"<meta name="description" content="About us">"#);
//!     "<p>We make pages.</p>"
//! }
//! ```
//!
//! `title:` and `head:` are evaluated after the page's statements, so they can use what
//! the statements loaded. The body is written first, so it may use `.await` and `?`.

use std::future::Future;

use crate::error::Result;
use crate::escape::Render;
use crate::request::Request;
use crate::response::Response;

/// What a page gives its layout.
///
/// A layout nests in another by handing it new slots:
///
/// ```
/// use rsp::prelude::*;
///
/// fn outer(page: Slots<'_>) -> impl Render + '_ {
///     html!("<title><%= page.title %></title><body><%= page.body %></body>")
/// }
///
/// fn admin(page: Slots<'_>) -> impl Render + '_ {
///     html!(r#"<%= outer(Slots { body: &html!("<nav>admin</nav><%= page.body %>"), ..page }) %>"#)
/// }
/// ```
#[derive(Clone, Copy)]
pub struct Slots<'a> {
    /// The page's title (`title:` in its header; empty if not set).
    pub title: &'a str,
    /// Extra markup for `<head>` (`head:` in its header; empty if not set).
    pub head: &'a (dyn Render + Sync),
    /// The page's own markup.
    pub body: &'a (dyn Render + Sync),
}

/// What a page's `layout:` names: something that frames [`Slots`] into `out`.
///
/// Two kinds of layout implement it, and a page header names either the same way: a
/// plain function `fn(Slots<'_>) -> impl Render + '_`, and the value a
/// [`layout!`](crate::layout!) defines, which runs like a page, with `req` and `res`.
/// There is nothing to implement by hand.
///
/// A `layout!` has a name (with its visibility and doc comments), optionally the layout
/// it nests in (`layout: path;`), Rust statements that see `req`, `res` and `page` (the
/// [`Slots`]) and may `.await` and use `?`, and its markup. It runs after the page's body
/// is written, and an error in it is the page's error:
///
/// ```
/// use rsp::prelude::*;
///
/// layout! {
///     /// Every page's frame, with the visitor's name and their flash messages.
///     pub main;
///     let session = req.session().await?;
///     let user: Option<String> = session.get("user");
///     let messages = session.take_flash();
///     let here = req.path();
///     r#"<title><%= page.title %></title><%= page.head %>
/// <nav><a href="/"<% if here == "/" { %> aria-current="page"<% } %>>Home</a>
/// <% if let Some(user) = &user { %><%= user %><% } %></nav>
/// <% for message in &messages { %><p class="flash"><%= message %></p><% } %>
/// <main><%= page.body %></main>"#
/// }
///
/// page! {
///     GET "/" => home;
///     layout: main;
///     title: "Home";
///     "<p>Welcome.</p>"
/// }
/// ```
pub trait Layout: Sync {
    /// Writes the framed page to `out`.
    fn frame<'a>(
        &'a self,
        req: &'a mut Request,
        res: &'a mut Response,
        page: Slots<'a>,
        out: &'a mut String,
    ) -> impl Future<Output = Result<()>> + Send + 'a;
}

/// A plain function from slots to markup, for the one `Layout` impl that covers them all
/// (its output borrows the slots, so no single return type names it).
#[doc(hidden)]
pub trait FrameFn<'s> {
    type Framed: Render + 's;
    fn call(&self, page: Slots<'s>) -> Self::Framed;
}

impl<'s, F, R> FrameFn<'s> for F
where
    F: Fn(Slots<'s>) -> R,
    R: Render + 's,
{
    type Framed = R;
    fn call(&self, page: Slots<'s>) -> R {
        self(page)
    }
}

impl<F> Layout for F
where
    F: for<'s> FrameFn<'s> + Sync,
{
    fn frame<'a>(
        &'a self,
        _req: &'a mut Request,
        _res: &'a mut Response,
        page: Slots<'a>,
        out: &'a mut String,
    ) -> impl Future<Output = Result<()>> + Send + 'a {
        self.call(page).render(out);
        std::future::ready(Ok(()))
    }
}
