//! Files from disk: streamed with their content type, validators, ranges and a download
//! name; names from the URL cannot leave their folder.

use std::path::PathBuf;
use std::sync::OnceLock;

use rsp::prelude::*;
use rsp_tests::serve;

/// A folder with `notes.txt` (26 bytes) and a folder `sub/`, beside a secret file.
fn files() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("rsp-files-{}", std::process::id()));
        let dir = root.join("files");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("notes.txt"), "abcdefghijklmnopqrstuvwxyz").unwrap();
        std::fs::write(root.join("secret.txt"), "do not serve").unwrap();
        dir
    })
}

page! {
    GET "/notes" => notes;
    send_file(files().join("notes.txt")).await
}

page! {
    GET "/files/{name}" => download;
    Ok(send_file_in(files(), name).await?.download_as(name))
}

page! {
    GET "/gone" => gone;
    res.set_header("x-set-before", "kept")?;
    send_file(files().join("nothing.txt")).await
}

#[tokio::test]
async fn a_file_is_sent_whole_with_its_type_and_validators() {
    let s = serve(App::new()).await;
    let res = s.get("/notes").await;
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    assert_eq!(headers["content-length"], "26");
    assert_eq!(headers["accept-ranges"], "bytes");
    assert!(headers["etag"].to_str().unwrap().starts_with('"'));
    assert!(headers["last-modified"].to_str().unwrap().ends_with(" GMT"));
    assert_eq!(res.text().await.unwrap(), "abcdefghijklmnopqrstuvwxyz");

    let head = s.client.head(s.url("/notes")).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"], "26");
    assert_eq!(head.bytes().await.unwrap().len(), 0);

    // Revisits are 304s, by ETag or by date.
    let etag = headers["etag"].clone();
    let again = s
        .client
        .get(s.url("/notes"))
        .header("if-none-match", etag.clone());
    let again = again.send().await.unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.bytes().await.unwrap().len(), 0);
    let date = headers["last-modified"].clone();
    let since = s
        .client
        .get(s.url("/notes"))
        .header("if-modified-since", date);
    assert_eq!(since.send().await.unwrap().status(), 304);
    let other = s
        .client
        .get(s.url("/notes"))
        .header("if-none-match", "\"other\"");
    assert_eq!(other.send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn ranges_are_answered_from_the_file() {
    let s = serve(App::new()).await;
    let get = |range: &'static str| s.client.get(s.url("/notes")).header("range", range).send();
    let part = get("bytes=2-4").await.unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(part.headers()["content-range"], "bytes 2-4/26");
    assert_eq!(part.headers()["content-length"], "3");
    assert_eq!(part.text().await.unwrap(), "cde");
    let tail = get("bytes=-3").await.unwrap();
    assert_eq!(tail.text().await.unwrap(), "xyz");
    let from = get("bytes=20-").await.unwrap();
    assert_eq!(from.text().await.unwrap(), "uvwxyz");
    let beyond = get("bytes=26-").await.unwrap();
    assert_eq!(beyond.status(), 416);
    assert_eq!(beyond.headers()["content-range"], "bytes */26");

    // A range of a changed file is not pieced onto an old copy: the whole file comes.
    let stale = s
        .client
        .get(s.url("/notes"))
        .header("range", "bytes=2-4")
        .header("if-range", "\"an-old-etag\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 200);
    assert_eq!(stale.text().await.unwrap().len(), 26);
}

#[tokio::test]
async fn a_download_has_its_name_and_names_stay_in_their_folder() {
    let s = serve(App::new()).await;
    let res = s.get("/files/notes.txt").await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"notes.txt\"; filename*=UTF-8''notes.txt"
    );
    for path in [
        "/files/..%2Fsecret.txt",
        "/files/%2E%2E%2Fsecret.txt",
        "/files/..",
        "/files/sub",
        "/files/missing.txt",
    ] {
        let res = s.get(path).await;
        assert_eq!(res.status(), 404, "{path}");
        assert!(
            !res.text().await.unwrap().contains("do not serve"),
            "{path}"
        );
    }
    let gone = s.get("/gone").await;
    assert_eq!(gone.status(), 404);
}
