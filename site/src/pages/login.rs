use rsp::prelude::*;
use serde::Deserialize;

/// The demo's one password: any name may log in with it.
const PASSWORD: &str = "rsp";

#[derive(Deserialize)]
struct Login {
    name: String,
    password: String,
}

page! {
    GET | POST "/login" => login;
    layout: crate::layout::main;
    title: "Log in";
    if req.method() == Method::POST {
        let Login { name, password } = req.form().await?;
        let session = req.session().await?;
        if name.trim().is_empty() || password != PASSWORD {
            session.flash("Wrong name or password.");
            return redirect("/login");
        }
        // A new id at login: an id planted before it is worth nothing after it.
        session.regenerate();
        session.set("user", name.trim())?;
        session.flash(format!("Welcome, {}!", name.trim()));
        return redirect("/");
    }
    let session = req.session().await?;
    let user: Option<String> = session.get("user");
    r#"<% if let Some(user) = &user { %>
<p>You are logged in as <b><%= user %></b>.</p>
<form method="post" action="/logout"><button>Log out</button></form>
<% } else { %>
<form method="post">
  <p><label>Name <input name="name" required></label></p>
  <p><label>Password <input name="password" type="password" required></label> (it is <code>rsp</code>)</p>
  <p><button>Log in</button></p>
</form>
<% } %>"#
}

page! {
    POST "/logout" => logout;
    let session = req.session().await?;
    session.remove("user");
    session.regenerate();
    session.flash("You are logged out.");
    return redirect("/login");
    ""
}
