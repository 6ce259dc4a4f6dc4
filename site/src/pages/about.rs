use rsp::prelude::*;

use crate::layout::card;

page! {
    GET "/about" => about;
    layout: crate::layout::main;
    title: "About rsp";
    head: html!(r#"<meta name="description" content="What rsp is">"#);
    r#"
<p>rsp compiles pages like this one into Rust functions when you run <code>cargo build</code>.</p>
<%= card("One binary", "The whole site, its pages and its database engine are one executable.") %>
<%= card("Escaped by default", "Every <%= value %> is escaped for where it stands; raw(..) is the one way around it.") %>
"#
}
