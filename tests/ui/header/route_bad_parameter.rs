use rsp::prelude::*;

page! {
    GET "/users/{id:}" => user;
    ""
}

fn main() {}
