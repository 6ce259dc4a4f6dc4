use rsp::prelude::*;

// `Attrs` refuses these attributes at run time; the page compiler follows the same table,
// so a value written in them in a page is refused too, at compile time.
page! {
    GET "/" => home;
    let target = "0; url=/next";
    r#"<meta http-equiv="refresh" content="<%= target %>">
<meta http-equiv="<%= target %>">"#
}

fn main() {}
