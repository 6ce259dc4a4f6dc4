//! The escapers, as streaming writers: a `Display` value is escaped as it is formatted,
//! with no temporary `String`, and a whole string is one chunk. Each writes its INNER
//! language through an OUTER encoding ([`Outer`]) into the page buffer.

use std::fmt::{self, Display};
use std::marker::PhantomData;

use super::__dispatch::{Direct, Outer};
use super::{REFUSED, UNSAFE_URL};

/// Copies `text` through `emit`, replacing each byte that `escape` maps (and, if
/// `line_separators`, U+2028 and U+2029 by their JavaScript escapes). Unchanged runs are
/// emitted whole.
#[inline]
pub(super) fn escape_runs(
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

pub(super) fn html_entity(byte: u8) -> Option<&'static str> {
    Some(match byte {
        b'&' => "&amp;",
        b'<' => "&lt;",
        b'>' => "&gt;",
        b'"' => "&#34;",
        b'\'' => "&#39;",
        _ => return None,
    })
}

/// Everything that ends or alters an unquoted attribute value: HTML whitespace,
/// `" ' = < > &` and backtick (old IE quoted with it); NUL becomes U+FFFD, as the parser
/// would make it.
pub(super) fn unquoted_entity(byte: u8) -> Option<&'static str> {
    Some(match byte {
        b'&' => "&amp;",
        b'<' => "&lt;",
        b'>' => "&gt;",
        b'"' => "&#34;",
        b'\'' => "&#39;",
        b'`' => "&#96;",
        b'=' => "&#61;",
        b' ' => "&#32;",
        b'\t' => "&#9;",
        b'\n' => "&#10;",
        0x0C => "&#12;",
        b'\r' => "&#13;",
        0 => "&#xfffd;",
        _ => return None,
    })
}

/// Everything but the unreserved characters of RFC 3986.
fn url_part_escape(byte: u8) -> Option<&'static str> {
    let unreserved = byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~');
    (!unreserved).then(|| percent(byte))
}

/// Inside JavaScript strings and templates (`$` only in templates).
fn js_escape<const TEMPLATE: bool>(byte: u8) -> Option<&'static str> {
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
fn js_regex_escape(byte: u8) -> Option<&'static str> {
    match byte {
        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b' ' | 0x80.. => None,
        _ => Some(js_hex(byte)),
    }
}

/// Inside CSS strings.
fn css_string_escape(byte: u8) -> Option<&'static str> {
    matches!(
        byte,
        b'"' | b'\'' | b'\\' | b'<' | b'>' | b'&' | 0..=0x1F | 0x7F
    )
    .then(|| css_hex(byte))
}

/// In JSON, where these can only stand inside strings.
fn json_escape(byte: u8) -> Option<&'static str> {
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
fn percent(byte: u8) -> &'static str {
    let at = usize::from(byte) * 3;
    &PERCENT[at..at + 3]
}

/// `\u00HH` for an ASCII byte.
fn js_hex(byte: u8) -> &'static str {
    let at = usize::from(byte) * 6;
    &JS_HEX[at..at + 6]
}

/// `\HH ` for an ASCII byte.
fn css_hex(byte: u8) -> &'static str {
    let at = usize::from(byte) * 4;
    &CSS_HEX[at..at + 4]
}

/// The end of an escaper's output: the page buffer, through the OUTER encoding `O`, and
/// where this value began in it (to refuse it whole, or see that it is empty).
struct Sink<'a, O> {
    out: &'a mut String,
    start: usize,
    outer: PhantomData<O>,
}

impl<'a, O: Outer> Sink<'a, O> {
    fn new(out: &'a mut String) -> Self {
        let start = out.len();
        Self {
            out,
            start,
            outer: PhantomData,
        }
    }

    #[inline]
    fn push(&mut self, text: &str) {
        O::push(text, self.out);
    }

    /// Replaces everything this value wrote with `placeholder`.
    fn replace_with(&mut self, placeholder: &str) {
        self.out.truncate(self.start);
        self.push(placeholder);
    }

    fn is_empty(&self) -> bool {
        self.out.len() == self.start
    }

    fn finish(self) {
        O::finish(self.start, self.out);
    }
}

/// A streaming escaper: text goes in through `fmt::Write`, `finish` completes the value.
pub(super) trait Escaper<'a>: fmt::Write + Sized {
    fn new(out: &'a mut String) -> Self;
    fn finish(self);
}

pub(super) fn escape_whole<'a, E: Escaper<'a>>(text: &str, out: &'a mut String) {
    let mut escaper = E::new(out);
    // Escapers never fail.
    let _ = escaper.write_str(text);
    escaper.finish();
}

pub(super) fn escape_display<'a, E: Escaper<'a>, T: Display + ?Sized>(
    value: &T,
    out: &'a mut String,
) {
    let mut escaper = E::new(out);
    let _ = write!(escaper, "{value}");
    escaper.finish();
}

/// Text as it is, encoded only by the OUTER side (`attr`, and `text` with
/// [`Quoted`](super::__dispatch::Quoted)).
pub(super) struct Plain<'a, O>(Sink<'a, O>);

impl<'a, O: Outer> Escaper<'a> for Plain<'a, O> {
    fn new(out: &'a mut String) -> Self {
        Self(Sink::new(out))
    }

    fn finish(self) {
        self.0.finish();
    }
}

impl<O: Outer> fmt::Write for Plain<'_, O> {
    #[inline]
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.0.push(text);
        Ok(())
    }
}

/// How far [`UrlWriter`] has got in deciding the scheme.
#[derive(Clone, Copy, PartialEq, Eq)]
enum UrlStage {
    /// Dropping leading spaces and control characters.
    Leading,
    /// Before any `:`, `/`, `?` or `#`: the text may be a scheme.
    Scheme,
    /// The scheme is allowed, or there is none.
    Rest,
    /// The URL became [`UNSAFE_URL`]; the rest of it is dropped.
    Refused,
}

/// The [`url`](super::url) filter and normaliser, as a writer: the scheme is decided at the
/// first `:`, `/`, `?` or `#`, whatever chunks the text comes in.
pub(super) struct UrlWriter<'a, O> {
    sink: Sink<'a, O>,
    stage: UrlStage,
    /// The scheme so far, lowercased, while it may still be an allowed one.
    scheme: [u8; 6],
    scheme_len: Option<usize>,
    /// The hex digits after a `%` that ended the last chunk: it is kept only if two follow.
    percent: Option<([char; 2], usize)>,
}

impl<'a, O: Outer> Escaper<'a> for UrlWriter<'a, O> {
    fn new(out: &'a mut String) -> Self {
        Self {
            sink: Sink::new(out),
            stage: UrlStage::Leading,
            scheme: [0; 6],
            scheme_len: Some(0),
            percent: None,
        }
    }

    fn finish(mut self) {
        if let Some((digits, len)) = self.percent.take() {
            self.write_percent(false, &digits[..len]);
        }
        self.sink.finish();
    }
}

impl<O: Outer> UrlWriter<'_, O> {
    /// Writes a `%` and the hex digits after it: as an escape if it is one, else encoded.
    fn write_percent(&mut self, escape: bool, digits: &[char]) {
        self.sink.push(if escape { "%" } else { "%25" });
        for digit in digits {
            self.sink.push(digit.encode_utf8(&mut [0; 4]));
        }
    }

    /// Follows the scheme through one byte, in the `Scheme` stage; false if the URL is
    /// refused.
    fn scheme_byte(&mut self, byte: u8) -> bool {
        match byte {
            b':' => {
                let scheme = self.scheme_len.map(|len| &self.scheme[..len]);
                if !matches!(scheme, Some(b"http" | b"https" | b"mailto" | b"tel")) {
                    self.sink.replace_with(UNSAFE_URL);
                    self.stage = UrlStage::Refused;
                    self.percent = None;
                    return false;
                }
                self.stage = UrlStage::Rest;
            }
            b'/' | b'?' | b'#' => self.stage = UrlStage::Rest,
            b'a'..=b'z' | b'A'..=b'Z' => {
                self.scheme_len = match self.scheme_len {
                    Some(len) if len < self.scheme.len() => {
                        self.scheme[len] = byte.to_ascii_lowercase();
                        Some(len + 1)
                    }
                    _ => None,
                };
            }
            _ => self.scheme_len = None,
        }
        true
    }
}

impl<O: Outer> fmt::Write for UrlWriter<'_, O> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        if self.stage == UrlStage::Refused {
            return Ok(());
        }
        let bytes = text.as_bytes();
        let mut i = 0;
        if let Some((mut digits, mut len)) = self.percent.take() {
            while len < 2 && i < bytes.len() && bytes[i].is_ascii_hexdigit() {
                digits[len] = char::from(bytes[i]);
                len += 1;
                i += 1;
            }
            if len < 2 && i == bytes.len() {
                self.percent = Some((digits, len));
                return Ok(());
            }
            self.write_percent(len == 2, &digits[..len]);
        }
        let mut done = i;
        while i < bytes.len() {
            let byte = bytes[i];
            // Browsers drop these before parsing a URL (tabs and newlines anywhere), so
            // dropping them changes nothing but the scheme check sees what they see.
            let dropped = matches!(byte, b'\t' | b'\n' | b'\r')
                || self.stage == UrlStage::Leading && byte <= b' ';
            if dropped {
                if done < i {
                    self.sink.push(&text[done..i]);
                }
                i += 1;
                done = i;
                continue;
            }
            if self.stage == UrlStage::Leading {
                self.stage = UrlStage::Scheme;
            }
            if self.stage == UrlStage::Scheme && !self.scheme_byte(byte) {
                return Ok(());
            }
            let len = match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => 0,
                b'-' | b'.' | b'_' | b'~' | b'!' | b'#' | b'$' | b'&' | b'*' | b'+' | b',' => 0,
                b'/' | b':' | b';' | b'=' | b'?' | b'@' | b'[' | b']' => 0,
                b'%' => {
                    let hex = |at: usize| bytes.get(at).map(u8::is_ascii_hexdigit);
                    match (hex(i + 1), hex(i + 2)) {
                        (Some(true), Some(true)) => {
                            i += 3;
                            continue;
                        }
                        // The chunk ends before the `%` is decided.
                        (None, _) | (Some(true), None) => {
                            if done < i {
                                self.sink.push(&text[done..i]);
                            }
                            let mut digits = ['0'; 2];
                            let len = bytes.len() - i - 1;
                            if len == 1 {
                                digits[0] = char::from(bytes[i + 1]);
                            }
                            self.percent = Some((digits, len));
                            return Ok(());
                        }
                        _ => 1,
                    }
                }
                0x80.. => text[i..].chars().next().map_or(1, char::len_utf8),
                _ => 1,
            };
            if len == 0 {
                i += 1;
                continue;
            }
            if done < i {
                self.sink.push(&text[done..i]);
            }
            for &byte in &bytes[i..i + len] {
                self.sink.push(percent(byte));
            }
            i += len;
            done = i;
        }
        if done < bytes.len() {
            self.sink.push(&text[done..]);
        }
        Ok(())
    }
}

/// The [`url_part`](super::url_part) escaper. Its output is safe in any attribute as it is.
pub(super) struct UrlPartWriter<'a>(Sink<'a, Direct>);

impl<'a> Escaper<'a> for UrlPartWriter<'a> {
    fn new(out: &'a mut String) -> Self {
        Self(Sink::new(out))
    }

    fn finish(self) {
        self.0.finish();
    }
}

impl fmt::Write for UrlPartWriter<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        escape_runs(text, |run| self.0.push(run), false, url_part_escape);
        Ok(())
    }
}

/// JavaScript string escaping: a whole `"…"` literal if `LITERAL`, a template literal's
/// inside if `TEMPLATE`, else a `"…"` or `'…'` string's inside.
pub(super) struct JsWriter<'a, O, const LITERAL: bool, const TEMPLATE: bool>(Sink<'a, O>);

impl<'a, O: Outer, const LITERAL: bool, const TEMPLATE: bool> Escaper<'a>
    for JsWriter<'a, O, LITERAL, TEMPLATE>
{
    fn new(out: &'a mut String) -> Self {
        let mut sink = Sink::new(out);
        if LITERAL {
            sink.push("\"");
        }
        Self(sink)
    }

    fn finish(mut self) {
        if LITERAL {
            self.0.push("\"");
        }
        self.0.finish();
    }
}

impl<O: Outer, const LITERAL: bool, const TEMPLATE: bool> fmt::Write
    for JsWriter<'_, O, LITERAL, TEMPLATE>
{
    fn write_str(&mut self, text: &str) -> fmt::Result {
        escape_runs(text, |run| self.0.push(run), true, js_escape::<TEMPLATE>);
        Ok(())
    }
}

/// The [`js_regex`](super::js_regex) escaper.
pub(super) struct JsRegexWriter<'a, O>(Sink<'a, O>);

impl<'a, O: Outer> Escaper<'a> for JsRegexWriter<'a, O> {
    fn new(out: &'a mut String) -> Self {
        Self(Sink::new(out))
    }

    fn finish(mut self) {
        if self.0.is_empty() {
            self.0.push("(?:)");
        }
        self.0.finish();
    }
}

impl<O: Outer> fmt::Write for JsRegexWriter<'_, O> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        escape_runs(text, |run| self.0.push(run), true, js_regex_escape);
        Ok(())
    }
}

/// Where [`CssWriter`] is in the safe grammar; each state knows what may follow.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CssToken {
    /// Between tokens (or at the start).
    Between,
    Plus,
    Minus,
    Integer,
    /// A `.` that needs a digit after it.
    Point,
    Fraction,
    Unit,
    Percent,
    /// A `#` and this many hex digits.
    Hash(u8),
    Ident,
    /// Refused: the value became [`REFUSED`].
    Refused,
}

impl CssToken {
    fn next(self, byte: u8) -> Option<Self> {
        use CssToken::*;
        let separator = matches!(byte, b' ' | b',');
        let letter = byte.is_ascii_alphabetic();
        let digit = byte.is_ascii_digit();
        Some(match self {
            Between if separator => Between,
            Between if byte == b'+' => Plus,
            Between if byte == b'-' => Minus,
            Between if byte == b'#' => Hash(0),
            Between | Minus if letter || byte == b'_' => Ident,
            Minus if byte == b'-' => Ident,
            Between | Plus | Minus | Integer if byte == b'.' => Point,
            Between | Plus | Minus | Integer if digit => Integer,
            Point | Fraction if digit => Fraction,
            Integer | Fraction | Unit if letter => Unit,
            Integer | Fraction if byte == b'%' => Percent,
            Hash(n) if n < 8 && byte.is_ascii_hexdigit() => Hash(n + 1),
            Hash(3 | 4 | 6 | 8) | Integer | Fraction | Unit | Percent | Ident if separator => {
                Between
            }
            Ident if byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-') => Ident,
            _ => return None,
        })
    }

    fn is_complete(self) -> bool {
        use CssToken::*;
        matches!(
            self,
            Between | Integer | Fraction | Unit | Percent | Ident | Hash(3 | 4 | 6 | 8)
        )
    }
}

/// The [`css`](super::css) filter: text passes as it is while it stays in the safe
/// grammar.
pub(super) struct CssWriter<'a, O> {
    sink: Sink<'a, O>,
    state: CssToken,
}

impl<'a, O: Outer> Escaper<'a> for CssWriter<'a, O> {
    fn new(out: &'a mut String) -> Self {
        Self {
            sink: Sink::new(out),
            state: CssToken::Between,
        }
    }

    fn finish(mut self) {
        if !self.state.is_complete() && self.state != CssToken::Refused {
            self.sink.replace_with(REFUSED);
        }
        self.sink.finish();
    }
}

impl<O: Outer> fmt::Write for CssWriter<'_, O> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        if self.state == CssToken::Refused {
            return Ok(());
        }
        for &byte in text.as_bytes() {
            match self.state.next(byte) {
                Some(state) => self.state = state,
                None => {
                    self.sink.replace_with(REFUSED);
                    self.state = CssToken::Refused;
                    return Ok(());
                }
            }
        }
        self.sink.push(text);
        Ok(())
    }
}

/// The [`css_string`](super::css_string) escaper.
pub(super) struct CssStringWriter<'a, O>(Sink<'a, O>);

impl<'a, O: Outer> Escaper<'a> for CssStringWriter<'a, O> {
    fn new(out: &'a mut String) -> Self {
        Self(Sink::new(out))
    }

    fn finish(self) {
        self.0.finish();
    }
}

impl<O: Outer> fmt::Write for CssStringWriter<'_, O> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        escape_runs(text, |run| self.0.push(run), false, css_string_escape);
        Ok(())
    }
}

/// serde_json's output, escaped on its way into the page: `<`, `>`, `&`, U+2028 and U+2029
/// can only stand inside JSON strings, where `\uXXXX` means the same.
struct JsonWriter<'a, O> {
    sink: Sink<'a, O>,
    started: bool,
}

impl<O: Outer> std::io::Write for JsonWriter<'_, O> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // serde_json writes whole `&str` pieces; anything else fails the value (`null`).
        let text = std::str::from_utf8(buf)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        if !self.started && !text.is_empty() {
            self.started = true;
            if text.starts_with('-') {
                self.sink.push(" ");
            }
        }
        escape_runs(text, |run| self.sink.push(run), true, json_escape);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub(super) fn write_json<O: Outer, T: serde::Serialize + ?Sized>(value: &T, out: &mut String) {
    let mut writer = JsonWriter {
        sink: Sink::<O>::new(out),
        started: false,
    };
    if serde_json::to_writer(&mut writer, value).is_err() {
        writer.sink.replace_with("null");
    }
    writer.sink.finish();
}
