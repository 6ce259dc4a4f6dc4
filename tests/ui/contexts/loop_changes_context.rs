use rsp::prelude::*;

page! {
    GET "/" => home;
    let items = [1, 2];
    r#"<% for i in items { %><b title="<%= i %><% } %>"#
}

fn main() {}
