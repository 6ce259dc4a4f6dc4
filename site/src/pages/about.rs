use rsp::prelude::*;

use crate::layout::{card, layout};

page! {
    GET "/about" => about;
    let content = html!(r#"
<p>rsp compiles pages like this one into Rust functions when you run <code>cargo build</code>.</p>
<%= card("One binary", "The whole site, its pages and its database engine are one executable.") %>
<%= card("Escaped by default", "Every <%= value %> is escaped; raw(..) is the one way around it.") %>
"#);
    r#"<%= layout("About rsp", content) %>"#
}
