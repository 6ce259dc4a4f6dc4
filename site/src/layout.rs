//! The shared layout and a partial: ordinary functions returning `html!` values.

use rsp::prelude::*;

use crate::assets::asset;

/// The frame of every page: head, navigation, and the page's own title, head and body.
pub fn main(page: Slots<'_>) -> impl Render + '_ {
    html!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><%= page.title %> · rsp</title>
<link rel="stylesheet" href="<%= asset!("style.css") %>">
<link rel="icon" href="<%= asset!("favicon.svg") %>" type="image/svg+xml">
<%= page.head %>
</head>
<body>
<nav>
  <a href="/">Home</a> <a href="/guestbook">Guestbook</a> <a href="/counter">Counter</a>
  <a href="/upload">Upload</a> <a href="/contexts">Contexts</a> <a href="/about">About</a>
  <a href="/login">Log in</a>
</nav>
<main>
<h1><%= page.title %></h1>
<%= page.body %>
</main>
</body>
</html>
"#
    )
}

/// A small box with a heading: a partial.
pub fn card<'a>(heading: &'a str, text: &'a str) -> impl Render + 'a {
    html!(r#"<section class="card"><h2><%= heading %></h2><p><%= text %></p></section>"#)
}

/// Flash messages, shown once.
pub fn flashes(messages: &[String]) -> impl Render + '_ {
    html!(r#"<% for message in messages { %><p class="flash"><%= message %></p><% } %>"#)
}
