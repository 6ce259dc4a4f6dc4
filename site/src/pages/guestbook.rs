use rsp::prelude::*;

use crate::guestbook::{Guestbook, NewEntry};

page! {
    GET | POST "/guestbook" => guestbook;
    layout: crate::layout::main;
    title: "Guestbook";
    if req.method() == Method::POST {
        let entry: NewEntry = req.form().await?;
        if entry.name.trim().is_empty() || entry.message.trim().is_empty() {
            return Err(Error::new(StatusCode::BAD_REQUEST, "please give a name and a message"));
        }
        req.state::<Guestbook>().add(&entry).await?;
        return redirect("/guestbook");
    }
    let entries = req.state::<Guestbook>().latest(50).await?;
    r#"
<form method="post" action="/guestbook">
  <p><label>Name <input name="name" required maxlength="80"></label></p>
  <p><label>Message <textarea name="message" required maxlength="2000"></textarea></label>
    <small id="left"></small></p>
  <p><button>Sign</button></p>
</form>
<script>
  const message = document.querySelector("textarea[name=message]");
  const left = () => message.maxLength - message.value.length;
  const show = () => document.getElementById("left").textContent = `${left()} characters left`;
  message.addEventListener("input", show);
  show();
</script>
<% if entries.is_empty() { %>
<p>No entries yet: be the first.</p>
<% } %>
<ul class="entries">
<% for e in &entries { %>  <li><b><%= e.name %></b> <small><%= e.written %></small><p><%= e.message %></p></li>
<% } %></ul>"#
}
