//! How `<%= value %>` writes a value: escaped for the place where it stands.
//!
//! Three kinds of value can be written:
//!
//! - markup that writes itself ([`Render`]): `html!` fragments, [`raw`] text and your own
//!   components. It is inserted as is — in HTML text only.
//! - strings, characters, numbers and booleans: written on fast paths, escaped.
//! - anything else that implements [`Display`](std::fmt::Display): formatted straight into
//!   the page through an escaping writer, with no temporary `String`.
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

use std::fmt::{self, Display, Write as _};

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

/// Escapes text for HTML text and quoted attribute values: `& < > " '` become entities.
///
/// ```
/// let mut out = String::new();
/// rsp::escape::html(r#"<a href="x">&'"#, &mut out);
/// assert_eq!(out, "&lt;a href=&#34;x&#34;&gt;&amp;&#39;");
/// ```
pub fn html(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let mut done = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&#34;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[done..i]);
        out.push_str(entity);
        done = i + 1;
    }
    out.push_str(&text[done..]);
}

/// A `fmt::Write` that HTML-escapes everything written through it.
struct HtmlWriter<'a>(&'a mut String);

impl fmt::Write for HtmlWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        html(s, self.0);
        Ok(())
    }
}

/// Values with a fast, allocation-free way to be written as HTML text.
#[doc(hidden)]
pub trait Escape {
    fn escape_html(&self, out: &mut String);
}

impl<T: Escape + ?Sized> Escape for &T {
    fn escape_html(&self, out: &mut String) {
        (**self).escape_html(out);
    }
}

impl Escape for str {
    fn escape_html(&self, out: &mut String) {
        html(self, out);
    }
}

impl Escape for String {
    fn escape_html(&self, out: &mut String) {
        html(self, out);
    }
}

impl Escape for std::borrow::Cow<'_, str> {
    fn escape_html(&self, out: &mut String) {
        html(self, out);
    }
}

impl Escape for char {
    fn escape_html(&self, out: &mut String) {
        html(self.encode_utf8(&mut [0; 4]), out);
    }
}

impl Escape for bool {
    fn escape_html(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

macro_rules! escape_integers {
    ($($ty:ty)*) => {$(
        impl Escape for $ty {
            #[inline]
            fn escape_html(&self, out: &mut String) {
                // Digits and a sign never need escaping.
                out.push_str(itoa::Buffer::new().format(*self));
            }
        }
    )*};
}

escape_integers!(u8 u16 u32 u64 u128 usize i8 i16 i32 i64 i128 isize);

macro_rules! escape_floats {
    ($($ty:ty)*) => {$(
        impl Escape for $ty {
            fn escape_html(&self, out: &mut String) {
                // Digits, sign, point, `inf` and `NaN` never need escaping.
                let _ = write!(out, "{self}");
            }
        }
    )*};
}

escape_floats!(f32 f64);

/// Picks, at compile time, how generated code writes a value (autoref specialisation):
/// trusted markup first, then the fast paths of [`Escape`], then any `Display`.
#[doc(hidden)]
pub mod __dispatch {
    use super::{Escape, HtmlWriter, Render};
    use std::fmt::{Display, Write as _};

    pub struct Value<'a, T: ?Sized>(pub &'a T);

    pub trait ViaRender {
        fn write_text(&self, out: &mut String);
    }
    impl<T: Render + ?Sized> ViaRender for &&Value<'_, T> {
        #[inline]
        fn write_text(&self, out: &mut String) {
            self.0.render(out);
        }
    }

    pub trait ViaEscape {
        fn write_text(&self, out: &mut String);
    }
    impl<T: Escape + ?Sized> ViaEscape for &Value<'_, T> {
        #[inline]
        fn write_text(&self, out: &mut String) {
            self.0.escape_html(out);
        }
    }

    pub trait ViaDisplay {
        fn write_text(&self, out: &mut String);
    }
    impl<T: Display + ?Sized> ViaDisplay for Value<'_, T> {
        fn write_text(&self, out: &mut String) {
            let _ = write!(HtmlWriter(out), "{}", self.0);
        }
    }
}

/// Writes a value into a page buffer, escaped for its context. Generated code calls it with
/// the context the page compiler found around the value.
#[doc(hidden)]
#[macro_export]
macro_rules! __rsp_write {
    (text, element, $buf:ident, $value:expr) => {{
        #[allow(unused_imports)]
        use $crate::escape::__dispatch::{ViaDisplay as _, ViaEscape as _, ViaRender as _};
        (&&&$crate::escape::__dispatch::Value(&($value))).write_text(&mut $buf);
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(s: &str) -> String {
        let mut out = String::new();
        html(s, &mut out);
        out
    }

    #[test]
    fn html_escapes_the_five_specials() {
        assert_eq!(escaped("plain"), "plain");
        assert_eq!(escaped("<>&\"'"), "&lt;&gt;&amp;&#34;&#39;");
        assert_eq!(escaped("é<é"), "é&lt;é");
    }

    #[test]
    fn dispatch_prefers_markup_then_fast_paths_then_display() {
        struct Shout;
        impl Display for Shout {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("<HI>")
            }
        }
        let mut buf = String::new();
        crate::__rsp_write!(text, element, buf, raw("<b>"));
        crate::__rsp_write!(text, element, buf, "<b>");
        crate::__rsp_write!(text, element, buf, -12i64);
        crate::__rsp_write!(text, element, buf, Shout);
        crate::__rsp_write!(text, element, buf, &&String::from("&"));
        assert_eq!(buf, "<b>&lt;b&gt;-12&lt;HI&gt;&amp;");
    }
}
