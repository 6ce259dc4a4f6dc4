//! Picks, at compile time, how generated code writes a value in its context (autoref
//! specialisation): [`raw`](crate::escape::raw) text first, then markup (written in HTML text,
//! refused elsewhere), the fast paths of
//! [`Escape`](crate::escape::__dispatch::Escape), `serde::Serialize` (JavaScript values
//! only), and last any `Display`.

pub use super::attrs::{write_attrs, WriteAttrs};
use super::digits::{push_below_e2, push_digits};
use super::float;
use super::html_text::{html, push_text};
use super::markup::{Raw, Render};
use super::writers::{self, escape_display, escape_whole, write_json, CssWriter, Plain, UrlWriter};

pub use super::encode::{Direct, Outer, Quoted, Unquoted, UnquotedPart};
use std::borrow::Cow;
use std::fmt::Display;
use std::marker::PhantomData;

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
    /// Writes an integer that fits in a `u64`: `-` if `negative`, then the digits of
    /// `magnitude`. Its text needs no escaping but in JavaScript.
    #[inline(always)]
    fn write_integer(magnitude: u64, negative: bool, out: &mut String) {
        if negative {
            out.push('-');
        }
        push_digits(magnitude, out);
    }
    /// Writes the text of a float (digits, `-`, `.`, `inf`, `NaN`), which needs no escaping
    /// but in JavaScript.
    #[inline]
    fn write_float(text: &str, _finite: bool, out: &mut String) {
        push_text(text, out);
    }
    /// Whether [`write_float`](Context::write_float) writes a finite float's text as it
    /// is, so that it may be formatted straight into the page.
    const FLOAT_AS_IT_IS: bool = true;
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
    /// What [`Plain`] does with a whole string, without the streaming escaper around it:
    /// the value attributes hold most.
    #[inline]
    fn write_str(text: &str, out: &mut String) {
        let start = out.len();
        O::push(text, out);
        O::finish(start, out);
    }

    fn write_display<T: Display + ?Sized>(value: &T, out: &mut String) {
        escape_display::<Plain<'_, O>, T>(value, out);
    }
}

impl<O: Outer> Context for Url<O> {
    through!(UrlWriter<'_, O>);
}

impl Context for UrlPart {
    through!(writers::UrlPart<'_>);
}

impl<O: Outer> Context for Js<O> {
    through!(writers::JsLiteral<'_, O>);

    fn write_literal(text: &str, out: &mut String) {
        // ` -5`: `x-<%= n %>` must not become `x--5`.
        if text.starts_with('-') {
            O::push(" ", out);
        }
        out.push_str(text);
    }

    fn write_integer(magnitude: u64, negative: bool, out: &mut String) {
        if negative {
            O::push(" ", out);
            out.push('-');
        }
        push_digits(magnitude, out);
    }

    const FLOAT_AS_IT_IS: bool = false;

    fn write_float(text: &str, finite: bool, out: &mut String) {
        if finite {
            Self::write_literal(text, out);
        } else {
            out.push_str("null");
        }
    }
}

impl<O: Outer> Context for JsString<O> {
    through!(writers::JsString<'_, O>);
}

impl<O: Outer> Context for JsTemplate<O> {
    through!(writers::JsTemplate<'_, O>);
}

impl<O: Outer> Context for JsRegex<O> {
    through!(writers::JsRegex<'_, O>);

    // `-` and `.` mean something in a regular expression.
    fn write_literal(text: &str, out: &mut String) {
        Self::write_str(text, out);
    }

    fn write_integer(magnitude: u64, negative: bool, out: &mut String) {
        if negative {
            Self::write_str("-", out);
        }
        push_digits(magnitude, out);
    }

    const FLOAT_AS_IT_IS: bool = false;

    fn write_float(text: &str, _finite: bool, out: &mut String) {
        Self::write_str(text, out);
    }
}

impl<O: Outer> Context for Css<O> {
    through!(CssWriter<'_, O>);
}

impl<O: Outer> Context for CssString<O> {
    through!(writers::CssString<'_, O>);
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
    ($($ty:ty)*; |$n:ident| $magnitude:expr, $negative:expr) => {$(
        impl Escape for $ty {
            #[inline]
            fn escape<C: Context>(&self, out: &mut String) {
                let $n = *self;
                // Small numbers (table cells, counts) are most numbers.
                if let Ok(small @ 0..100) = u8::try_from($n) {
                    return push_below_e2(u32::from(small), out);
                }
                #[allow(irrefutable_let_patterns)]
                match u64::try_from($magnitude) {
                    Ok(magnitude) => C::write_integer(magnitude, $negative, out),
                    Err(_) => C::write_literal(itoa::Buffer::new().format($n), out),
                }
            }
        }
    )*};
}

escape_integers!(u8 u16 u32 u64 u128 usize; |n| n, false);
escape_integers!(i8 i16 i32 i64 i128 isize; |n| n.unsigned_abs(), n < 0);

macro_rules! escape_floats {
    ($($ty:ty: $fraction_bits:literal, $exponent_bits:literal;)*) => {$(
        impl Escape for $ty {
            #[inline]
            fn escape<C: Context>(&self, out: &mut String) {
                let exact = float::exact_fraction_digits(
                    u64::from(self.to_bits()),
                    $fraction_bits,
                    $exponent_bits,
                );
                let fixed = float::Fixed::is_fixed(*self);
                if C::FLOAT_AS_IT_IS && fixed && float::push_fixed(*self, exact, out) {
                    return;
                }
                let mut buffer = zmij::Buffer::new();
                let text = float::text(*self, exact, fixed, &mut buffer);
                C::write_float(&text, self.is_finite(), out);
            }
        }
    )*};
}

escape_floats! {
    f32: 23, 8;
    f64: 52, 11;
}

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
