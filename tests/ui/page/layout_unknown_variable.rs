use rsp::prelude::*;

// Rust errors in a layout's tags point at the layout's own line, as in a page.
layout! {
    pub frame;
    let user = "ann";
    r#"<nav>
<%= usr %>
</nav><%= page.body %>"#
}

fn main() {}
