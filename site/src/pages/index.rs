use rsp::prelude::*;

use crate::layout::layout;

page! {
    GET "/" => index;
    let pages = [
        ("/hello/world", "Hello: a route parameter"),
        ("/guestbook", "Guestbook: a form, stored in SQLite"),
        ("/about", "About: a layout and partials"),
        ("/nowhere", "A missing page: the custom 404"),
    ];
    let list = html!(r#"<ul>
<% for (href, label) in pages { %>  <li><a href="<%= href %>"><%= label %></a></li>
<% } %></ul>"#);
    r#"<%= layout("Welcome to rsp", list) %>"#
}
