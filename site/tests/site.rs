//! The site binary, run as a user runs it: every page, the guestbook surviving a
//! restart, and the binary working alone in an empty directory.

mod common;

use common::{csrf_token, empty_dir, exe, Site};

#[tokio::test]
async fn every_page_is_served() {
    let dir = empty_dir("pages");
    let site = Site::start(
        &exe(),
        &dir,
        &["--data", dir.join("data").to_str().unwrap()],
    );
    let (status, home) = site.fetch("/").await;
    assert_eq!(status, 200);
    for link in ["/hello/world", "/guestbook", "/about"] {
        assert!(home.contains(&format!("href=\"{link}\"")), "{home}");
        assert_eq!(site.fetch(link).await.0, 200, "{link}");
    }
    assert!(site
        .fetch("/hello/world")
        .await
        .1
        .contains("Hello, whole world!"));
    let (_, hello) = site.fetch("/hello/%3Cb%3Ex%3C/b%3E").await;
    assert!(hello.contains("Hello, &lt;b&gt;x&lt;/b&gt;!"), "{hello}");
    let (_, about) = site.fetch("/about").await;
    assert!(about.contains("<title>About rsp · rsp</title>"), "{about}");
    assert!(
        about.contains(r#"<section class="card"><h2>One binary</h2>"#),
        "{about}"
    );
    let (status, missing) = site.fetch("/nowhere/%3Cx%3E").await;
    assert_eq!(status, 404);
    assert!(
        missing.contains("There is no page at <code>/nowhere/%3Cx%3E</code>"),
        "{missing}"
    );
    let log = site.stop();
    assert!(log.contains("GET /about 200"), "{log}");
    // The log goes to a pipe here, not a terminal: no colour codes in it.
    assert!(!log.contains('\u{1b}'), "{log:?}");
}

#[tokio::test]
async fn guestbook_entries_survive_a_restart() {
    let dir = empty_dir("guestbook");
    let data = dir.join("data");
    let args = ["--data", data.to_str().unwrap()];
    let site = Site::start(&exe(), &dir, &args);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    // The form carries its CSRF token, as a browser would send it.
    let form = common::page_text(&client, &format!("{}/guestbook", site.base)).await;
    let token = csrf_token(&form);
    let res = client
        .post(format!("{}/guestbook", site.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("name", "Ann <3"),
            ("message", "<script>alert(1)</script>"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/guestbook");
    let empty = client
        .post(format!("{}/guestbook", site.base))
        .form(&[("_csrf", token.as_str()), ("name", " "), ("message", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 400);
    drop(site);

    let site = Site::start(&exe(), &dir, &args);
    let (_, page) = site.fetch("/guestbook").await;
    assert!(page.contains("<b>Ann &lt;3</b>"), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(!page.contains("<script>"), "{page}");
    assert_eq!(page.matches("<li>").count(), 1, "{page}");
}

#[tokio::test]
async fn the_binary_alone_in_an_empty_directory_serves_every_page() {
    let dir = empty_dir("alone");
    let copy = dir.join("site");
    std::fs::copy(exe(), &copy).unwrap();
    let site = Site::start(&copy, &dir, &[]);
    for page in ["/", "/hello/you", "/guestbook", "/about"] {
        assert_eq!(site.fetch(page).await.0, 200, "{page}");
    }
    assert!(dir.join("data").join("guestbook.sqlite3").is_file());
}

#[test]
fn the_binary_explains_its_settings_and_refuses_a_misspelt_one() {
    let dir = empty_dir("settings");
    let run = |args: &[&str]| {
        std::process::Command::new(exe())
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let help = run(&["--help"]);
    assert!(help.status.success());
    let help = String::from_utf8(help.stdout).unwrap();
    // Each setting on one line: the flag, its help, its variable and default.
    for (flag, rest) in [
        ("--addr ADDR", "The address to listen on"),
        ("--addr ADDR", "[RSP_ADDR; default 127.0.0.1:8080]"),
        ("--data PATH", "Where the guestbook"),
        ("--data PATH", "[RSP_DATA; default ./data]"),
        ("--tls-cert FILE", "[RSP_TLS_CERT]"),
        ("--http-addr ADDR", "[RSP_HTTP_ADDR]"),
        ("--version", "Prints the version."),
    ] {
        let found = help
            .lines()
            .any(|line| line.trim_start().starts_with(flag) && line.contains(rest));
        assert!(found, "{flag} … {rest} in {help}");
    }
    let version = run(&["--version"]);
    assert_eq!(
        String::from_utf8(version.stdout).unwrap(),
        format!("site {}\n", env!("CARGO_PKG_VERSION"))
    );
    let wrong = run(&["--dta", "./x"]);
    assert_eq!(wrong.status.code(), Some(2));
    let said = String::from_utf8(wrong.stderr).unwrap();
    assert!(
        said.contains("unknown setting `--dta`: did you mean `--data`?"),
        "{said}"
    );
    // Refused before it did anything: no data directory was made.
    assert!(!dir.join("data").exists() && !dir.join("x").exists());
}
