//! HTML's numbers: the one reading of a "valid floating-point number" that the compiler
//! (a form's `min` and `max`) and the runtime (what a `type=number` field sends) share.

/// The value of `text` if it is a valid floating-point number as HTML defines it: an
/// optional `-`, digits and/or `.` with digits, an optional exponent; no `+` in front, no
/// `inf`, no `NaN`, no spaces, no trailing `.`.
///
/// ```
/// use rsp_compiler::numbers::valid_float;
///
/// assert_eq!(valid_float("2.5"), Some(2.5));
/// assert_eq!(valid_float(".5"), Some(0.5));
/// assert_eq!(valid_float("-1e3"), Some(-1000.0));
/// assert_eq!(valid_float("5."), None);
/// assert_eq!(valid_float("+3"), None);
/// ```
pub fn valid_float(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let digits = |from: usize| {
        bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let mut at = usize::from(bytes.first() == Some(&b'-'));
    let whole = digits(at);
    at += whole;
    let mut fraction = 0;
    if bytes.get(at) == Some(&b'.') {
        fraction = digits(at + 1);
        if fraction == 0 {
            return None;
        }
        at += 1 + fraction;
    }
    if whole == 0 && fraction == 0 {
        return None;
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'-' | b'+')) {
            at += 1;
        }
        let exponent = digits(at);
        if exponent == 0 {
            return None;
        }
        at += exponent;
    }
    if at != bytes.len() {
        return None;
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::valid_float;

    #[test]
    fn what_html_calls_a_valid_floating_point_number() {
        for (text, value) in [
            ("0", 0.0),
            ("10", 10.0),
            ("-2.5", -2.5),
            (".5", 0.5),
            ("-.5", -0.5),
            ("1e1", 10.0),
            ("1E+2", 100.0),
            ("2.5e-1", 0.25),
        ] {
            assert_eq!(valid_float(text), Some(value), "{text}");
        }
        for text in [
            "", "-", ".", "5.", "+3", " 5", "5 ", "1e", "1e+", "e5", "inf", "NaN", "0x10", "1_0",
            "--1", "1.2.3", "1e400",
        ] {
            assert_eq!(valid_float(text), None, "{text:?}");
        }
    }
}
