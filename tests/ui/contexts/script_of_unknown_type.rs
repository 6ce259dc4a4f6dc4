use rsp::prelude::*;

page! {
    GET "/" => home;
    let v = 1;
    r#"<script type="text/x-template"><%= v %></script>"#
}

fn main() {}
