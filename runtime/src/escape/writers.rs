//! The escapers, as streaming writers: a `Display` value is escaped as it is formatted,
//! with no temporary `String`, and a whole string is one chunk. Each writes its INNER
//! language through an OUTER encoding ([`Outer`]) into the page buffer.

use std::fmt::{self, Display};
use std::marker::PhantomData;

use super::encode::{
    css_string_escape, escape_runs, js_escape, js_regex_escape, json_escape, percent,
    url_part_escape, Direct, Outer, REFUSED, UNSAFE_URL,
};

/// The end of an escaper's output: the page buffer, through the OUTER encoding `O`, and
/// where this value began in it (to refuse it whole, or see that it is empty).
pub(super) struct Sink<'a, O> {
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
/// [`Quoted`](super::encode::Quoted)).
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

/// A byte-wise escaper: the bytes it replaces, and what it writes around a value.
pub(super) trait ByteEscape {
    /// Whether U+2028 and U+2029 become `\u2028` and `\u2029` too (JavaScript).
    const LINE_SEPARATORS: bool = false;
    /// The replacement of `byte`, if it has one.
    fn escape(byte: u8) -> Option<&'static str>;
    /// Writes what comes before the value.
    fn open<O: Outer>(_sink: &mut Sink<'_, O>) {}
    /// Writes what comes after the value.
    fn close<O: Outer>(_sink: &mut Sink<'_, O>) {}
}

/// A [`ByteEscape`] as a streaming writer.
pub(super) struct Bytewise<'a, O, E>(Sink<'a, O>, PhantomData<E>);

impl<'a, O: Outer, E: ByteEscape> Escaper<'a> for Bytewise<'a, O, E> {
    fn new(out: &'a mut String) -> Self {
        let mut sink = Sink::new(out);
        E::open(&mut sink);
        Self(sink, PhantomData)
    }

    fn finish(mut self) {
        E::close(&mut self.0);
        self.0.finish();
    }
}

impl<O: Outer, E: ByteEscape> fmt::Write for Bytewise<'_, O, E> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        // Most values have nothing to escape: find that out in a loop that does nothing else.
        let plain = text
            .bytes()
            .all(|b| E::escape(b).is_none() && !(E::LINE_SEPARATORS && b == 0xE2));
        if plain {
            self.0.push(text);
        } else {
            escape_runs(text, |run| self.0.push(run), E::LINE_SEPARATORS, E::escape);
        }
        Ok(())
    }
}

/// The [`url_part`](super::url_part) escaper. Its output is safe in any attribute as it is.
pub(super) type UrlPart<'a> = Bytewise<'a, Direct, UrlPartBytes>;
/// The [`js`](super::js) escaper: a whole `"…"` literal.
pub(super) type JsLiteral<'a, O> = Bytewise<'a, O, JsBytes<true, false>>;
/// The [`js_string`](super::js_string) escaper.
pub(super) type JsString<'a, O> = Bytewise<'a, O, JsBytes<false, false>>;
/// The [`js_template`](super::js_template) escaper.
pub(super) type JsTemplate<'a, O> = Bytewise<'a, O, JsBytes<false, true>>;
/// The [`js_regex`](super::js_regex) escaper.
pub(super) type JsRegex<'a, O> = Bytewise<'a, O, JsRegexBytes>;
/// The [`css_string`](super::css_string) escaper.
pub(super) type CssString<'a, O> = Bytewise<'a, O, CssStringBytes>;

pub(super) struct UrlPartBytes;

impl ByteEscape for UrlPartBytes {
    fn escape(byte: u8) -> Option<&'static str> {
        url_part_escape(byte)
    }
}

/// JavaScript string escaping: a whole `"…"` literal if `LITERAL`, a template literal's
/// inside if `TEMPLATE`, else a `"…"` or `'…'` string's inside.
pub(super) struct JsBytes<const LITERAL: bool, const TEMPLATE: bool>;

impl<const LITERAL: bool, const TEMPLATE: bool> ByteEscape for JsBytes<LITERAL, TEMPLATE> {
    const LINE_SEPARATORS: bool = true;

    fn escape(byte: u8) -> Option<&'static str> {
        js_escape::<TEMPLATE>(byte)
    }

    fn open<O: Outer>(sink: &mut Sink<'_, O>) {
        if LITERAL {
            sink.push("\"");
        }
    }

    fn close<O: Outer>(sink: &mut Sink<'_, O>) {
        if LITERAL {
            sink.push("\"");
        }
    }
}

pub(super) struct JsRegexBytes;

impl ByteEscape for JsRegexBytes {
    const LINE_SEPARATORS: bool = true;

    fn escape(byte: u8) -> Option<&'static str> {
        js_regex_escape(byte)
    }

    // `//` would start a comment.
    fn close<O: Outer>(sink: &mut Sink<'_, O>) {
        if sink.is_empty() {
            sink.push("(?:)");
        }
    }
}

pub(super) struct CssStringBytes;

impl ByteEscape for CssStringBytes {
    fn escape(byte: u8) -> Option<&'static str> {
        css_string_escape(byte)
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
                let allowed = scheme.is_some_and(|scheme| {
                    ALLOWED_SCHEMES
                        .iter()
                        .any(|allowed| allowed.as_bytes() == scheme)
                });
                if !allowed {
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

    /// Writes a URL that arrives whole and needs nothing done, as it is; false if it is not
    /// one. Most URLs in pages are such: relative, or with an allowed scheme, and encoded.
    fn write_plain(&mut self, text: &str) -> bool {
        let Some(decided) = text
            .bytes()
            .position(|b| matches!(b, b':' | b'/' | b'?' | b'#'))
        else {
            // Still a possible scheme: the next chunk decides.
            return false;
        };
        let allowed = text.as_bytes()[decided] != b':'
            || ALLOWED_SCHEMES
                .iter()
                .any(|scheme| text[..decided].eq_ignore_ascii_case(scheme));
        if !allowed || !text.bytes().all(url_kept) {
            return false;
        }
        self.sink.push(text);
        self.stage = UrlStage::Rest;
        true
    }
}

/// The schemes a URL may have, in lower case.
const ALLOWED_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

/// The bytes a URL keeps as they are: those of its grammar but `%`, which is checked.
fn url_kept(byte: u8) -> bool {
    matches!(byte,
        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9'
        | b'-' | b'.' | b'_' | b'~' | b'!' | b'#' | b'$' | b'&' | b'*' | b'+' | b','
        | b'/' | b':' | b';' | b'=' | b'?' | b'@' | b'[' | b']')
}

impl<O: Outer> fmt::Write for UrlWriter<'_, O> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        if self.stage == UrlStage::Refused
            || self.stage == UrlStage::Leading && self.write_plain(text)
        {
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
                _ if url_kept(byte) => 0,
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
