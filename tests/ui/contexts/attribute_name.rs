use rsp::prelude::*;

page! {
    GET "/" => home;
    let name = "x";
    r#"<a data-<%= name %>="1">link</a>"#
}

fn main() {}
