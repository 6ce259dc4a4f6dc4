//! How `<%= value %>` writes a value: escaped for the place where it stands.
//!
//! Three kinds of value can be written:
//!
//! - markup that writes itself ([`Render`]): `html!` fragments, [`raw`] text and your own
//!   components. It is inserted as is — in HTML text only.
//! - strings, characters, numbers and booleans: written on fast paths, escaped.
//! - anything else that implements [`Display`]: formatted straight into the page through an
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
//! rsp::__rsp_write!(attr, dq, buf, bold);
//! ```
//!
//! ```
//! let bold = rsp::escape::Html::__new(|out: &mut String| out.push_str("<b>"));
//! let mut buf = String::new();
//! rsp::__rsp_write!(text, element, buf, bold);
//! rsp::__rsp_write!(attr, dq, buf, rsp::escape::raw("<i>"));
//! assert_eq!(buf, "<b><i>");
//! ```

use std::fmt::{self, Display, Write as _};

use self::__dispatch::{Direct, Quoted, Unquoted};
use self::writers::{
    escape_display, escape_runs, escape_whole, html_entity, CssStringWriter, CssWriter,
    JsRegexWriter, JsWriter, Plain, UrlPartWriter, UrlWriter,
};

mod writers;

/// Markup that writes itself into a page, trusted as it is.
///
/// `html!` fragments implement it, and so does [`raw`]. Implement it for a type to make a
/// reusable component that `<%= %>` inserts without escaping.
///
/// ```
/// use rsp::prelude::*;
///
/// struct Badge(u32);
///
/// impl Render for Badge {
///     fn render(&self, out: &mut String) {
///         html!(r#"<span class="badge"><%= self.0 %></span>"#).render(out);
///     }
/// }
///
/// let badge = Badge(3);
/// assert_eq!(
///     html!("<p><%= badge %></p>").to_string(),
///     r#"<p><span class="badge">3</span></p>"#
/// );
/// ```
pub trait Render {
    /// Appends this markup to `out`.
    fn render(&self, out: &mut String);
}

impl<T: Render + ?Sized> Render for &T {
    fn render(&self, out: &mut String) {
        (**self).render(out);
    }
}

/// A compiled `html!` fragment: markup that renders itself when written.
///
/// Partials and layouts are ordinary functions returning one:
///
/// ```
/// use rsp::prelude::*;
///
/// fn greeting(name: &str) -> impl Render + '_ {
///     html!("<p>Hello, <%= name %>!</p>")
/// }
///
/// assert_eq!(html!("<%= greeting(\"Ann\") %>").to_string(), "<p>Hello, Ann!</p>");
/// ```
pub struct Html<F>(F);

impl<F: Fn(&mut String)> Html<F> {
    #[doc(hidden)]
    pub fn __new(render: F) -> Self {
        Self(render)
    }
}

impl<F: Fn(&mut String)> Render for Html<F> {
    fn render(&self, out: &mut String) {
        (self.0)(out);
    }
}

impl<F: Fn(&mut String)> Display for Html<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        (self.0)(&mut out);
        f.write_str(&out)
    }
}

/// Text written without any escaping. See [`raw`].
pub struct Raw<T>(T);

/// Writes `value` without escaping: the one explicit way to put untrusted-looking text into
/// a page as markup. Use it only for text you trust.
///
/// It works in every context — an attribute, a script, a style, an attribute list — and
/// writes the text there as it is.
///
/// ```
/// use rsp::prelude::*;
///
/// let trusted = "<em>hi</em>";
/// assert_eq!(html!("<%= raw(trusted) %>").to_string(), "<em>hi</em>");
/// ```
pub fn raw<T: Display>(value: T) -> Raw<T> {
    Raw(value)
}

impl<T: Display> Render for Raw<T> {
    fn render(&self, out: &mut String) {
        // Writing to a String cannot fail.
        let _ = write!(out, "{}", self.0);
    }
}

/// What a refused value becomes: a CSS value outside the safe grammar (see [`css`]), or an
/// empty unquoted attribute value (see [`attr_unquoted`]). It means nothing to HTML or CSS,
/// and it is easy to search for.
pub const REFUSED: &str = "ZrspZ";

/// What a URL with an unsafe scheme becomes (see [`url`]): a URL that browsers neither load
/// nor navigate to, which says why it is there.
pub const UNSAFE_URL: &str = "about:invalid#rsp-unsafe-url";

/// Escapes text for HTML text and quoted attribute values: `& < > " '` become entities.
///
/// ```
/// let mut out = String::new();
/// rsp::escape::html(r#"<a href="x">&'"#, &mut out);
/// assert_eq!(out, "&lt;a href=&#34;x&#34;&gt;&amp;&#39;");
/// ```
#[inline]
pub fn html(input: &str, out: &mut String) {
    // Most text has nothing to escape: find that out with one table lookup per byte.
    match input.bytes().position(|b| HTML_SPECIAL[usize::from(b)]) {
        None => out.push_str(input),
        Some(first) => html_from(input, first, out),
    }
}

/// The rest of [`html`], for text that does need escaping: kept out of line so the common
/// case stays small where it is inlined.
#[cold]
#[inline(never)]
fn html_from(input: &str, first: usize, out: &mut String) {
    out.push_str(&input[..first]);
    escape_runs(&input[first..], |run| out.push_str(run), false, html_entity);
}

/// `00` to `99`, for writing small numbers without formatting them.
const TWO_DIGITS: &str = "0001020304050607080910111213141516171819\
                          2021222324252627282930313233343536373839\
                          4041424344454647484950515253545556575859\
                          6061626364656667686970717273747576777879\
                          8081828384858687888990919293949596979899";

/// The bytes [`html`] replaces.
const HTML_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'&' as usize] = true;
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[b'"' as usize] = true;
    table[b'\'' as usize] = true;
    table
};

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
    escape_whole::<UrlPartWriter<'_>>(input, out);
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
    escape_whole::<JsWriter<'_, Direct, true, false>>(input, out);
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
    escape_whole::<JsWriter<'_, Direct, false, false>>(input, out);
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
    escape_whole::<JsWriter<'_, Direct, false, true>>(input, out);
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
    escape_whole::<JsRegexWriter<'_, Direct>>(input, out);
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
    escape_whole::<CssStringWriter<'_, Direct>>(input, out);
}

/// A set of attributes for a tag's attribute list, `<input <%= attrs %>>`: the only kind of
/// value (besides [`raw`]) that can stand there. See [`Attrs`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be written in a tag's attribute list",
    label = "not an attribute set",
    note = "build the attributes with `rsp::escape::Attrs::new().set(\"name\", value)`"
)]
pub trait AttrSet: __dispatch::WriteAttrs {}

/// Attributes built at run time, each value escaped for its attribute, for a tag's
/// attribute list: `<input <%= attrs %>>`.
///
/// Names may use only ASCII letters, digits, `-`, `_` and `:`. Values are escaped for a
/// `"…"` value; the values of URL attributes (`href`, `src`, `action`, `formaction`,
/// `poster`, `xlink:href`, any name containing `src`, `href`, `url` or `uri`, …) go through
/// [`url`] first. Attributes whose value would be code or markup — event handlers (`on…`),
/// `style`, `srcdoc`, `srcset`, `imagesrcset`, `http-equiv`, `attributename` — are refused,
/// and so are invalid names: a refused attribute is written as
/// `data-rsp-refused="its name"`, so that it shows in the page instead of vanishing.
///
/// ```
/// use rsp::escape::Attrs;
///
/// let attrs = Attrs::new()
///     .set("class", "big\" onclick=\"alert(1)")
///     .set("href", "javascript:alert(1)")
///     .set("onclick", "alert(1)")
///     .flag("disabled");
/// assert_eq!(
///     attrs.as_str(),
///     " class=\"big&#34; onclick=&#34;alert(1)\" href=\"about:invalid#rsp-unsafe-url\" \
///      data-rsp-refused=\"onclick\" disabled"
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attrs {
    /// The attributes as written: each with a space before it, values double-quoted.
    html: String,
}

impl Attrs {
    /// No attributes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `name="value"`, the value escaped for the attribute (see [`Attrs`]).
    pub fn set(mut self, name: &str, value: impl Display) -> Self {
        match attr_kind(name) {
            AttrKind::Refused => self.refuse(name),
            kind => {
                self.html.push(' ');
                self.html.push_str(name);
                self.html.push_str("=\"");
                if kind == AttrKind::Url {
                    escape_display::<UrlWriter<'_, Quoted>, _>(&value, &mut self.html);
                } else {
                    escape_display::<Plain<'_, Quoted>, _>(&value, &mut self.html);
                }
                self.html.push('"');
            }
        }
        self
    }

    /// Adds a boolean attribute, with no value: `disabled`, `checked`, `required`…
    pub fn flag(mut self, name: &str) -> Self {
        if attr_kind(name) == AttrKind::Refused {
            self.refuse(name);
        } else {
            self.html.push(' ');
            self.html.push_str(name);
        }
        self
    }

    /// The attributes as they are written into the page: each with a space before it.
    pub fn as_str(&self) -> &str {
        &self.html
    }

    fn refuse(&mut self, name: &str) {
        self.html.push_str(" data-rsp-refused=\"");
        html(name, &mut self.html);
        self.html.push('"');
    }
}

/// How [`Attrs`] treats an attribute, by its name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AttrKind {
    Plain,
    Url,
    Refused,
}

fn attr_kind(name: &str) -> AttrKind {
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':'));
    let is = |other: &str| name.eq_ignore_ascii_case(other);
    let contains = |part: &str| {
        name.as_bytes()
            .windows(part.len())
            .any(|w| w.eq_ignore_ascii_case(part.as_bytes()))
    };
    let code_or_markup = ["style", "srcdoc", "srcset", "imagesrcset", "http-equiv"];
    // Checked first: `srcset` and `srcdoc` also contain `src`. `attributename` lets SVG
    // animation set `href` to anything.
    if !valid
        || name.len() >= 2 && name[..2].eq_ignore_ascii_case("on")
        || code_or_markup.into_iter().any(is)
        || is("attributename")
    {
        return AttrKind::Refused;
    }
    let urls = [
        "action",
        "archive",
        "background",
        "cite",
        "classid",
        "codebase",
        "data",
        "formaction",
        "icon",
        "longdesc",
        "manifest",
        "ping",
        "poster",
        "profile",
        "usemap",
        "xmlns",
        "xml:base",
    ];
    if urls.into_iter().any(is)
        || name.len() > 6 && name[..6].eq_ignore_ascii_case("xmlns:")
        || ["src", "href", "url", "uri"].into_iter().any(contains)
    {
        AttrKind::Url
    } else {
        AttrKind::Plain
    }
}

impl AttrSet for Attrs {}
impl<T: AttrSet + ?Sized> AttrSet for &T {}
impl<T: AttrSet> AttrSet for Option<T> {}
impl<T: Display> AttrSet for Raw<T> {}

impl __dispatch::WriteAttrs for Attrs {
    fn write_attrs(&self, out: &mut String) {
        out.push_str(&self.html);
    }
}

impl<T: AttrSet + ?Sized> __dispatch::WriteAttrs for &T {
    fn write_attrs(&self, out: &mut String) {
        (**self).write_attrs(out);
    }
}

impl<T: AttrSet> __dispatch::WriteAttrs for Option<T> {
    fn write_attrs(&self, out: &mut String) {
        if let Some(attrs) = self {
            attrs.write_attrs(out);
        }
    }
}

impl<T: Display> __dispatch::WriteAttrs for Raw<T> {
    fn write_attrs(&self, out: &mut String) {
        self.render(out);
    }
}

/// Picks, at compile time, how generated code writes a value in its context (autoref
/// specialisation): [`raw`](crate::escape::raw) text first, then markup (written in HTML text,
/// refused elsewhere), the fast paths of
/// [`Escape`](crate::escape::__dispatch::Escape), `serde::Serialize` (JavaScript values
/// only), and last any `Display`.
#[doc(hidden)]
pub mod __dispatch {
    use super::writers::{
        escape_display, escape_runs, escape_whole, unquoted_entity, write_json, CssStringWriter,
        CssWriter, JsRegexWriter, JsWriter, Plain, UrlPartWriter, UrlWriter,
    };
    use super::{html, AttrSet, Raw, Render, REFUSED};
    use std::borrow::Cow;
    use std::fmt::{Display, Write as _};
    use std::marker::PhantomData;

    /// An OUTER context: how an escaper's output is written into the page.
    pub trait Outer {
        /// Appends `text`, in the INNER language, encoded for this place.
        fn push(text: &str, out: &mut String);
        /// Completes a value that began at `start` in `out`.
        fn finish(_start: usize, _out: &mut String) {}
    }

    /// As it is: element content, or attribute values the escaper already made safe.
    pub struct Direct;
    /// Inside a `"…"` or `'…'` attribute value.
    pub struct Quoted;
    /// An unquoted attribute value, of which this value may be the start.
    pub struct Unquoted;
    /// Inside a string or literal of an unquoted attribute value, which the page began.
    pub struct UnquotedPart;

    impl Outer for Direct {
        #[inline]
        fn push(text: &str, out: &mut String) {
            out.push_str(text);
        }
    }

    impl Outer for Quoted {
        #[inline]
        fn push(text: &str, out: &mut String) {
            html(text, out);
        }
    }

    impl Outer for Unquoted {
        fn push(text: &str, out: &mut String) {
            UnquotedPart::push(text, out);
        }

        fn finish(start: usize, out: &mut String) {
            // `<a title= class=x>` would make `class=x` the title.
            if out.len() == start {
                out.push_str(REFUSED);
            }
        }
    }

    impl Outer for UnquotedPart {
        fn push(text: &str, out: &mut String) {
            escape_runs(text, |run| out.push_str(run), false, unquoted_entity);
        }
    }

    /// A context (INNER × OUTER): how each kind of value is written there.
    pub trait Context {
        /// Writes a string.
        fn write_str(text: &str, out: &mut String);
        /// Writes a `Display` value, escaped as it is formatted.
        fn write_display<T: Display + ?Sized>(value: &T, out: &mut String);
        /// Writes the text of an integer or a boolean: digits and `-`, `true`, `false`.
        /// It needs no escaping but in JavaScript.
        #[inline]
        fn write_literal(text: &str, out: &mut String) {
            out.push_str(text);
        }
        /// Writes an integer below 100: one or two digits, never escaped anywhere.
        #[inline]
        fn write_small(n: u8, out: &mut String) {
            let at = usize::from(n) * 2;
            if n < 10 {
                out.push_str(&super::TWO_DIGITS[at + 1..at + 2]);
            } else {
                out.push_str(&super::TWO_DIGITS[at..at + 2]);
            }
        }
        /// Writes a float; its text (digits, `-`, `.`, `inf`, `NaN`) needs no escaping but
        /// in JavaScript.
        fn write_float<F: Display>(value: F, _finite: bool, _negative: bool, out: &mut String) {
            let _ = write!(out, "{value}");
        }
    }

    /// HTML text, where markup is trusted.
    pub struct Text;
    /// An attribute value; with [`Quoted`], also RCDATA (`<title>`, `<textarea>`).
    pub struct Attr<O>(PhantomData<O>);
    /// The start of a URL attribute value.
    pub struct Url<O>(PhantomData<O>);
    /// A later part of a URL: the same in any attribute.
    pub struct UrlPart;
    /// A JavaScript expression.
    pub struct Js<O>(PhantomData<O>);
    /// Inside a JavaScript `"…"` or `'…'` string.
    pub struct JsString<O>(PhantomData<O>);
    /// Inside a JavaScript template literal.
    pub struct JsTemplate<O>(PhantomData<O>);
    /// Inside a JavaScript regular expression literal.
    pub struct JsRegex<O>(PhantomData<O>);
    /// A CSS value.
    pub struct Css<O>(PhantomData<O>);
    /// Inside a CSS string.
    pub struct CssString<O>(PhantomData<O>);

    /// `write_str` and `write_display` through one streaming escaper.
    macro_rules! through {
        ($escaper:ty) => {
            fn write_str(text: &str, out: &mut String) {
                escape_whole::<$escaper>(text, out);
            }

            fn write_display<T: Display + ?Sized>(value: &T, out: &mut String) {
                escape_display::<$escaper, T>(value, out);
            }
        };
    }

    impl Context for Text {
        #[inline]
        fn write_str(text: &str, out: &mut String) {
            html(text, out);
        }

        fn write_display<T: Display + ?Sized>(value: &T, out: &mut String) {
            escape_display::<Plain<'_, Quoted>, T>(value, out);
        }
    }

    impl<O: Outer> Context for Attr<O> {
        through!(Plain<'_, O>);
    }

    impl<O: Outer> Context for Url<O> {
        through!(UrlWriter<'_, O>);
    }

    impl Context for UrlPart {
        through!(UrlPartWriter<'_>);
    }

    impl<O: Outer> Context for Js<O> {
        through!(JsWriter<'_, O, true, false>);

        fn write_literal(text: &str, out: &mut String) {
            // ` -5`: `x-<%= n %>` must not become `x--5`.
            if text.starts_with('-') {
                O::push(" ", out);
            }
            out.push_str(text);
        }

        fn write_float<F: Display>(value: F, finite: bool, negative: bool, out: &mut String) {
            if !finite {
                out.push_str("null");
                return;
            }
            if negative {
                O::push(" ", out);
            }
            let _ = write!(out, "{value}");
        }
    }

    impl<O: Outer> Context for JsString<O> {
        through!(JsWriter<'_, O, false, false>);
    }

    impl<O: Outer> Context for JsTemplate<O> {
        through!(JsWriter<'_, O, false, true>);
    }

    impl<O: Outer> Context for JsRegex<O> {
        through!(JsRegexWriter<'_, O>);

        // `-` and `.` mean something in a regular expression.
        fn write_literal(text: &str, out: &mut String) {
            Self::write_str(text, out);
        }

        fn write_float<F: Display>(value: F, _finite: bool, _negative: bool, out: &mut String) {
            Self::write_display(&value, out);
        }
    }

    impl<O: Outer> Context for Css<O> {
        through!(CssWriter<'_, O>);
    }

    impl<O: Outer> Context for CssString<O> {
        through!(CssStringWriter<'_, O>);
    }

    /// Values with a fast, allocation-free way to be written.
    pub trait Escape {
        /// Writes this value in context `C`.
        fn escape<C: Context>(&self, out: &mut String);
    }

    impl<T: Escape + ?Sized> Escape for &T {
        #[inline]
        fn escape<C: Context>(&self, out: &mut String) {
            (**self).escape::<C>(out);
        }
    }

    impl Escape for str {
        #[inline]
        fn escape<C: Context>(&self, out: &mut String) {
            C::write_str(self, out);
        }
    }

    impl Escape for String {
        #[inline]
        fn escape<C: Context>(&self, out: &mut String) {
            C::write_str(self, out);
        }
    }

    impl Escape for Cow<'_, str> {
        #[inline]
        fn escape<C: Context>(&self, out: &mut String) {
            C::write_str(self, out);
        }
    }

    impl Escape for char {
        #[inline]
        fn escape<C: Context>(&self, out: &mut String) {
            C::write_str(self.encode_utf8(&mut [0; 4]), out);
        }
    }

    impl Escape for bool {
        #[inline]
        fn escape<C: Context>(&self, out: &mut String) {
            C::write_literal(if *self { "true" } else { "false" }, out);
        }
    }

    macro_rules! escape_integers {
        ($($ty:ty)*) => {$(
            impl Escape for $ty {
                #[inline]
                fn escape<C: Context>(&self, out: &mut String) {
                    // Small numbers (table cells, counts) skip the formatter and the copy.
                    match u8::try_from(*self) {
                        Ok(small) if small < 100 => C::write_small(small, out),
                        _ => C::write_literal(itoa::Buffer::new().format(*self), out),
                    }
                }
            }
        )*};
    }

    escape_integers!(u8 u16 u32 u64 u128 usize i8 i16 i32 i64 i128 isize);

    macro_rules! escape_floats {
        ($($ty:ty)*) => {$(
            impl Escape for $ty {
                #[inline]
                fn escape<C: Context>(&self, out: &mut String) {
                    C::write_float(*self, self.is_finite(), self.is_sign_negative(), out);
                }
            }
        )*};
    }

    escape_floats!(f32 f64);

    /// A value to write, and the context it is written in.
    pub struct Value<'a, T: ?Sized, C>(&'a T, PhantomData<C>);

    impl<'a, T: ?Sized, C> Value<'a, T, C> {
        #[inline]
        pub fn new(value: &'a T) -> Self {
            Self(value, PhantomData)
        }
    }

    /// [`raw`](super::raw) text, through references.
    pub trait RawText {
        fn write_raw(&self, out: &mut String);
    }

    impl<T: Display> RawText for Raw<T> {
        fn write_raw(&self, out: &mut String) {
            self.render(out);
        }
    }

    impl<T: RawText + ?Sized> RawText for &T {
        fn write_raw(&self, out: &mut String) {
            (**self).write_raw(out);
        }
    }

    // The levels, most specific first: the macro calls `write_in` on `&&&&&&Value`, and
    // method resolution takes the first impl whose bounds hold, peeling one `&` per level.

    pub trait ViaRaw {
        fn write_in(&self, out: &mut String);
    }

    impl<T: RawText + ?Sized, C> ViaRaw for &&&&&Value<'_, T, C> {
        #[inline]
        fn write_in(&self, out: &mut String) {
            self.0.write_raw(out);
        }
    }

    pub trait ViaMarkup {
        fn write_in(&self, out: &mut String);
    }

    impl<T: Render + ?Sized> ViaMarkup for &&&&Value<'_, T, Text> {
        #[inline]
        fn write_in(&self, out: &mut String) {
            self.0.render(out);
        }
    }

    /// Has no implementations: markup outside HTML text is a compile error, with this
    /// message, rather than text escaped from the markup's `Display`.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` is markup: it can be written only in HTML text",
        label = "markup outside HTML text",
        note = "write a string here (it is escaped), or `raw(…)` to insert trusted text as it is"
    )]
    pub trait MarkupOutsideText {}

    pub trait ViaMarkupRefused<T: ?Sized> {
        fn write_in(&self, out: &mut String)
        where
            T: MarkupOutsideText;
    }

    impl<T: Render + ?Sized, C> ViaMarkupRefused<T> for &&&Value<'_, T, C> {
        fn write_in(&self, _: &mut String)
        where
            T: MarkupOutsideText,
        {
        }
    }

    pub trait ViaEscape {
        fn write_in(&self, out: &mut String);
    }

    impl<T: Escape + ?Sized, C: Context> ViaEscape for &&Value<'_, T, C> {
        #[inline]
        fn write_in(&self, out: &mut String) {
            self.0.escape::<C>(out);
        }
    }

    pub trait ViaSerialize {
        fn write_in(&self, out: &mut String);
    }

    impl<T: serde::Serialize + ?Sized, O: Outer> ViaSerialize for &Value<'_, T, Js<O>> {
        fn write_in(&self, out: &mut String) {
            write_json::<O, T>(self.0, out);
        }
    }

    /// A `Display` value written in context `C`; the last level, whose bound gives the
    /// error for a value that cannot be written at all.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` cannot be written into a page",
        label = "not a string, number, markup or `Display` value",
        note = "`<%= %>` writes strings, numbers, booleans, markup and `Display` values, \
                and in JavaScript also `serde::Serialize` values"
    )]
    pub trait Writable<C> {
        fn write_value(&self, out: &mut String);
    }

    impl<T: Display + ?Sized, C: Context> Writable<C> for T {
        fn write_value(&self, out: &mut String) {
            C::write_display(self, out);
        }
    }

    pub trait ViaDisplay<T: ?Sized, C> {
        fn write_in(&self, out: &mut String)
        where
            T: Writable<C>;
    }

    impl<T: ?Sized, C> ViaDisplay<T, C> for Value<'_, T, C> {
        fn write_in(&self, out: &mut String)
        where
            T: Writable<C>,
        {
            self.0.write_value(out);
        }
    }

    /// How an [`AttrSet`] writes itself; not public API, so that only rsp's own attribute
    /// sets can stand in a tag.
    pub trait WriteAttrs {
        fn write_attrs(&self, out: &mut String);
    }

    #[inline]
    pub fn write_attrs<T: AttrSet + ?Sized>(value: &T, out: &mut String) {
        value.write_attrs(out);
    }
}

/// Writes a value into a page buffer, escaped for its context. Generated code calls it with
/// the context the page compiler found around the value: `(INNER, OUTER, buf, value)`, with
/// the names in the table of the [`escape`](crate::escape) module docs.
#[doc(hidden)]
#[macro_export]
macro_rules! __rsp_write {
    (text, element, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in Text, $buf, $value)
    };
    // Escaped as attribute values are: RCDATA decodes entities, and markup has no place
    // there (a fragment's `</title>` would end it).
    (rcdata, element, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in Attr<Quoted>, $buf, $value)
    };
    (attr, dq, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in Attr<Quoted>, $buf, $value)
    };
    (attr, sq, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in Attr<Quoted>, $buf, $value)
    };
    (attr, unquoted, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in Attr<Unquoted>, $buf, $value)
    };
    (url, dq, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in Url<Quoted>, $buf, $value)
    };
    (url, sq, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in Url<Quoted>, $buf, $value)
    };
    (url, unquoted, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in Url<Unquoted>, $buf, $value)
    };
    (url_part, dq, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in UrlPart, $buf, $value)
    };
    (url_part, sq, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in UrlPart, $buf, $value)
    };
    (url_part, unquoted, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in UrlPart, $buf, $value)
    };
    (js, element, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in Js<Direct>, $buf, $value)
    };
    (js, dq, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in Js<Quoted>, $buf, $value)
    };
    (js, sq, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in Js<Quoted>, $buf, $value)
    };
    (js, unquoted, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in Js<Unquoted>, $buf, $value)
    };
    (js_dq, $outer:ident, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@string JsString, $outer, $buf, $value)
    };
    (js_sq, $outer:ident, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@string JsString, $outer, $buf, $value)
    };
    (js_template, $outer:ident, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@string JsTemplate, $outer, $buf, $value)
    };
    (js_regex, $outer:ident, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@string JsRegex, $outer, $buf, $value)
    };
    (css, element, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in Css<Direct>, $buf, $value)
    };
    (css, dq, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in Css<Direct>, $buf, $value)
    };
    (css, sq, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in Css<Direct>, $buf, $value)
    };
    (css, unquoted, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in Css<Unquoted>, $buf, $value)
    };
    (css_dq, $outer:ident, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@string CssString, $outer, $buf, $value)
    };
    (css_sq, $outer:ident, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@string CssString, $outer, $buf, $value)
    };
    (attrs, element, $buf:ident, $value:expr) => {
        $crate::escape::__dispatch::write_attrs(&($value), &mut $buf)
    };
    // Inside a string or literal the escaper already escapes every HTML special character;
    // only an unquoted attribute needs more (its whitespace).
    (@string $context:ident, element, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in $context<Direct>, $buf, $value)
    };
    (@string $context:ident, dq, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in $context<Direct>, $buf, $value)
    };
    (@string $context:ident, sq, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in $context<Direct>, $buf, $value)
    };
    (@string $context:ident, unquoted, $buf:ident, $value:expr) => {
        $crate::__rsp_write!(@in $context<UnquotedPart>, $buf, $value)
    };
    (@in $context:ident $(<$outer:ident>)?, $buf:ident, $value:expr) => {{
        #[allow(unused_imports)]
        use $crate::escape::__dispatch::{
            ViaDisplay as _, ViaEscape as _, ViaMarkup as _, ViaMarkupRefused as _, ViaRaw as _,
            ViaSerialize as _,
        };
        (&&&&&&$crate::escape::__dispatch::Value::<
            _,
            $crate::escape::__dispatch::$context$(<$crate::escape::__dispatch::$outer>)?,
        >::new(&($value)))
            .write_in(&mut $buf);
    }};
}

#[cfg(test)]
mod tests;
