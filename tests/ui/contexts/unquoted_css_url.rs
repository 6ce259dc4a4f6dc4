use rsp::prelude::*;

page! {
    GET "/" => home;
    let v = "a.png";
    r#"<style>body { background: url(<%= v %>) }</style>"#
}

fn main() {}
