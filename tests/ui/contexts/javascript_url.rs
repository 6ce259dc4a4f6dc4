use rsp::prelude::*;

page! {
    GET "/" => home;
    let v = 1;
    r#"<a href="javascript:go(<%= v %>)">go</a>"#
}

fn main() {}
