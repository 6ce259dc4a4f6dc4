use rsp::prelude::*;

page! {
    GET "/counter" => counter;
    layout: crate::layout::main;
    title: "Counter";
    let session = req.session().await?;
    let visits = session.get::<u32>("visits").unwrap_or(0) + 1;
    session.set("visits", visits)?;
    r#"<p>You have seen this page <b><%= visits %></b> <%= if visits == 1 { "time" } else { "times" } %> in this session.</p>"#
}
