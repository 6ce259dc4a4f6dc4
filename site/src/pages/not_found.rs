use rsp::prelude::*;

page! {
    404 => not_found_page;
    layout: crate::layout::main;
    title: "Page not found";
    let path = req.path().to_owned();
    r#"<p>There is no page at <code><%= path %></code>. <a href="/">Start again</a>.</p>"#
}
