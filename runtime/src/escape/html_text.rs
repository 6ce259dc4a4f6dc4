//! Escaping HTML text and quoted attribute values ([`html`]), the escaping every page does
//! most: short values checked a word at a time and copied in fixed-size pieces, long text
//! checked with the widest vectors the CPU has and copied chunk by chunk, and the bytes to
//! replace written through a table with no branch per byte.

use super::encode::html_entity;

/// Escapes text for HTML text and quoted attribute values: `& < > " '` become entities,
/// and NUL becomes U+FFFD (as Go's html/template writes it).
///
/// ```
/// let mut out = String::new();
/// rsp::escape::html(r#"<a href="x">&'"#, &mut out);
/// assert_eq!(out, "&lt;a href=&#34;x&#34;&gt;&amp;&#39;");
/// ```
#[inline(always)]
pub fn html(input: &str, out: &mut String) {
    if input.len() < LANES {
        // Most values are short (names, words) and have nothing to escape.
        if has_no_html_special(input.as_bytes()) {
            push_text(input, out);
        } else {
            html_short(input, out);
        }
    } else {
        html_long(input, out);
    }
}

/// Appends `text`: most values are short, and [`push_short`] and [`push_medium`] copy
/// those for less.
#[inline(always)]
pub(super) fn push_text(text: &str, out: &mut String) {
    if text.len() < 16 {
        push_short(text, out);
    } else if text.len() <= 32 {
        push_medium(text, out);
    } else {
        out.push_str(text);
    }
}

/// Appends text of 16 to 32 bytes (a title, a name, a float's digits) with two copies of
/// 16 bytes, overlapping when it is shorter than 32, rather than a call to `memcpy`.
#[inline(always)]
fn push_medium(text: &str, out: &mut String) {
    let len = text.len();
    debug_assert!((16..=32).contains(&len));
    out.reserve(len);
    // SAFETY: as in `push_short`: room for `len` bytes was just made, both copies read
    // inside `text` (16 <= len) and write the same bytes at the same offsets in that room.
    #[allow(unsafe_code)]
    unsafe {
        let bytes = out.as_mut_vec();
        let to = bytes.as_mut_ptr().add(bytes.len());
        let from = text.as_ptr();
        let (head, tail) = (
            from.cast::<u128>().read_unaligned(),
            from.add(len - 16).cast::<u128>().read_unaligned(),
        );
        to.cast::<u128>().write_unaligned(head);
        to.add(len - 16).cast::<u128>().write_unaligned(tail);
        bytes.set_len(bytes.len() + len);
    }
}

/// Appends text shorter than 16 bytes with two copies of fixed size (overlapping when the
/// text is shorter than both) rather than a call to `memcpy`, which costs more than such a
/// copy.
#[inline(always)]
fn push_short(text: &str, out: &mut String) {
    let len = text.len();
    debug_assert!(len < 16);
    out.reserve(len);
    // SAFETY: room for `len` bytes was just made after the string's end. Each copy reads
    // inside `text` and writes the same bytes at the same offsets inside that room; the
    // overlapping copies write some bytes twice, the same each time. So those bytes become
    // `text`, whole characters of a `str`, and the string stays UTF-8.
    #[allow(unsafe_code)]
    unsafe {
        let bytes = out.as_mut_vec();
        let to = bytes.as_mut_ptr().add(bytes.len());
        let from = text.as_ptr();
        if len >= 8 {
            let (head, tail) = (
                from.cast::<u64>().read_unaligned(),
                from.add(len - 8).cast::<u64>().read_unaligned(),
            );
            to.cast::<u64>().write_unaligned(head);
            to.add(len - 8).cast::<u64>().write_unaligned(tail);
        } else if len >= 4 {
            let (head, tail) = (
                from.cast::<u32>().read_unaligned(),
                from.add(len - 4).cast::<u32>().read_unaligned(),
            );
            to.cast::<u32>().write_unaligned(head);
            to.add(len - 4).cast::<u32>().write_unaligned(tail);
        } else if len > 0 {
            *to = *from;
            *to.add(len / 2) = *from.add(len / 2);
            *to.add(len - 1) = *from.add(len - 1);
        }
        bytes.set_len(bytes.len() + len);
    }
}

/// Whether text shorter than [`LANES`] has no byte [`html`] replaces, checked 16 or 8
/// bytes at a time (the last group overlapping the one before) rather than byte by byte.
#[inline(always)]
fn has_no_html_special(bytes: &[u8]) -> bool {
    let len = bytes.len();
    if len >= 16 {
        let clear = |chunk: &[u8; 16]| {
            chunk
                .iter()
                .fold(0, |any, &b| any | u8::from(is_html_special(b)))
                == 0
        };
        let (chunks, _) = bytes.as_chunks::<16>();
        let last = bytes[len - 16..].as_chunks::<16>().0[0];
        chunks.iter().all(clear) && clear(&last)
    } else if len >= 8 {
        let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or([0; 8]));
        !word_has_html_special(word(0)) && !word_has_html_special(word(len - 8))
    } else {
        !bytes.iter().any(|&b| is_html_special(b))
    }
}

/// Whether any of the 8 bytes of `word` is one [`html`] replaces (as [`is_html_special`],
/// with the zero-byte test on every byte at once).
#[inline(always)]
fn word_has_html_special(word: u64) -> bool {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS != 0;
    has_zero((word | ONES) ^ (ONES * u64::from(b'\'')))
        | has_zero(word ^ (ONES * u64::from(b'"')))
        | has_zero((word | (ONES * 2)) ^ (ONES * u64::from(b'>')))
        | has_zero(word)
}

/// The rest of [`html`], for short text that does need escaping: kept out of line so the
/// common case stays small where it is inlined.
#[cold]
#[inline(never)]
fn html_short(input: &str, out: &mut String) {
    // SAFETY: every byte of `input` is kept (so whole characters stay whole) or replaced
    // by an ASCII entity or U+FFFD: the string stays UTF-8.
    #[allow(unsafe_code)]
    html_expand(input.as_bytes(), unsafe { out.as_mut_vec() });
}

/// How many bytes [`html`] checks at once in long text.
const LANES: usize = 64;

/// [`html`] for text of [`LANES`] bytes or more, with the widest vectors the CPU has.
#[inline(never)]
fn html_long(input: &str, out: &mut String) {
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: calling a `target_feature` function needs only that the CPU has the
        // feature, which was just checked.
        #[allow(unsafe_code)]
        return unsafe { html_long_avx2(input, out) };
    }
    html_long_portable(input, out);
}

/// [`html_by_chunks`] with what every CPU has.
#[inline(always)]
pub(super) fn html_long_portable(input: &str, out: &mut String) {
    html_by_chunks(input, out, |chunk| {
        // `u8`, not `bool`, and no early exit: that is what vectorizes (no branch per
        // byte, vector comparisons). Most chunks of long text have nothing to replace:
        // only those that do are looked at byte by byte.
        let any = chunk
            .iter()
            .fold(0, |any, &b| any | u8::from(is_html_special(b)));
        if any == 0 {
            0
        } else {
            html_special_mask(chunk)
        }
    });
}

/// [`html_by_chunks`] compiled for AVX2, each chunk checked by [`special_mask_avx2`].
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[target_feature(enable = "avx2")]
fn html_long_avx2(input: &str, out: &mut String) {
    // The closure has this function's target features: the call needs no `unsafe`.
    html_by_chunks(input, out, |chunk| special_mask_avx2(chunk));
}

/// Bit `i` set if `chunk[i]` is a byte [`html`] replaces, each byte looked up by its two
/// halves in two 16-entry tables (two shuffles) rather than compared with each special
/// byte: the bit a table gives for a byte's low half is one its high half gives only for
/// the specials (0x00; 0x22, 0x26, 0x27; 0x3C, 0x3E).
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[target_feature(enable = "avx2")]
fn special_mask_avx2(chunk: &[u8; LANES]) -> u64 {
    #[cfg(target_arch = "x86")]
    use std::arch::x86::*;
    #[cfg(target_arch = "x86_64")]
    use std::arch::x86_64::*;
    // By low half: 0 → bit 0 (0x00); 2, 6, 7 → bit 1 (0x2_); C, E → bit 2 (0x3_).
    let by_low = _mm256_setr_epi8(
        1, 0, 2, 0, 0, 0, 2, 2, 0, 0, 0, 0, 4, 0, 4, 0, //
        1, 0, 2, 0, 0, 0, 2, 2, 0, 0, 0, 0, 4, 0, 4, 0,
    );
    // By high half: 0 → bit 0, 2 → bit 1, 3 → bit 2.
    let by_high = _mm256_setr_epi8(
        1, 0, 2, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, //
        1, 0, 2, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    );
    let low_half = _mm256_set1_epi8(0x0F);
    // Non-zero where a byte is special.
    let specials = |half: &[u8; 32]| {
        // SAFETY: an unaligned load of the 32 bytes of `half`.
        #[allow(unsafe_code)]
        let bytes = unsafe { _mm256_loadu_si256(half.as_ptr().cast()) };
        // A byte of 0x80 or more (its top bit set) looks up 0: none is special.
        let low = _mm256_shuffle_epi8(by_low, bytes);
        let high = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), low_half);
        _mm256_and_si256(low, _mm256_shuffle_epi8(by_high, high))
    };
    let (halves, _) = chunk.as_chunks::<32>();
    let (first, second) = (specials(&halves[0]), specials(&halves[1]));
    // Most chunks of long text have none: one test says so.
    let any = _mm256_or_si256(first, second);
    if _mm256_testz_si256(any, any) != 0 {
        return 0;
    }
    let bits = |found| {
        let plain = _mm256_cmpeq_epi8(found, _mm256_setzero_si256());
        u64::from(!(_mm256_movemask_epi8(plain) as u32))
    };
    bits(first) | bits(second) << 32
}

/// Writes `input` escaped, [`LANES`] bytes at a time, each chunk's specials marked by
/// `special_mask` ([`html_special_mask`]'s bits). A chunk with nothing to replace is
/// copied as soon as it is checked, while it is at hand, rather than read again later as
/// part of a longer run.
#[inline(always)]
fn html_by_chunks(input: &str, out: &mut String, special_mask: impl Fn(&[u8; LANES]) -> u64) {
    // SAFETY: what is appended is `input`, each byte in order, with some ASCII bytes
    // replaced by ASCII entities or U+FFFD: UTF-8 once this returns. Between, the string
    // may end inside a character (a chunk's last bytes), and nothing reads it.
    #[allow(unsafe_code)]
    let out = unsafe { out.as_mut_vec() };
    let bytes = input.as_bytes();
    let (chunks, _) = bytes.as_chunks::<LANES>();
    out.reserve(bytes.len());
    for (n, chunk) in chunks.iter().enumerate() {
        let mask = special_mask(chunk);
        if mask == 0 {
            out.extend_from_slice(chunk);
        } else {
            html_escape_chunk(bytes, n * LANES, mask, out);
        }
    }
    let tail = chunks.len() * LANES;
    let mut done = tail;
    if tail < bytes.len() {
        // The last LANES bytes, the first of which were checked with the chunks.
        let start = bytes.len() - LANES;
        let window = bytes[start..].as_chunks::<LANES>().0[0];
        let seen = tail - start;
        let mask = special_mask(&window) >> seen << seen;
        done = html_escape_masked(bytes, start, mask, done, out);
    }
    out.extend_from_slice(&bytes[done..]);
}

/// Writes the [`LANES`] bytes of `text` from `start`, escaping those `mask` marks. Out of
/// line, so that the loop over chunks with nothing to escape keeps everything in
/// registers.
#[inline(never)]
fn html_escape_chunk(text: &[u8], start: usize, mask: u64, out: &mut Vec<u8>) {
    let done = html_escape_masked(text, start, mask, start, out);
    out.extend_from_slice(&text[done..start + LANES]);
}

/// Escapes the bytes that `mask` marks in the [`LANES`] bytes of `text` from `start`,
/// writing the text from `done` up to them; returns where the unwritten text now begins.
#[inline(always)]
fn html_escape_masked(
    text: &[u8],
    start: usize,
    mut mask: u64,
    mut done: usize,
    out: &mut Vec<u8>,
) -> usize {
    if mask.count_ones() > 1 {
        // Several to replace: a branch for each would be mispredicted about as often as
        // not, so copy every byte from the first to the last through a table instead.
        let first = start + mask.trailing_zeros() as usize;
        let last = start + (LANES - 1) - mask.leading_zeros() as usize;
        out.extend_from_slice(&text[done..first]);
        html_expand(&text[first..=last], out);
        return last + 1;
    }
    while mask != 0 {
        let at = start + mask.trailing_zeros() as usize;
        mask &= mask - 1;
        out.extend_from_slice(&text[done..at]);
        out.extend_from_slice(HTML_ENTITIES[usize::from(text[at] & 0x3F)].as_bytes());
        done = at + 1;
    }
    done
}

/// Writes `text` escaped with no branch per byte: each byte stores the 8 bytes of its
/// replacement (itself, for most) at the end of `out` and moves on by its length.
#[inline(always)]
fn html_expand(text: &[u8], out: &mut Vec<u8>) {
    // A replacement has 5 bytes at most; the last store writes 8.
    out.reserve(text.len() * 5 + 8);
    // SAFETY: room for 5 bytes per byte of `text` and 8 more was just made after the
    // end, and each store begins at most 5 bytes per byte of `text` before it into that
    // room. `out` grows by the replacements' lengths alone, all of them written.
    #[allow(unsafe_code)]
    unsafe {
        let at = out.as_mut_ptr().add(out.len());
        let mut len = 0;
        for &b in text {
            let entry = HTML_EXPANSION[usize::from(b)];
            at.add(len).cast::<u64>().write_unaligned(entry.to_le());
            len += (entry >> 56) as usize;
        }
        out.set_len(out.len() + len);
    }
}

/// Bit `i` set if `chunk[i]` is a byte [`html`] replaces. The flags are computed side by
/// side as bytes of 0 or 1; three shifts gather each 8 of them into the low 8 bits.
#[inline(always)]
fn html_special_mask(chunk: &[u8; LANES]) -> u64 {
    let mut flags = [0; LANES];
    for (flag, &b) in flags.iter_mut().zip(chunk) {
        *flag = u8::from(is_html_special(b));
    }
    let (groups, _) = flags.as_chunks::<8>();
    groups.iter().enumerate().fold(0, |mask, (k, group)| {
        let mut bits = u64::from_le_bytes(*group);
        bits |= bits >> 7;
        bits |= bits >> 14;
        bits |= bits >> 28;
        mask | (bits & 0xFF) << (8 * k)
    })
}

/// The bytes [`html`] replaces, as comparisons a vector unit makes on many bytes at once:
/// `&` and `'` are 0x26 and 0x27, `<` and `>` 0x3C and 0x3E.
#[inline(always)]
pub(super) fn is_html_special(b: u8) -> bool {
    ((b | 1) == b'\'') | (b == b'"') | ((b | 2) == b'>') | (b == 0)
}

/// [`html_entity`] as a table of the bytes below 0x40, where all of them are: looking up
/// a replacement costs no branch, which text with every kind of them mixed would mispredict.
const HTML_ENTITIES: [&str; 0x40] = {
    let mut table = [""; 0x40];
    let mut byte = 0;
    while byte < table.len() {
        if let Some(entity) = html_entity(byte as u8) {
            table[byte] = entity;
        }
        byte += 1;
    }
    table
};

/// What [`html_expand`] writes for each byte: its replacement (or itself) in the low
/// bytes, read as little-endian, and in the top byte how many of them it keeps. One load
/// per byte gives both, where two tables took two.
const HTML_EXPANSION: [u64; 256] = {
    let mut table = [0; 256];
    let mut byte = 0;
    while byte < table.len() {
        let mut entry = [0; 8];
        match html_entity(byte as u8) {
            Some(entity) => {
                let entity = entity.as_bytes();
                let mut i = 0;
                while i < entity.len() {
                    entry[i] = entity[i];
                    i += 1;
                }
                entry[7] = entity.len() as u8;
            }
            None => {
                entry[0] = byte as u8;
                entry[7] = 1;
            }
        }
        table[byte] = u64::from_le_bytes(entry);
        byte += 1;
    }
    table
};
