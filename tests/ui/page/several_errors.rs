use rsp::prelude::*;

page! {
    GET "/" => home;
    r#"<p><%= 1 + %></p>
<p><%= ) %></p>"#
}

fn main() {}
