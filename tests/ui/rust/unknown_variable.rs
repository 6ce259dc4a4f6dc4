use rsp::prelude::*;

page! {
    GET "/" => notes;
    let notes = vec!["a", "b"];
    r#"<h1>Notes</h1>
<% for note in &notez { %>
  <p><%= note %></p>
<% } %>"#
}

fn main() {}
