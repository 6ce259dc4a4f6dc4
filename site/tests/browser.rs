//! The escaping proved in a real browser: classic and context-specific XSS payloads are
//! written by `/contexts` into every HTML context and by the guestbook into its entries,
//! loaded in headless Chromium driven through chromedriver's W3C WebDriver HTTP API, and
//! none may run script.
//!
//! Runs when `RSP_CHROMEDRIVER` names chromedriver (see `rsp_tests::browser`).
//!
//! Nothing in the pages is overridden. A page counts as having run injected script if
//! - a dialog opened (the payloads call `alert`): asked of WebDriver, which leaves dialogs
//!   open (`unhandledPromptBehavior: ignore`);
//! - a marker the payloads set is there: `window.__rspPwned`, `data-pwned` on `<html>`,
//!   a title of exactly `rsp-pwned` (the real title always has more around the value);
//! - Chromium logged a script error: payloads call `top.rspPwned()`, which no page defines,
//!   and a value breaking out of a script is a syntax error;
//! - the page's shape differs from the same page with a harmless value: more `<script>`
//!   elements, an `on*` attribute, a `javascript:`/`data:`/`vbscript:` URL, an `iframe`,
//!   `object`, `embed`, `base`, `meta http-equiv`, `svg` or `math` element.
//!
//! Each check runs after the load event (so `onerror` of the image has fired) and two
//! frames (so `autofocus` has focused), again after every element of the page's table or
//! entries got `mouseover`, `focus`, `load` and `error` events and every button a click,
//! and again after a click on every link (a `javascript:` URL runs on click).

mod common;

use std::collections::HashSet;

use rsp_tests::browser::Browser;
use serde::Deserialize;
use serde_json::json;

use common::{csrf_token, empty_dir, exe, Site};

/// Payloads for every context; each page load writes one of them everywhere.
const PAYLOADS: &[&str] = &[
    // HTML text, and RCDATA (title, textarea).
    "<script>alert(1)</script>",
    "<script>window.__rspPwned=1</script>",
    "<ScRiPt>top.rspPwned()</sCrIpT>",
    "<script src=data:,alert(1)></script>",
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror=top.rspPwned()>",
    "<svg onload=alert(1)>",
    "<svg/onload=document.title='rsp-pwned'>",
    "<svg><script>alert&#40;1&#41;</script></svg>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=window.__rspPwned=1>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<iframe srcdoc='<script>top.rspPwned()</script>'></iframe>",
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    "<a href=javascript:alert(1)>x</a>",
    "<form><button formaction=javascript:alert(1)>x</button></form>",
    "<base href=javascript:alert(1)//>",
    r#"<meta http-equiv="refresh" content="0;url=javascript:alert(1)">"#,
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    r#"<noscript><p title="</noscript><img src=x onerror=alert(1)>">"#,
    "<!--<script>alert(1)</script>-->",
    "<!--<script>",
    "--><script>alert(1)</script>",
    "--!><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</TiTlE ><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</textarea ><svg onload=top.rspPwned()>",
    "<xmp><script>alert(1)</script></xmp>",
    "<plaintext><script>alert(1)</script>",
    // Attributes: breaking out of each quoting.
    r#""><script>alert(1)</script>"#,
    r#"'><script>alert(1)</script>"#,
    r#"" onmouseover="alert(1)" x=""#,
    r#"' onmouseover='alert(1)' x='"#,
    r#"" autofocus onfocus="top.rspPwned()"#,
    r#"' autofocus onfocus=window.__rspPwned=1 x='"#,
    "x onfocus=alert(1) autofocus",
    "x/onfocus=alert(1)/autofocus",
    "x\tonfocus=alert(1)\tautofocus",
    "x\nonfocus=alert(1)\nautofocus",
    "`x` onfocus=alert(1) autofocus",
    "=x onmouseover=alert(1)",
    "&quot; onfocus=alert(1) autofocus x=&quot;",
    "&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;",
    r#""/><svg/onload=alert(1)>"#,
    // URLs: href and src.
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "\tjavascript:alert(1)",
    " javascript:alert(1)",
    "\u{1}javascript:alert(1)",
    "java\nscript:alert(1)",
    "java\tscript:alert(1)",
    "java\rscript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript&#x3A;alert(1)",
    "javascript&colon;alert(1)",
    "javascript:%61lert(1)",
    "javascript://%0Aalert(1)",
    "javascript:window.__rspPwned=1//http://x",
    "%6Aavascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "VBScript:MsgBox(1)",
    r#"https://example.com/" onmouseover="alert(1)"#,
    "//example.com/?<script>alert(1)</script>",
    // JavaScript: onclick, script expression, script string.
    r#"");alert(1);//"#,
    r#"');alert(1);//"#,
    r#"\");alert(1);//"#,
    r#"\\");alert(1);//"#,
    r#"\";alert(1);//"#,
    "1);alert(1);(1",
    "alert(1)",
    "${alert(1)}",
    "`;alert(1);`",
    "`${top.rspPwned()}`",
    "\u{2028}alert(1)\u{2029}",
    "\"\u{2028};alert(1)//",
    "</script><script>alert(1)</script>",
    "</ScRiPt ><script>top.rspPwned()</script>",
    "</script/x><script>alert(1)</script>",
    "</script\t><script>alert(1)</script>",
    "<!--<script>alert(1)//",
    "-->alert(1)//",
    r"\x3cscript\x3ealert(1)\x3c/script\x3e",
    r"\u003cscript\u003ealert(1)\u003c/script\u003e",
    "&#34;);alert(1);//",
    "&quot;-alert(1)-&quot;",
    "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
    "{{constructor.constructor('alert(1)')()}}",
    // CSS: style element, style attribute.
    "red;background:url(javascript:alert(1))",
    "expression(alert(1))",
    "red;width:expression(alert(1))",
    "url(javascript:alert(1))",
    "red}</style><script>alert(1)</script>",
    "}</style><script>top.rspPwned()</script>",
    "</style><script>alert(1)</script>",
    r#"red;}body{background:url("javascript:alert(1)")}"#,
    r"\3c/style\3e<script>alert(1)</script>",
    "@import 'javascript:alert(1)';",
    "-moz-binding:url(//x/x.xml#x)",
    r#"red" onmouseover="alert(1)"#,
    "red' onmouseover='alert(1)",
    // NUL, other controls, non-ASCII.
    "\0<script>alert(1)</script>",
    "java\0script:alert(1)",
    "<scr\0ipt>alert(1)</scr\0ipt>",
    "x\r\nSet-Cookie: pwned=1",
    "\u{FEFF}javascript:alert(1)",
    "\u{202E}<script>alert(1)</script>",
    "＜script＞alert(1)＜/script＞",
    "ｊａｖａｓｃｒｉｐｔ:alert(1)",
    "Grüße, 世界 😀 <b>bold</b> «guillemets» \u{85}next line",
    // Polyglots.
    r#"jaVasCript:/*-/*`/*\`/*'/*"/**/(/* */oNcliCk=alert() )//%0D%0A%0d%0a//</stYle/</titLe/</teXtarEa/</scRipt/--!>\x3csVg/<sVg/oNloAd=alert()//>\x3e"#,
    "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=alert() )//\r\n\r\n//</stYle/</titLe/</teXtarEa/</scRipt/--!><sVg/<sVg/oNloAd=alert()//>>",
    r#"javascript:"/*'/*`/*--></noscript></title></textarea></style></template></noembed></script><html " onmouseover=/*&lt;svg/*/onload=alert()//>"#,
    r#"'"--></style></script><script>alert(1)</script>"#,
    r#"'"><img src=x onerror=alert(1)>"#,
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
];

/// The fixed payloads and a few very long ones.
fn payloads() -> Vec<String> {
    let mut all: Vec<String> = PAYLOADS.iter().map(|p| p.to_string()).collect();
    all.push(format!(
        "{}\"><script>alert(1)</script>",
        "A".repeat(10_000)
    ));
    all.push("<script>alert(1)</script>".repeat(400));
    all.push(format!("{}\";alert(1);//", "\\".repeat(5_000)));
    let distinct: HashSet<&String> = all.iter().collect();
    assert_eq!(distinct.len(), all.len(), "a payload is listed twice");
    all
}

/// What the detector sees in a page; compared with the same page holding a harmless value.
#[derive(Deserialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Snapshot {
    markers: Vec<String>,
    scripts: Vec<String>,
    handlers: Vec<String>,
    unsafe_urls: Vec<String>,
    embeds: Vec<String>,
}

/// Returns a [`Snapshot`] of the document.
const SNAPSHOT: &str = r#"
const d = document, cut = (s) => s.slice(0, 160);
const markers = [];
if (window.__rspPwned !== undefined) markers.push("window.__rspPwned is set");
if (d.documentElement.dataset.pwned !== undefined) markers.push("data-pwned is set on <html>");
if (d.title === "rsp-pwned") markers.push("document.title was set to rsp-pwned");
const handlers = [], unsafeUrls = [];
for (const el of d.querySelectorAll("*")) {
  for (const a of el.attributes) {
    if (/^on/i.test(a.name)) handlers.push(`<${el.localName} id="${el.id}" ${a.name}>`);
    if (/^(href|src|action|formaction|data|xlink:href|poster|srcdoc)$/i.test(a.name)) {
      let scheme = "";
      try { scheme = new URL(a.value, d.baseURI).protocol; } catch (e) {}
      if (a.name === "srcdoc" || /^(javascript|vbscript|data):$/i.test(scheme))
        unsafeUrls.push(`<${el.localName} ${a.name}="${cut(a.value)}">`);
    }
  }
}
const embeds = [...d.querySelectorAll("iframe, frame, object, embed, base, meta[http-equiv], svg, math")];
return {
  markers,
  scripts: [...d.scripts].map((s) => cut(s.outerHTML)),
  handlers,
  unsafeUrls,
  embeds: embeds.map((e) => cut(e.outerHTML)),
};
"#;

/// Fires `mouseover`, `focus`, `load` and `error` at every element under the selector
/// `arguments[0]` (an injected `on*` handler would run), then clicks every button there.
const POKE: &str = r#"
const all = document.querySelectorAll(arguments[0] + " *");
for (const el of all)
  for (const type of ["mouseover", "focus", "load", "error"]) el.dispatchEvent(new Event(type));
for (const el of all) if (el.localName === "button") el.click();
"#;

/// Clicks every link under the selector `arguments[0]`.
const CLICK_LINKS: &str = r#"
for (const a of document.querySelectorAll(arguments[0] + " a")) a.click();
"#;

/// Waits two frames and a little more: autofocus and `onfocus` happen at a frame.

#[tokio::test]
async fn no_payload_runs_script_in_a_browser() {
    let Some(browser) = Browser::from_env("the browser XSS test").await else {
        return;
    };
    let dir = empty_dir("browser");
    let data = dir.join("data");
    let site = Site::start(&exe(), &dir, &["--data", data.to_str().unwrap()]);

    the_detector_sees_script_that_runs(&browser, &site).await;

    let payloads = payloads();
    let mut run = Run::new(&browser, &site);
    // The pages' own shapes, with a harmless value and with no entries.
    let contexts = shape_of(&browser, &format!("{}/contexts?v=harmless", site.base)).await;
    let guestbook = shape_of(&browser, &format!("{}/guestbook", site.base)).await;
    for payload in &payloads {
        run.contexts(&contexts, payload).await;
        if run.executions.len() >= 20 {
            break; // Plenty to go on: stop early rather than take minutes to fail.
        }
    }
    run.guestbook(&guestbook, &payloads).await;
    run.late().await;

    eprintln!(
        "browser: {} payloads tried, {} page loads, {} checks, {} executions, {} mangled values",
        run.tried,
        browser.loads(),
        run.checks,
        run.executions.len(),
        run.mangled.len()
    );
    assert!(
        run.executions.is_empty(),
        "injected script ran:\n\n{}",
        run.executions.join("\n\n")
    );
    assert!(
        run.mangled.is_empty(),
        "values did not reach JavaScript intact:\n{}",
        run.mangled.join("\n")
    );
}

/// The positive control: script that really runs is reported by each detector, so the
/// test above could fail.
async fn the_detector_sees_script_that_runs(browser: &Browser, site: &Site) {
    let markers = "data:text/html,<script>window.__rspPwned=1; \
                   document.documentElement.dataset.pwned=1; document.title='rsp-pwned'</script>";
    let alert = "data:text/html,<script>alert('control')</script>";
    let call = "data:text/html,<script>top.rspPwned()</script>";
    for (url, expected) in [
        (
            markers,
            &["window.__rspPwned", "data-pwned", "document.title"][..],
        ),
        (alert, &["alert dialog opened: \"control\""]),
        (call, &["rspPwned is not a function"]),
    ] {
        browser.arm().await;
        browser.goto(url).await.unwrap();
        let found = evidence(browser, None).await.join("\n");
        for what in expected {
            assert!(found.contains(what), "{url}: {what:?} not in {found:?}");
        }
    }

    // An injected element, handler and link are seen even when nothing has run yet.
    let shape = shape_of(browser, &format!("{}/contexts?v=red", site.base)).await;
    browser
        .execute(
            "const s = document.createElement('script'); s.type = 'text/plain';
             document.body.append(s);
             document.getElementById('text').setAttribute('onmouseover', '0');
             document.getElementById('href').setAttribute('href', ' javascript:0');",
            json!([]),
        )
        .await
        .unwrap();
    let found = evidence(browser, Some(&shape)).await.join("\n");
    for what in ["4 <script> elements", "onmouseover", "javascript:0"] {
        assert!(found.contains(what), "{what:?} not in {found:?}");
    }
    eprintln!("browser: the detector reports script that runs (positive control passed)");
}

/// The run over all payloads: its counts and findings, and the page being checked.
struct Run<'a> {
    browser: &'a Browser,
    site: &'a Site,
    /// Payloads loaded into `/contexts`.
    tried: usize,
    checks: usize,
    executions: Vec<String>,
    mangled: Vec<String>,
    /// The page loaded last (its path on the site) and the payload(s) it holds.
    path: String,
    payload: String,
}

impl<'a> Run<'a> {
    fn new(browser: &'a Browser, site: &'a Site) -> Self {
        Run {
            browser,
            site,
            tried: 0,
            checks: 0,
            executions: Vec::new(),
            mangled: Vec::new(),
            path: String::new(),
            payload: String::new(),
        }
    }

    /// Loads `/contexts?v=payload` and checks it after the load, after poking it, and
    /// after clicking its link.
    async fn contexts(&mut self, shape: &Snapshot, payload: &str) {
        self.tried += 1;
        let browser = self.browser;
        let path = format!("/contexts?v={}", percent_encode(payload));
        self.load(&path, payload).await;
        self.check("after load", Some(shape)).await;

        browser.execute(POKE, json!(["table.contexts"])).await.ok();
        browser.settle().await;
        self.check("after events and the button click", Some(shape))
            .await;
        // The three places where the value becomes JavaScript must hold it exactly.
        let shown = browser
            .execute(
                r#"return ["expr", "string", "clicked"].map(
                       (id) => [id, document.getElementById(id).textContent]);"#,
                json!([]),
            )
            .await;
        match shown.map(serde_json::from_value::<Vec<(String, String)>>) {
            Ok(Ok(shown)) => {
                for (id, text) in shown.into_iter().filter(|(_, text)| text != payload) {
                    let mangled = format!("#{id} shows {text:?} for {payload:?}");
                    self.mangled.push(mangled);
                }
            }
            other => (self.mangled).push(format!("{payload:?}: not read back: {other:?}")),
        }

        browser
            .execute(CLICK_LINKS, json!(["table.contexts"]))
            .await
            .ok();
        browser.settle().await;
        self.check("after clicking the link", None).await;
    }

    /// Signs the guestbook with every payload as name and message (cut to the form's
    /// limits), 25 entries at a time, and checks the guestbook after each batch.
    async fn guestbook(&mut self, shape: &Snapshot, payloads: &[String]) {
        let (browser, base) = (self.browser, &self.site.base);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap();
        let form = client.get(format!("{base}/guestbook")).send().await;
        let token = csrf_token(&form.unwrap().text().await.unwrap());
        for batch in payloads.chunks(25) {
            for payload in batch {
                let res = client
                    .post(format!("{base}/guestbook"))
                    .form(&[
                        ("_csrf", token.as_str()),
                        ("name", within(payload, 80)),
                        ("message", within(payload, 2000)),
                    ])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 303, "signing with {payload:?}");
            }
            self.load("/guestbook", &format!("{batch:?}")).await;
            let count = "return document.querySelectorAll('.entries > li').length";
            if let Ok(entries) = browser.execute(count, json!([])).await {
                let shown = entries.as_u64() >= Some(batch.len() as u64);
                assert!(shown, "{entries} entries shown for {batch:?}");
            }
            self.check("after load", Some(shape)).await;
            browser.execute(POKE, json!([".entries"])).await.ok();
            browser.settle().await;
            self.check("after events", Some(shape)).await;
            browser.execute(CLICK_LINKS, json!([".entries"])).await.ok();
            browser.settle().await;
            self.check("after clicking links", None).await;
        }
    }

    /// Arms the detector, loads the page and waits for it to settle.
    async fn load(&mut self, path: &str, payload: &str) {
        self.late().await;
        self.path = path.to_owned();
        self.payload = payload.to_owned();
        let url = format!("{}{path}", self.site.base);
        if let Err(e) = self.browser.goto(&url).await {
            self.record("loading", vec![format!("loading failed: {e}")])
                .await;
        }
        self.browser.settle().await;
    }

    /// Arms the detector for the next page: blames anything left on the page before.
    async fn late(&mut self) {
        let late = self.browser.arm().await;
        if !late.is_empty() {
            self.record("showing up late", late).await;
        }
    }

    /// Checks the page for evidence of script that ran.
    async fn check(&mut self, when: &str, shape: Option<&Snapshot>) {
        self.checks += 1;
        let evidence = evidence(self.browser, shape).await;
        if !evidence.is_empty() {
            self.record(when, evidence).await;
        }
    }

    /// Records an execution, with the page's HTML as the server sent it for the first few.
    async fn record(&mut self, when: &str, evidence: Vec<String>) {
        let (path, payload) = (&self.path, &self.payload);
        let mut record = format!(
            "payload {payload:?} at {path}, {when}:\n  {}",
            evidence.join("\n  ")
        );
        if self.executions.len() < 5 {
            let (_, html) = self.site.fetch(path).await;
            record.push_str("\n  the page:");
            for line in html.lines().filter(|line| !line.trim().is_empty()) {
                record.push_str("\n    ");
                record.extend(line.chars().take(300));
            }
        }
        self.executions.push(record);
    }
}

/// The start of `payload` that fits a form field's `maxlength` (in UTF-16 code units, as
/// the browser and the server count), which the guestbook's form sets.
fn within(payload: &str, limit: usize) -> &str {
    let mut units = 0;
    let end = payload
        .char_indices()
        .find(|(_, c)| {
            units += c.len_utf16();
            units > limit
        })
        .map_or(payload.len(), |(at, _)| at);
    &payload[..end]
}

/// Percent-encodes every byte but the unreserved ones, for a query value.
fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Loads a page with a harmless value and returns its shape.
async fn shape_of(browser: &Browser, url: &str) -> Snapshot {
    browser.arm().await;
    browser.goto(url).await.unwrap();
    browser.settle().await;
    let shape: Snapshot =
        serde_json::from_value(browser.execute(SNAPSHOT, json!([])).await.unwrap()).unwrap();
    let errors = browser.script_errors().await;
    assert!(
        shape.markers.is_empty() && errors.is_empty(),
        "{url}: {shape:?} {errors:?}"
    );
    shape
}

/// Everything showing that script ran in the current page (empty if none): dialogs,
/// markers, script errors and, given the page's own `shape`, elements that differ.
async fn evidence(browser: &Browser, shape: Option<&Snapshot>) -> Vec<String> {
    let mut found = browser.arm().await;
    let snapshot = browser.execute(SNAPSHOT, json!([])).await;
    match snapshot.map(serde_json::from_value::<Snapshot>) {
        Ok(Ok(now)) => {
            found.extend(now.markers.iter().cloned());
            if let Some(shape) = shape {
                found.extend(differences(shape, &now));
            }
        }
        other => found.push(format!("the page could not be inspected: {other:?}")),
    }
    found.extend(browser.script_errors().await);
    found
}

/// How a page's snapshot differs from the page's own shape.
fn differences(shape: &Snapshot, now: &Snapshot) -> Vec<String> {
    let mut found = Vec::new();
    if now.scripts.len() != shape.scripts.len() {
        found.push(format!(
            "{} <script> elements where the page has {}: {:?}",
            now.scripts.len(),
            shape.scripts.len(),
            now.scripts
        ));
    }
    for (what, page, seen) in [
        ("event-handler attributes", &shape.handlers, &now.handlers),
        ("script URLs", &shape.unsafe_urls, &now.unsafe_urls),
        ("frames, plugins, svg or math", &shape.embeds, &now.embeds),
    ] {
        if seen != page {
            found.push(format!("{what}: {seen:?} where the page has {page:?}"));
        }
    }
    found
}

/// Every page of the site runs under the strict Content-Security-Policy (but `/contexts`,
/// which turns it off to show the escaping alone) without one violation in the console.
#[tokio::test]
async fn the_site_runs_under_the_strict_policy_without_a_violation() {
    let Some(browser) = Browser::from_env("the site's pages under the strict policy").await else {
        return;
    };
    let dir = empty_dir("csp");
    let data = dir.join("data");
    let site = Site::start(&exe(), &dir, &["--data", data.to_str().unwrap()]);
    for path in [
        "/",
        "/hello/world",
        "/about",
        "/counter",
        "/guestbook",
        "/login",
        "/upload",
        "/contexts?v=red",
        "/no/such/page",
    ] {
        browser.goto(&format!("{}{path}", site.base)).await.unwrap();
        browser.settle().await;
        let log = browser.log().await.unwrap();
        let refused: Vec<_> = log
            .iter()
            .filter(|(source, message)| {
                source == "javascript" || message.contains("Content Security Policy")
            })
            .collect();
        assert!(refused.is_empty(), "{path}: the console says {refused:?}");
    }
    // The guestbook's own script ran under the policy.
    browser
        .goto(&format!("{}/guestbook", site.base))
        .await
        .unwrap();
    let left = browser
        .execute(
            "return document.getElementById('left').textContent",
            json!([]),
        )
        .await
        .unwrap();
    assert_eq!(left, "2000 characters left");
}
