use rsp::prelude::*;

page! {
    GET "/" => home;
    let a = 1;
    r#"<p>
  <%= a + %>
</p>"#
}

fn main() {}
