use rsp::prelude::*;

page! {
    GET "/" => home;
    let note = "x";
    r#"<p>hi</p>
<!-- <%= note %> -->"#
}

fn main() {}
