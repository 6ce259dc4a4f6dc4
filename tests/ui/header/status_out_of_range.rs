use rsp::prelude::*;

page! {
    200 => fine;
    ""
}

fn main() {}
