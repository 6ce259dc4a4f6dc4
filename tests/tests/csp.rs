//! The strict Content-Security-Policy: the header on HTML pages, the nonce the compiler
//! writes into every `<script>` (in pages and fragments), the ways out; and, in headless
//! Chromium, that a script injected without the nonce does not run.

use rsp::prelude::*;
use rsp_tests::browser::Browser;
use rsp_tests::serve;
use serde_json::json;

page! {
    GET "/scripts" => scripts;
    let v = req.query::<Form>()?.get("v").unwrap_or("").to_owned();
    let widget = html!(r#"<script>window.fromFragment = 1;</script>"#);
    r#"<!doctype html><title>Scripts</title>
<p><%= raw(&v) %></p>
<script>window.inline = 1;</script>
<script src="/missing.js" async></script>
<%= widget %>"#
}

page! {
    GET "/plain" => plain;
    "<p>no scripts</p>"
}

page! {
    GET "/relaxed" => relaxed;
    csp: off;
    r#"<button onclick="go()">go</button>"#
}

page! {
    GET "/own" => own;
    res.set_header("content-security-policy", "default-src 'self'")?;
    "<script>1</script>"
}

page! {
    GET "/json" => json_page;
    res.set_header("content-type", "application/json")?;
    "{}"
}

fn policy(res: &reqwest::Response) -> Option<String> {
    let value = res.headers().get("content-security-policy")?;
    Some(value.to_str().unwrap().to_owned())
}

/// The `nonce="…"` values in `html`, in order.
fn nonces(html: &str) -> Vec<&str> {
    html.split("nonce=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect()
}

#[tokio::test]
async fn every_script_gets_the_nonce_the_policy_names() {
    let server = serve(App::new()).await;
    let mut seen = Vec::new();
    for _ in 0..2 {
        let res = server.get("/scripts").await;
        let policy = policy(&res).expect("a policy");
        let html = res.text().await.unwrap();
        let found = nonces(&html);
        assert_eq!(found.len(), 3, "inline, src and fragment scripts: {html}");
        assert!(found.iter().all(|n| *n == found[0] && n.len() == 32));
        assert_eq!(
            policy,
            format!(
                "script-src 'nonce-{}' 'strict-dynamic'; object-src 'none'; base-uri 'none'",
                found[0]
            )
        );
        seen.push(found[0].to_owned());
    }
    assert_ne!(seen[0], seen[1], "a new nonce for each request");

    let res = server.get("/plain").await;
    assert_eq!(
        policy(&res).as_deref(),
        Some("script-src 'none'; object-src 'none'; base-uri 'none'")
    );
    assert_eq!(policy(&server.get("/relaxed").await), None);
    assert_eq!(
        policy(&server.get("/own").await).as_deref(),
        Some("default-src 'self'")
    );
    assert_eq!(policy(&server.get("/json").await), None, "not HTML");
    let missing = server.get("/nowhere").await;
    assert_eq!(missing.status(), 404);
    assert!(policy(&missing).is_some(), "error pages too");

    let off = serve(App::new().strict_csp(false)).await;
    let res = off.get("/scripts").await;
    assert_eq!(policy(&res), None);
    assert!(nonces(&res.text().await.unwrap()).is_empty());
}

#[tokio::test]
async fn a_script_injected_without_the_nonce_does_not_run() {
    let Some(browser) = Browser::from_env("the strict policy in Chromium").await else {
        return;
    };
    let server = serve(App::new()).await;
    let injected = "%3Cscript%3Ewindow.injected%3D1%3C%2Fscript%3E";
    browser
        .goto(&server.url(&format!("/scripts?v={injected}")))
        .await
        .unwrap();
    browser.settle().await;
    let ran = browser
        .execute(
            "return [window.inline, window.fromFragment, window.injected]",
            json!([]),
        )
        .await
        .unwrap();
    assert_eq!(
        ran,
        json!([1, 1, null]),
        "the page's scripts ran, the injected one did not"
    );
    let log = browser.log().await.unwrap();
    assert!(
        log.iter()
            .any(|(_, message)| message.contains("Content Security Policy")),
        "Chromium reports the blocked script: {log:?}"
    );

    // Without the policy the same injection runs: the test above could fail.
    let off = serve(App::new().strict_csp(false)).await;
    browser
        .goto(&off.url(&format!("/scripts?v={injected}")))
        .await
        .unwrap();
    browser.settle().await;
    let ran = browser.execute("return window.injected", json!([])).await;
    assert_eq!(ran.unwrap(), json!(1));
}
