use rsp::prelude::*;
use serde::Deserialize;

use crate::uploads::Uploads;

/// The text fields of the upload form, beside its files.
#[derive(Deserialize)]
struct Details {
    description: String,
}

page! {
    GET | POST "/upload" => upload;
    layout: crate::layout::main;
    title: "Upload";
    if req.method() == Method::POST {
        let upload = req.upload().await?;
        let Details { description } = upload.form()?;
        for file in upload.files() {
            req.state::<Uploads>().add(file, description.trim()).await?;
        }
        let count = upload.files().len();
        req.session().await?.flash(format!("{count} file(s) uploaded."));
        return redirect("/upload");
    }
    let files = req.state::<Uploads>().list().await?;
    r#"<form method="post" enctype="multipart/form-data">
  <p><label>Description <input name="description" maxlength="200"></label></p>
  <p><input type="file" name="files" multiple required> <button>Upload</button></p>
</form>
<% if !files.is_empty() { %>
<table class="files">
<tr><th>Name</th><th>Description</th><th>Bytes</th><th>SHA-256</th></tr>
<% for file in &files { %>
<tr><td><a href="/uploads/<%= file.id %>"><%= file.name %></a></td><td><%= file.description %></td><td><%= file.size %></td><td><code><%= file.sha256 %></code></td></tr>
<% } %>
</table>
<% } %>"#
}

page! {
    GET "/uploads/{id: i64}" => download;
    let uploads = req.state::<Uploads>();
    let Some(file) = uploads.get(id).await? else {
        return not_found();
    };
    Ok(send_file(uploads.path(id)).await?.download_as(&file.name))
}
