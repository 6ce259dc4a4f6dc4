//! A site's own page for a status (here 500), and the built-in pages where a site has none
//! (here 404 and 405).

use rsp::prelude::*;
use rsp_tests::serve;

page! {
    GET "/broken" => broken;
    let n: i32 = "x".parse()?;
    "<%= n %>"
}

page! {
    GET "/panics" => panics;
    let empty: Vec<u8> = Vec::new();
    "<%= empty[1] %>"
}

page! {
    GET "/broken-in-tag" => broken_in_tag;
    r#"<h1>Numbers</h1>
<% let n: i32 = "x".parse()?; %>
<p><%= n %></p>"#
}

page! {
    500 => server_error;
    res.set_header("x-custom-500", "yes")?;
    "<h1>Our fault</h1><p>Quote <%= req.id() %> when you write to us.</p>"
}

#[tokio::test]
async fn the_site_500_page_is_used_with_the_500_status() {
    let s = serve(App::new().detailed_errors(false)).await;
    for path in ["/broken", "/panics"] {
        let res = s.get(path).await;
        assert_eq!(res.status(), 500, "{path}");
        assert_eq!(res.headers()["x-custom-500"], "yes");
        let body = res.text().await.unwrap();
        assert!(body.starts_with("<h1>Our fault</h1><p>Quote "), "{body}");
        assert!(!body.contains("invalid digit"), "{body}");
    }
}

/// Line and column (1-based) of the first `marker` in this file.
fn position_of(marker: &str) -> (usize, usize) {
    let source = include_str!("status_pages.rs");
    let at = source.find(marker).expect("marker in this file");
    let line = source[..at].matches('\n').count() + 1;
    let column = at - source[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

#[tokio::test]
async fn in_development_the_details_follow_the_site_500_page_and_say_where() {
    let s = serve(App::new().detailed_errors(true)).await;
    // A `?` is located at the start of the expression it applies to.
    let (line, column) = position_of("\"x\".parse()?; %>");
    let in_tag = format!("tests/tests/status_pages.rs:{line}:{column}");
    // A panic's column is the compiler's (the index, here): check its line.
    let (line, _) = position_of("empty[1]");
    let panic = format!("tests/tests/status_pages.rs:{line}:");
    let (line, column) = position_of("\"x\".parse()?;\n    \"<%= n %>\"");
    let in_header = format!("tests/tests/status_pages.rs:{line}:{column}");
    for (path, cause, raised) in [
        ("/broken-in-tag", "invalid digit", in_tag),
        ("/broken", "invalid digit", in_header),
        ("/panics", "the page panicked", panic),
    ] {
        let (status, body) = s.fetch(path).await;
        assert_eq!(status, 500, "{path}");
        assert!(body.starts_with("<h1>Our fault</h1>"), "{path}: {body}");
        assert!(
            body.contains(r#"<section id="rsp-error">"#),
            "{path}: {body}"
        );
        assert!(body.contains(cause), "{path}: {body}");
        assert!(
            body.contains(&format!("Raised at <code>{raised}")),
            "{path}: expected {raised} in {body}"
        );
    }
}

#[tokio::test]
async fn built_in_pages_where_the_site_has_none() {
    let s = serve(App::new()).await;
    let (status, body) = s.fetch("/nothing/here").await;
    assert_eq!(status, 404);
    assert!(body.contains("<h1>404 Not Found</h1>"), "{body}");
    let res = s.client.post(s.url("/broken")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "GET, HEAD");
}
