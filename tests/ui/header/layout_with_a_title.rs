use rsp::prelude::*;

// A layout passes on its page's title: it sets none itself.
layout! {
    pub frame;
    title: "Site";
    "<main><%= page.body %></main>"
}

fn main() {}
