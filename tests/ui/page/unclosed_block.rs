use rsp::prelude::*;

page! {
    GET "/" => home;
    r#"<ul>
<% for i in 0..3 { %>
  <li><%= i %></li>
</ul>"#
}

fn main() {}
