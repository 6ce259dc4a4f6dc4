use rsp::prelude::*;

page! {
    GET "/" => home;
    "<p><%= %></p>"
}

fn main() {}
