use rsp::prelude::*;

page! {
    GET "/" => count;
    let n = 3;
    r#"<p>
<% let label = if n > 1 { "many" } else { 1 }; %>
<%= label %>
</p>"#
}

fn main() {}
