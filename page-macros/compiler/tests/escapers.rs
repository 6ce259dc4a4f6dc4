//! The contract between code generation and the runtime: every context the tracker can
//! produce has an escaper. `__every_context!` writes a value with the escaper that code
//! generation picks for each context, so this file compiles only if each one exists in
//! the runtime, and the test checks what each wrote.

use rsp::escape::Attrs;
use rsp_compiler::html::{Inner, Outer};

#[test]
fn every_context_has_an_escaper() {
    let hostile = "</script><img src=x onerror=alert(1)>\"'`&";
    let written = rsp::__every_context!(hostile, Attrs::new().set("title", hostile));
    let mut names: Vec<String> = Inner::ALL
        .iter()
        .flat_map(|inner| {
            Outer::ALL
                .iter()
                .map(move |outer| format!("{inner:?}/{outer:?}"))
        })
        .collect();
    let mut found: Vec<String> = written.iter().map(|(name, _)| name.to_string()).collect();
    names.sort();
    found.sort();
    assert_eq!(found, names, "one write per context");
    for (context, output) in &written {
        assert!(!output.is_empty(), "{context}: wrote nothing");
        // No escaper lets markup, or a quote that could end an attribute, through.
        assert!(!output.contains('<'), "{context}: {output}");
        let in_attribute = context.ends_with("Quoted") || context.ends_with("Unquoted");
        if in_attribute && !context.starts_with("AttrSet/") {
            assert!(
                !output.contains('"') && !output.contains('\''),
                "{context}: {output}"
            );
        }
    }
}
