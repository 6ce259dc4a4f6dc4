//! The editor files of `page-macros/editors`: the tree-sitter injection query compiles
//! against the Rust grammar and captures exactly the bodies of `page!` and `html!`, whose
//! tags the injected grammar (`embedded_template`) parses; the VS Code grammar is valid.

use std::path::Path;

use tree_sitter::{Language, Parser, Query, QueryCursor, StreamingIterator};

const SAMPLE: &str = r##"use rsp::prelude::*;

page! {
    GET "/hello/{name}" => hello;
    layout: crate::layout::main;
    head: rsp::html!(r#"<meta name="x">"#);
    let shout = name.to_uppercase();
    r#"<h1>Hello, <%= shout %>!</h1><% if true { %><p>yes</p><% } %>"#
}

fn part() -> impl Render {
    html!("<b><%= 1 + 1 %></b>")
}

fn not_a_page() -> &'static str {
    r#"<i>just a string</i>"#
}
"##;

fn editors() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../editors"))
}

#[test]
fn the_injection_query_captures_page_bodies() {
    let rust: Language = tree_sitter_rust::LANGUAGE.into();
    let source = std::fs::read_to_string(editors().join("tree-sitter/rust/injections.scm"))
        .expect("the query file");
    let query = Query::new(&rust, &source).expect("the query compiles against tree-sitter-rust");
    let content = query
        .capture_index_for_name("injection.content")
        .expect("an injection.content capture");
    let mut parser = Parser::new();
    parser.set_language(&rust).unwrap();
    let tree = parser.parse(SAMPLE, None).unwrap();
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(&query, tree.root_node(), SAMPLE.as_bytes());
    let mut bodies = Vec::new();
    while let Some(found) = matches.next() {
        let language = query
            .property_settings(found.pattern_index)
            .iter()
            .find(|p| &*p.key == "injection.language")
            .and_then(|p| p.value.as_deref().map(str::to_owned));
        assert_eq!(language.as_deref(), Some("embedded_template"));
        for capture in found.captures().iter().filter(|c| c.index == content) {
            bodies.push(&SAMPLE[capture.node.byte_range()]);
        }
    }
    assert_eq!(
        bodies,
        [
            r#"<meta name="x">"#,
            r#"<h1>Hello, <%= shout %>!</h1><% if true { %><p>yes</p><% } %>"#,
            "<b><%= 1 + 1 %></b>",
        ]
    );

    // The injected grammar sees the tags.
    let template: Language = tree_sitter_embedded_template::LANGUAGE.into();
    parser.set_language(&template).unwrap();
    let body = parser.parse(bodies[1], None).unwrap().root_node().to_sexp();
    assert!(body.contains("output_directive"), "{body}");
    assert!(body.contains("directive (code)"), "{body}");
}

#[test]
fn the_vscode_grammar_is_valid() {
    let read = |path: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(editors().join(path)).expect(path);
        serde_json::from_str(&text).expect(path)
    };
    let manifest = read("vscode/package.json");
    let grammar = read("vscode/syntaxes/rsp-pages.tmLanguage.json");
    let contributed = &manifest["contributes"]["grammars"][0];
    assert_eq!(contributed["scopeName"], grammar["scopeName"]);
    assert_eq!(contributed["injectTo"][0], "source.rust");
    assert!(grammar["injectionSelector"]
        .as_str()
        .unwrap()
        .starts_with("L:source.rust"));
    let repository = grammar["repository"].as_object().unwrap();
    for rule in ["body", "comment-tag", "code-tag"] {
        assert!(repository[rule]["begin"].is_string(), "{rule}");
        assert!(repository[rule]["end"].is_string(), "{rule}");
    }
    assert_eq!(
        repository["code-tag"]["patterns"][0]["include"],
        "source.rust"
    );
}
