use rsp::prelude::*;
use std::cmp::max;
use std::collections::BTreeMap;

// A mistake in the page is the one error: the imports its statements and tags use are not
// reported unused.
page! {
    GET "/" => home;
    let counts: BTreeMap<&str, u32> = BTreeMap::new();
    r#"<p><%= counts.len() %></p>
<p><%= unclosed </p>"#
}

page! {
    GET "/tags" => tags;
    let name = "title";
    r#"<p><%= max(1, 2) %></p>
<!-- <%= name %> -->"#
}

fn main() {}
