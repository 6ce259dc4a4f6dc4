use rsp::prelude::*;

fn frame(slots: Slots<'_>) -> impl Render + '_ {
    html!("<main><%= slots.body %></main>")
}

// A layout frames a body: a page that answers with an expression has none.
page! {
    GET "/api/count" => count;
    layout: frame;
    json(&3)
}

fn main() {}
