//! JSON beside pages: `json(&value)` as short as `redirect`, pages without a body, and
//! errors as JSON for a client that asks for JSON.

use rsp::prelude::*;
use rsp_tests::serve;
use serde::Serialize;

#[derive(Serialize)]
struct Note {
    id: u32,
    title: &'static str,
}

page! {
    GET "/api/notes" => notes;
    let notes = [Note { id: 1, title: "<first>" }, Note { id: 2, title: "second" }];
    json(&notes)
}

page! {
    GET "/api/notes/{id: u32}" => note;
    if id != 1 {
        return not_found();
    }
    json(&Note { id, title: "<first>" })
}

page! {
    GET "/api/broken" => broken;
    Err::<Response, _>(Error::new(StatusCode::INTERNAL_SERVER_ERROR, "the database is down"))
}

page! {
    POST "/api/notes" => create;
    csrf: off;
    redirect("/api/notes/1")
}

async fn get_json(server: &rsp_tests::TestServer, path: &str) -> (u16, String, serde_json::Value) {
    let res = server
        .client
        .get(server.url(path))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
    (status, kind, res.json().await.unwrap())
}

#[tokio::test]
async fn pages_answer_json_and_so_do_their_errors() {
    let server = serve(App::new().detailed_errors(false)).await;
    let (status, kind, notes) = get_json(&server, "/api/notes").await;
    assert_eq!((status, kind.as_str()), (200, "application/json"));
    assert_eq!(
        notes,
        serde_json::json!([{"id": 1, "title": "<first>"}, {"id": 2, "title": "second"}])
    );
    assert_eq!(
        get_json(&server, "/api/notes/1").await.2["title"],
        "<first>"
    );

    for (path, status) in [
        ("/api/notes/2", 404),
        ("/api/nowhere", 404),
        ("/api/notes/x", 404),
    ] {
        let (got, kind, body) = get_json(&server, path).await;
        assert_eq!((got, kind.as_str()), (status, "application/json"), "{path}");
        assert_eq!(body["status"], status, "{path}");
        assert!(body["error"].is_string(), "{path}: {body}");
    }
    // 405, and a server error that says no more than a production page would.
    let res = server
        .client
        .delete(server.url("/api/notes"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], 405);
    let (status, _, body) = get_json(&server, "/api/broken").await;
    assert_eq!(status, 500);
    let error = body["error"].as_str().unwrap();
    assert!(
        error.contains("request id") && !error.contains("database"),
        "{error}"
    );

    // A browser still gets the HTML page.
    let res = server
        .client
        .get(server.url("/api/nowhere"))
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));

    // A page without a body may end with any answer: here a redirect.
    let res = server
        .client
        .post(server.url("/api/notes"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/api/notes/1");
}

page! {
    GET | PUT "/api/declared/{id: u32}" => declared;
    errors: json;
    csrf: off;
    if id == 0 {
        return Err(Error::new(StatusCode::UNPROCESSABLE_ENTITY, "id 0 is not a note"));
    }
    json(&Note { id, title: "declared" })
}

#[tokio::test]
async fn an_api_page_answers_errors_in_json_whatever_the_client_accepts() {
    let server = serve(App::new().detailed_errors(false)).await;
    let browser_accept = "text/html,application/xhtml+xml,*/*;q=0.8";
    let ask = |method: Method, path: &str| {
        server
            .client
            .request(method, server.url(path))
            .header("accept", browser_accept)
            .send()
    };
    for (method, path, status) in [
        (Method::GET, "/api/declared/0", 422),
        (Method::GET, "/api/declared/x", 404),
        (Method::DELETE, "/api/declared/1", 405),
    ] {
        let res = ask(method, path).await.unwrap();
        assert_eq!(res.status().as_u16(), status, "{path}");
        assert_eq!(res.headers()["content-type"], "application/json", "{path}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["status"], status, "{path}");
    }
    // A page that declares nothing keeps its HTML errors for a browser.
    let res = ask(Method::GET, "/api/notes/2").await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
}
