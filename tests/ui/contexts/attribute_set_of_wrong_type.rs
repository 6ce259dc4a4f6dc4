use rsp::prelude::*;

page! {
    GET "/" => home;
    let attrs = "disabled";
    r#"<input <%= attrs %>>"#
}

fn main() {}
