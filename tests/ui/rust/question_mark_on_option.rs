use rsp::prelude::*;

page! {
    GET "/" => first;
    let names = vec!["ann", "bob"];
    r#"<ul>
<% let first = names.first()?; %>
<li><%= first %></li>
</ul>"#
}

fn main() {}
