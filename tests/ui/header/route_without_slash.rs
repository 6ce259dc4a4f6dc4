use rsp::prelude::*;

page! {
    GET "users" => users;
    ""
}

fn main() {}
