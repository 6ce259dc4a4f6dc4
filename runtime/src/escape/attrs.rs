//! Attribute sets: the only values, besides `raw`, that can stand in a tag's attribute
//! list.

use std::fmt::Display;

use super::encode::Quoted;
use super::html_text::html;
use super::markup::{Raw, Render};
use super::writers::{escape_display, Plain, UrlWriter};
use rsp_compiler::attrs::AttrKind as Rule;

/// A set of attributes for a tag's attribute list, `<input <%= attrs %>>`: the only kind of
/// value (besides [`raw`](super::raw)) that can stand there. See [`Attrs`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be written in a tag's attribute list",
    label = "not an attribute set",
    note = "build the attributes with `rsp::escape::Attrs::new().set(\"name\", value)`"
)]
pub trait AttrSet: WriteAttrs {}

/// Attributes built at run time, each value escaped for its attribute, for a tag's
/// attribute list: `<input <%= attrs %>>`.
///
/// Names may use only ASCII letters, digits, `-`, `_` and `:`. Each name is classified by
/// the same table as attributes written in a page (`rsp_compiler::attrs`), so a value gets
/// the same treatment here as in `<a NAME="<%= value %>">`. Values are escaped for a `"…"`
/// value; the values of URL attributes (`href`, `src`, `action`, `formaction`, `poster`,
/// `xlink:href`, `data-src`, any name containing `src`, `href`, `url` or `uri`, …) go
/// through [`url`](super::url) first. Attributes whose value would be code or markup —
/// event handlers (`on…`), `style`, `srcdoc`, `srcset`, `imagesrcset`, `http-equiv`,
/// `attributename` — are refused, and so are invalid names: a refused attribute is written as
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
    if !valid {
        return AttrKind::Refused;
    }
    // The page compiler's own rules, so the two cannot disagree.
    match rsp_compiler::attrs::kind(name) {
        Rule::Plain => AttrKind::Plain,
        Rule::Url => AttrKind::Url,
        // Code, markup, image candidate lists and unsafe attributes have no escaping here.
        Rule::Script | Rule::Style | Rule::Srcset | Rule::Document | Rule::Unsafe => {
            AttrKind::Refused
        }
    }
}

impl AttrSet for Attrs {}
impl<T: AttrSet + ?Sized> AttrSet for &T {}
impl<T: AttrSet> AttrSet for Option<T> {}
impl<T: Display> AttrSet for Raw<T> {}

impl WriteAttrs for Attrs {
    fn write_attrs(&self, out: &mut String) {
        out.push_str(&self.html);
    }
}

impl<T: AttrSet + ?Sized> WriteAttrs for &T {
    fn write_attrs(&self, out: &mut String) {
        (**self).write_attrs(out);
    }
}

impl<T: AttrSet> WriteAttrs for Option<T> {
    fn write_attrs(&self, out: &mut String) {
        if let Some(attrs) = self {
            attrs.write_attrs(out);
        }
    }
}

impl<T: Display> WriteAttrs for Raw<T> {
    fn write_attrs(&self, out: &mut String) {
        self.render(out);
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
