//! The shared layout, which reads the session like a page, and a partial.

use rsp::prelude::*;

use crate::assets::asset;

/// The links of the navigation: where, and what it says.
const NAV: [(&str, &str); 6] = [
    ("/", "Home"),
    ("/guestbook", "Guestbook"),
    ("/counter", "Counter"),
    ("/upload", "Upload"),
    ("/contexts", "Contexts"),
    ("/about", "About"),
];

layout! {
    /// The frame of every page: head, navigation with the visitor's name and the current
    /// page marked, flash messages, and the page's own title, head and body.
    pub main;
    let session = req.session().await?;
    let user: Option<String> = session.get("user");
    let messages = session.take_flash();
    let here = req.path();
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
<% for (href, label) in NAV { %>
  <a href="<%= href %>"<% if href == here { %> aria-current="page"<% } %>><%= label %></a>
<% } %>
<% if let Some(user) = &user { %>
  <span class="user"><a href="/login"><%= user %></a></span>
<% } else { %>
  <a href="/login"<% if here == "/login" { %> aria-current="page"<% } %>>Log in</a>
<% } %>
</nav>
<main>
<h1><%= page.title %></h1>
<% for message in &messages { %>
<p class="flash"><%= message %></p>
<% } %>
<%= page.body %>
</main>
</body>
</html>
"#
}

/// A small box with a heading: a partial.
pub fn card<'a>(heading: &'a str, text: &'a str) -> impl Render + 'a {
    html!(r#"<section class="card"><h2><%= heading %></h2><p><%= text %></p></section>"#)
}
