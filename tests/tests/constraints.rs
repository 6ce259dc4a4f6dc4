//! Forms checked on the server as the page declares them: every constraint of the form a
//! page renders is enforced on the POST it receives, before its code runs.

use rsp::prelude::*;
use rsp_tests::serve;

page! {
    GET | POST "/note" => note;
    csrf: off;
    let admin = req.query::<Form>()?.get("admin").is_some();
    if req.method() == Method::POST {
        let form: Form = req.form().await.or_else(|_| {
            Ok::<_, Error>(Form::default())
        })?;
        return Ok(Response::text(format!("saved {}", form.get("title").unwrap_or("(upload)"))));
    }
    r#"<form method="post">
  <input name="title" required maxlength="10">
  <input name="email" type="email">
  <input name="age" type="number" min="1" max="120">
  <input name="code" pattern="[a-z]{3}">
  <textarea name="body" minlength="2"></textarea>
  <input name="agree" type="checkbox" required>
  <% if admin { %><input name="secret" required><% } %>
  <input name="<%= "computed" %>" required>
  <input name="hidden" type="hidden" required>
  <input name="off" required disabled>
</form>"#
}

fn subscribe_form() -> impl Render {
    html!(
        r#"<form method="post" action="/subscribe"><input name="email" type="email" required></form>"#
    )
}

page! {
    GET "/" => home;
    let form = subscribe_form();
    "<%= form %>"
}

page! {
    POST "/subscribe" => subscribe;
    csrf: off;
    "subscribed"
}

page! {
    GET | POST "/free" => free;
    csrf: off;
    r#"<form method="post" novalidate><input name="title" required maxlength="1"></form>"#
}

/// Posts `fields` to `path`; returns the status and the body.
async fn post(
    server: &rsp_tests::TestServer,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let res = server
        .client
        .post(server.url(path))
        .form(fields)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn a_post_breaking_the_rendered_form_is_400_naming_the_field() {
    let server = serve(App::new()).await;
    let valid = [("title", "Hello"), ("agree", "on")];
    assert_eq!(
        post(&server, "/note", &valid).await,
        (200, "saved Hello".to_owned())
    );
    let full = [
        ("title", "0123456789"),
        ("agree", "on"),
        ("email", "ann@example.com"),
        ("age", "120"),
        ("code", "abc"),
        ("body", "ok\r\n"),
    ];
    assert_eq!(post(&server, "/note", &full).await.0, 200);
    for (field, value, why) in [
        ("title", "", "required"),
        ("title", "01234567890", "maxlength"),
        ("email", "ann", "email"),
        ("age", "0", "min"),
        ("age", "121", "max"),
        ("age", "x", "number"),
        ("code", "abcd", "pattern"),
        ("body", "x", "minlength"),
    ] {
        let mut fields: Vec<(&str, &str)> =
            valid.iter().filter(|(n, _)| *n != field).copied().collect();
        fields.push((field, value));
        let (status, body) = post(&server, "/note", &fields).await;
        assert_eq!(status, 400, "{field}={value:?}: {body}");
        assert!(
            body.contains(&format!("`{field}`")) && body.contains(why),
            "{field}: {body}"
        );
    }
    // An unchecked box is not sent: `required` refuses it.
    let (status, body) = post(&server, "/note", &[("title", "x")]).await;
    assert_eq!(status, 400);
    assert!(body.contains("`agree`"), "{body}");

    // The same rules on a multipart body.
    let upload = reqwest::multipart::Form::new()
        .text("title", "far too long a title")
        .text("agree", "on");
    let res = server
        .client
        .post(server.url("/note"))
        .multipart(upload)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("maxlength"));
}

#[tokio::test]
async fn forms_are_matched_by_action_and_may_opt_out() {
    let server = serve(App::new()).await;
    // A fragment's form with a static action constrains the page it posts to.
    assert_eq!(
        post(&server, "/subscribe", &[("email", "not an address")])
            .await
            .0,
        400
    );
    assert_eq!(post(&server, "/subscribe", &[]).await.0, 400);
    assert_eq!(
        post(&server, "/subscribe", &[("email", "a@b.org")]).await.0,
        200
    );
    // `novalidate`: the browser does not check, nor does the server.
    assert_eq!(post(&server, "/free", &[("title", "long")]).await.0, 200);
    // A body that is not a form (an API client's JSON) is not the form's to check.
    let res = server
        .client
        .post(server.url("/subscribe"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}
