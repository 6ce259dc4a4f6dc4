use rsp::prelude::*;

page! {
    GET "/" => home;
    let v = 1;
    r#"<script>
  // <%= v %>
</script>"#
}

fn main() {}
