//! End to end over real sockets: routing, parameters, query and form input, cookies,
//! redirects, response shaping, error pages, panics, limits and timeouts.

use std::time::Duration;

use rsp::prelude::*;
use rsp_tests::{serve, TestServer};
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Greeting(&'static str);

#[derive(Deserialize)]
struct Search {
    q: String,
    #[serde(default)]
    page: u32,
}

#[derive(Deserialize)]
struct Person {
    name: String,
    age: u8,
}

page! {
    GET "/" => home;
    "<p>home</p>"
}

page! {
    GET "/hello/{name}" => hello;
    "<p>Hello, <%= name %>!</p>"
}

page! {
    GET "/users/{id: u32}" => user;
    "<p>user <%= id + 1 %></p>"
}

page! {
    GET "/files/{*path}" => files;
    "<p><%= path %></p>"
}

page! {
    GET | POST "/both" => both;
    "<%= req.method().as_str() %>"
}

page! {
    DELETE "/things/{id}" => delete_thing;
    res.set_status(StatusCode::NO_CONTENT);
    ""
}

page! {
    GET "/search" => search;
    let Search { q, page } = req.query()?;
    "<%= q %>:<%= page %>"
}

page! {
    GET "/fields" => fields;
    let form: Form = req.query()?;
    r#"<%= form.get("a").unwrap_or("-") %>"#
}

page! {
    POST "/person" => person;
    let Person { name, age } = req.form().await?;
    "<%= name %> is <%= age %>"
}

page! {
    GET "/login" => login;
    res.set_cookie("who", "ann");
    return redirect("/who");
    ""
}

page! {
    GET "/who" => who;
    let signed = req.cookie("who")?;
    let plain = req.cookie_unsigned("theme")?.map(str::to_owned);
    r#"<%= signed.as_deref().unwrap_or("nobody") %>|<%= plain.as_deref().unwrap_or("-") %>"#
}

page! {
    GET "/fail" => fail;
    let n: u32 = "nope".parse()?;
    "<%= n %>"
}

page! {
    GET "/teapot" => teapot;
    return Err(Error::new(StatusCode::IM_A_TEAPOT, "short and stout"));
    ""
}

page! {
    GET "/panic" => panics;
    let v: Vec<u8> = Vec::new();
    "<%= v[3] %>"
}

page! {
    GET "/slow" => slow;
    std::future::pending::<()>().await;
    ""
}

page! {
    GET "/shaped" => shaped;
    "<p>body first</p><% res.set_status(StatusCode::CREATED); res.set_header(\"x-rsp\", \"yes\")?; %>"
}

page! {
    GET "/inject" => inject;
    let value = req.query::<Form>()?.get("v").unwrap_or("").to_owned();
    res.set_header("x-echo", value.as_str())?;
    "ok"
}

page! {
    GET "/partial" => partial;
    let card = html!("<b><%= \"<i>\" %></b>");
    "<div><%= card %><%= raw(\"<hr>\") %></div>"
}

page! {
    GET "/state" => state;
    let greeting = req.state::<Greeting>();
    "<%= greeting.0 %>"
}

page! {
    GET "/addr" => addr;
    "<%= req.remote_addr().ip() %>"
}

page! {
    GET "/trim" => trim;
    "<ul>\n  <%- for i in 0..2 { -%>\n  <li><%= i %></li>\n  <%- } -%>\n</ul><%# gone %>"
}

page! {
    GET "/clean" => clean;
    let items = ["a", "b"];
    r#"<ul>
  <% for item in items { %>
  <li><%= item %></li>
  <% } %>
  <%# statement and comment tags alone on their lines leave none behind %>
</ul>
<p><% if true { %>kept <% } %><%= items.len() %> </p>
"#
}

page! {
    GET "/token" => csrf_token;
    "<%= req.csrf_token() %>"
}

page! {
    404 => missing;
    "<p>custom 404 for <%= req.path() %></p>"
}

async fn app() -> TestServer {
    serve(
        App::new()
            .state(Greeting("hi there"))
            .body_limit(64)
            .request_timeout(Duration::from_millis(300)),
    )
    .await
}

/// The CSRF token of the test client's session, for unsafe requests.
async fn token(s: &TestServer) -> String {
    s.fetch("/token").await.1
}

#[tokio::test]
async fn pages_and_route_parameters() {
    let s = app().await;
    assert_eq!(s.fetch("/").await, (200, "<p>home</p>".into()));
    assert_eq!(s.fetch("/hello/Ann").await.1, "<p>Hello, Ann!</p>");
    assert_eq!(
        s.fetch("/hello/%3Cb%3Ex%3C%2Fb%3E").await.1,
        "<p>Hello, &lt;b&gt;x&lt;/b&gt;!</p>"
    );
    assert_eq!(s.fetch("/users/41").await.1, "<p>user 42</p>");
    assert_eq!(s.fetch("/files/a/b/c.txt").await.1, "<p>a/b/c.txt</p>");
    let res = s.get("/").await;
    assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(res.headers()["content-length"], "11");
}

#[tokio::test]
async fn typed_parameter_that_does_not_parse_is_the_404_page() {
    let s = app().await;
    assert_eq!(
        s.fetch("/users/abc").await,
        (404, "<p>custom 404 for /users/abc</p>".into())
    );
    assert_eq!(s.fetch("/users/99999999999").await.0, 404);
    assert_eq!(s.fetch("/no/such/page").await.0, 404);
    // An unsafe request that ends in a 404 gets the site's 404 page too.
    let post = s.client.post(s.url("/no/such/page")).send().await.unwrap();
    assert_eq!(post.status(), 404);
    assert_eq!(
        post.text().await.unwrap(),
        "<p>custom 404 for /no/such/page</p>"
    );
    s.assert_alive("/").await;
}

#[tokio::test]
async fn methods_head_and_405() {
    let s = app().await;
    let csrf = token(&s).await;
    let post = s
        .client
        .post(s.url("/both"))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(post.text().await.unwrap(), "POST");
    let head = s.client.head(s.url("/hello/x")).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"], "16");
    assert_eq!(head.text().await.unwrap(), "");
    let put = s.client.put(s.url("/both")).send().await.unwrap();
    assert_eq!(put.status(), 405);
    assert_eq!(put.headers()["allow"], "GET, POST, HEAD");
    let delete = s
        .client
        .delete(s.url("/things/7"))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), 204);
    assert_eq!(s.fetch("/things/7").await.0, 405);
}

#[tokio::test]
async fn query_strings_typed_and_by_field() {
    let s = app().await;
    assert_eq!(
        s.fetch("/search?q=rust+pages&page=3").await.1,
        "rust pages:3"
    );
    assert_eq!(
        s.fetch("/search?q=%3Cscript%3E").await.1,
        "&lt;script&gt;:0"
    );
    assert_eq!(s.fetch("/fields?a=%C3%A9").await.1, "é");
    assert_eq!(s.fetch("/fields").await.1, "-");
    let (status, body) = s.fetch("/search?page=1").await;
    assert_eq!(status, 400);
    assert!(body.contains("missing field `q`"), "{body}");
    let (status, body) = s.fetch("/search?q=x&page=two").await;
    assert_eq!(status, 400);
    assert!(body.contains("invalid query string field `page`"), "{body}");
}

#[tokio::test]
async fn malformed_query_strings_are_400() {
    let s = app().await;
    for (path, message) in [
        (
            "/fields?a=%zz",
            "malformed percent-encoding in the query string",
        ),
        ("/fields?a=%e9", "not valid UTF-8"),
        ("/fields?a=%", "malformed percent-encoding"),
    ] {
        let (status, body) = s.fetch(path).await;
        assert_eq!(status, 400, "{path}");
        assert!(body.contains(message), "{path}: {body}");
        s.assert_alive("/").await;
    }
}

#[tokio::test]
async fn forms_typed_with_clear_errors() {
    let s = app().await;
    let csrf = token(&s).await;
    let post = |body: &'static str| {
        s.client
            .post(s.url("/person"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-csrf-token", &csrf)
            .body(body)
            .send()
    };
    let ok = post("name=A%26B&age=30").await.unwrap();
    assert_eq!(ok.text().await.unwrap(), "A&amp;B is 30");
    let bad = post("name=A&age=300").await.unwrap();
    assert_eq!(bad.status(), 400);
    let text = bad.text().await.unwrap();
    assert!(text.contains("invalid form field `age`"), "{text}");
    let bad = post("name=%ff&age=1").await.unwrap();
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("not valid UTF-8"));
    let wrong_type = s
        .client
        .post(s.url("/person"))
        .header("content-type", "text/plain")
        .header("x-csrf-token", &csrf)
        .body("name=A&age=1")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 415);
    let big = s
        .client
        .post(s.url("/person"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-csrf-token", &csrf)
        .body(format!("name={}&age=1", "a".repeat(100)))
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 413);
    assert!(big.text().await.unwrap().contains("limit of 64 bytes"));
    s.assert_alive("/").await;
}

#[tokio::test]
async fn chunked_body_over_the_limit_is_413() {
    let s = app().await;
    let addr = s.base.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    let chunk = "a".repeat(50);
    let request = format!(
        "POST /person HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n32\r\n{chunk}\r\n32\r\n{chunk}\r\n0\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    s.assert_alive("/").await;
}

#[tokio::test]
async fn signed_cookies_survive_a_redirect_and_refuse_tampering() {
    let s = app().await;
    let res = s.get("/login").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/who");
    let set = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set.starts_with("who="), "{set}");
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"));
    assert_eq!(s.fetch("/who").await.1, "ann|-");

    let pair = set.split(';').next().unwrap();
    let tampered = pair.replace("ann", "bob");
    let fresh = reqwest::Client::new();
    let forged = fresh
        .get(s.url("/who"))
        .header("cookie", format!("{tampered}; theme=dark"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.text().await.unwrap(), "nobody|dark");
    let unsigned = fresh
        .get(s.url("/who"))
        .header("cookie", "who=ann")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.text().await.unwrap(), "nobody|-");
}

#[tokio::test]
async fn invalid_cookie_header_is_400() {
    let s = app().await;
    let res = reqwest::Client::new()
        .get(s.url("/who"))
        .header(
            "cookie",
            reqwest::header::HeaderValue::from_bytes(b"who=\xff\xfe").unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Cookie header is not valid UTF-8"));
    let res = reqwest::Client::new()
        .get(s.url("/who"))
        .header("cookie", "who=%ff")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    s.assert_alive("/").await;
}

#[tokio::test]
async fn response_can_be_shaped_after_output() {
    let s = app().await;
    let res = s.get("/shaped").await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["x-rsp"], "yes");
    assert_eq!(res.text().await.unwrap(), "<p>body first</p>");
    let res = s.get("/inject?v=ok").await;
    assert_eq!(res.headers()["x-echo"], "ok");
    let (status, _) = s.fetch("/inject?v=a%0D%0ASet-Cookie:%20x=1").await;
    assert_eq!(status, 500, "a header value with a line break is refused");
}

#[tokio::test]
async fn partials_state_address_and_trimming() {
    let s = app().await;
    assert_eq!(
        s.fetch("/partial").await.1,
        "<div><b>&lt;i&gt;</b><hr></div>"
    );
    assert_eq!(s.fetch("/state").await.1, "hi there");
    assert_eq!(s.fetch("/addr").await.1, "127.0.0.1");
    assert_eq!(
        s.fetch("/trim").await.1,
        "<ul>\n  <li>0</li>\n  <li>1</li>\n</ul>"
    );
    // The same without markers: tags alone on their lines take their lines with them.
    assert_eq!(
        s.fetch("/clean").await.1,
        "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n<p>kept 2 </p>\n"
    );
}

#[tokio::test]
async fn errors_become_error_pages() {
    let s = app().await;
    let (status, body) = s.fetch("/teapot").await;
    assert_eq!(status, 418);
    assert!(body.contains("short and stout"));

    let (status, body) = s.fetch("/fail").await;
    assert_eq!(status, 500);
    // Debug build: the detailed page, with the error, the page and its source.
    assert!(body.contains("invalid digit found in string"), "{body}");
    assert!(body.contains("http::fail"), "{body}");
    assert!(body.contains("tests/tests/http.rs"), "{body}");
    assert!(body.contains("GET /fail"), "{body}");
}

#[tokio::test]
async fn production_error_pages_hide_details_and_give_an_id() {
    let s = serve(App::new().detailed_errors(false)).await;
    let (status, body) = s.fetch("/fail").await;
    assert_eq!(status, 500);
    assert!(!body.contains("invalid digit"), "{body}");
    assert!(!body.contains("http.rs"), "{body}");
    let id = body
        .split("<code>")
        .nth(1)
        .and_then(|rest| rest.split("</code>").next())
        .unwrap_or_default();
    assert_eq!(id.len(), 16, "{body}");
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
}

#[tokio::test]
async fn a_panicking_page_is_a_500_and_the_server_lives_on() {
    let s = app().await;
    for _ in 0..3 {
        let (status, body) = s.fetch("/panic").await;
        assert_eq!(status, 500);
        assert!(body.contains("the page panicked"), "{body}");
        s.assert_alive("/").await;
    }
}

#[tokio::test]
async fn a_page_over_its_time_is_a_503() {
    let s = app().await;
    let (status, body) = s.fetch("/slow").await;
    assert_eq!(status, 503);
    assert!(body.contains("did not finish within"), "{body}");
    s.assert_alive("/").await;
}

#[tokio::test]
async fn http2_is_served() {
    let s = app().await;
    let client = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let res = client.get(s.url("/hello/h2")).send().await.unwrap();
    assert_eq!(res.version(), reqwest::Version::HTTP_2);
    assert_eq!(res.text().await.unwrap(), "<p>Hello, h2!</p>");
}

#[tokio::test]
async fn slow_clients_are_cut_off() {
    let s = serve(App::new().header_timeout(Duration::from_millis(200))).await;
    let addr = s.base.trim_start_matches("http://").to_owned();
    // Half a request, then silence; and a connection that never says anything.
    let mut partial = TcpStream::connect(&addr).await.unwrap();
    partial
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut silent = TcpStream::connect(&addr).await.unwrap();
    for stream in [&mut partial, &mut silent] {
        let mut rest = Vec::new();
        // The bound only keeps a broken server from hanging the test.
        let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut rest))
            .await
            .expect("the server closes the connection");
        assert!(read.is_ok());
        let text = String::from_utf8_lossy(&rest);
        assert!(
            text.is_empty() || text.starts_with("HTTP/1.1 408"),
            "{text}"
        );
    }
    s.assert_alive("/").await;
}

#[tokio::test]
async fn a_kept_alive_connection_gets_the_header_timeout_after_each_response() {
    let s = serve(App::new().header_timeout(Duration::from_millis(300))).await;
    let addr = s.base.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    let mut answers = Vec::new();
    // Two answered requests a while apart: each response restarts the clock.
    for _ in 0..2 {
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 4096];
        let n = stream.read(&mut buf).await.unwrap();
        answers.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        answers.iter().all(|a| a.starts_with("HTTP/1.1 200")),
        "{answers:?}"
    );
    // Then half a request: the connection is closed with no answer.
    stream.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut rest))
        .await
        .expect("the server closes the connection")
        .unwrap();
    let text = String::from_utf8_lossy(&rest);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
}

#[tokio::test]
async fn raw_invalid_request_target_is_a_400_not_a_crash() {
    let s = app().await;
    let addr = s.base.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    stream
        .write_all(b"GET /hello/<b>x</b> HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 400"), "{response}");
    s.assert_alive("/").await;
}
