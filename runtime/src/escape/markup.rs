//! Markup: values that write themselves into a page, trusted as they are.

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
