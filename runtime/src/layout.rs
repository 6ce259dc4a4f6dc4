//! Layouts: one frame for many pages, filled with each page's title, head and body.
//!
//! A layout is a function taking [`Slots`] and returning markup; a page names it in its
//! header and fills the slots. Partials are plain functions returning `html!` values, and
//! layouts nest: a layout may hand its own output to another.
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

use crate::escape::Render;

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
    pub head: &'a dyn Render,
    /// The page's own markup.
    pub body: &'a dyn Render,
}
