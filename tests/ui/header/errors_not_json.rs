use rsp::prelude::*;

// Errors are HTML pages unless a page says `errors: json;`: there is no other setting.
page! {
    GET "/api/notes" => notes;
    errors: xml;
    json(&[1, 2])
}

fn main() {}
