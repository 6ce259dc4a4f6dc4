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
    500 => server_error;
    res.set_header("x-custom-500", "yes")?;
    "<h1>Our fault</h1><p>Quote <%= req.id() %> when you write to us.</p>"
}

#[tokio::test]
async fn the_site_500_page_is_used_with_the_500_status() {
    let s = serve(App::new()).await;
    for path in ["/broken", "/panics"] {
        let res = s.get(path).await;
        assert_eq!(res.status(), 500, "{path}");
        assert_eq!(res.headers()["x-custom-500"], "yes");
        let body = res.text().await.unwrap();
        assert!(body.starts_with("<h1>Our fault</h1><p>Quote "), "{body}");
        assert!(!body.contains("invalid digit"), "{body}");
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
