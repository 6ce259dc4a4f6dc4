use rsp::prelude::*;

page! {
    GET "/" => home;
    let x = 1;
}

fn main() {}
