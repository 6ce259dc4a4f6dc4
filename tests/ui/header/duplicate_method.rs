use rsp::prelude::*;

page! {
    GET | GET "/" => home;
    ""
}

fn main() {}
