use rsp::prelude::*;

page! {
    GET "/" => home;
    r#"<h1>Hi</h1>
<p><%= name </p>
"#
}

fn main() {}
