use rsp::prelude::*;

page! {
    GET "/hello/{*name}" => hello;
    r#"<!doctype html>
<title>Hello</title>
<% if name == "world" { %>
  <h1>Hello, whole world!</h1>
<% } else { %>
  <h1>Hello, <%= name %>!</h1>
<% } %>
"#
}
