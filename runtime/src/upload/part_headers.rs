//! A bound on the headers of each part of a multipart body, which multer buffers whole
//! however long they are (a 24 MiB file name would sit in memory, searched again on
//! every chunk).

use std::fmt;

/// Longest header block of one part, in bytes.
pub(super) const MAX_PART_HEADERS: usize = 8 * 1024;

/// Watches a multipart body for a part whose headers run past [`MAX_PART_HEADERS`]:
/// multer buffers a part's headers whole, however long they are.
pub(super) struct PartHeaders {
    /// `\r\n--boundary`, which starts each part.
    delimiter: Vec<u8>,
    /// In a part's headers: how many bytes of them so far.
    in_headers: Option<usize>,
    /// The end of the chunk before, for a delimiter or blank line split between chunks.
    carry: Vec<u8>,
}

/// A part's headers are longer than [`MAX_PART_HEADERS`]: the chunk stream's error.
#[derive(Debug)]
pub(super) struct PartHeadersTooLarge;

impl fmt::Display for PartHeadersTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a part's headers are longer than {MAX_PART_HEADERS} bytes"
        )
    }
}

impl std::error::Error for PartHeadersTooLarge {}

impl PartHeaders {
    pub(super) fn new(boundary: &str) -> Self {
        Self {
            delimiter: [b"\r\n--", boundary.as_bytes()].concat(),
            in_headers: None,
            // The first delimiter may start the body, with no line break before it.
            carry: b"\r\n".to_vec(),
        }
    }

    pub(super) fn check(&mut self, chunk: &[u8]) -> Result<(), PartHeadersTooLarge> {
        let mut window = std::mem::take(&mut self.carry);
        // Bytes before `fresh` were seen (and counted) with the chunk before.
        let fresh = window.len();
        window.extend_from_slice(chunk);
        let mut at = 0;
        loop {
            let Some(count) = self.in_headers else {
                match memchr::memmem::find(&window[at..], &self.delimiter) {
                    Some(i) => {
                        at += i + self.delimiter.len();
                        self.in_headers = Some(0);
                        continue;
                    }
                    None => {
                        let keep = self.delimiter.len() - 1;
                        self.carry = window[at.max(window.len().saturating_sub(keep))..].to_vec();
                        return Ok(());
                    }
                }
            };
            let found = memchr::memmem::find(&window[at..], b"\r\n\r\n");
            let end = found.map_or(window.len(), |i| at + i);
            let count = count + end.saturating_sub(at.max(fresh));
            if count > MAX_PART_HEADERS {
                return Err(PartHeadersTooLarge);
            }
            match found {
                Some(_) => {
                    at = end + 4;
                    self.in_headers = None;
                }
                None => {
                    self.in_headers = Some(count);
                    self.carry = window[at.max(window.len().saturating_sub(3))..].to_vec();
                    return Ok(());
                }
            }
        }
    }
}
