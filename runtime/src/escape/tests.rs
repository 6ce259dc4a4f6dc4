//! The escapers' tests: tables of attacks with exact outputs, and properties over
//! arbitrary text, for every context the page compiler can ask for.

use super::__dispatch::{
    Attr, Css, CssString, Direct, Js, JsRegex, JsString, JsTemplate, Quoted, Text, Unquoted,
    UnquotedPart, Url, UrlPart,
};
use super::*;
use proptest::prelude::*;
use std::fmt::{self, Display};

/// One of the public escapers.
type EscapeFn = fn(&str, &mut String);

/// Runs an escaper on a whole string.
fn run(escaper: EscapeFn, input: &str) -> String {
    let mut out = String::new();
    escaper(input, &mut out);
    out
}

fn table(escaper: EscapeFn, cases: &[(&str, &str)]) {
    for (input, expected) in cases {
        assert_eq!(run(escaper, input), *expected, "input {input:?}");
    }
}

fn escaped(s: &str) -> String {
    run(html, s)
}

/// A `Display` value that writes its text in the given pieces, to test the streaming
/// escapers against chunk boundaries.
struct Chunks<'a>(Vec<&'a str>);

impl Display for Chunks<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|chunk| f.write_str(chunk))
    }
}

/// `text` cut at the char boundaries at or before `cuts` (taken modulo its length).
fn chunks<'a>(text: &'a str, cuts: &[usize]) -> Chunks<'a> {
    let mut at: Vec<usize> = cuts
        .iter()
        .map(|cut| {
            let mut cut = cut % (text.len() + 1);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            cut
        })
        .chain([0, text.len()])
        .collect();
    at.sort_unstable();
    at.dedup();
    Chunks(at.windows(2).map(|w| &text[w[0]..w[1]]).collect())
}

/// Every character on its own: the finest chunking.
fn by_char(text: &str) -> Chunks<'_> {
    let cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    chunks(text, &cuts)
}

/// Writes a value in every context the page compiler can produce but the attribute list,
/// with the escaper its code generation picks: `(inner, outer, output)`, named as in the
/// table of the module docs.
macro_rules! every_arm {
    ($value:expr) => {{
        rsp_macros::__every_context!($value, crate::escape::Attrs::new())
            .into_iter()
            .filter_map(|(context, written)| {
                let (inner, outer) = context_names(context)?;
                Some((inner, outer, written))
            })
            .collect::<Vec<_>>()
    }};
}

/// The names of the module docs for a context named `Inner/Outer`; `None` for those the
/// tracker never produces (text and RCDATA in attributes) and for attribute lists.
fn context_names(context: &str) -> Option<(&'static str, &'static str)> {
    let (inner, outer) = context.split_once('/')?;
    let inner = match inner {
        "Text" => "text",
        "Rcdata" => "rcdata",
        "Attr" => "attr",
        "Url" => "url",
        "UrlPart" => "url_part",
        "Js" => "js",
        "JsDoubleQuoted" => "js_dq",
        "JsSingleQuoted" => "js_sq",
        "JsTemplate" => "js_template",
        "JsRegex" => "js_regex",
        "Css" => "css",
        "CssDoubleQuoted" => "css_dq",
        "CssSingleQuoted" => "css_sq",
        _ => return None,
    };
    let outer = match outer {
        "Element" => "element",
        "DoubleQuoted" => "dq",
        "SingleQuoted" => "sq",
        "Unquoted" => "unquoted",
        _ => return None,
    };
    let in_text = matches!(inner, "text" | "rcdata");
    let in_attribute = matches!(inner, "attr" | "url" | "url_part");
    match (outer == "element", in_text, in_attribute) {
        (false, true, _) | (true, _, true) => None,
        _ => Some((inner, outer)),
    }
}

/// The unquoted encoding inside a literal the page began: empty stays empty.
fn unquoted_part(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        run(attr_unquoted, text)
    }
}

/// What the module docs promise for a string in each context, composed from the public
/// escapers.
fn expected(inner: &str, outer: &str, text: &str) -> String {
    let inner_text = match inner {
        "text" | "rcdata" => return run(html, text),
        "attr" => text.to_owned(),
        "url" => run(url, text),
        "url_part" => return run(url_part, text),
        "js" => run(js, text),
        "js_dq" | "js_sq" => run(js_string, text),
        "js_template" => run(js_template, text),
        "js_regex" => run(js_regex, text),
        "css" => run(css, text),
        "css_dq" | "css_sq" => run(css_string, text),
        _ => unreachable!("{inner}"),
    };
    let in_literal = matches!(inner, "js_dq" | "js_sq" | "js_template" | "js_regex")
        || matches!(inner, "css_dq" | "css_sq");
    match outer {
        "element" => inner_text,
        "unquoted" if in_literal => unquoted_part(&inner_text),
        "unquoted" => run(attr_unquoted, &inner_text),
        _ => run(html, &inner_text),
    }
}

// ----- decoders, to check that escaping loses nothing -----

fn html_decode(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(';').expect("entity ends") + at;
        let entity = &rest[at + 1..end];
        out.push(match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            _ if entity.starts_with("#x") => {
                char::from_u32(u32::from_str_radix(&entity[2..], 16).unwrap()).unwrap()
            }
            _ if entity.starts_with('#') => char::from_u32(entity[1..].parse().unwrap()).unwrap(),
            _ => panic!("unknown entity {entity}"),
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Decodes the escapes rsp writes in JavaScript strings and regular expressions.
fn js_decode(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let digits = match chars.next() {
            Some('x') => 2,
            Some('u') => 4,
            Some('n') => {
                out.push('\n');
                continue;
            }
            Some('r') => {
                out.push('\r');
                continue;
            }
            Some('\\') => {
                out.push('\\');
                continue;
            }
            other => panic!("unexpected escape {other:?} in {text:?}"),
        };
        let hex: String = chars.by_ref().take(digits).collect();
        out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
    }
    out
}

/// Decodes CSS escapes: `\` and 1 to 6 hex digits, and an optional space.
fn css_decode(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let mut code = 0;
        let mut digits = 0;
        while digits < 6 {
            match chars.peek().and_then(|c| c.to_digit(16)) {
                Some(d) => {
                    code = code * 16 + d;
                    digits += 1;
                    chars.next();
                }
                None => break,
            }
        }
        assert!(digits > 0, "escape without hex digits in {text:?}");
        chars.next_if_eq(&' ');
        out.push(char::from_u32(code).unwrap());
    }
    out
}

/// The scheme a browser finds in a URL attribute value, lowercased.
fn browser_scheme(value: &str) -> Option<String> {
    let value: String = value
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let scheme = &value[..value.find(':')?];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then(|| scheme.to_ascii_lowercase())
}

/// The safe CSS grammar, written independently of the state machine.
fn css_ok(value: &str) -> bool {
    let number = |token: &str| {
        let token = token.strip_prefix(['+', '-']).unwrap_or(token);
        let end = token
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(token.len());
        let (number, unit) = token.split_at(end);
        let parts: Vec<&str> = number.split('.').collect();
        let number_ok = match parts[..] {
            [whole] => !whole.is_empty(),
            [_, fraction] => !fraction.is_empty(),
            _ => false,
        };
        let unit_ok =
            unit.is_empty() || unit == "%" || unit.chars().all(|c| c.is_ascii_alphabetic());
        number_ok && unit_ok
    };
    let hash = |token: &str| {
        token.strip_prefix('#').is_some_and(|hex| {
            matches!(hex.len(), 3 | 4 | 6 | 8) && hex.chars().all(|c| c.is_ascii_hexdigit())
        })
    };
    let ident = |token: &str| {
        let rest = match token.strip_prefix("--") {
            Some(rest) => rest,
            None => {
                let token = token.strip_prefix('-').unwrap_or(token);
                match token.chars().next() {
                    Some(c) if c.is_ascii_alphabetic() || c == '_' => &token[1..],
                    _ => return false,
                }
            }
        };
        rest.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    };
    value
        .split([' ', ','])
        .filter(|token| !token.is_empty())
        .all(|token| number(token) || hash(token) || ident(token))
}

// ----- tables of attacks, with exact outputs -----

#[test]
fn html_escapes_the_five_specials() {
    assert_eq!(escaped("plain"), "plain");
    assert_eq!(escaped("<>&\"'"), "&lt;&gt;&amp;&#34;&#39;");
    assert_eq!(escaped("é<é"), "é&lt;é");
    table(
        html,
        &[
            ("", ""),
            ("</title><script>", "&lt;/title&gt;&lt;script&gt;"),
            ("\" onmouseover=\"x", "&#34; onmouseover=&#34;x"),
            ("' autofocus '", "&#39; autofocus &#39;"),
            ("&lt;", "&amp;lt;"),
            ("<!-- -->", "&lt;!-- --&gt;"),
            ("\0\u{2028}😀", "\u{fffd}\u{2028}😀"),
        ],
    );
}

/// What [`html`] must write, one character at a time.
fn html_reference(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&#34;".to_owned(),
            '\'' => "&#39;".to_owned(),
            '\0' => "\u{fffd}".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

#[test]
fn html_finds_every_special_in_any_text() {
    // Text is checked many bytes at a time (8, 16 or 64): put each special at every offset
    // of a group, at the edges of groups, beside multi-byte characters, beside the bytes
    // next to the specials, and in the tail.
    for special in ['&', '<', '>', '"', '\'', '\0'] {
        for len in [
            1, 2, 7, 8, 9, 12, 15, 16, 17, 31, 33, 63, 64, 65, 127, 128, 129, 200,
        ] {
            for at in 0..len {
                let text: String = (0..len)
                    .map(|i| {
                        if i == at {
                            special
                        } else {
                            ['a', 'é', ' ', '=', '%', '?', '#', ';', '!', '('][i % 10]
                        }
                    })
                    .collect();
                assert_eq!(
                    escaped(&text),
                    html_reference(&text),
                    "{special:?} at {at} of {len}"
                );
                if len >= 64 {
                    // The path CPUs without AVX2 take.
                    let mut out = String::new();
                    super::html_text::html_long_portable(&text, &mut out);
                    assert_eq!(out, html_reference(&text), "{special:?} at {at} of {len}");
                }
            }
        }
    }
    let dense = "<b>it's</b> & \"x\" ".repeat(40);
    assert_eq!(escaped(&dense), html_reference(&dense));
    let mut out = String::new();
    super::html_text::html_long_portable(&dense, &mut out);
    assert_eq!(out, html_reference(&dense));
}

#[test]
fn html_copies_text_with_nothing_to_escape_of_every_length() {
    // Short text is copied in overlapping pieces of fixed size: every length, after text
    // already in the buffer, with multi-byte characters at the edges.
    let source = "é1234567890abcdefghij€klmnopqrstuvwxyz😀";
    for start in source.char_indices().map(|(at, _)| at) {
        for end in source[start..].char_indices().map(|(at, _)| start + at) {
            let text = &source[start..end];
            let mut out = String::from("<p>");
            html(text, &mut out);
            assert_eq!(out, format!("<p>{text}"));
        }
    }
}

#[test]
fn the_vector_check_and_the_entity_table_agree_on_every_byte() {
    for byte in 0..=u8::MAX {
        assert_eq!(
            html_text::is_html_special(byte),
            encode::html_entity(byte).is_some(),
            "byte {byte:#04x}"
        );
    }
}

#[test]
fn attr_unquoted_cannot_end_the_value() {
    table(
        attr_unquoted,
        &[
            ("", "ZrspZ"),
            ("plain", "plain"),
            ("a b", "a&#32;b"),
            ("x onmouseover=alert(1)", "x&#32;onmouseover&#61;alert(1)"),
            ("a\tb\nc\x0Cd\re", "a&#9;b&#10;c&#12;d&#13;e"),
            ("`x`", "&#96;x&#96;"),
            ("\"'<>&", "&#34;&#39;&lt;&gt;&amp;"),
            ("x>y", "x&gt;y"),
            ("\0", "\u{fffd}"),
            ("é/a", "é/a"),
        ],
    );
}

#[test]
fn url_refuses_unsafe_schemes() {
    let unsafe_urls = [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "  javascript:alert(1)",
        "\u{1}\u{1f} javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "jav\rascript:alert(1)",
        "\0javascript:alert(1)",
        "javascript\u{2028}:alert(1)",
        "java script:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "DATA:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "httpss:x",
        "mailtox:x",
        "a:b",
        "ht%74p://x",
        "about:blank",
    ];
    for input in unsafe_urls {
        assert_eq!(run(url, input), UNSAFE_URL, "input {input:?}");
    }
}

#[test]
fn url_keeps_and_normalises_safe_urls() {
    table(
        url,
        &[
            ("", ""),
            (
                "https://example.com/a?b=1&c=2#d",
                "https://example.com/a?b=1&c=2#d",
            ),
            ("HTTP://EXAMPLE.COM", "HTTP://EXAMPLE.COM"),
            (" \t https://x.example", "https://x.example"),
            ("ht\ttp://x", "http://x"),
            (
                "mailto:ann@example.com?subject=hi there",
                "mailto:ann@example.com?subject=hi%20there",
            ),
            ("tel:+1 555 0100", "tel:+1%20555%200100"),
            ("/path/to?q=a b", "/path/to?q=a%20b"),
            ("//cdn.example/x.js", "//cdn.example/x.js"),
            ("./a:b", "./a:b"),
            ("?q=a%20b&x=%zz&y=100%", "?q=a%20b&x=%25zz&y=100%25"),
            ("%4", "%254"),
            // Literal text: the `#` starts a fragment before the `:`.
            ("&#106;avascript:alert(1)", "&#106;avascript:alert%281%29"),
            ("jav&#x09;ascript:alert(1)", "jav&#x09;ascript:alert%281%29"),
            (
                "/x\"><script>alert(1)</script>",
                "/x%22%3E%3Cscript%3Ealert%281%29%3C/script%3E",
            ),
            ("/a'b`c\\d{e}|^", "/a%27b%60c%5Cd%7Be%7D%7C%5E"),
            ("\\\\evil.example", "%5C%5Cevil.example"),
            ("/é😀", "/%C3%A9%F0%9F%98%80"),
            ("/a\0b\u{7f}", "/a%00b%7F"),
        ],
    );
}

#[test]
fn url_part_encodes_all_but_unreserved() {
    table(
        url_part,
        &[
            ("", ""),
            ("AZaz09-._~", "AZaz09-._~"),
            ("a b&c=d/e?f#g", "a%20b%26c%3Dd%2Fe%3Ff%23g"),
            ("javascript:alert(1)", "javascript%3Aalert%281%29"),
            ("%41", "%2541"),
            ("\"'<>`\\", "%22%27%3C%3E%60%5C"),
            ("é\u{2028}", "%C3%A9%E2%80%A8"),
        ],
    );
}

#[test]
fn js_writes_string_literals_that_stay_inside_the_script() {
    table(
        js,
        &[
            ("", r#""""#),
            ("plain text", r#""plain text""#),
            (
                "</script><script>alert(1)</script>",
                r#""\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e""#,
            ),
            ("</ScRiPt", r#""\u003c/ScRiPt""#),
            ("<!--", r#""\u003c!--""#),
            ("-->", r#""--\u003e""#),
            ("\"'`", r#""\u0022\u0027\u0060""#),
            ("a\\b", r#""a\\b""#),
            ("\\\"", r#""\\\u0022""#),
            ("\n\r\t\0\u{1f}", r#""\n\r\u0009\u0000\u001f""#),
            ("\u{2028}\u{2029}", r#""\u2028\u2029""#),
            ("${x}", r#""${x}""#),
            ("&amp;", r#""\u0026amp;""#),
            ("é😀", r#""é😀""#),
        ],
    );
}

#[test]
fn js_string_and_template_escape_every_quote() {
    table(
        js_string,
        &[
            ("", ""),
            ("\"; alert(1); \"", r#"\u0022; alert(1); \u0022"#),
            ("'; alert(1); '", r#"\u0027; alert(1); \u0027"#),
            ("</script>", r#"\u003c/script\u003e"#),
            ("\\", r"\\"),
            ("line\u{2028}sep", r"line\u2028sep"),
            ("${x}", "${x}"),
            ("\0", r"\u0000"),
        ],
    );
    table(
        js_template,
        &[
            ("", ""),
            ("${alert(1)}", r"\u0024{alert(1)}"),
            ("`+alert(1)+`", r"\u0060+alert(1)+\u0060"),
            ("\\${x}", r"\\\u0024{x}"),
            ("</script>", r#"\u003c/script\u003e"#),
        ],
    );
}

#[test]
fn js_regex_matches_text_literally() {
    table(
        js_regex,
        &[
            ("", "(?:)"),
            ("abc_XYZ 09", "abc_XYZ 09"),
            (".*", r"\u002e\u002a"),
            ("/", r"\u002f"),
            ("a-z", r"a\u002dz"),
            ("[^]\\", r"\u005b\u005e\u005d\u005c"),
            ("</script>", r"\u003c\u002fscript\u003e"),
            ("\"'`", r"\u0022\u0027\u0060"),
            ("\n\r", r"\u000a\u000d"),
            ("\u{2028}é", r"\u2028é"),
            ("${x}", r"\u0024\u007bx\u007d"),
        ],
    );
}

#[test]
fn css_lets_only_safe_values_through() {
    let safe = [
        "",
        "red",
        "bold",
        "sans-serif",
        "Arial, sans-serif",
        "12px",
        "-1.5em",
        "+.5",
        "50%",
        "0",
        "#fff",
        "#FF00AA80",
        "1px 2px 3px",
        "--gap",
        "_x",
        "-webkit-box",
        "NaN",
        "-inf",
    ];
    for value in safe {
        assert_eq!(run(css, value), value, "value {value:?}");
    }
    let refused = [
        "expression(alert(1))",
        "url(javascript:alert(1))",
        "red;background:url(x)",
        "red}body{color:red",
        "</style><script>",
        "/**/red",
        "\\72 ed",
        "\"x\"",
        "red!important",
        "@import",
        "1px;",
        "#ff",
        "#fffffffff",
        "#ggg",
        "1.",
        "-",
        "+",
        ".",
        "1e3",
        "1%%",
        "é",
        "red\0",
        "a:b",
        "1-2",
        "-->",
        "<!--",
    ];
    for value in refused {
        assert_eq!(run(css, value), REFUSED, "value {value:?}");
    }
}

#[test]
fn css_string_cannot_end_the_string_or_the_style() {
    table(
        css_string,
        &[
            ("", ""),
            ("Noto Sans", "Noto Sans"),
            ("\"'\\", r"\22 \27 \5c "),
            ("</style>", r"\3c /style\3e "),
            ("a\nb\rc\x0cd", r"a\0a b\0d c\0c d"),
            ("&quot;", r"\26 quot;"),
            ("\0\u{7f}", r"\00 \7f "),
            ("é\u{2028}", "é\u{2028}"),
            ("x);background:url(y", "x);background:url(y"),
        ],
    );
}

// ----- the macro: every context, every kind of value -----

#[test]
fn dispatch_prefers_markup_then_fast_paths_then_display() {
    struct Shout;
    impl Display for Shout {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("<HI>")
        }
    }
    let mut buf = String::new();
    crate::__rsp_write!(Text, &mut buf, raw("<b>"));
    crate::__rsp_write!(Text, &mut buf, "<b>");
    crate::__rsp_write!(Text, &mut buf, -12i64);
    crate::__rsp_write!(Text, &mut buf, Shout);
    crate::__rsp_write!(Text, &mut buf, &&String::from("&"));
    assert_eq!(buf, "<b>&lt;b&gt;-12&lt;HI&gt;&amp;");
}

/// Writes one value in one context.
macro_rules! write_one {
    ($context:ty, $value:expr) => {{
        let mut buf = String::new();
        crate::__rsp_write!($context, &mut buf, $value);
        buf
    }};
}

#[test]
fn markup_is_written_in_text_and_raw_everywhere() {
    let bold = Html::__new(|out: &mut String| out.push_str("<b>"));
    assert_eq!(write_one!(Text, &bold), "<b>");
    assert_eq!(write_one!(Attr<Quoted>, raw("<b>")), "<b>");
    assert_eq!(write_one!(Attr<Quoted>, "</title>"), "&lt;/title&gt;");
    for (inner, outer, written) in every_arm!(raw("</script>\"")) {
        assert_eq!(written, "</script>\"", "{inner}, {outer}");
    }
    for (inner, outer, written) in every_arm!(&&raw(1)) {
        assert_eq!(written, "1", "{inner}, {outer}");
    }
}

#[test]
fn attribute_contexts_encode_for_their_quoting() {
    assert_eq!(write_one!(Attr<Quoted>, "\"><x"), "&#34;&gt;&lt;x");
    assert_eq!(write_one!(Attr<Unquoted>, ""), "ZrspZ");
    assert_eq!(write_one!(Attr<Unquoted>, String::new()), "ZrspZ");
    assert_eq!(write_one!(Attr<Unquoted>, Chunks(vec!["", ""])), "ZrspZ");
    assert_eq!(write_one!(Url<Quoted>, "/a?b=1&c=2"), "/a?b=1&amp;c=2");
    assert_eq!(
        write_one!(Url<Unquoted>, "/a?b=1&c=2"),
        "/a?b&#61;1&amp;c&#61;2"
    );
    assert_eq!(write_one!(Url<Unquoted>, ""), "ZrspZ");
    assert_eq!(write_one!(Url<Quoted>, " JAVASCRIPT:x"), UNSAFE_URL);
    assert_eq!(
        write_one!(Url<Quoted>, "&#106;avascript:x"),
        "&amp;#106;avascript:x"
    );
    assert_eq!(write_one!(UrlPart, ""), "");
    assert_eq!(write_one!(UrlPart, "a b"), "a%20b");
    assert_eq!(write_one!(JsString<UnquotedPart>, ""), "");
    assert_eq!(write_one!(JsString<UnquotedPart>, "a b"), "a&#32;b");
    assert_eq!(write_one!(JsString<Direct>, "'"), r"\u0027");
    assert_eq!(write_one!(Css<Unquoted>, "1px 2px"), "1px&#32;2px");
    assert_eq!(write_one!(Css<Unquoted>, ""), "ZrspZ");
    assert_eq!(write_one!(Css<Direct>, "url(x)"), "ZrspZ");
    assert_eq!(write_one!(CssString<UnquotedPart>, "a b"), "a&#32;b");
}

#[test]
fn js_values_become_literals() {
    assert_eq!(write_one!(Js<Direct>, 42), "42");
    assert_eq!(write_one!(Js<Direct>, -5i8), " -5");
    assert_eq!(write_one!(Js<Unquoted>, -5), "&#32;-5");
    assert_eq!(write_one!(Js<Direct>, u128::MAX), u128::MAX.to_string());
    assert_eq!(write_one!(Js<Direct>, 1.5), "1.5");
    assert_eq!(write_one!(Js<Direct>, -0.25f32), " -0.25");
    assert_eq!(write_one!(Js<Direct>, f64::NAN), "null");
    assert_eq!(write_one!(Js<Direct>, f64::NEG_INFINITY), "null");
    assert_eq!(write_one!(Js<Direct>, true), "true");
    assert_eq!(write_one!(Js<Direct>, 'x'), r#""x""#);
    assert_eq!(
        write_one!(Js<Direct>, "</script>"),
        r#""\u003c/script\u003e""#
    );
    assert_eq!(write_one!(Js<Quoted>, "a\"b"), r#"&#34;a\u0022b&#34;"#);
    assert_eq!(write_one!(Js<Unquoted>, "a b"), "&#34;a&#32;b&#34;");
    assert_eq!(write_one!(Js<Direct>, Some(3)), "3");
    assert_eq!(write_one!(Js<Direct>, None::<i32>), "null");
    assert_eq!(write_one!(Js<Direct>, Some(-3)), " -3");
    assert_eq!(
        write_one!(Js<Direct>, Some("</script>")),
        r#""\u003c/script\u003e""#
    );
    assert_eq!(
        write_one!(Js<Direct>, vec!["<!--", "-->", "&", "\u{2028}"]),
        r#"["\u003c!--","--\u003e","\u0026","\u2028"]"#
    );
    let map: std::collections::BTreeMap<&str, Vec<f64>> =
        [("a'b", vec![1.0, f64::NAN])].into_iter().collect();
    assert_eq!(write_one!(Js<Direct>, &map), r#"{"a'b":[1.0,null]}"#);
    assert_eq!(
        write_one!(Js<Quoted>, &map),
        "{&#34;a&#39;b&#34;:[1.0,null]}"
    );
    let json = serde_json::json!({ "html": "</script><script>alert(1)</script>" });
    assert_eq!(
        write_one!(Js<Direct>, json),
        r#"{"html":"\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e"}"#
    );
    // Keys must be strings in JSON: the value fails, and is null, not half written.
    let bad: std::collections::BTreeMap<Vec<u8>, i32> = [(vec![1], 1)].into_iter().collect();
    assert_eq!(write_one!(Js<Direct>, vec![bad]), "null");
    // Display values that are not Serialize are strings.
    assert_eq!(
        write_one!(Js<Direct>, Chunks(vec!["<", "/script>"])),
        r#""\u003c/script\u003e""#
    );
}

#[test]
fn numbers_need_no_escaping_but_in_regular_expressions() {
    assert_eq!(write_one!(JsRegex<Direct>, -1.5), r"\u002d1\u002e5");
    assert_eq!(write_one!(JsRegex<Direct>, 7u8), "7");
    assert_eq!(write_one!(Css<Direct>, -1.5), "-1.5");
    assert_eq!(write_one!(Css<Direct>, f64::NAN), "NaN");
    assert_eq!(write_one!(Attr<Unquoted>, -3), "-3");
    assert_eq!(write_one!(Url<Quoted>, 10), "10");
    assert_eq!(write_one!(JsTemplate<Direct>, false), "false");
}

#[test]
fn attrs_validate_names_and_escape_values() {
    let attrs = Attrs::new()
        .set("class", "a\"b")
        .set("data-id", 42)
        .set("href", "/a?b=1&c=2")
        .set("SRC", "javascript:alert(1)")
        .set("data-src", " vbscript:x")
        .set("xlink:href", "data:x")
        .set("formaction", "https://ok.example")
        .set("title", "")
        .flag("disabled");
    assert_eq!(
        attrs.as_str(),
        concat!(
            r#" class="a&#34;b" data-id="42" href="/a?b=1&amp;c=2""#,
            r#" SRC="about:invalid#rsp-unsafe-url" data-src="about:invalid#rsp-unsafe-url""#,
            r#" xlink:href="about:invalid#rsp-unsafe-url" formaction="https://ok.example""#,
            r#" title="" disabled"#
        )
    );
    let refused = Attrs::new()
        .set("onclick", "alert(1)")
        .set("OnLoad", "x")
        .set("style", "color:red")
        .set("srcdoc", "<script>")
        .set("srcset", "x.png 1x")
        .set("http-equiv", "refresh")
        .set("attributeName", "href")
        .set("x onmouseover", "alert(1)")
        .set("a\"><script>", "x")
        .set("", "x")
        .flag("onfocus")
        .flag("a=b");
    assert_eq!(
        refused.as_str(),
        concat!(
            r#" data-rsp-refused="onclick" data-rsp-refused="OnLoad""#,
            r#" data-rsp-refused="style" data-rsp-refused="srcdoc""#,
            r#" data-rsp-refused="srcset" data-rsp-refused="http-equiv""#,
            r#" data-rsp-refused="attributeName" data-rsp-refused="x onmouseover""#,
            r#" data-rsp-refused="a&#34;&gt;&lt;script&gt;" data-rsp-refused="""#,
            r#" data-rsp-refused="onfocus" data-rsp-refused="a=b""#
        )
    );
    let mut buf = String::from("<input");
    crate::escape::__dispatch::write_attrs(&Attrs::new().set("value", "<x>"), &mut buf);
    crate::escape::__dispatch::write_attrs(&&Attrs::new().flag("required"), &mut buf);
    crate::escape::__dispatch::write_attrs(&Some(Attrs::new().flag("checked")), &mut buf);
    crate::escape::__dispatch::write_attrs(&None::<Attrs>, &mut buf);
    crate::escape::__dispatch::write_attrs(&raw(" autofocus"), &mut buf);
    buf.push('>');
    assert_eq!(
        buf,
        r#"<input value="&lt;x&gt;" required checked autofocus>"#
    );
}

// ----- properties, for arbitrary text -----

/// Pieces that attacks are made of, to be combined at random.
const PIECES: &[&str] = &[
    "<",
    ">",
    "&",
    "\"",
    "'",
    "`",
    "=",
    " ",
    "\t",
    "\n",
    "\r",
    "\x0c",
    "\0",
    "\x01",
    "\\",
    "/",
    ":",
    ";",
    "#",
    "%",
    "%2",
    "%41",
    "?",
    "(",
    ")",
    "{",
    "}",
    "$",
    "${",
    "[",
    "]",
    "|",
    "^",
    "*",
    "@",
    "!",
    "~",
    "_",
    ".",
    "-",
    "+",
    ",",
    "</script",
    "</ScRiPt>",
    "<!--",
    "-->",
    "</style",
    "javascript",
    "JaVaScRiPt:",
    "java\tscript:",
    " http:",
    "https://",
    "mailto:",
    "tel:",
    "data:",
    "vbscript:",
    "&#106;",
    "&quot;",
    "\u{2028}",
    "\u{2029}",
    "\u{7f}",
    "\u{85}",
    "é",
    "😀",
    "a",
    "Z",
    "0",
    "9",
    "fff",
    "px",
    "em",
    "expression(",
    "url(",
    "red",
    "--",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,24}",
        proptest::collection::vec(proptest::sample::select(PIECES), 0..10)
            .prop_map(|pieces| pieces.concat()),
    ]
}

fn cuts() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(any::<usize>(), 0..6)
}

proptest! {
    #[test]
    fn html_output_is_inert_and_lossless(s in text()) {
        let out = run(html, &s);
        prop_assert!(!out.contains(['<', '>', '"', '\'', '\0']));
        // Lossless but for NUL, which the HTML parser would not keep either.
        prop_assert_eq!(html_decode(&out), s.replace('\0', "\u{fffd}"));
    }

    #[test]
    fn attr_unquoted_output_is_one_value(s in text()) {
        let out = run(attr_unquoted, &s);
        prop_assert!(!out.is_empty());
        let ends_value = |c: char| c.is_ascii_whitespace() || "\"'=<>`\0".contains(c);
        prop_assert!(!out.contains(ends_value), "{:?}", out);
        if s.is_empty() {
            prop_assert_eq!(out, REFUSED);
        } else {
            prop_assert_eq!(html_decode(&out), s.replace('\0', "\u{fffd}"));
        }
    }

    #[test]
    fn url_output_has_a_safe_scheme(s in text()) {
        let out = run(url, &s);
        if out != UNSAFE_URL {
            let scheme = browser_scheme(&out);
            prop_assert!(
                matches!(scheme.as_deref(), None | Some("http" | "https" | "mailto" | "tel")),
                "{:?} gave {:?}", s, out
            );
        }
        let grammar = |b: u8| b.is_ascii_alphanumeric() || b"-._~!#$&*+,/:;=?@[]%".contains(&b);
        prop_assert!(out.bytes().all(grammar), "{:?}", out);
        let bytes = out.as_bytes();
        for (i, _) in out.match_indices('%') {
            prop_assert!(bytes.len() > i + 2);
            prop_assert!(bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit());
        }
        // Safe URLs are kept.
        if !s.contains(':') || matches!(
            browser_scheme(&s).as_deref(),
            Some("http" | "https" | "mailto" | "tel")
        ) {
            prop_assert_ne!(out, UNSAFE_URL);
        }
    }

    #[test]
    fn url_keeps_what_follows_a_safe_scheme(s in text()) {
        let out = run(url, &format!("https://example.com/{s}"));
        prop_assert!(out.starts_with("https://example.com/"));
    }

    #[test]
    fn url_part_output_is_unreserved_and_lossless(s in text()) {
        let out = run(url_part, &s);
        prop_assert!(out.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
        prop_assert_eq!(percent_decode(&out), s);
    }

    #[test]
    fn js_output_stays_a_literal_and_is_lossless(s in text()) {
        let out = run(js, &s);
        prop_assert!(out.len() >= 2 && out.starts_with('"') && out.ends_with('"'));
        let inside = &out[1..out.len() - 1];
        let special = |c: char| "\"'`<>&\u{2028}\u{2029}".contains(c) || c.is_ascii_control();
        prop_assert!(!inside.contains(special), "{:?}", out);
        prop_assert_eq!(js_decode(inside), s);
    }

    #[test]
    fn js_string_and_template_stay_in_their_string(s in text()) {
        let escapers: [(EscapeFn, bool); 2] = [(js_string, false), (js_template, true)];
        for (escaper, template) in escapers {
            let out = run(escaper, &s);
            let special = |c: char| "\"'`<>&\u{2028}\u{2029}".contains(c) || c.is_ascii_control();
            prop_assert!(!out.contains(special), "{:?}", out);
            prop_assert!(!template || !out.contains('$'));
            prop_assert_eq!(js_decode(&out), s.clone());
        }
    }

    #[test]
    fn js_regex_stays_in_the_regex(s in text()) {
        let out = run(js_regex, &s);
        if s.is_empty() {
            prop_assert_eq!(out, "(?:)");
        } else {
            // Only escapes, and characters that match themselves.
            let mut chars = out.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    let kind = chars.next();
                    let digits = if kind == Some('x') { 2 } else { 4 };
                    prop_assert!(matches!(kind, Some('x' | 'u')));
                    prop_assert!(chars.by_ref().take(digits).all(|d| d.is_ascii_hexdigit()));
                } else {
                    prop_assert!(c.is_alphanumeric() || c == '_' || c == ' ' || !c.is_ascii());
                    prop_assert!(!matches!(c, '\u{2028}' | '\u{2029}'), "{:?}", out);
                }
            }
            prop_assert_eq!(js_decode(&out), s);
        }
    }

    #[test]
    fn css_output_is_always_in_the_safe_grammar(s in text()) {
        let out = run(css, &s);
        if css_ok(&s) {
            prop_assert_eq!(&out, &s);
        } else {
            prop_assert_eq!(&out, REFUSED);
        }
        prop_assert!(out.bytes().all(|b| b.is_ascii_alphanumeric() || b" ,.%#_+-".contains(&b)));
    }

    #[test]
    fn css_string_stays_in_the_string(s in text()) {
        let out = run(css_string, &s);
        let bare = out.replace('\\', "");
        prop_assert!(!bare.contains(|c: char| "\"'<>&".contains(c) || c.is_ascii_control()));
        prop_assert_eq!(css_decode(&out), s);
    }

    #[test]
    fn escapers_in_literals_need_no_attribute_escaping(s in text()) {
        // Why the macro writes them as they are in quoted attribute values.
        for escaper in [url_part, js_string, js_template, js_regex, css, css_string] {
            let out = run(escaper, &s);
            prop_assert_eq!(run(html, &out), out);
        }
    }

    #[test]
    fn the_macro_writes_what_the_escapers_do(s in text(), cuts in cuts()) {
        let whole = every_arm!(s.as_str());
        let streamed = every_arm!(chunks(&s, &cuts));
        let by_char = every_arm!(by_char(&s));
        let owned = every_arm!(&s);
        for (((inner, outer, written), streamed), (by_char, owned)) in whole
            .into_iter()
            .zip(streamed)
            .zip(by_char.into_iter().zip(owned))
        {
            let expected = expected(inner, outer, &s);
            prop_assert_eq!(&written, &expected, "{}, {}", inner, outer);
            prop_assert_eq!(&streamed.2, &expected, "{}, {} streamed", inner, outer);
            prop_assert_eq!(&by_char.2, &expected, "{}, {} by char", inner, outer);
            prop_assert_eq!(&owned.2, &expected, "{}, {} owned", inner, outer);
        }
    }

    #[test]
    fn no_output_leaves_its_context(s in text()) {
        for (inner, outer, written) in every_arm!(s.as_str()) {
            let lower = written.to_ascii_lowercase();
            for end in ["</script", "</style", "<!--", "-->"] {
                prop_assert!(!lower.contains(end), "{} in {}, {}", end, inner, outer);
            }
            if inner != "text" && inner != "rcdata" && inner != "attr" {
                prop_assert!(!written.contains(['<', '>']), "{}, {}: {:?}", inner, outer, written);
            }
            match outer {
                "dq" => prop_assert!(!written.contains('"')),
                "sq" => prop_assert!(!written.contains('\'')),
                "unquoted" => prop_assert!(
                    !written.contains(|c: char| c.is_ascii_whitespace() || "\"'=<>`".contains(c))
                ),
                _ => {}
            }
            if outer == "unquoted" && matches!(inner, "attr" | "url" | "css" | "js") {
                prop_assert!(!written.is_empty());
            }
        }
    }

    #[test]
    fn floats_of_any_bits_are_written_as_display_writes_them(bits in any::<u64>()) {
        let x = f64::from_bits(bits);
        prop_assert_eq!(write_one!(Text, x), x.to_string());
        let x = f32::from_bits(bits as u32);
        prop_assert_eq!(write_one!(Text, x), x.to_string());
    }

    #[test]
    fn numbers_take_the_fast_path_to_the_same_text(n in any::<i64>(), x in any::<f64>()) {
        let floats = every_arm!(x);
        for (i, (inner, outer, written)) in every_arm!(n).into_iter().enumerate() {
            let (int_text, float_text) = (n.to_string(), x.to_string());
            let (int_expected, float_expected) = if inner == "js" {
                let literal = |text: &str, negative: bool, finite: bool| {
                    let text = if !finite {
                        "null".to_owned()
                    } else if negative {
                        format!(" {text}")
                    } else {
                        text.to_owned()
                    };
                    match outer {
                        "element" => text,
                        "unquoted" => run(attr_unquoted, &text),
                        _ => run(html, &text),
                    }
                };
                (
                    literal(&int_text, n < 0, true),
                    literal(&float_text, x.is_sign_negative(), x.is_finite()),
                )
            } else {
                (expected(inner, outer, &int_text), expected(inner, outer, &float_text))
            };
            prop_assert_eq!(&written, &int_expected, "{}, {}", inner, outer);
            prop_assert_eq!(&floats[i].2, &float_expected, "{}, {}", inner, outer);
        }
    }
}

#[test]
fn floats_are_written_as_display_writes_them() {
    let mut floats = vec![
        0.0,
        -0.0,
        1.0,
        3.0,
        0.1,
        12.5,
        1e15,
        1e16,
        1.5e16,
        1e21,
        1e-5,
        1e-6,
        1.5e-7,
        -2.5e-10,
        f64::MAX,
        f64::MIN,
        f64::MIN_POSITIVE,
        5e-324,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    // Every binary exponent, with a few significands each.
    for exponent in 0..2048u64 {
        for significand in [
            0,
            1,
            3,
            5,
            0x8_0000_0000_0000,
            0xF_FFFF_FFFF_FFFF,
            0x1234_5678_9ABC,
        ] {
            floats.push(f64::from_bits(exponent << 52 | significand));
        }
    }
    // Also one after another into one string, as a page writes them, and in an attribute.
    let (mut page, mut expected) = (String::from("<td>"), String::from("<td>"));
    for x in floats {
        assert_eq!(write_one!(Text, x), x.to_string(), "{:#x}", x.to_bits());
        assert_eq!(write_one!(Attr<Quoted>, x), x.to_string());
        crate::__rsp_write!(Text, &mut page, x);
        expected.push_str(&x.to_string());
        let x = x as f32;
        assert_eq!(write_one!(Text, x), x.to_string(), "{:#x}", x.to_bits());
        crate::__rsp_write!(Text, &mut page, x);
        expected.push_str(&x.to_string());
        page.push(' ');
        expected.push(' ');
    }
    assert_eq!(page, expected);
}

/// Floats exactly halfway between two shortest decimals, which `{}` rounds up and zmij
/// to even: 2^-k has its last digit 5 at the k-th place.
#[test]
fn floats_halfway_between_two_decimals_are_written_as_display_writes_them() {
    for k in 1..40 {
        for x in [2f64.powi(-k), 1.0 + 2f64.powi(-k), 3.0 * 2f64.powi(-k)] {
            assert_eq!(write_one!(Text, x), x.to_string(), "{x:e}");
            let x = x as f32;
            assert_eq!(write_one!(Text, x), x.to_string(), "{x:e}");
        }
    }
}

/// Around the magnitudes where zmij turns to an exponent, which the writer knows without
/// reading its text: the floats next to each power of ten from 10^-8 to 10^18.
#[test]
fn floats_around_the_ends_of_fixed_notation_are_written_as_display_writes_them() {
    // The five floats below the power, the power (or the float nearest it) and five above.
    macro_rules! around {
        ($power:expr) => {
            let mut near = $power;
            for _ in 0..6 {
                near = near.next_down();
            }
            for _ in 0..11 {
                near = near.next_up();
                for x in [near, -near] {
                    assert_eq!(write_one!(Text, x), x.to_string(), "{:#x}", x.to_bits());
                }
            }
        };
    }
    for power in -8..=18 {
        around!(10f64.powi(power));
        around!(10f32.powi(power));
    }
}

#[test]
fn integers_are_written_exactly_on_every_path() {
    for n in [
        0u64,
        7,
        9,
        10,
        42,
        99,
        100,
        105,
        999,
        1000,
        2015,
        9999,
        10_000,
        65_535,
        u64::MAX,
    ] {
        assert_eq!(write_one!(Text, n), n.to_string());
        assert_eq!(write_one!(Attr<Quoted>, n), n.to_string());
    }
    for n in [-1i32, -100, i32::MIN] {
        assert_eq!(write_one!(Text, n), n.to_string());
    }
    for n in 0u16..10_000 {
        assert_eq!(write_one!(Text, n), n.to_string());
    }
}

/// The page compiler and `Attrs` follow one table of attribute rules: a value written in
/// `<x NAME="<%= value %>">` and one set with `Attrs::set(NAME, value)` get the same
/// treatment, for every kind of attribute.
#[test]
fn the_compiler_and_attrs_agree_on_every_attribute() {
    use rsp_compiler::html::{track, Inner};
    use rsp_compiler::lex::lex;

    let names = [
        "href",
        "HREF",
        "src",
        "action",
        "formaction",
        "poster",
        "cite",
        "background",
        "codebase",
        "data",
        "icon",
        "longdesc",
        "manifest",
        "ping",
        "profile",
        "usemap",
        "archive",
        "classid",
        "xmlns",
        "xmlns:svg",
        "xml:base",
        "xlink:href",
        "svg:href",
        "lowsrc",
        "dynsrc",
        "imgurl",
        "uri",
        "g:tweeturl",
        "data-src",
        "data-href",
        "data-url",
        "data-uri",
        "data-original-src",
        "data-action",
        "data-srcset",
        "data-onclick",
        "data-style",
        "data-user",
        "data-title",
        "srcset",
        "imagesrcset",
        "srcdoc",
        "style",
        "STYLE",
        "onclick",
        "onload",
        "onerror",
        "OnMouseOver",
        "svg:onload",
        "http-equiv",
        "attributename",
        "attributeName",
        "title",
        "alt",
        "class",
        "id",
        "name",
        "value",
        "placeholder",
        "content",
        "type",
        "method",
        "rel",
        "target",
        "lang",
        "for",
        "width",
        "aria-label",
        "role",
        "tabindex",
        "pattern",
        "min",
        "step",
    ];
    assert!(names.len() >= 60);
    for name in names {
        let page = format!(r#"<x {name}="<%= v %>">"#);
        let in_page = match track(&lex(&page).unwrap()).contexts {
            Ok(contexts) => match contexts[0].inner {
                Inner::Attr => "text",
                Inner::Url => "url",
                // Image candidates, scripts and styles: escaped for their language in a
                // page, where the compiler sees the rest of the value; refused in `Attrs`.
                Inner::UrlPart | Inner::Js | Inner::Css => "code",
                other => panic!("{name}: {other:?}"),
            },
            Err(_) => "code",
        };
        let built = Attrs::new().set(name, "javascript:alert(1)");
        let at_run_time = if built.as_str().contains("data-rsp-refused") {
            "code"
        } else if built.as_str().contains(UNSAFE_URL) {
            "url"
        } else {
            "text"
        };
        assert_eq!(in_page, at_run_time, "{name}: {}", built.as_str());
    }
}
