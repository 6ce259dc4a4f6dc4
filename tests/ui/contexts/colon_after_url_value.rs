use rsp::prelude::*;

page! {
    GET "/" => home;
    let v = "alert(1)";
    r#"<a href="<%= v %>:x">go</a>"#
}

fn main() {}
