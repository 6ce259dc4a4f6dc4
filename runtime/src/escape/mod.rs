//! How `<%= value %>` writes a value: escaped for the place where it stands.
//!
//! Three kinds of value can be written:
//!
//! - markup that writes itself ([`Render`]): `html!` fragments, [`raw`] text and your own
//!   components. It is inserted as is — in HTML text only.
//! - strings, characters, numbers and booleans: written on fast paths, escaped.
//! - anything else that implements [`Display`](std::fmt::Display): formatted straight into the page through an
//!   escaping writer, with no temporary `String`.
//!
//! ```
//! use rsp::prelude::*;
//!
//! let name = "<b>Ann</b>";
//! let page = html!(r#"<p><%= name %> is <%= 42 %>, <%= raw("<i>trusted</i>") %></p>"#);
//! assert_eq!(
//!     page.to_string(),
//!     "<p>&lt;b&gt;Ann&lt;/b&gt; is 42, <i>trusted</i></p>"
//! );
//! ```
//!
//! # Contexts
//!
//! The page compiler finds the context of every value at compile time, as an INNER language
//! inside an OUTER place of the HTML, and calls the escapers below for it. Each escaper
//! writes its INNER language; in an attribute value, that text is then encoded for the
//! quoting ([`html`] for `"…"` and `'…'`, [`attr_unquoted`] for unquoted values), without a
//! temporary buffer. Escapers that already escape every HTML special character skip that
//! second step: it would change nothing.
//!
//! | where the value stands | INNER | OUTER | what is written |
//! | --- | --- | --- | --- |
//! | HTML text | `text` | `element` | [`html`]; markup ([`Render`]) as is |
//! | `<title>`, `<textarea>` | `rcdata` | `element` | [`html`] |
//! | an attribute value | `attr` | `dq`, `sq` | [`html`] |
//! | an unquoted attribute value | `attr` | `unquoted` | [`attr_unquoted`] |
//! | the start of a URL attribute (`href`, `src`, …) | `url` | `dq`, `sq` / `unquoted` | [`url`], then [`html`] / [`attr_unquoted`] |
//! | later in a URL (path segment, query value) | `url_part` | `dq`, `sq`, `unquoted` | [`url_part`] |
//! | JavaScript, where an expression goes | `js` | `element` / `dq`, `sq` / `unquoted` | a JavaScript value (see below), then — / [`html`] / [`attr_unquoted`] |
//! | inside a JavaScript `"…"` or `'…'` string | `js_dq`, `js_sq` | `element`, `dq`, `sq` / `unquoted` | [`js_string`] / then the unquoted encoding |
//! | inside a JavaScript `` `…` `` template | `js_template` | as above | [`js_template`] / then the unquoted encoding |
//! | inside a JavaScript `/…/` regular expression | `js_regex` | as above | [`js_regex`] / then the unquoted encoding |
//! | CSS, where a value goes (`<style>`, `style=`) | `css` | `element`, `dq`, `sq` / `unquoted` | [`css`] / then [`attr_unquoted`] |
//! | inside a CSS `"…"` or `'…'` string | `css_dq`, `css_sq` | `element`, `dq`, `sq` / `unquoted` | [`css_string`] / then the unquoted encoding |
//! | a tag's attribute list: `<input <%= a %>>` | `attrs` | `element` | an [`AttrSet`]: [`Attrs`] |
//!
//! "The unquoted encoding" is [`attr_unquoted`] except that an empty value stays empty:
//! inside a string that the page opened, nothing can swallow the next attribute.
//!
//! What each kind of value becomes:
//!
//! - Markup ([`Render`]: `html!` fragments, components) is trusted in HTML text only. In any
//!   other context it does not compile; [`raw`] is the one explicit bypass, and it writes its
//!   text unescaped in every context, attribute lists included.
//! - Strings, characters and anything `Display` are text, escaped as in the table.
//! - Integers, floats and booleans are written as they are (they need no escaping), except
//!   that in `js_regex` their `-` and `.` are escaped like any text.
//! - In JavaScript expression position (`js`), a value becomes a JavaScript literal: a string
//!   or `Display` value a string literal ([`js`]), an integer or float a number (NaN and the
//!   infinities become `null`, as in JSON; a negative number gets a space before it so that
//!   `x-<%= n %>` cannot become `x--5`), a boolean `true` or `false`, and any other
//!   `serde::Serialize` value (`Option`, `Vec`, maps, your structs) JSON, with `<`, `>`, `&`,
//!   U+2028 and U+2029 escaped inside its strings (`None` is `null`; a value that fails to
//!   serialize is `null`).
//!
//! Placeholders, written where no text could be safe:
//!
//! - [`UNSAFE_URL`] (`about:invalid#rsp-unsafe-url`) for a URL whose scheme is not `http`,
//!   `https`, `mailto` or `tel`;
//! - [`REFUSED`] (`ZrspZ`) for a CSS value outside the safe grammar, and for an empty
//!   unquoted attribute value (`<a title=<%= "" %> class=x>` would make `class=x` the title);
//! - `(?:)` for an empty regular expression (`//` would start a comment).
//!
//! Markup is trusted only in HTML text: in an attribute, script or style it is a compile
//! error (the markup would be escaped as text, or worse, run as code).
//!
//! ```compile_fail
//! let bold = rsp::escape::Html::__new(|out: &mut String| out.push_str("<b>"));
//! let mut buf = String::new();
//! rsp::__rsp_write!(rsp::escape::__dispatch::Attr<rsp::escape::__dispatch::Quoted>, &mut buf, bold);
//! ```
//!
//! ```
//! let bold = rsp::escape::Html::__new(|out: &mut String| out.push_str("<b>"));
//! let mut buf = String::new();
//! use rsp::escape::__dispatch::{Attr, Quoted, Text};
//! rsp::__rsp_write!(Text, &mut buf, bold);
//! rsp::__rsp_write!(Attr<Quoted>, &mut buf, rsp::escape::raw("<i>"));
//! assert_eq!(buf, "<b><i>");
//! ```

#[doc(hidden)]
#[path = "dispatch.rs"]
pub mod __dispatch;
mod attrs;
mod digits;
mod encode;
mod float;
mod html_text;
mod markup;
mod writers;

pub use attrs::{AttrSet, Attrs};
pub use encode::{REFUSED, UNSAFE_URL};
pub use html_text::html;
pub use markup::{raw, Html, Raw, Render};

use encode::{Direct, Unquoted};
use writers::{escape_whole, CssWriter, Plain, UrlWriter};

/// Escapes text for an unquoted attribute value, `<a title=<%= x %>>`: everything that could
/// end the value or change it — whitespace, `" ' = < > &` and backtick — becomes an entity,
/// and NUL becomes U+FFFD. An empty value becomes [`REFUSED`], since an empty unquoted
/// value would make the next attribute the value.
///
/// ```
/// let mut out = String::new();
/// rsp::escape::attr_unquoted("x onmouseover=alert(1)", &mut out);
/// assert_eq!(out, "x&#32;onmouseover&#61;alert(1)");
///
/// out.clear();
/// rsp::escape::attr_unquoted("", &mut out);
/// assert_eq!(out, "ZrspZ");
/// ```
pub fn attr_unquoted(input: &str, out: &mut String) {
    escape_whole::<Plain<'_, Unquoted>>(input, out);
}

/// Filters and normalises a URL written at the start of a URL attribute (`href`, `src`,
/// `action`, …).
///
/// First, as a browser does, leading spaces and control characters are dropped and tabs
/// and newlines removed anywhere. Then, if a `:` comes before any `/`, `?` or `#`, the text
/// before it is the scheme, and unless it is `http`, `https`, `mailto` or `tel` (in any
/// case) the whole URL becomes [`UNSAFE_URL`]. A URL without a scheme (relative) is kept.
/// Last, every byte outside the URL grammar is percent-encoded, as Go's `html/template`
/// does: space, quotes, `<`, `>`, parentheses, backslash, control and non-ASCII bytes, and
/// a `%` that does not start an escape; existing `%XX` escapes are kept.
///
/// Character references are not decoded: the page writes the URL into an attribute
/// escaped, so `&#106;avascript:` reaches the browser as that literal text, a relative URL
/// (its `#` starts a fragment before the `:`).
///
/// In an attribute the result is then escaped for the quoting (its `&` becomes `&amp;`).
///
/// ```
/// let mut out = String::new();
/// rsp::escape::url(" JaVa\tScRiPt:alert(1)", &mut out);
/// assert_eq!(out, "about:invalid#rsp-unsafe-url");
///
/// out.clear();
/// rsp::escape::url("/search?q=\"><script>&page=2", &mut out);
/// assert_eq!(out, "/search?q=%22%3E%3Cscript%3E&page=2");
/// ```
pub fn url(input: &str, out: &mut String) {
    escape_whole::<UrlWriter<'_, Direct>>(input, out);
}

/// Percent-encodes a part of a URL (a path segment, a query name or value): every byte but
/// the unreserved characters of RFC 3986 (`A-Z a-z 0-9 - . _ ~`). The result is safe in
/// any attribute, quoted or not.
///
/// ```
/// let mut out = String::new();
/// rsp::escape::url_part("a&b=c d/\"é", &mut out);
/// assert_eq!(out, "a%26b%3Dc%20d%2F%22%C3%A9");
/// ```
pub fn url_part(input: &str, out: &mut String) {
    escape_whole::<writers::UrlPart<'_>>(input, out);
}

/// Writes text as a JavaScript string literal, for a value where a JavaScript expression
/// goes (`<script>var name = <%= name %>;</script>`): a `"…"` literal escaped as
/// [`js_string`] does. It never contains `<`, `>`, `&`, `'` or a quote other than its two
/// delimiters; in an attribute those are then written `&#34;`.
///
/// Numbers, booleans and `serde::Serialize` values written with `<%= %>` in that place
/// become numbers, `true`/`false` and JSON instead (see the [module](self) docs).
///
/// ```
/// let mut out = String::new();
/// rsp::escape::js("</script><script>alert('x')</script>", &mut out);
/// assert_eq!(
///     out,
///     r#""\u003c/script\u003e\u003cscript\u003ealert(\u0027x\u0027)\u003c/script\u003e""#
/// );
/// ```
pub fn js(input: &str, out: &mut String) {
    escape_whole::<writers::JsLiteral<'_, Direct>>(input, out);
}

/// Escapes text for the inside of a JavaScript `"…"` or `'…'` string: backslash, both
/// quotes, backtick, `<`, `>`, `&`, ASCII control characters (newline and carriage return as
/// `\n` and `\r`, the others as `\xHH`), U+2028 and U+2029 become escapes. The result can
/// end neither the string nor the script, and is safe in a quoted attribute as it is.
///
/// ```
/// let mut out = String::new();
/// rsp::escape::js_string("\"; alert(1); //</script>\u{2028}", &mut out);
/// assert_eq!(out, r#"\u0022; alert(1); //\u003c/script\u003e\u2028"#);
/// ```
pub fn js_string(input: &str, out: &mut String) {
    escape_whole::<writers::JsString<'_, Direct>>(input, out);
}

/// Escapes text for the inside of a JavaScript template literal `` `…` ``: as
/// [`js_string`], and `$` too, so no `${…}` substitution can start.
///
/// ```
/// let mut out = String::new();
/// rsp::escape::js_template("${alert(1)}`", &mut out);
/// assert_eq!(out, r"\u0024{alert(1)}\u0060");
/// ```
pub fn js_template(input: &str, out: &mut String) {
    escape_whole::<writers::JsTemplate<'_, Direct>>(input, out);
}

/// Escapes text for the inside of a JavaScript regular expression literal `/…/`, so that it
/// matches itself literally: letters, digits, `_`, space and non-ASCII characters stay,
/// every other ASCII character becomes `\xHH` (valid with and without the `u` and `v`
/// flags, inside and outside `[…]`), U+2028 and U+2029 become `\u2028` and `\u2029`. An
/// empty value becomes `(?:)`, since `//` would start a comment.
///
/// ```
/// let mut out = String::new();
/// rsp::escape::js_regex("a.b/</script>", &mut out);
/// assert_eq!(out, r"a\u002eb\u002f\u003c\u002fscript\u003e");
///
/// out.clear();
/// rsp::escape::js_regex("", &mut out);
/// assert_eq!(out, "(?:)");
/// ```
pub fn js_regex(input: &str, out: &mut String) {
    escape_whole::<writers::JsRegex<'_, Direct>>(input, out);
}

/// Lets through only safe CSS values, for a value where a CSS value goes (`<style>` or
/// `style=`): a list, separated by spaces and commas, of numbers with an optional unit or
/// `%` (`12px`, `-1.5em`, `50%`), `#` colours of 3, 4, 6 or 8 hex digits, and ASCII
/// identifiers or keywords (`red`, `bold`, `sans-serif`, `--gap`). Anything else becomes
/// [`REFUSED`]: no function (`url(`, `expression(`), string, escape, comment, `;`, `{`, `}`,
/// `!` or `<` can get through. An empty value stays empty.
///
/// Write arbitrary text inside a CSS string instead (see [`css_string`]).
///
/// ```
/// let mut out = String::new();
/// rsp::escape::css("Arial, sans-serif", &mut out);
/// assert_eq!(out, "Arial, sans-serif");
///
/// out.clear();
/// rsp::escape::css("red; background: url(javascript:alert(1))", &mut out);
/// assert_eq!(out, "ZrspZ");
/// ```
pub fn css(input: &str, out: &mut String) {
    escape_whole::<CssWriter<'_, Direct>>(input, out);
}

/// Escapes text for the inside of a CSS `"…"` or `'…'` string: both quotes, backslash, `<`,
/// `>`, `&` and control characters become CSS escapes `\HH ` (the space ends the escape).
/// The result can end neither the string nor the style, and is safe in a quoted attribute
/// as it is.
///
/// ```
/// let mut out = String::new();
/// rsp::escape::css_string("\"}</style><script>", &mut out);
/// assert_eq!(out, r"\22 }\3c /style\3e \3c script\3e ");
/// ```
pub fn css_string(input: &str, out: &mut String) {
    escape_whole::<writers::CssString<'_, Direct>>(input, out);
}

/// Writes a value into a page buffer, escaped for its context. Generated code calls it with
/// the context type that the page compiler picked for the place of the value (one of the
/// contexts of [`__dispatch`](crate::escape::__dispatch)): `(Context, buf, value)`, the
/// buffer a `&mut String`.
#[doc(hidden)]
#[macro_export]
macro_rules! __rsp_write {
    ($context:ty, $buf:expr, $value:expr) => {{
        #[allow(unused_imports)]
        use $crate::escape::__dispatch::{
            ViaDisplay as _, ViaEscape as _, ViaMarkup as _, ViaMarkupRefused as _, ViaRaw as _,
            ViaSerialize as _,
        };
        (&&&&&&$crate::escape::__dispatch::Value::<_, $context>::new(&($value))).write_in($buf);
    }};
}

#[cfg(test)]
mod tests;
