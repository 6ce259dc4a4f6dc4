use rsp::prelude::*;

page! {
    FETCH "/" => home;
    ""
}

fn main() {}
