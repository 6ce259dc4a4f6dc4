use rsp::prelude::*;

use crate::layout::layout;

page! {
    404 => not_found_page;
    let path = req.path().to_owned();
    let content = html!(r#"<p>There is no page at <code><%= path %></code>. <a href="/">Start again</a>.</p>"#);
    r#"<%= layout("Page not found", content) %>"#
}
