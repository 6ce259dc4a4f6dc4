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
