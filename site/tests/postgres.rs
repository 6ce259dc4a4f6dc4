//! The site on a database server: two instances with one `--database-url` (PostgreSQL)
//! and one `--uploads-dir`, started at the same moment (the migrations must not race), see
//! each other's guestbook entries and uploads; `/readyz` fails while the database is gone.

mod common;

use common::{empty_dir, exe, form_token, start_fails, Site};
use rsp_tests::postgres::Postgres;

fn instance(dir: &std::path::Path, name: &str, database: &str) -> std::thread::JoinHandle<Site> {
    let data = dir.join(name);
    let uploads = dir.join("uploads");
    let dir = dir.to_owned();
    let database = database.to_owned();
    std::thread::spawn(move || {
        Site::start(
            &exe(),
            &dir,
            &[
                "--data",
                data.to_str().unwrap(),
                "--database-url",
                &database,
                "--uploads-dir",
                uploads.to_str().unwrap(),
            ],
        )
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_share_one_database_and_one_uploads_dir() {
    let dir = empty_dir("postgres");
    let postgres = Postgres::start(&dir);
    let (one, two) = (
        instance(&dir, "one", &postgres.url),
        instance(&dir, "two", &postgres.url),
    );
    let (one, two) = (one.join().unwrap(), two.join().unwrap());
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();

    // An entry written through one is read through the other.
    let token = form_token(&client, &format!("{}/guestbook", one.base)).await;
    let posted = client
        .post(format!("{}/guestbook", one.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("name", "Ada"),
            ("message", "hello from one"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200, "{}", posted.text().await.unwrap());
    let entries: serde_json::Value = reqwest::get(format!("{}/api/guestbook", two.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(entries[0]["name"], "Ada");
    assert_eq!(entries[0]["message"], "hello from one");
    let written = entries[0]["written"].as_str().unwrap();
    assert_eq!(written.len(), "2026-12-04 10:00:00".len(), "{written}");

    // A file uploaded through two is downloaded through one.
    let token = form_token(&client, &format!("{}/upload", two.base)).await;
    let file = reqwest::multipart::Part::bytes(b"shared bytes".to_vec()).file_name("notes.txt");
    let uploaded = client
        .post(format!("{}/upload", two.base))
        .multipart(
            reqwest::multipart::Form::new()
                .text("_csrf", token)
                .text("description", "for both")
                .part("files", file),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), 200);
    let list = reqwest::get(format!("{}/upload", one.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let link = list
        .split("href=\"/uploads/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no upload listed: {list}"));
    let download = reqwest::get(format!("{}/uploads/{link}", one.base))
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(&download.bytes().await.unwrap()[..], b"shared bytes");

    // Without its database an instance is not ready, though it is healthy.
    assert_eq!(one.fetch("/readyz").await.0, 200);
    postgres.stop();
    let (status, body) = one.fetch("/readyz").await;
    assert_eq!(status, 503);
    assert!(body.starts_with("database: "), "{body}");
    assert_eq!(one.fetch("/healthz").await.0, 200);
    drop((one.stop(), two.stop()));
}

#[test]
fn a_database_that_cannot_be_reached_stops_the_site_with_the_reason() {
    let dir = empty_dir("postgres-down");
    let err = start_fails(
        &dir,
        &[
            "--data",
            "data",
            "--database-url",
            "postgres://rsp@127.0.0.1:1/postgres",
        ],
    );
    assert!(
        err.contains("cannot use the database at postgres://rsp@127.0.0.1:1/postgres"),
        "{err}"
    );
}
