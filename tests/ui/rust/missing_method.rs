use rsp::prelude::*;

page! {
    GET "/" => shout;
    let name = "ann";
    r#"<p>
  Hello, <%= name.to_shouting_case() %>!
</p>"#
}

fn main() {}
