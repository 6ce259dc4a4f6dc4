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

layout! {
    /// A layout that reads the request: who is logged in, where the visitor is, and the
    /// flash messages, and nests in `outer`.
    site_frame;
    layout: outer;
    let session = req.session().await?;
    let user: Option<String> = session.get("user");
    let flashes = session.take_flash();
    if req.header("x-layout-fails").is_some() {
        return Err(Error::new(StatusCode::SERVICE_UNAVAILABLE, "the layout gave up"));
    }
    res.set_header("x-framed-by", "site_frame")?;
    let here = req.path().to_owned();
    r#"<nav><% for (href, label) in [("/", "Home"), ("/me", "Me")] { %><a href="<%= href %>"<% if href == here { %> aria-current="page"<% } %>><%= label %></a><% } %><% if let Some(user) = &user { %> <%= user %><% } %></nav><% for message in &flashes { %><p class=flash><%= message %></p><% } %><%= page.body %>"#
}

page! {
    POST "/log-in/{name}" => log_in;
    csrf: off;
    let session = req.session().await?;
    session.set("user", name)?;
    session.flash(format!("welcome, {name}"));
    redirect("/me")
}

page! {
    GET "/me" => me;
    layout: site_frame;
    title: req.path();
    head: html!(r#"<link rel="canonical" href="<%= req.uri().to_string() %>">"#);
    "<p>me</p>"
}

#[tokio::test]
async fn a_layout_reads_the_session_and_the_path_and_nests() {
    let s = serve(App::new()).await;
    let anonymous = s.get("/me").await;
    assert_eq!(anonymous.headers()["x-framed-by"], "site_frame");
    assert_eq!(
        anonymous.text().await.unwrap(),
        "<html><head><title>/me</title><link rel=\"canonical\" href=\"/me\"></head><body>\
         <nav><a href=\"/\">Home</a><a href=\"/me\" aria-current=\"page\">Me</a></nav>\
         <p>me</p></body></html>"
    );
    let login = s
        .client
        .post(s.url("/log-in/%3Cann%3E"))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303);
    let (_, first) = s.fetch("/me").await;
    assert!(
        first.contains("Me</a> &lt;ann&gt;</nav><p class=flash>welcome, &lt;ann&gt;</p><p>me</p>"),
        "{first}"
    );
    // The flash was taken by the layout: shown once.
    let (_, second) = s.fetch("/me").await;
    assert!(
        second.contains("Me</a> &lt;ann&gt;</nav><p>me</p>"),
        "{second}"
    );
}

#[tokio::test]
async fn an_error_in_a_layout_is_the_page_error() {
    let s = serve(App::new()).await;
    let res = s
        .client
        .get(s.url("/me"))
        .header("x-layout-fails", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    assert!(res.text().await.unwrap().contains("Service Unavailable"));
}
