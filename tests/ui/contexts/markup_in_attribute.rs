use rsp::prelude::*;

page! {
    GET "/" => home;
    let bold = html!("<b>x</b>");
    r#"<a title="<%= bold %>">x</a>"#
}

fn main() {}
