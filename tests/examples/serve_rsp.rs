//! The serving benchmark's rsp server: the fortunes page and the static page, with rsp's
//! defaults (access log at info, request ids, timeouts, panic isolation). See
//! `tests/measure/serving.sh`.

use std::sync::OnceLock;

use rsp::prelude::*;
use rsp_tests::fortunes::{self, Fortune};

fn stored() -> &'static [Fortune] {
    static STORED: OnceLock<Vec<Fortune>> = OnceLock::new();
    STORED.get_or_init(fortunes::stored)
}

page! {
    GET "/fortunes" => fortunes_page;
    let fortunes = fortunes::for_request(stored());
    r#"<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr><% for fortune in &fortunes { %><tr><td><%= fortune.id %></td><td><%= fortune.message %></td></tr><% } %></table></body></html>"#
}

page! {
    GET "/static" => static_page;
    r#"<!doctype html><title>Static</title><p>A page with nothing to compute, it is one hundred bytes.</p>
"#
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    App::new().serve().await
}
