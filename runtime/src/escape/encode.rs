//! Byte-level escaping: the replacement tables, the loop that applies them, and the OUTER
//! encodings of a value's output (as it is, or for a quoted or unquoted attribute). HTML
//! text itself, the escaping every page does most, has its own module:
//! [`html_text`](super::html_text).

use super::html_text::{html, push_text};

/// What a refused value becomes: a CSS value outside the safe grammar (see [`css`](super::css)), or an
/// empty unquoted attribute value (see [`attr_unquoted`](super::attr_unquoted)). It means nothing to HTML or CSS,
/// and it is easy to search for.
pub const REFUSED: &str = "ZrspZ";

/// What a URL with an unsafe scheme becomes (see [`url`](super::url)): a URL that browsers neither load
/// nor navigate to, which says why it is there.
pub const UNSAFE_URL: &str = "about:invalid#rsp-unsafe-url";

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
        push_text(text, out);
    }
}

impl Outer for Quoted {
    #[inline(always)]
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

/// Copies `text` through `emit`, replacing each byte that `escape` maps (and, if
/// `line_separators`, U+2028 and U+2029 by their JavaScript escapes). Unchanged runs are
/// emitted whole.
#[inline]
pub(crate) fn escape_runs(
    text: &str,
    mut emit: impl FnMut(&str),
    line_separators: bool,
    escape: impl Fn(u8) -> Option<&'static str>,
) {
    let bytes = text.as_bytes();
    let mut done = 0;
    let mut i = 0;
    while i < bytes.len() {
        let (replacement, len) = if let Some(replacement) = escape(bytes[i]) {
            (replacement, 1)
        } else if line_separators && bytes[i] == 0xE2 && bytes.get(i + 1) == Some(&0x80) {
            match bytes.get(i + 2) {
                Some(0xA8) => ("\\u2028", 3),
                Some(0xA9) => ("\\u2029", 3),
                _ => {
                    i += 1;
                    continue;
                }
            }
        } else {
            i += 1;
            continue;
        };
        // `escape` maps whole characters: ASCII bytes, or (url_part) every byte of a
        // non-ASCII one, whose continuation bytes then give empty runs. So a non-empty run
        // always lies between character boundaries.
        if done < i {
            emit(&text[done..i]);
        }
        emit(replacement);
        i += len;
        done = i;
    }
    if done < bytes.len() {
        emit(&text[done..]);
    }
}

/// The replacement of each byte [`html`] replaces.
pub(super) const fn html_entity(byte: u8) -> Option<&'static str> {
    Some(match byte {
        b'&' => "&amp;",
        b'<' => "&lt;",
        b'>' => "&gt;",
        b'"' => "&#34;",
        b'\'' => "&#39;",
        // The parser would make NUL this (or drop it); the page never holds a raw NUL.
        0 => "\u{FFFD}",
        _ => return None,
    })
}

/// Everything that ends or alters an unquoted attribute value: HTML whitespace,
/// `" ' = < > &` and backtick (old IE quoted with it); NUL becomes U+FFFD, as the parser
/// would make it.
pub(super) fn unquoted_entity(byte: u8) -> Option<&'static str> {
    // The HTML specials as in quoted values, then what only an unquoted value needs.
    html_entity(byte).or_else(|| unquoted_only(byte))
}

/// What only an unquoted value needs escaped.
fn unquoted_only(byte: u8) -> Option<&'static str> {
    Some(match byte {
        b'`' => "&#96;",
        b'=' => "&#61;",
        b' ' => "&#32;",
        b'\t' => "&#9;",
        b'\n' => "&#10;",
        0x0C => "&#12;",
        b'\r' => "&#13;",
        _ => return None,
    })
}

/// Everything but the unreserved characters of RFC 3986.
pub(super) fn url_part_escape(byte: u8) -> Option<&'static str> {
    let unreserved = byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~');
    (!unreserved).then(|| percent(byte))
}

/// Inside JavaScript strings and templates (`$` only in templates).
pub(super) fn js_escape<const TEMPLATE: bool>(byte: u8) -> Option<&'static str> {
    Some(match byte {
        b'\\' => "\\\\",
        b'\n' => "\\n",
        b'\r' => "\\r",
        // Quotes of every kind so the result fits any string and any attribute; `<` `>` so
        // no `</script`, `<!--` or `-->`; `&` for attributes.
        b'"' | b'\'' | b'`' | b'<' | b'>' | b'&' | 0..=0x1F | 0x7F => js_hex(byte),
        b'$' if TEMPLATE => js_hex(byte),
        _ => return None,
    })
}

/// Inside a JavaScript regular expression: `\xHH` is a literal character in every mode, so
/// every ASCII character that is not a letter, digit, `_` or space gets it.
pub(super) fn js_regex_escape(byte: u8) -> Option<&'static str> {
    match byte {
        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b' ' | 0x80.. => None,
        _ => Some(js_hex(byte)),
    }
}

/// Inside CSS strings.
pub(super) fn css_string_escape(byte: u8) -> Option<&'static str> {
    matches!(
        byte,
        b'"' | b'\'' | b'\\' | b'<' | b'>' | b'&' | 0..=0x1F | 0x7F
    )
    .then(|| css_hex(byte))
}

/// In JSON, where these can only stand inside strings.
pub(super) fn json_escape(byte: u8) -> Option<&'static str> {
    Some(match byte {
        b'<' => "\\u003c",
        b'>' => "\\u003e",
        b'&' => "\\u0026",
        _ => return None,
    })
}

/// Builds at compile time `prefix HH suffix` for every byte value from 0, as one ASCII
/// string, so that an escape is a slice of it rather than a formatting call.
const fn hex_escapes<const N: usize>(prefix: &[u8], suffix: &[u8], digits: &[u8; 16]) -> [u8; N] {
    let width = prefix.len() + 2 + suffix.len();
    let mut table = [0; N];
    let mut byte = 0;
    while byte * width < N {
        let mut at = byte * width;
        let mut i = 0;
        while i < prefix.len() {
            table[at] = prefix[i];
            at += 1;
            i += 1;
        }
        table[at] = digits[byte >> 4];
        table[at + 1] = digits[byte & 15];
        at += 2;
        i = 0;
        while i < suffix.len() {
            table[at] = suffix[i];
            at += 1;
            i += 1;
        }
        byte += 1;
    }
    table
}

const fn ascii(bytes: &'static [u8]) -> &'static str {
    match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(_) => panic!("escape tables are ASCII"),
    }
}

const UPPER: &[u8; 16] = b"0123456789ABCDEF";
const LOWER: &[u8; 16] = b"0123456789abcdef";
const PERCENT_TABLE: [u8; 256 * 3] = hex_escapes(b"%", b"", UPPER);
const JS_HEX_TABLE: [u8; 128 * 6] = hex_escapes(b"\\u00", b"", LOWER);
const CSS_HEX_TABLE: [u8; 128 * 4] = hex_escapes(b"\\", b" ", LOWER);
/// `%00%01…%FF`.
const PERCENT: &str = ascii(&PERCENT_TABLE);
/// `\u0000\u0001…\u007f`: JSON knows no `\x` escapes, and JSON scripts get these too.
const JS_HEX: &str = ascii(&JS_HEX_TABLE);
/// `\00 \01 …\7f ` (a CSS escape ends at the space).
const CSS_HEX: &str = ascii(&CSS_HEX_TABLE);

/// `%HH` for any byte.
pub(super) fn percent(byte: u8) -> &'static str {
    let at = usize::from(byte) * 3;
    &PERCENT[at..at + 3]
}

/// `\u00HH` for an ASCII byte.
pub(super) fn js_hex(byte: u8) -> &'static str {
    let at = usize::from(byte) * 6;
    &JS_HEX[at..at + 6]
}

/// `\HH ` for an ASCII byte.
pub(super) fn css_hex(byte: u8) -> &'static str {
    let at = usize::from(byte) * 4;
    &CSS_HEX[at..at + 4]
}
