use rsp::prelude::*;

page! {
    GET "/" => index;
    layout: crate::layout::main;
    title: "Welcome to rsp";
    let pages = [
        ("/hello/world", "Hello: a route parameter"),
        ("/guestbook", "Guestbook: a form, stored in SQLite or PostgreSQL"),
        ("/counter", "Counter: a session"),
        ("/login", "Log in: session regeneration and flash messages"),
        ("/upload", "Upload: files, streamed"),
        ("/contexts?v=%22%3E%3Cscript%3Ealert(1)%3C/script%3E", "Contexts: one value, escaped for every place"),
        ("/about", "About: a layout and partials"),
        ("/nowhere", "A missing page: the custom 404"),
    ];
    r#"<ul>
<% for (href, label) in pages { %>  <li><a href="<%= href %>"><%= label %></a></li>
<% } %></ul>"#
}
