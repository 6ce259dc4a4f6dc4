//! Integers' decimal digits, written straight into the page buffer: a number is counted,
//! room made for it once, and its digits stored where they belong. Formatting into a
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

/// The digits of a number of 10^4 or more.
#[inline(never)]
fn push_long(n: u64, out: &mut String) {
    let len = n.ilog10() as usize + 1;
    out.reserve(len);
    // SAFETY: `write_backwards` stores an ASCII digit in each of the `len` bytes after the
    // string's end, for which room was just made, before they become part of the string:
    // it stays UTF-8.
    #[allow(unsafe_code)]
    unsafe {
        let bytes = out.as_mut_vec();
        let end = bytes.len() + len;
        write_backwards(n, bytes.as_mut_ptr().add(end));
        bytes.set_len(end);
    }
}

/// Stores the digits of `n` in the bytes before `end`. Eight digits at a time are split
/// into two fours and those into pairs, so the divisions of one group do not wait for
/// those of the last, and each pair is one two-byte store.
///
/// # Safety
///
/// As many bytes as `n` has digits before `end` must be writable.
#[allow(unsafe_code)]
#[inline(always)]
unsafe fn write_backwards(mut n: u64, mut end: *mut u8) {
    let pair = |at: *mut u8, value: u32| {
        // SAFETY: `value` is below 100, so both bytes are in the table; `at` is one of the
        // bytes the caller may write, and the one after it too.
        unsafe {
            std::ptr::copy_nonoverlapping(TWO_DIGITS.as_ptr().add(value as usize * 2), at, 2);
        }
    };
    // SAFETY (of every `sub`): each steps back over digits of `n` not yet written.
    unsafe {
        while n >= 100_000_000 {
            let eight = (n % 100_000_000) as u32;
            n /= 100_000_000;
            let (high, low) = (eight / 10_000, eight % 10_000);
            pair(end.sub(8), high / 100);
            pair(end.sub(6), high % 100);
            pair(end.sub(4), low / 100);
            pair(end.sub(2), low % 100);
            end = end.sub(8);
        }
        let mut n = n as u32;
        if n >= 10_000 {
            let low = n % 10_000;
            n /= 10_000;
            pair(end.sub(4), low / 100);
            pair(end.sub(2), low % 100);
            end = end.sub(4);
        }
        if n >= 100 {
            pair(end.sub(2), n % 100);
            n /= 100;
            end = end.sub(2);
        }
        if n >= 10 {
            pair(end.sub(2), n);
        } else {
            *end.sub(1) = b'0' + n as u8;
        }
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
