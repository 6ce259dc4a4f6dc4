use super::char_ref::char_ref;
use super::tokenizer::{AMBIGUOUS_SLASH, BRANCH_NAME_VALUE};
use super::*;
use crate::lex::lex;

fn contexts(tokens: &[Token]) -> Result<Vec<Context>, Vec<Diagnostic>> {
    track(tokens).contexts
}

/// Where `what` is inserted: `(token index, byte index)`.
fn inserted(tokens: &[Token], what: Inserted) -> Vec<(usize, usize)> {
    let insertions = track(tokens).insertions.into_iter();
    insertions
        .filter(|i| i.what == what)
        .map(|i| (i.token, i.at))
        .collect()
}

/// A context as `inner/outer`, in the names of the runtime's escaping docs.
fn short(context: &Context) -> String {
    let inner = match context.inner {
        Inner::Text => "text",
        Inner::Rcdata => "rcdata",
        Inner::Attr => "attr",
        Inner::Url => "url",
        Inner::UrlPart => "url_part",
        Inner::Js => "js",
        Inner::JsDoubleQuoted => "js_dq",
        Inner::JsSingleQuoted => "js_sq",
        Inner::JsTemplate => "js_template",
        Inner::JsRegex => "js_regex",
        Inner::Css => "css",
        Inner::CssDoubleQuoted => "css_dq",
        Inner::CssSingleQuoted => "css_sq",
        Inner::AttrSet => "attrs",
    };
    let outer = match context.outer {
        Outer::Element => "element",
        Outer::DoubleQuoted => "dq",
        Outer::SingleQuoted => "sq",
        Outer::Unquoted => "unquoted",
    };
    format!("{inner}/{outer}")
}

/// The contexts of a page's values as `inner/outer` names.
fn names(page: &str) -> Vec<String> {
    match contexts(&lex(page).unwrap()) {
        Ok(found) => found.iter().map(short).collect(),
        Err(errors) => panic!("{page:?}: {errors:?}"),
    }
}

fn errors(page: &str) -> Vec<Diagnostic> {
    match contexts(&lex(page).unwrap()) {
        Ok(found) => panic!("{page:?} was accepted: {found:?}"),
        Err(errors) => errors,
    }
}

fn forms(page: &str) -> Vec<(usize, usize)> {
    inserted(&lex(page).unwrap(), Inserted::CsrfField)
}

fn nonces(page: &str) -> Vec<(usize, usize)> {
    inserted(&lex(page).unwrap(), Inserted::ScriptNonce)
}

fn check(table: &[(&str, &[&str])]) {
    for (page, expected) in table {
        assert_eq!(names(page), *expected, "page: {page:?}");
    }
}

#[test]
fn html_text_rcdata_and_markup() {
    check(&[
        ("<p><%= x %></p>", &["text/element"]),
        ("a < b <%= x %>", &["text/element"]),
        (
            "<title>a <%= x %></title><%= y %>",
            &["rcdata/element", "text/element"],
        ),
        ("<textarea><b><%= x %></textarea>", &["rcdata/element"]),
        ("<title></titlex><%= x %></title>", &["rcdata/element"]),
        ("<!-- a > b --><%= x %>", &["text/element"]),
        ("<!--><%= x %>", &["text/element"]),
        ("<!---><%= x %>", &["text/element"]),
        ("<!-- a --!><%= x %>", &["text/element"]),
        ("<!DOCTYPE html><%= x %>", &["text/element"]),
        ("<![CDATA[ a > b ]]><%= x %>", &["text/element"]),
        ("</><%= x %>", &["text/element"]),
        ("<xmp><b></xmp><%= x %>", &["text/element"]),
        ("<iframe></iframe ><%= x %>", &["text/element"]),
        // A fragment may end inside markup.
        (r#"<a href="<%= u %>"#, &["url/dq"]),
    ]);
}

#[test]
fn tags_and_attribute_values() {
    check(&[
        ("<input <%= a %>>", &["attrs/element"]),
        ("<input type=checkbox <%= a %> checked>", &["attrs/element"]),
        ("<input checked <%= a %>>", &["attrs/element"]),
        (
            r#"<a title="<%= t %>" class='<%= c %>' id=<%= i %>>"#,
            &["attr/dq", "attr/sq", "attr/unquoted"],
        ),
        (
            "<a title = <%= t %> href=<%= u %>>",
            &["attr/unquoted", "url/unquoted"],
        ),
        (
            "<input value=<%= v %> <%= a %>>",
            &["attr/unquoted", "attrs/element"],
        ),
        ("<a title=x<%= t %>>", &["attr/unquoted"]),
        // A data attribute named like a URL is one (see `attrs`); others are text.
        (r#"<a data-href="<%= u %>">"#, &["url/dq"]),
        (r#"<a data-title="<%= t %>">"#, &["attr/dq"]),
        (r#"<a title="a>b" class="<%= c %>">"#, &["attr/dq"]),
    ]);
}

#[test]
fn a_colon_after_a_value_that_starts_a_url_is_refused() {
    let found = errors(r#"<a href="<%= u %>:alert(1)">"#);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].message.contains("choose the scheme"), "{found:?}");
    check(&[
        (r#"<a href="<%= u %>/a:b">"#, &["url/dq"]),
        (
            r#"<a href="<%= u %>?x=1:2#a:b"><%= t %>"#,
            &["url/dq", "text/element"],
        ),
    ]);
}

#[test]
fn url_attributes() {
    check(&[
        (r#"<a href="<%= u %>">"#, &["url/dq"]),
        (r#"<a href=" <%= u %>">"#, &["url/dq"]),
        (r#"<a href="/users/<%= id %>">"#, &["url_part/dq"]),
        ("<a href='?q=<%= q %>'>", &["url_part/sq"]),
        (
            r#"<a href="<%= base %>/x/<%= id %>">"#,
            &["url/dq", "url_part/dq"],
        ),
        (
            "<img src=<%= a %><%= b %>>",
            &["url/unquoted", "url_part/unquoted"],
        ),
        (r#"<a href="http://x/<%= p %>">"#, &["url_part/dq"]),
        (
            r#"<img src="data:image/png;base64,<%= b %>">"#,
            &["url_part/dq"],
        ),
        (r#"<form action="<%= a %>">"#, &["url/dq"]),
        (r#"<button formaction="<%= a %>">"#, &["url/dq"]),
        (r#"<object data="<%= d %>">"#, &["url/dq"]),
        (r#"<svg><a xlink:href="<%= u %>">"#, &["url/dq"]),
        (
            r#"<img srcset="<%= a %> 1x, <%= b %> 2x">"#,
            &["url_part/dq", "url_part/dq"],
        ),
    ]);
}

#[test]
fn javascript_contexts() {
    check(&[
        ("<script>var x = <%= x %>;</script>", &["js/element"]),
        (
            r#"<script>var s = "a<%= x %>", t = 'b<%= y %>';</script>"#,
            &["js_dq/element", "js_sq/element"],
        ),
        (
            r#"<script>var s = "\"<%= x %>";</script>"#,
            &["js_dq/element"],
        ),
        (
            r#"<script>var s = '\\'; <%= x %></script>"#,
            &["js/element"],
        ),
        (
            r#"<button onclick="go(<%= x %>)" onmouseover='say("<%= y %>")'>"#,
            &["js/dq", "js_dq/sq"],
        ),
        ("<a onclick=go(<%= x %>)>", &["js/unquoted"]),
        ("<script>// c\n<%= x %></script>", &["js/element"]),
        ("<script>/* c */<%= x %></script>", &["js/element"]),
        ("<script type=module><%= x %></script>", &["js/element"]),
        (
            r#"<script type="application/ld+json">{"name": "<%= n %>"}</script>"#,
            &["js_dq/element"],
        ),
        (
            r#"<script type="TEXT/JavaScript; charset=utf-8"><%= x %></script>"#,
            &["js/element"],
        ),
        (
            r#"<script type="<%= t %>"><%= x %></script>"#,
            &["attr/dq", "js/element"],
        ),
        // Attribute values are decoded as the browser does.
        (r#"<a onclick="f(&quot;<%= x %>&quot;)">"#, &["js_dq/dq"]),
        (
            r#"<a onclick="f(&#39;<%= x %>&#x27;, <%= y %>)">"#,
            &["js_sq/dq", "js/dq"],
        ),
        (r#"<a onclick="a &amp;&amp; /<%= r %>/">"#, &["js_regex/dq"]),
    ]);
}

#[test]
fn template_literals() {
    check(&[
        (
            "<script>`a <%= x %> ${ <%= y %> } b <%= z %>`; <%= w %></script>",
            &[
                "js_template/element",
                "js/element",
                "js_template/element",
                "js/element",
            ],
        ),
        (
            "<script>`${ {a: 1}[<%= k %>] } <%= t %>`</script>",
            &["js/element", "js_template/element"],
        ),
        (
            "<script>`${ `in ${ <%= x %> } <%= y %>` } <%= z %>`</script>",
            &["js/element", "js_template/element", "js_template/element"],
        ),
        (
            r"<script>`a\${<%= x %>}`</script>",
            &["js_template/element"],
        ),
        (
            "<script>`${ '}' } <%= x %>`</script>",
            &["js_template/element"],
        ),
    ]);
}

#[test]
fn regular_expressions_and_divisions() {
    check(&[
        ("<script>a / <%= b %></script>", &["js/element"]),
        ("<script>a = /<%= b %>/</script>", &["js_regex/element"]),
        ("<script>a = b / c / <%= d %></script>", &["js/element"]),
        ("<script>(a) / <%= b %></script>", &["js/element"]),
        ("<script>x[1] / <%= b %></script>", &["js/element"]),
        ("<script>return /<%= r %>/</script>", &["js_regex/element"]),
        ("<script>typeof /<%= r %>/</script>", &["js_regex/element"]),
        ("<script>returned / <%= b %></script>", &["js/element"]),
        ("<script>i++ / <%= b %></script>", &["js/element"]),
        ("<script>+ /<%= r %>/</script>", &["js_regex/element"]),
        ("<script>42. / <%= b %></script>", &["js/element"]),
        ("<script>a = /re/g / <%= b %></script>", &["js/element"]),
        (
            "<script>x = /[/]<%= r %>/; y = 1 / <%= b %></script>",
            &["js_regex/element", "js/element"],
        ),
        (r"<script>x = /\/<%= r %>/</script>", &["js_regex/element"]),
        // A value is an operand.
        (
            "<script><%= a %> / <%= b %></script>",
            &["js/element", "js/element"],
        ),
        (
            "<script>x = <%= a %>/<%= b %></script>",
            &["js/element", "js/element"],
        ),
    ]);
}

#[test]
fn script_and_style_end_even_inside_strings() {
    check(&[
        (r#"<script>var s = "</script><%= x %>"#, &["text/element"]),
        ("<script>var s = '</SCRIPT ><%= x %>", &["text/element"]),
        ("<script>// </script><%= x %>", &["text/element"]),
        (
            r#"<script>var s = "</scripty><%= x %>";</script>"#,
            &["js_dq/element"],
        ),
        (
            r#"<style>a { content: "</style><%= x %>"#,
            &["text/element"],
        ),
    ]);
}

#[test]
fn css_contexts() {
    check(&[
        (
            r#"<style>p { color: <%= c %>; } a::after { content: "<%= s %>" '<%= t %>' }</style><%= x %>"#,
            &[
                "css/element",
                "css_dq/element",
                "css_sq/element",
                "text/element",
            ],
        ),
        (
            r#"<p style="width: <%= w %>px; font-family: '<%= f %>'">"#,
            &["css/dq", "css_sq/dq"],
        ),
        (
            r#"<style>a { background: url("<%= u %>") } b { c: <%= d %> }</style>"#,
            &["css_dq/element", "css/element"],
        ),
        (
            "<style>a { background: url( '<%= u %>' ) }</style>",
            &["css_sq/element"],
        ),
        ("<style>a { b: c/<%= d %> }</style>", &["css/element"]),
        ("<style>a { b: curl(<%= d %>) }</style>", &["css/element"]),
    ]);
}

#[test]
fn case_insensitive_names() {
    check(&[
        (
            "<SCRIPT>x = <%= a %></ScRiPt><%= b %>",
            &["js/element", "text/element"],
        ),
        (
            "<TITLE><%= a %></TiTlE ><%= b %>",
            &["rcdata/element", "text/element"],
        ),
        (
            r#"<A HREF="<%= u %>" OnClick="<%= j %>" STYLE="<%= s %>">"#,
            &["url/dq", "js/dq", "css/dq"],
        ),
        ("<STYLE>a{}</Style><%= x %>", &["text/element"]),
    ]);
}

#[test]
fn tags_split_by_code() {
    check(&[
        (r#"<a <% let u = 1; %>href="<%= u %>">"#, &["url/dq"]),
        (
            r#"<a href="/x<% let y = 1; %>/<%= y %>">"#,
            &["url_part/dq"],
        ),
        ("<scr<% %>ipt>var a = <%= x %>", &["js/element"]),
        ("<<% %>script><%= x %>", &["js/element"]),
        ("<<% %> <%= x %>", &["text/element"]),
        (r#"<script>var s = "<% %><%= x %>""#, &["js_dq/element"]),
        ("<script>a /<% %> <%= x %></script>", &["js/element"]),
    ]);
}

/// Every refusal: the message and its offset, at the value.
#[test]
fn refusals() {
    let table = [
        (
            "<!-- <%= x %> -->",
            "an HTML comment: no escaping makes it safe",
        ),
        ("<!DOCTYPE <%= x %>>", "declaration"),
        ("<?xml <%= x %>?>", "declaration"),
        ("<![CDATA[ <%= x %> ]]>", "a CDATA section"),
        ("<<%= x %>", "right after a `<`"),
        ("</<%= x %>", "right after a `<`"),
        ("<h<%= n %>>", "the tag name `<h`"),
        ("<input<%= a %>>", "the tag name `<input`"),
        (
            "</a <%= x %>>",
            "the end tag `</a>`: end tags take no attributes",
        ),
        ("<a hr<%= x %>=1>", "the attribute name `hr`"),
        (r#"<a href="javascript:<%= x %>">"#, "a javascript: URL"),
        (
            r#"<a href=" JavaScript:void(<%= x %>)">"#,
            "a javascript: URL",
        ),
        (
            r#"<a href="java&#x09;script&colon;<%= x %>">"#,
            "a javascript: URL",
        ),
        ("<a href=vbscript:<%= x %>>", "a javascript: URL"),
        (r#"<iframe srcdoc="<%= d %>">"#, "a srcdoc attribute"),
        ("<script>// <%= x %>\n</script>", "a JavaScript comment"),
        ("<script>/* <%= x %> */</script>", "a JavaScript comment"),
        (
            "<script>a /<% %>/<%= x %>\n</script>",
            "a JavaScript comment",
        ),
        (r#"<a onclick="/*<%= x %>*/">"#, "a JavaScript comment"),
        ("<style>/* <%= x %> */</style>", "a CSS comment"),
        (
            "<style>a { background: url(<%= u %>) }</style>",
            "an unquoted CSS url(…): quote the URL",
        ),
        (
            r#"<p style="background: URL( <%= u %>)">"#,
            "unquoted CSS url",
        ),
        (
            r#"<script type="text/template"><%= x %></script>"#,
            r#"a <script type="text/template"> element: its content is not JavaScript"#,
        ),
        ("<xmp><%= x %></xmp>", "the content of a <xmp> element"),
        (
            "<iframe><%= x %></iframe>",
            "the content of a <iframe> element",
        ),
        (
            "<noembed><%= x %></noembed>",
            "the content of a <noembed> element",
        ),
        (
            "<noframes><%= x %></noframes>",
            "the content of a <noframes> element",
        ),
        (
            "<plaintext></plaintext><%= x %>",
            "the content of a <plaintext> element",
        ),
    ];
    for (page, message) in table {
        let found = errors(page);
        assert_eq!(found.len(), 1, "{page:?}: {found:?}");
        assert_eq!(found[0].offset, page.find("<%=").unwrap(), "{page:?}");
        assert!(
            found[0].message.starts_with("a value cannot stand in ")
                && found[0].message.contains(message),
            "{page:?}: {}",
            found[0].message
        );
    }
}

#[test]
fn all_errors_are_collected() {
    let page = r#"<!-- <%= a %> --><% if x { %><a title="<% } %>"><h<%= b %>>"#;
    let found = errors(page);
    let offsets: Vec<usize> = found.iter().map(|d| d.offset).collect();
    assert_eq!(
        offsets,
        vec![5, page.find("} %>").unwrap(), page.rfind("<%=").unwrap()]
    );
}

#[test]
fn a_block_must_end_in_its_start_context() {
    let page = r#"<% if x { %><a title="<% } %>"#;
    let found = errors(page);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].offset, page.find('}').unwrap());
    assert_eq!(
        found[0].message,
        "this block starts in HTML text but ends in a double-quoted attribute value: \
             branches and loop bodies must end in the context they start in"
    );
    let found = errors(r#"<% if x { %><a href="<% } %>"#);
    assert!(found[0]
        .message
        .contains("ends in a double-quoted URL attribute value:"));
    let found = errors(r#"<% for x in xs { %><li title="<%= x %><% } %>"#);
    assert!(found[0].message.contains("starts in HTML text but ends in"));
    // Same description, different state.
    let found = errors("<scr<% if x { %>ipt<% } %>>");
    assert!(found[0].message.starts_with(
        "this block starts in the tag name `<scr` but ends in the tag name `<script`"
    ));
    // Same description, different state: the CSRF field depends on the method.
    let found = errors(r#"<form <% if e { %>method="post"<% } %>>"#);
    assert!(found[0]
        .message
        .starts_with("this block starts and ends in the attribute list of a tag, but changes"));
}

#[test]
fn consistent_blocks_are_accepted() {
    check(&[
        (
            "<% if a { %><b>x</b><% } else { %><i>y</i><% } %><%= z %>",
            &["text/element"],
        ),
        (
            "<ul><% for x in xs { %><li><%= x %></li><% } %></ul>",
            &["text/element"],
        ),
        (
            "<% match x { A => { %><b><%= a %></b><% } B => { %><%= b %><% } } %>",
            &["text/element", "text/element"],
        ),
        ("<% } %><%= x %>", &["text/element"]),
        (r#"<li class="<% if a { %>on<% } %>">"#, &[]),
        (
            "<input <% if c { %>checked<% } %> <%= a %>>",
            &["attrs/element"],
        ),
        (
            "<option <% if s { %>selected<% } %>><%= x %>",
            &["text/element"],
        ),
        (
            "<input <% if c { %>disabled <% } else { %>checked<% } %>>",
            &[],
        ),
        (
            "<script>var x = <% if a { %>1<% } else { %>2<% } %>; y = /<%= r %>/</script>",
            &["js_regex/element"],
        ),
        (
            "<script>var x = <% if a { %>1<% } %> // note\n<%= y %></script>",
            &["js/element"],
        ),
        (
            r#"<a href="<% if a { %>/x<% } %>/<%= y %>">"#,
            &["url_part/dq"],
        ),
        (
            r#"<p style="color: <% if d { %>black<% } else { %>white<% } %>; x: <%= v %>">"#,
            &["css/dq"],
        ),
        (
            r#"<input type="<% if p { %>password<% } else { %>text<% } %>">"#,
            &[],
        ),
        (
            r#"<script type="<% if m { %>module<% } else { %>text/template<% } %>"><%= x %></script>"#,
            &["js/element"],
        ),
    ]);
}

#[test]
fn tolerated_differences_are_checked_later() {
    let page = r#"<a <% if c { %>href<% } %>="<%= u %>">"#;
    let found = errors(page);
    assert_eq!(found[0].message, BRANCH_NAME_VALUE);
    assert_eq!(found[0].offset, page.find("%>=").unwrap() + 2);
    let found = errors("<input <% if c { %>checked<% } %><%= a %>>");
    assert!(found[0]
        .message
        .contains("an attribute name written inside a branch"));

    let page = "<script>var x = <% if a { %>1<% } %> /2/ <%= y %></script>";
    let found = errors(page);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].message, AMBIGUOUS_SLASH);
    assert_eq!(found[0].offset, page.find("/2").unwrap() + 1);

    let found = errors(r#"<a href="<% if a { %>/x<% } %><%= y %>">"#);
    assert!(found[0].message.contains("has started in some branches"));
    let found = errors("<style>a { b: <% if x { %>url<% } else { %>rgb<% } %>(<%= v %>) }");
    assert!(found[0].message.contains("unquoted CSS url"));
}

#[test]
fn post_forms_in_every_spelling() {
    for page in [
        r#"<form method="post">"#,
        "<form method=post>",
        "<FORM METHOD='POST'>",
        r#"<form action="/x" Method = "Post" class=a>"#,
        "<form method=post >",
        r#"<form method="&#80;OST">"#,
    ] {
        assert_eq!(forms(page), vec![(0, page.len())], "{page:?}");
    }
    let page = "<p><form method=post><input></form><form method=post>";
    assert_eq!(forms(page), vec![(0, 21), (0, page.len())]);
}

#[test]
fn post_forms_split_by_values() {
    let page = r#"<form action="<%= a %>" method="post"><input>"#;
    assert_eq!(forms(page), vec![(2, r#"" method="post">"#.len())]);
    assert_eq!(forms(r#"<form method="post" <%= attrs %>>"#), vec![(2, 1)]);
}

#[test]
fn not_post_forms() {
    for page in [
        r#"<form method="get">"#,
        "<form>",
        "<form method=post/>",
        r#"<form data-method="post">"#,
        "<formx method=post>",
        "</form method=post>",
        "<!-- <form method=post> -->",
        r#"<script>"<form method=post>"</script>"#,
        "<textarea><form method=post></textarea>",
        r#"<form method="<%= m %>">"#,
    ] {
        assert_eq!(forms(page), vec![], "{page:?}");
    }
}

#[test]
fn every_script_start_tag_gets_a_nonce_after_its_name() {
    for page in [
        "<script>",
        "<SCRIPT>",
        "<script src=/app.js>",
        r#"<script type="module">"#,
        "<script/>",
        "<svg><script>",
    ] {
        let after_name = page.to_ascii_lowercase().rfind("script").unwrap() + "script".len();
        assert_eq!(nonces(page), vec![(0, after_name)], "{page:?}");
    }
    let page = "<script>a</script><p><script src=<%= u %>></script>";
    assert_eq!(nonces(page), vec![(0, 7), (0, 28)]);
    for page in [
        "</script>",
        "<scripts>",
        "<!-- <script> -->",
        "<textarea><script></textarea>",
        r#"<p title="<script>">"#,
        "<noscript>",
    ] {
        assert_eq!(nonces(page), vec![], "{page:?}");
    }
}

#[test]
fn inline_handlers_are_found_with_their_names() {
    let page = r#"<button onclick="go()" onMouseOver='x' class=a data-onclick=b onfocus=y>"#;
    let found: Vec<String> = track(&lex(page).unwrap())
        .handlers
        .into_iter()
        .map(|(at, name)| format!("{name}@{at}"))
        .collect();
    // Each at its value's quote, or its first character when unquoted.
    let at = |value: &str| page.find(value).unwrap();
    let expected = [
        format!("onclick@{}", at("\"go")),
        format!("onmouseover@{}", at("'x'")),
        format!("onfocus@{}", at("y>")),
    ];
    assert_eq!(found, expected);
    assert!(track(&lex("<button onclick>").unwrap()).handlers.is_empty());
}

#[test]
fn character_references() {
    for (text, expected) in [
        ("&quot;x", ('"', 6)),
        ("&quot x", ('"', 5)),
        ("&quot", ('"', 5)),
        ("&quot=", ('&', 1)),
        ("&quotx;", ('&', 1)),
        ("&apos", ('&', 1)),
        ("&sol;", ('/', 5)),
        ("&#34;", ('"', 5)),
        ("&#x22", ('"', 5)),
        ("&#X22;", ('"', 6)),
        ("&#;", ('&', 1)),
        ("&#x;", ('&', 1)),
        ("&eacute;", ('&', 1)),
        ("&#0;", ('\u{FFFD}', 4)),
        ("&#99999999999;", ('\u{FFFD}', 14)),
        ("&#xD800;", ('\u{FFFD}', 8)),
    ] {
        assert_eq!(char_ref(text), expected, "{text:?}");
    }
}

#[test]
fn descriptions() {
    let describe = |inner, outer| Context { inner, outer }.describe();
    assert_eq!(
        describe(Inner::Url, Outer::DoubleQuoted),
        "a double-quoted URL attribute value"
    );
    assert_eq!(
        describe(Inner::UrlPart, Outer::SingleQuoted),
        "a single-quoted URL attribute value, after its start"
    );
    assert_eq!(
        describe(Inner::Attr, Outer::Unquoted),
        "an unquoted attribute value"
    );
    assert_eq!(
        describe(Inner::Js, Outer::Element),
        "JavaScript code in a <script> element"
    );
    assert_eq!(
        describe(Inner::JsSingleQuoted, Outer::DoubleQuoted),
        "a single-quoted JavaScript string in a double-quoted event-handler attribute"
    );
    assert_eq!(
        describe(Inner::Css, Outer::Unquoted),
        "CSS in an unquoted style attribute"
    );
    assert_eq!(
        describe(Inner::CssDoubleQuoted, Outer::Element),
        "a double-quoted CSS string in a <style> element"
    );
}
