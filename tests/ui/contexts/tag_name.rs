use rsp::prelude::*;

page! {
    GET "/" => home;
    let tag = "b";
    r#"<<%= tag %>>bold</b>"#
}

fn main() {}
