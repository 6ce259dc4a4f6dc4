use rsp::prelude::*;
use sha2::{Digest, Sha256};

page! {
    GET | POST "/upload" => upload;
    layout: crate::layout::main;
    title: "Upload";
    let mut files = Vec::new();
    if req.method() == Method::POST {
        let upload = req.upload().await?;
        for file in upload.files() {
            let hash: String = Sha256::digest(file.bytes()?).iter().map(|b| format!("{b:02x}")).collect();
            files.push((file.name().to_owned(), file.size(), hash));
        }
    }
    r#"<form method="post" enctype="multipart/form-data">
  <p><input type="file" name="files" multiple required> <button>Upload</button></p>
</form>
<% if !files.is_empty() { %>
<table class="files">
<tr><th>Name</th><th>Bytes</th><th>SHA-256</th></tr>
<% for (name, size, hash) in &files { %><tr><td><%= name %></td><td><%= size %></td><td><code><%= hash %></code></td></tr>
<% } %></table>
<% } %>"#
}
