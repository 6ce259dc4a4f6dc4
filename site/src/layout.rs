//! The shared layout and partials: ordinary functions returning `html!` values.

use rsp::prelude::*;

/// The frame of every page: head, navigation, and the page's own content.
pub fn layout<'a>(title: &'a str, content: impl Render + 'a) -> impl Render + 'a {
    html!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><%= title %> · rsp</title>
</head>
<body>
<nav><a href="/">Home</a> · <a href="/guestbook">Guestbook</a> · <a href="/about">About</a></nav>
<main>
<h1><%= title %></h1>
<%= content %>
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
