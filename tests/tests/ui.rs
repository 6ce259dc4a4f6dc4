//! Compile-fail tests: every page-language diagnostic, with its expected message.
//! Bless new expectations with `TRYBUILD=overwrite cargo test -p rsp-tests --test ui`.

#[test]
fn page_language_diagnostics() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/page/*.rs");
    cases.compile_fail("ui/header/*.rs");
    cases.compile_fail("ui/contexts/*.rs");
    cases.compile_fail("ui/rust/*.rs");
}
