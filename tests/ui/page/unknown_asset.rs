use rsp::prelude::*;

// From the compile-test crate in target/tests/trybuild/rsp-tests to tests/fixtures.
rsp::assets!("/files", "../../../../tests/fixtures/assets");

// A misspelt asset is a compile error, not a broken link.
page! {
    GET "/" => home;
    r#"<link rel="stylesheet" href="<%= asset!("sytle.css") %>">"#
}

fn main() {}
