//! Layouts fill their slots from the page header, nest, and leave the body free to
//! `.await` and use `?`.

use rsp::prelude::*;
use rsp_tests::serve;

/// The outer frame every page shares.
fn outer(page: Slots<'_>) -> impl Render + '_ {
    html!(
        r#"<html><head><title><%= page.title %></title><%= page.head %></head><body><%= page.body %></body></html>"#
    )
}

/// A section layout, nested in `outer`.
fn admin(page: Slots<'_>) -> impl Render + '_ {
    html!(
        r#"<%= outer(Slots { body: &html!("<nav>admin</nav><main><%= page.body %></main>"), ..page }) %>"#
    )
}

fn card(text: &str) -> impl Render + '_ {
    html!("<div class=card><%= text %></div>")
}

page! {
    GET "/plain" => plain;
    layout: outer;
    "<p>no title</p>"
}

page! {
    GET "/users/{name}" => user;
    layout: outer;
    title: format!("{name}'s page");
    head: html!(r#"<meta name="author" content="<%= name %>">"#);
    let greeting = async { "hello" }.await;
    "<p><%= greeting %>, <%= name %></p><%= card(\"<partial>\") %>"
}

page! {
    GET "/admin" => admin_page;
    layout: admin;
    title: "Admin";
    "<p>settings</p>"
}

#[tokio::test]
async fn slots_are_filled_and_escaped() {
    let s = serve(App::new()).await;
    assert_eq!(
        s.fetch("/plain").await.1,
        "<html><head><title></title></head><body><p>no title</p></body></html>"
    );
    assert_eq!(
        s.fetch("/users/%3Cb%3E").await.1,
        "<html><head><title>&lt;b&gt;&#39;s page</title>\
         <meta name=\"author\" content=\"&lt;b&gt;\"></head>\
         <body><p>hello, &lt;b&gt;</p><div class=card>&lt;partial&gt;</div></body></html>"
    );
}

#[tokio::test]
async fn layouts_nest() {
    let s = serve(App::new()).await;
    assert_eq!(
        s.fetch("/admin").await.1,
        "<html><head><title>Admin</title></head>\
         <body><nav>admin</nav><main><p>settings</p></main></body></html>"
    );
}
