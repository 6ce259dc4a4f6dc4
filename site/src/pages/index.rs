use rsp::prelude::*;

use crate::layout::flashes;

page! {
    GET "/" => index;
    layout: crate::layout::main;
    title: "Welcome to rsp";
    let session = req.session().await?;
    let messages = session.take_flash();
    let user: Option<String> = session.get("user");
    let pages = [
        ("/hello/world", "Hello: a route parameter"),
        ("/guestbook", "Guestbook: a form, stored in SQLite"),
        ("/counter", "Counter: a session"),
        ("/login", "Log in: session regeneration and flash messages"),
        ("/upload", "Upload: files, streamed"),
        ("/contexts?v=%22%3E%3Cscript%3Ealert(1)%3C/script%3E", "Contexts: one value, escaped for every place"),
        ("/about", "About: a layout and partials"),
        ("/nowhere", "A missing page: the custom 404"),
    ];
    r#"<%= flashes(&messages) %>
<% if let Some(user) = &user { %><p>Logged in as <b><%= user %></b>.</p><% } %>
<ul>
<% for (href, label) in pages { %>  <li><a href="<%= href %>"><%= label %></a></li>
<% } %></ul>"#
}
