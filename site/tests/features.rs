//! The site's session, login, upload, contexts and static-file pages, used as a browser
//! would use them: a cookie jar, forms with their CSRF field, multipart uploads.

mod common;

use common::{csrf_token, empty_dir, exe, start, Site};
use sha2::{Digest, Sha256};

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn get(client: &reqwest::Client, site: &Site, path: &str) -> reqwest::Response {
    client
        .get(format!("{}{path}", site.base))
        .send()
        .await
        .unwrap()
}

async fn text(client: &reqwest::Client, site: &Site, path: &str) -> String {
    get(client, site, path).await.text().await.unwrap()
}

#[tokio::test]
async fn the_counter_counts_visits_in_the_session() {
    let site = start("counter");
    let (ann, bob) = (browser(), browser());
    assert!(text(&ann, &site, "/counter")
        .await
        .contains("<b>1</b> time "));
    assert!(text(&ann, &site, "/counter")
        .await
        .contains("<b>2</b> times"));
    assert!(text(&bob, &site, "/counter")
        .await
        .contains("<b>1</b> time "));
    assert!(text(&ann, &site, "/counter")
        .await
        .contains("<b>3</b> times"));
}

#[tokio::test]
async fn login_regenerates_the_session_and_flashes_once() {
    let site = start("login");
    let client = browser();
    let form = text(&client, &site, "/login").await;
    assert!(form.contains(r#"<form method="post">"#), "{form}");
    let token = csrf_token(&form);
    let post = |fields: Vec<(&'static str, String)>| {
        client
            .post(format!("{}/login", site.base))
            .form(&fields)
            .send()
    };

    let wrong = post(vec![
        ("_csrf", token.clone()),
        ("name", "ann".into()),
        ("password", "nope".into()),
    ])
    .await
    .unwrap();
    assert_eq!(wrong.headers()["location"], "/login");
    let again = text(&client, &site, "/login").await;
    assert!(again.contains("Wrong name or password."), "{again}");

    let forged = post(vec![("name", "ann".into()), ("password", "rsp".into())])
        .await
        .unwrap();
    assert_eq!(forged.status(), 403, "no CSRF field, no login");

    let login = post(vec![
        ("_csrf", token.clone()),
        ("name", "Ann".into()),
        ("password", "rsp".into()),
    ])
    .await
    .unwrap();
    assert_eq!(login.status(), 303);
    assert_eq!(login.headers()["location"], "/");
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("rsp_session="),
        "a new id after login: {cookie}"
    );
    let home = text(&client, &site, "/").await;
    assert!(
        home.contains(r#"<p class="flash">Welcome, Ann!</p>"#),
        "{home}"
    );
    // The layout reads the session: every page's navigation names the visitor and
    // marks the page it is on.
    let user = r#"<span class="user"><a href="/login">Ann</a></span>"#;
    assert!(home.contains(user), "{home}");
    assert!(
        home.contains(r#"<a href="/" aria-current="page">Home</a>"#),
        "{home}"
    );
    let about = text(&client, &site, "/about").await;
    assert!(about.contains(user), "{about}");
    assert!(
        about.contains(r#"<a href="/about" aria-current="page">About</a>"#),
        "{about}"
    );
    assert!(about.contains(r#"<a href="/">Home</a>"#), "{about}");
    assert!(!about.contains("Welcome, Ann!"), "a flash is shown once");

    // The id changed, so the token did: the old one is refused.
    let page = text(&client, &site, "/login").await;
    let new_token = csrf_token(&page);
    assert_ne!(new_token, token);
    let stale = client
        .post(format!("{}/logout", site.base))
        .form(&[("_csrf", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 403);
    let logout = client
        .post(format!("{}/logout", site.base))
        .form(&[("_csrf", new_token)])
        .send()
        .await
        .unwrap();
    assert_eq!(logout.headers()["location"], "/login");
    let after = text(&client, &site, "/login").await;
    assert!(after.contains("You are logged out."), "{after}");
    assert!(after.contains(r#"name="password""#), "{after}");
}

#[tokio::test]
async fn uploads_are_kept_listed_after_a_restart_and_downloaded() {
    let dir = empty_dir("upload");
    let data = dir.join("data");
    let site = Site::start(&exe(), &dir, &["--data", data.to_str().unwrap()]);
    let client = browser();
    let form = text(&client, &site, "/upload").await;
    assert!(form.contains(r#"enctype="multipart/form-data""#), "{form}");
    let token = csrf_token(&form);
    let big = vec![7u8; 300 * 1024];
    let parts = reqwest::multipart::Form::new()
        .text("_csrf", token)
        .text("description", "<both> files")
        .part(
            "files",
            reqwest::multipart::Part::bytes(b"hello".to_vec()).file_name("../../etc/<hi>.txt"),
        )
        .part(
            "files",
            reqwest::multipart::Part::bytes(big.clone()).file_name("big.bin"),
        );
    let res = client
        .post(format!("{}/upload", site.base))
        .multipart(parts)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/upload");
    let page = text(&client, &site, "/upload").await;
    assert!(page.contains("2 file(s) uploaded."), "{page}");
    let hex = |bytes: &[u8]| -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let row = |id: u32, name: &str, size: usize, sha: String| {
        format!(
            "<tr><td><a href=\"/uploads/{id}\">{name}</a></td><td>&lt;both&gt; files</td>\
             <td>{size}</td><td><code>{sha}</code></td></tr>"
        )
    };
    let hello = row(1, "&lt;hi&gt;.txt", 5, hex(b"hello"));
    let big_row = row(2, "big.bin", big.len(), hex(&big));
    assert!(page.contains(&hello), "{page}");
    assert!(page.contains(&big_row), "{page}");

    // The files and their list outlive the process.
    drop(site);
    let site = Site::start(&exe(), &dir, &["--data", data.to_str().unwrap()]);
    let page = text(&client, &site, "/upload").await;
    assert!(page.contains(&hello) && page.contains(&big_row), "{page}");
    let download = get(&client, &site, "/uploads/2").await;
    assert_eq!(download.status(), 200);
    assert_eq!(
        download.headers()["content-disposition"],
        "attachment; filename=\"big.bin\"; filename*=UTF-8''big.bin"
    );
    assert_eq!(download.bytes().await.unwrap(), big);
    let part = client
        .get(format!("{}/uploads/1", site.base))
        .header("range", "bytes=1-3")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(part.text().await.unwrap(), "ell");
    assert_eq!(get(&client, &site, "/uploads/3").await.status(), 404);
}

#[tokio::test]
async fn contexts_escapes_a_value_for_every_place() {
    let site = start("contexts");
    let client = browser();
    let payload = "\"'><script>alert(1)</script>javascript:alert(2)</style>";
    let query: String = payload.bytes().map(|b| format!("%{b:02X}")).collect();
    let page = text(&client, &site, &format!("/contexts?v={query}")).await;
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(!page.contains("href=\"javascript"), "{page}");
    assert!(
        page.contains("<td id=\"text\">&#34;&#39;&gt;&lt;script&gt;"),
        "{page}"
    );
    assert!(page.contains("style=\"color: ZrspZ\""), "{page}");
    assert!(
        page.contains(r#"textContent = "\u0022\u0027\u003e\u003cscript"#),
        "{page}"
    );
    let js_url = text(&client, &site, "/contexts?v=JaVaScRiPt%3Aalert(1)").await;
    assert!(
        js_url.contains(r#"href="about:invalid#rsp-unsafe-url""#),
        "{js_url}"
    );
}

#[tokio::test]
async fn the_stylesheet_and_favicon_are_embedded() {
    let site = start("assets");
    let client = browser();
    let page = text(&client, &site, "/about").await;
    // The layout links the fingerprinted URL, cached for a year.
    let link = page
        .split(r#"<link rel="stylesheet" href=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no stylesheet in {page}"));
    assert!(
        link.starts_with("/static/style.") && link != "/static/style.css",
        "{link}"
    );
    let fingerprinted = get(&client, &site, link).await;
    assert_eq!(fingerprinted.status(), 200);
    assert_eq!(
        fingerprinted.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let css = get(&client, &site, "/static/style.css").await;
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    let etag = css.headers()["etag"].to_str().unwrap().to_owned();
    let cached = client
        .get(format!("{}/static/style.css", site.base))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), 304);
    let icon = get(&client, &site, "/static/favicon.svg").await;
    assert_eq!(icon.status(), 200);
    assert!(icon.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("image/svg+xml"));
    assert_eq!(
        get(&client, &site, "/static/../Cargo.toml").await.status(),
        404
    );
}

#[tokio::test]
async fn the_guestbook_answers_programs_in_json() {
    let site = start("api");
    let client = browser();
    let page = text(&client, &site, "/guestbook").await;
    let token = csrf_token(&page);
    let signed = client
        .post(format!("{}/guestbook", site.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("name", "ann"),
            ("message", "<hi>"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303);
    let entries: serde_json::Value = get(&client, &site, "/api/guestbook")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(entries[0]["name"], "ann");
    assert_eq!(entries[0]["message"], "<hi>");
    assert!(entries[0]["written"].is_string());
    let missing = client
        .get(format!("{}/api/nowhere", site.base))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["status"], 404);
    // The API page declares its errors JSON: a 405 is JSON even to a browser.
    let wrong = client
        .delete(format!("{}/api/guestbook", site.base))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 405);
    let body: serde_json::Value = wrong.json().await.unwrap();
    assert_eq!(body["status"], 405);
}
