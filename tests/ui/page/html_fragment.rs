use rsp::prelude::*;

fn card() -> impl Render {
    html!("<b><%= if %></b>")
}

fn main() {}
