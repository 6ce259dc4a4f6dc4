//! Integers' decimal digits, written straight into the page buffer: room is made once for
//! the longest number, and its digits stored where they belong. Formatting into a
//! buffer of its own and copying that (what `itoa` and `{}` do) costs more than the digits:
//! the copy reads bytes just written a few at a time, which the CPU cannot forward.

/// `00` to `99`.
const TWO_DIGITS: &str = "0001020304050607080910111213141516171819\
                                 2021222324252627282930313233343536373839\
                                 4041424344454647484950515253545556575859\
                                 6061626364656667686970717273747576777879\
                                 8081828384858687888990919293949596979899";

/// Writes the digits of `n`.
#[inline(always)]
pub(super) fn push_digits(n: u64, out: &mut String) {
    match u32::try_from(n) {
        Ok(n @ 0..100) => push_below_e2(n, out),
        Ok(n @ 100..10_000) => {
            push_below_e2(n / 100, out);
            push_pair(n % 100, out);
        }
        _ => push_long(n, out),
    }
}

/// Two digits, with a leading zero.
#[inline(always)]
fn push_pair(n: u32, out: &mut String) {
    let at = n as usize * 2;
    out.push_str(&TWO_DIGITS[at..at + 2]);
}

/// The one or two digits of a number below 100: most numbers in pages (table cells,
/// counts, days) are, and two pushes of known length cost less than one of unknown.
#[inline(always)]
pub(super) fn push_below_e2(n: u32, out: &mut String) {
    let at = n as usize * 2;
    if n < 10 {
        out.push_str(&TWO_DIGITS[at + 1..at + 2]);
    } else {
        out.push_str(&TWO_DIGITS[at..at + 2]);
    }
}

/// The digits of a number of 10^4 or more, written forwards into room for the longest
/// number: no counting of digits first.
#[inline(always)]
fn push_long(n: u64, out: &mut String) {
    const E8: u64 = 100_000_000;
    out.reserve(20);
    // SAFETY: the writes below store at most 20 ASCII digits after the string's end, for
    // which room was just made, and the string is given only the bytes written: it stays
    // UTF-8.
    #[allow(unsafe_code)]
    unsafe {
        let bytes = out.as_mut_vec();
        let start = bytes.as_mut_ptr().add(bytes.len());
        let len = if n < E8 {
            write_below_e8(n as u32, start)
        } else if n < E8 * E8 {
            let high = write_below_e8((n / E8) as u32, start);
            write_eight(n % E8, start.add(high));
            high + 8
        } else {
            let high = write_below_e4((n / (E8 * E8)) as u32, start);
            let rest = n % (E8 * E8);
            write_eight(rest / E8, start.add(high));
            write_eight(rest % E8, start.add(high + 8));
            high + 16
        };
        bytes.set_len(bytes.len() + len);
    }
}

/// Stores two digits, with a leading zero.
///
/// # Safety
///
/// `n` is below 100, and the two bytes from `at` are writable.
#[allow(unsafe_code)]
#[inline(always)]
unsafe fn write_pair(n: u32, at: *mut u8) {
    // SAFETY: both bytes are in the table, and the caller may write both of `at`.
    unsafe { std::ptr::copy_nonoverlapping(TWO_DIGITS.as_ptr().add(n as usize * 2), at, 2) }
}

/// Stores the 1 to 4 digits of `n` (below 10^4) from `at`; returns how many.
///
/// # Safety
///
/// The four bytes from `at` are writable.
#[allow(unsafe_code)]
#[inline(always)]
unsafe fn write_below_e4(n: u32, at: *mut u8) -> usize {
    // SAFETY: each write is of bytes the caller may write.
    unsafe {
        if n < 100 {
            if n < 10 {
                *at = b'0' + n as u8;
                1
            } else {
                write_pair(n, at);
                2
            }
        } else if n < 1000 {
            *at = b'0' + (n / 100) as u8;
            write_pair(n % 100, at.add(1));
            3
        } else {
            write_pair(n / 100, at);
            write_pair(n % 100, at.add(2));
            4
        }
    }
}

/// Stores the 1 to 8 digits of `n` (below 10^8) from `at`; returns how many.
///
/// # Safety
///
/// The eight bytes from `at` are writable.
#[allow(unsafe_code)]
#[inline(always)]
unsafe fn write_below_e8(n: u32, at: *mut u8) -> usize {
    // SAFETY: at most eight bytes from `at` are written.
    unsafe {
        if n < 10_000 {
            write_below_e4(n, at)
        } else {
            let high = write_below_e4(n / 10_000, at);
            let low = n % 10_000;
            write_pair(low / 100, at.add(high));
            write_pair(low % 100, at.add(high + 2));
            high + 4
        }
    }
}

/// Stores the eight digits of `n` (below 10^8), with leading zeros, from `at`: four pairs
/// whose divisions do not wait for one another.
///
/// # Safety
///
/// The eight bytes from `at` are writable.
#[allow(unsafe_code)]
#[inline(always)]
unsafe fn write_eight(n: u64, at: *mut u8) {
    let n = n as u32;
    let (high, low) = (n / 10_000, n % 10_000);
    // SAFETY: the pairs fill the eight bytes the caller may write.
    unsafe {
        write_pair(high / 100, at);
        write_pair(high % 100, at.add(2));
        write_pair(low / 100, at.add(4));
        write_pair(low % 100, at.add(6));
    }
}

#[cfg(test)]
mod tests {
    use super::push_digits;
    use proptest::prelude::*;

    fn written(n: u64) -> String {
        let mut out = String::from("x");
        push_digits(n, &mut out);
        out
    }

    #[test]
    fn every_length_and_every_boundary() {
        let mut numbers = vec![0, 1, 9, 10, 99, 100, 101, 999, 1000, u64::MAX, u64::MAX - 1];
        for digits in 1..=19 {
            let power = 10u64.pow(digits);
            numbers.extend([power - 1, power, power + 1, power / 2 + 7]);
        }
        for n in numbers {
            assert_eq!(written(n), format!("x{n}"));
        }
    }

    proptest! {
        #[test]
        fn any_number_as_display_writes_it(n in any::<u64>(), digits in 1u32..=20) {
            // Every length equally likely, not mostly twenty digits.
            let n = n % 10u64.checked_pow(digits).unwrap_or(u64::MAX);
            prop_assert_eq!(written(n), format!("x{n}"));
        }
    }
}
