//! A float's text exactly as `{}` writes it, made faster: zmij finds the shortest digits
//! that read back as the same float (as `{}` does), and this lays them out as `{}` does,
//! never with an exponent.

use std::borrow::Cow;
use std::fmt::Display;

/// The text of `value` as `format!("{value}")` writes it: `3` for 3.0, `0.1`, `NaN`,
/// `inf`, `-inf`, and `10000000000000000` rather than `1e16`. `exact_digits` is how many
/// digits the float's exact value has after the point ([`exact_fraction_digits`]).
/// `fixed` says that zmij writes this value without an exponent (see [`Fixed`]), so its
/// text need not be searched for one.
#[inline]
pub(super) fn text<F: zmij::Float + Display>(
    value: F,
    exact_digits: u32,
    fixed: bool,
    buffer: &mut zmij::Buffer,
) -> Cow<'_, str> {
    let shortest = buffer.format(value);
    let (mantissa, exponent) = if fixed {
        (shortest, 0)
    } else {
        exponent_of(shortest)
    };
    // The text has fewer digits after the point than it has bytes, plus the exponent's
    // shift: most floats' exact values have far more, and need no closer look.
    let most_written = mantissa.len() + exponent.unsigned_abs() as usize;
    if exact_digits > 0
        && exact_digits as usize <= most_written
        && exact_digits == written_fraction_digits(mantissa, exponent) + 1
    {
        // The float lies exactly halfway between this decimal and the next one up: zmij
        // takes the even last digit, `{}` the one above. Rare (2^-25 is one), so `{}` it is.
        return Cow::Owned(value.to_string());
    }
    if exponent == 0 {
        // zmij writes whole numbers below 1e16 with `.0`, which `{}` leaves off.
        Cow::Borrowed(shortest.strip_suffix(".0").unwrap_or(shortest))
    } else {
        Cow::Owned(without_exponent(mantissa, exponent))
    }
}

/// Writes `value`, which [`Fixed::is_fixed`] (so finite, and written without an exponent),
/// at the end of `out` as [`text`] would, formatting it straight into the string's spare
/// room rather than into a buffer of its own. Copying the digits out of such a buffer, or
/// looking at its last bytes for `.0`, reads bytes just written in pieces of other sizes,
/// which the CPU cannot forward from its pending stores: that wait was a third of the time
/// spent writing a float. False (and nothing written) in the rare case [`text`] hands to
/// `{}`.
#[inline]
pub(super) fn push_fixed<F: zmij::Float>(value: F, exact_digits: u32, out: &mut String) -> bool {
    // A buffer is bytes alone, so any memory of its size is one.
    const { assert!(std::mem::align_of::<zmij::Buffer>() == 1) };
    out.reserve(std::mem::size_of::<zmij::Buffer>());
    // SAFETY: room for a `zmij::Buffer` was just made after the string's end, and a
    // buffer (an array of `MaybeUninit<u8>`, aligned to 1) is valid over any bytes, so a
    // buffer may be taken there. `format_finite` writes ASCII digits, `-` and `.` into it
    // and returns them; they are moved to the string's end if they are not there already,
    // and the string grows over them alone (less `.0`), so it stays UTF-8. Nothing else
    // touches the string while the buffer is in use.
    #[allow(unsafe_code)]
    unsafe {
        let bytes = out.as_mut_vec();
        let end = bytes.as_mut_ptr().add(bytes.len());
        let buffer = &mut *end.cast::<zmij::Buffer>();
        let text = buffer.format_finite(value);
        let (at, written) = (text.as_ptr(), text.len());
        // Halfway between two decimals: known from the exact digits and the text's
        // length, so the text itself is read only when it might be.
        if exact_digits > 0
            && exact_digits as usize <= written
            && exact_digits == written_fraction_digits(text, 0) + 1
        {
            return false;
        }
        // A whole number (no digit after the point) is written with `.0`, which `{}`
        // leaves off.
        debug_assert!((exact_digits == 0) == text.ends_with(".0"));
        let kept = if exact_digits == 0 {
            written - 2
        } else {
            written
        };
        if at != end.cast_const() {
            std::ptr::copy(at, end, written);
        }
        bytes.set_len(bytes.len() + kept);
    }
    true
}

/// `shortest` split into its mantissa and its exponent (0 when it has none).
fn exponent_of(shortest: &str) -> (&str, i32) {
    // An exponent is `e`, maybe `-`, and at most three digits: look for it only there.
    let tail = shortest.len().saturating_sub(5);
    match shortest.as_bytes()[tail..].iter().position(|&b| b == b'e') {
        Some(at) => (
            &shortest[..tail + at],
            shortest[tail + at + 1..].parse().unwrap_or(0),
        ),
        None => (shortest, 0),
    }
}

/// The magnitudes zmij writes without an exponent: the shortest decimal's first digit
/// is at 10^-5 to 10^15 for `f64`, 10^-6 to 10^12 for `f32`. Reading the text just
/// written to look for an `e` cost a tenth of a page of floats. The tests go over
/// both ends, so a zmij that changes its ranges fails them.
pub(super) trait Fixed: Copy {
    fn is_fixed(self) -> bool;
}

impl Fixed for f64 {
    #[inline]
    fn is_fixed(self) -> bool {
        (1e-5..1e16).contains(&self.abs())
    }
}

impl Fixed for f32 {
    #[inline]
    fn is_fixed(self) -> bool {
        (1e-6..1e13).contains(&self.abs())
    }
}

/// How many digits the exact decimal value of a float's `bits` has after the point: a
/// float is m × 2^e, and 2^-k has exactly k of them. The type has `fraction_bits` and
/// `exponent_bits` (52 and 11 for `f64`, 23 and 8 for `f32`).
#[inline]
pub(super) fn exact_fraction_digits(bits: u64, fraction_bits: u32, exponent_bits: u32) -> u32 {
    let fraction = bits & ((1 << fraction_bits) - 1);
    let biased = ((bits >> fraction_bits) & ((1 << exponent_bits) - 1)) as i64;
    let bias = (1 << (exponent_bits - 1)) - 1 + i64::from(fraction_bits);
    let (significand, exponent) = match biased {
        0 => (fraction, 1 - bias),
        _ => (fraction | 1 << fraction_bits, biased - bias),
    };
    if significand == 0 {
        return 0;
    }
    let exponent = exponent + i64::from(significand.trailing_zeros());
    u32::try_from(-exponent).unwrap_or(0)
}

/// How many digits after the point `mantissa` × 10^`exponent` has written out (`1.0`
/// has none).
#[inline]
fn written_fraction_digits(mantissa: &str, exponent: i32) -> u32 {
    let fraction = match mantissa.split_once('.') {
        Some((_, "0")) | None => 0,
        Some((_, fraction)) => fraction.len() as i32,
    };
    u32::try_from(fraction - exponent).unwrap_or(0)
}

/// `mantissa` × 10^`exponent` written out: `1.5`, `-7` → `0.00000015`.
#[cold]
fn without_exponent(mantissa: &str, exponent: i32) -> String {
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    // Where the decimal point goes, counted in digits from the first.
    let point = mantissa.find('.').unwrap_or(mantissa.len()) as isize + exponent as isize;
    let mut text = String::from(sign);
    if point <= 0 {
        text.push_str("0.");
        text.extend(std::iter::repeat_n('0', point.unsigned_abs()));
        text.push_str(&digits);
    } else if point as usize >= digits.len() {
        text.push_str(&digits);
        text.extend(std::iter::repeat_n('0', point as usize - digits.len()));
    } else {
        let (whole, fraction) = digits.split_at(point as usize);
        text.push_str(whole);
        text.push('.');
        text.push_str(fraction);
    }
    text
}
