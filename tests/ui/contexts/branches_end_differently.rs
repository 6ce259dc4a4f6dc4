use rsp::prelude::*;

page! {
    GET "/" => home;
    let linked = true;
    r#"<p>
<% if linked { %><a href="/x"<% } else { %><span title="<% } %>>text</p>"#
}

fn main() {}
