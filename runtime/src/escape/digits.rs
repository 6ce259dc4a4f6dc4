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
    // SAFETY: the writes below store at most 20 bytes after the string's end (8 for a
    // number below 10^8; 8 and 8 after the first part's at most 8 digits below 10^16;
    // else 4 and 16), for which room was just made, and the string is given only the
    // ASCII digits written: it stays UTF-8.
    #[allow(unsafe_code)]
    unsafe {
        let bytes = out.as_mut_vec();
        let start = bytes.as_mut_ptr().add(bytes.len());
        let len = if n < E8 {
            write_below_e8(n as u32, start)
        } else if n < E8 * E8 {
            let high = write_below_e8((n / E8) as u32, start);
            write_eight((n % E8) as u32, start.add(high));
            high + 8
        } else {
            let high = write_below_e4((n / (E8 * E8)) as u32, start);
            write_sixteen(n % (E8 * E8), start.add(high));
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

use pairs::write_below_e8;
#[cfg(target_arch = "x86_64")]
use vector::{write_eight, write_sixteen};

#[cfg(not(target_arch = "x86_64"))]
use pairs::{write_eight, write_sixteen};

/// Eight digits at once in the lanes of an SSE2 register (every x86-64 CPU has SSE2):
/// each digit's value is made by multiplications side by side rather than by a chain of
/// divisions, and stored with one write. Only for runs of digits of known length: where
/// the length must be counted, as for a number's first digits, counting it from the
/// vector makes every later write wait for the whole computation, while the branches of
/// [`pairs`] are predicted and let the writes go ahead.
#[cfg(target_arch = "x86_64")]
mod vector {
    use std::arch::x86_64::*;

    /// The eight digits of `n` (below 10^8, with leading zeros) as values 0 to 9 in the
    /// eight 16-bit lanes, the first digit in the first lane.
    #[inline(always)]
    fn digit_lanes(n: u32) -> __m128i {
        // SAFETY: SSE2 is part of x86-64; these are register operations.
        #[allow(unsafe_code)]
        unsafe {
            let n = _mm_cvtsi32_si128(n as i32);
            // n / 10^4 as n × ⌈2^45 / 10^4⌉ >> 45, exact below 10^8; then the rest.
            let high =
                _mm_srli_epi64::<45>(_mm_mul_epu32(n, _mm_set1_epi32(0xD1B7_1759_u32 as i32)));
            let low = _mm_sub_epi32(n, _mm_mul_epu32(high, _mm_set1_epi32(10_000)));
            // Lanes: 4·high four times, then 4·low four times.
            let both = _mm_slli_epi64::<2>(_mm_unpacklo_epi16(high, low));
            let both = _mm_unpacklo_epi16(both, both);
            let spread = _mm_unpacklo_epi32(both, both);
            // Each lane divided by 1000, 100, 10 and 1 in turn: a multiplication keeping
            // the high half, then one by a power of two that completes the shift. That
            // gives the numbers the first 1, 2, 3 and 4 digits make (for 1234: 1, 12,
            // 123, 1234).
            let divided = _mm_mulhi_epu16(
                spread,
                _mm_setr_epi16(8389, 5243, 13108, -32768, 8389, 5243, 13108, -32768),
            );
            let prefixes = _mm_mulhi_epu16(
                divided,
                _mm_setr_epi16(
                    1 << 7,
                    1 << 11,
                    1 << 13,
                    -32768,
                    1 << 7,
                    1 << 11,
                    1 << 13,
                    -32768,
                ),
            );
            // Less ten times the prefix one shorter: 12 - 10, 123 - 120, 1234 - 1230.
            let shorter = _mm_slli_epi64::<16>(_mm_mullo_epi16(prefixes, _mm_set1_epi16(10)));
            _mm_sub_epi16(prefixes, shorter)
        }
    }

    /// Stores the eight digits of `n` (below 10^8), with leading zeros, from `at`.
    ///
    /// # Safety
    ///
    /// The eight bytes from `at` are writable.
    #[allow(unsafe_code)]
    #[inline(always)]
    pub(super) unsafe fn write_eight(n: u32, at: *mut u8) {
        // SAFETY: SSE2 is part of x86-64, and the caller may write the eight bytes.
        unsafe {
            let digits = _mm_packus_epi16(digit_lanes(n), _mm_setzero_si128());
            let text = _mm_add_epi8(digits, _mm_set1_epi8(b'0' as i8));
            _mm_storel_epi64(at.cast(), text);
        }
    }

    /// Stores the sixteen digits of `n` (below 10^16), with leading zeros, from `at`.
    ///
    /// # Safety
    ///
    /// The sixteen bytes from `at` are writable.
    #[allow(unsafe_code)]
    #[inline(always)]
    pub(super) unsafe fn write_sixteen(n: u64, at: *mut u8) {
        const E8: u64 = 100_000_000;
        // SAFETY: SSE2 is part of x86-64, and the caller may write the sixteen bytes.
        unsafe {
            let high = digit_lanes((n / E8) as u32);
            let low = digit_lanes((n % E8) as u32);
            let text = _mm_add_epi8(_mm_packus_epi16(high, low), _mm_set1_epi8(b'0' as i8));
            _mm_storeu_si128(at.cast(), text);
        }
    }
}

/// The digits two at a time from a table: a number's first digits, and every digit on
/// CPUs without [`vector`]'s.
mod pairs {
    use super::{write_below_e4, write_pair};

    /// Stores the 1 to 8 digits of `n` (below 10^8) from `at`; returns how many.
    ///
    /// # Safety
    ///
    /// The eight bytes from `at` are writable.
    #[allow(unsafe_code)]
    #[inline(always)]
    pub(super) unsafe fn write_below_e8(n: u32, at: *mut u8) -> usize {
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

    /// Stores the eight digits of `n` (below 10^8), with leading zeros, from `at`: four
    /// pairs whose divisions do not wait for one another.
    ///
    /// # Safety
    ///
    /// The eight bytes from `at` are writable.
    #[allow(unsafe_code)]
    #[inline(always)]
    #[cfg(any(test, not(target_arch = "x86_64")))]
    pub(super) unsafe fn write_eight(n: u32, at: *mut u8) {
        let (high, low) = (n / 10_000, n % 10_000);
        // SAFETY: the pairs fill the eight bytes the caller may write.
        unsafe {
            write_pair(high / 100, at);
            write_pair(high % 100, at.add(2));
            write_pair(low / 100, at.add(4));
            write_pair(low % 100, at.add(6));
        }
    }

    /// Stores the sixteen digits of `n` (below 10^16), with leading zeros, from `at`.
    ///
    /// # Safety
    ///
    /// The sixteen bytes from `at` are writable.
    #[allow(unsafe_code)]
    #[inline(always)]
    #[cfg(any(test, not(target_arch = "x86_64")))]
    pub(super) unsafe fn write_sixteen(n: u64, at: *mut u8) {
        const E8: u64 = 100_000_000;
        // SAFETY: two writes of eight bytes fill the sixteen.
        unsafe {
            write_eight((n / E8) as u32, at);
            write_eight((n % E8) as u32, at.add(8));
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

    /// The texts each way of writing runs of digits makes of `n`, whichever the CPU
    /// uses: `write_eight` below 10^8, `write_sixteen` below 10^16.
    #[allow(unsafe_code)]
    fn by_every_writer(n: u64) -> Vec<String> {
        type Writers = (unsafe fn(u32, *mut u8), unsafe fn(u64, *mut u8));
        let mut writers: Vec<Writers> =
            vec![(super::pairs::write_eight, super::pairs::write_sixteen)];
        #[cfg(target_arch = "x86_64")]
        writers.push((super::vector::write_eight, super::vector::write_sixteen));
        let mut texts = Vec::new();
        for (eight, sixteen) in writers {
            let mut buffer = [0u8; 16];
            // SAFETY: each writer writes at most the sixteen bytes of `buffer`.
            unsafe {
                if n < 100_000_000 {
                    eight(n as u32, buffer.as_mut_ptr());
                    texts.push(String::from_utf8_lossy(&buffer[..8]).into_owned());
                }
                if n < 10_000_000_000_000_000 {
                    sixteen(n, buffer.as_mut_ptr());
                    texts.push(String::from_utf8_lossy(&buffer).into_owned());
                }
            }
        }
        texts
    }

    fn expected_by_every_writer(n: u64) -> Vec<String> {
        let writers = if cfg!(target_arch = "x86_64") { 2 } else { 1 };
        let mut texts = Vec::new();
        for _ in 0..writers {
            if n < 100_000_000 {
                texts.push(format!("{n:08}"));
            }
            if n < 10_000_000_000_000_000 {
                texts.push(format!("{n:016}"));
            }
        }
        texts
    }

    #[test]
    fn every_group_of_four_digits_by_every_writer() {
        // The vector writer splits eight digits into two groups of four and works on
        // each alone: every group in both places covers it.
        for group in 0..10_000u64 {
            for n in [group, group * 10_000, group * 10_000 + 9_999 - group % 7] {
                assert_eq!(by_every_writer(n), expected_by_every_writer(n), "{n}");
                let wide = n * 100_000_000 + 12_345_678;
                assert_eq!(
                    by_every_writer(wide),
                    expected_by_every_writer(wide),
                    "{wide}"
                );
            }
        }
    }

    proptest! {
        #[test]
        fn any_number_by_every_writer(n in any::<u64>(), digits in 1u32..=16) {
            let n = n % 10u64.pow(digits);
            prop_assert_eq!(by_every_writer(n), expected_by_every_writer(n));
        }

        #[test]
        fn any_number_as_display_writes_it(n in any::<u64>(), digits in 1u32..=20) {
            // Every length equally likely, not mostly twenty digits.
            let n = n % 10u64.checked_pow(digits).unwrap_or(u64::MAX);
            prop_assert_eq!(written(n), format!("x{n}"));
        }
    }
}
