use rsp::prelude::*;

// The strict Content-Security-Policy runs no inline handler: the page says so at compile
// time, at the handler, rather than a console message at run time.
page! {
    GET "/" => home;
    let id = 7;
    r#"<p>Notes</p>
<button onclick="remove(<%= id %>)">Remove</button>"#
}

// With the policy off, the same page compiles.
page! {
    GET "/relaxed" => relaxed;
    csp: off;
    let id = 7;
    r#"<button onclick="remove(<%= id %>)">Remove</button>"#
}

fn main() {}
