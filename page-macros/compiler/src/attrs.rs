//! What an attribute's value holds, by the attribute's name: the one table that the page
//! compiler (values written in a page's attributes) and the runtime's `Attrs` (attributes
//! built at run time) both follow, so the two can never disagree.
//!
//! The rules, on the name in ASCII lower case:
//!
//! 1. `data-NAME`: the browser never reads a data attribute, but scripts often copy one
//!    into a real attribute (`data-src` into `src` for lazy loading). So a data attribute
//!    holds a URL or image candidates when NAME would (rules 3 and 4: `data-src`,
//!    `data-action`, `data-srcset`), and plain text otherwise: never script or style,
//!    which the browser would not run there (`data-onclick` is text).
//! 2. `PREFIX:NAME`: `xmlns:…` and `xml:base` hold URLs; any other namespace (`xlink:href`,
//!    `svg:onload`) is read by NAME alone.
//! 3. The table: `style` is CSS; `on…` are event handlers (JavaScript); `srcset` and
//!    `imagesrcset` are lists of image candidates; `srcdoc` is a whole HTML document;
//!    `http-equiv` (a `refresh` to any URL) and `attributename` (lets SVG animation set
//!    `href`) are unsafe for any value; and the URL attributes of HTML, SVG and MathML
//!    (`href`, `src`, `action`, `formaction`, `poster`, …) hold URLs.
//! 4. Otherwise, as Go's html/template does, a name containing `src`, `href`, `uri` or
//!    `url` holds a URL (`lowsrc`, `dynsrc`, `g:tweetUrl`); anything else is plain text.
//!
//! ```
//! use rsp_compiler::attrs::{kind, AttrKind};
//!
//! assert_eq!(kind("href"), AttrKind::Url);
//! assert_eq!(kind("data-src"), AttrKind::Url);
//! assert_eq!(kind("xlink:href"), AttrKind::Url);
//! assert_eq!(kind("onclick"), AttrKind::Script);
//! assert_eq!(kind("data-onclick"), AttrKind::Plain);
//! assert_eq!(kind("title"), AttrKind::Plain);
//! ```

/// What an attribute's value holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrKind {
    /// Text.
    Plain,
    /// A URL: its scheme decides whether it can run a script.
    Url,
    /// Image candidates, `url 2x, url 640w`: URLs that are never run.
    Srcset,
    /// JavaScript: an event handler.
    Script,
    /// CSS declarations.
    Style,
    /// A whole HTML document, parsed again by the browser (`srcdoc`).
    Document,
    /// An attribute no value is safe in (`http-equiv`, `attributename`).
    Unsafe,
}

/// The URL attributes of HTML, SVG and MathML, beyond those rule 4 finds by their name.
const URL_ATTRS: &[&str] = &[
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
];

/// What the value of the attribute `name` holds (any case). See the [module](self) docs.
pub fn kind(name: &str) -> AttrKind {
    let name = name.to_ascii_lowercase();
    if let Some(data) = name.strip_prefix("data-") {
        return match by_name(data) {
            kind @ (AttrKind::Url | AttrKind::Srcset) => kind,
            _ => AttrKind::Plain,
        };
    }
    match name.split_once(':') {
        Some(("xmlns", _) | ("xml", "base")) => AttrKind::Url,
        Some((_, local)) => by_name(local),
        None => by_name(&name),
    }
}

/// Rules 3 and 4, on a name without prefix.
fn by_name(local: &str) -> AttrKind {
    match local {
        "style" => AttrKind::Style,
        "srcdoc" => AttrKind::Document,
        "srcset" | "imagesrcset" => AttrKind::Srcset,
        "http-equiv" | "attributename" => AttrKind::Unsafe,
        _ if local.starts_with("on") => AttrKind::Script,
        _ if URL_ATTRS.contains(&local) || looks_like_url(local) => AttrKind::Url,
        _ => AttrKind::Plain,
    }
}

fn looks_like_url(name: &str) -> bool {
    ["src", "href", "uri", "url"]
        .iter()
        .any(|part| name.contains(part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        for (name, expected) in [
            ("href", AttrKind::Url),
            ("HREF", AttrKind::Url),
            ("src", AttrKind::Url),
            ("lowsrc", AttrKind::Url),
            ("action", AttrKind::Url),
            ("xlink:href", AttrKind::Url),
            ("xmlns", AttrKind::Url),
            ("xmlns:svg", AttrKind::Url),
            ("xml:base", AttrKind::Url),
            ("xml:lang", AttrKind::Plain),
            ("data-src", AttrKind::Url),
            ("data-action", AttrKind::Url),
            ("data-href", AttrKind::Url),
            ("data-srcset", AttrKind::Srcset),
            ("data-onclick", AttrKind::Plain),
            ("data-style", AttrKind::Plain),
            ("data-user", AttrKind::Plain),
            ("srcset", AttrKind::Srcset),
            ("imagesrcset", AttrKind::Srcset),
            ("srcdoc", AttrKind::Document),
            ("style", AttrKind::Style),
            ("onclick", AttrKind::Script),
            ("svg:onload", AttrKind::Script),
            ("http-equiv", AttrKind::Unsafe),
            ("attributeName", AttrKind::Unsafe),
            ("title", AttrKind::Plain),
            ("value", AttrKind::Plain),
        ] {
            assert_eq!(kind(name), expected, "{name}");
        }
    }
}
