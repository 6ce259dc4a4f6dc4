//! CSRF protection end to end: the compiler inserts the field into post forms, unsafe
//! requests need the session's token, and a page can opt out.

use rsp::prelude::*;
use rsp_tests::serve;

fn comment_form() -> impl Render {
    html!(r#"<FORM Method='POST' action="/comment"><input name="text"></FORM>"#)
}

page! {
    GET | POST "/comment" => comment;
    if req.method() == Method::POST {
        let form: Form = req.form().await?;
        let text = form.get("text").unwrap_or("").to_owned();
        return Ok(Response::text(format!("got {text}")));
    }
    r#"<form method=post><input name="text"></form>
<form method="get" action="/search"></form>
<%= comment_form() %>
<form method="<%= "post" %>"><%= csrf_field() %></form>"#
}

page! {
    DELETE "/item" => delete_item;
    "deleted"
}

page! {
    POST "/hook" => hook;
    csrf: off;
    "hooked"
}

page! {
    GET "/rotate" => rotate;
    req.session().await?.regenerate();
    req.session().await?.set("x", 1)?;
    "rotated"
}

/// The token values of every hidden `_csrf` field in a page.
fn tokens(page: &str) -> Vec<String> {
    page.split(r#"<input type="hidden" name="_csrf" value=""#)
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

#[tokio::test]
async fn post_forms_get_the_field_and_get_forms_do_not() {
    let s = serve(App::new()).await;
    let (status, page) = s.fetch("/comment").await;
    assert_eq!(status, 200);
    let found = tokens(&page);
    assert_eq!(
        found.len(),
        3,
        "two literal post forms and one explicit tag: {page}"
    );
    assert!(
        found.iter().all(|t| t == &found[0] && t.len() == 64),
        "{found:?}"
    );
    assert!(
        page.starts_with(r#"<form method=post><input type="hidden" name="_csrf""#),
        "{page}"
    );
    assert!(
        page.contains(r#"<form method="get" action="/search"></form>"#),
        "{page}"
    );
}

#[tokio::test]
async fn unsafe_requests_need_the_right_token() {
    let s = serve(App::new()).await;
    let page = s.fetch("/comment").await.1;
    let token = tokens(&page).remove(0);
    let post = |body: String| {
        s.client
            .post(s.url("/comment"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let missing = post("text=hi".into()).await.unwrap();
    assert_eq!(missing.status(), 403);
    assert!(missing.text().await.unwrap().contains("no CSRF token"));
    let wrong = post(format!("text=hi&_csrf={}", "0".repeat(64)))
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    assert!(wrong
        .text()
        .await
        .unwrap()
        .contains("does not match your session"));
    let right = post(format!("text=hi&_csrf={token}")).await.unwrap();
    assert_eq!(right.status(), 200);
    assert_eq!(right.text().await.unwrap(), "got hi");

    // Another visitor's token is wrong for this one.
    let other = rsp_tests::client();
    let res = other
        .post(s.url("/comment"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("text=hi&_csrf={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    s.assert_alive("/comment").await;
}

#[tokio::test]
async fn scripts_send_the_token_in_a_header() {
    let s = serve(App::new()).await;
    let token = tokens(&s.fetch("/comment").await.1).remove(0);
    let no_token = s.client.delete(s.url("/item")).send().await.unwrap();
    assert_eq!(no_token.status(), 403);
    let with_token = s
        .client
        .delete(s.url("/item"))
        .header("x-csrf-token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(with_token.status(), 200);
    let json = s
        .client
        .post(s.url("/comment"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        json.status(),
        403,
        "a body that is not a form needs the header"
    );
}

#[tokio::test]
async fn a_page_can_opt_out() {
    let s = serve(App::new()).await;
    let res = rsp_tests::client()
        .post(s.url("/hook"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "hooked");
}

#[tokio::test]
async fn a_new_session_id_means_a_new_token() {
    let s = serve(App::new()).await;
    let before = tokens(&s.fetch("/comment").await.1).remove(0);
    s.get("/rotate").await;
    let after = tokens(&s.fetch("/comment").await.1).remove(0);
    assert_ne!(before, after);
    let stale = s
        .client
        .post(s.url("/comment"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("text=x&_csrf={before}"))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 403);
}

page! {
    POST "/upload" => upload;
    let upload = req.upload().await?;
    let note = upload.field("note").unwrap_or("").to_owned();
    "<%= note %>:<%= upload.files().len() %>"
}

#[tokio::test]
async fn multipart_forms_carry_the_token_too() {
    let s = serve(App::new()).await;
    let token = tokens(&s.fetch("/comment").await.1).remove(0);
    let form = |token: Option<&str>| {
        let mut form = reqwest::multipart::Form::new();
        if let Some(token) = token {
            form = form.text("_csrf", token.to_owned());
        }
        form.text("note", "hi").part(
            "file",
            reqwest::multipart::Part::bytes(b"data".to_vec()).file_name("a.txt"),
        )
    };
    let missing = s
        .client
        .post(s.url("/upload"))
        .multipart(form(None))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 403);
    let right = s
        .client
        .post(s.url("/upload"))
        .multipart(form(Some(&token)))
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
    assert_eq!(
        right.text().await.unwrap(),
        "hi:1",
        "the page still reads its upload"
    );
}
