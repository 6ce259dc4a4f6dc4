use rsp::prelude::*;

struct Note {
    title: String,
}

page! {
    GET "/" => notes;
    let notes = vec![Note { title: "a".into() }];
    r#"<h1>Notes</h1>
<ul>
<% for note in &notes { %>
  <li><%= note.titel %></li>
<% } %>
</ul>"#
}

fn main() {}
