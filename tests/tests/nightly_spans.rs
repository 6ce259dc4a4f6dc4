//! On a nightly compiler, `Literal::subspan` works: the author's code in a tag gets the
//! span of its own bytes, and rustc points into the page's `.rs` file itself rather than
//! into the mirror file that stable compilers are pointed to.
//!
//! Needs a nightly toolchain (`rustup toolchain install nightly`); without one this test
//! says it was skipped. The first run builds rsp's dependencies with nightly, which takes
//! a minute or two; they stay in `target/tests/nightly`.

use std::path::Path;
use std::process::Command;

const PAGE: &str = r##"use rsp::prelude::*;

struct Note {
    title: String,
}

page! {
    GET "/" => home;
    let notes = vec![Note { title: "a".into() }];
    r#"<p>Diagnostics</p>
<ul>
<% for note in &notes { %>
  <li><%= note.titel %></li>
  <li><%= notez.len() %></li>
  <li><%= note.title.shout() %></li>
<% } %>
</ul>"#
}

fn main() {}
"##;

#[test]
fn rust_errors_point_into_the_page_file_on_nightly() {
    let nightly = Command::new("rustup")
        .args(["run", "nightly", "rustc", "--version"])
        .output();
    if !nightly.is_ok_and(|out| out.status.success()) {
        eprintln!("skipped: no nightly toolchain (rustup toolchain install nightly)");
        return;
    }
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let root = std::env::temp_dir().join(format!("rsp-nightly-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::copy(repository.join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[package]\nname = \"nightly-page\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [dependencies]\nrsp = {{ path = {:?} }}\n\n[workspace]\n",
            repository.join("runtime")
        ),
    )
    .unwrap();
    std::fs::write(root.join("src/main.rs"), PAGE).unwrap();
    let output = Command::new("rustup")
        .args(["run", "nightly", "cargo", "build", "--quiet"])
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", repository.join("target/tests/nightly"))
        .env_remove("RUSTC")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("cargo");
    let _ = std::fs::remove_dir_all(&root);
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the page has errors");
    for (message, at) in [
        ("no field `titel`", "src/main.rs:13:16"),
        ("cannot find value `notez`", "src/main.rs:14:11"),
        ("no method named `shout`", "src/main.rs:15:22"),
    ] {
        let error = errors
            .split("\nerror")
            .find(|e| e.contains(message))
            .unwrap_or_else(|| panic!("{message}: not in\n{errors}"));
        assert!(error.contains(at), "{message} not at {at}:\n{error}");
    }
    assert!(
        !errors.contains("target/rsp"),
        "no mirror file on nightly:\n{errors}"
    );
}
