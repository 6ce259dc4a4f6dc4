use rsp::prelude::*;

page! {
    GET "/" => home;
    r#"<ul>
  <li>one</li>
<% } %>
</ul>"#
}

fn main() {}
