//! Character references in attribute values, decoded as the browser does.

/// Decodes the character reference at the start of `rest` (which starts with `&`) as
/// in an attribute value: the character and the bytes it takes. Named references
/// that stand for non-ASCII characters are left alone: they cannot change the
/// JavaScript, CSS or URL structure that the tracker follows.
pub(super) fn char_ref(rest: &str) -> (char, usize) {
    let body = &rest[1..];
    if let Some(number) = body.strip_prefix('#') {
        return numeric_ref(number).map_or(('&', 1), |(c, len)| (c, len + 2));
    }
    let name_len = body
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(body.len());
    let name = &body[..name_len];
    let next = body[name_len..].chars().next();
    let found = NAMED_REFS.iter().find(|(n, _)| *n == name).map(|&(_, c)| c);
    match (found, next) {
        (Some(c), Some(';')) => (c, name_len + 2),
        // Legacy references may omit the `;`, but not before `=` in attributes.
        (Some(c), next) if LEGACY_REFS.contains(&name) && next != Some('=') => (c, name_len + 1),
        _ => ('&', 1),
    }
}

/// A decimal or hexadecimal reference after `&#`: the character and its length.
fn numeric_ref(number: &str) -> Option<(char, usize)> {
    let (digits, radix, prefix) = match number.strip_prefix(['x', 'X']) {
        Some(hex) => (hex, 16, 1),
        None => (number, 10, 0),
    };
    let len = digits
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(digits.len());
    if len == 0 {
        return None;
    }
    let code = digits[..len].chars().try_fold(0u32, |n, d| {
        n.checked_mul(radix)?.checked_add(d.to_digit(radix)?)
    });
    let c = code
        .filter(|&n| n != 0)
        .and_then(char::from_u32)
        .unwrap_or('\u{FFFD}');
    let semicolon = usize::from(digits[len..].starts_with(';'));
    Some((c, prefix + len + semicolon))
}

/// Named references that stand for a string starting with an ASCII character (the
/// first character is enough for the tracker).
const NAMED_REFS: &[(&str, char)] = &[
    ("AMP", '&'),
    ("DiacriticalGrave", '`'),
    ("GT", '>'),
    ("Hat", '^'),
    ("LT", '<'),
    ("NewLine", '\n'),
    ("QUOT", '"'),
    ("Tab", '\t'),
    ("UnderBar", '_'),
    ("VerticalLine", '|'),
    ("amp", '&'),
    ("apos", '\''),
    ("ast", '*'),
    ("bne", '='),
    ("bsol", '\\'),
    ("colon", ':'),
    ("comma", ','),
    ("commat", '@'),
    ("dollar", '$'),
    ("equals", '='),
    ("excl", '!'),
    ("fjlig", 'f'),
    ("grave", '`'),
    ("gt", '>'),
    ("lbrace", '{'),
    ("lbrack", '['),
    ("lcub", '{'),
    ("lowbar", '_'),
    ("lpar", '('),
    ("lsqb", '['),
    ("lt", '<'),
    ("midast", '*'),
    ("num", '#'),
    ("nvgt", '>'),
    ("nvlt", '<'),
    ("percnt", '%'),
    ("period", '.'),
    ("plus", '+'),
    ("quest", '?'),
    ("quot", '"'),
    ("rbrace", '}'),
    ("rbrack", ']'),
    ("rcub", '}'),
    ("rpar", ')'),
    ("rsqb", ']'),
    ("semi", ';'),
    ("sol", '/'),
    ("verbar", '|'),
    ("vert", '|'),
];

/// Those of [`NAMED_REFS`] that are also recognised without a `;`.
const LEGACY_REFS: &[&str] = &["AMP", "GT", "LT", "QUOT", "amp", "gt", "lt", "quot"];
