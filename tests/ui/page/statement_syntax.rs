use rsp::prelude::*;

page! {
    GET "/" => home;
    r#"<% let x = ; %>
<% for i in 0..3 { %><%= i %><% } %>"#
}

fn main() {}
