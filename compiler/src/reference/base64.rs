//! Base64 for `BinaryEquals` (SEMANTICS.md C12).
//!
//! Accepted: the standard alphabet (`A–Z a–z 0–9 + /`, RFC 4648 §4), with
//! or without `=` padding. With padding the length is a multiple of four and
//! at most two `=` close the text; without it the length is not 1 modulo
//! four. Unused bits of the last character must be zero (canonical form), so
//! every byte string has exactly one padded and one unpadded spelling. No
//! white space, no URL-safe alphabet. The empty text is the empty byte string.

/// Decodes `text`; `None` if it is not base64 as described above.
pub(super) fn decode(text: &str) -> Option<Vec<u8>> {
    let body = text.trim_end_matches('=');
    let padding = text.len() - body.len();
    // With padding, the length is a multiple of four, so the padding is
    // exactly what the body's last chunk lacks.
    if padding > 2 || (padding > 0 && !text.len().is_multiple_of(4)) {
        return None;
    }
    let mut sextets = Vec::with_capacity(body.len());
    for b in body.bytes() {
        sextets.push(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        });
    }
    let mut bytes = Vec::with_capacity(sextets.len() * 3 / 4);
    for chunk in sextets.chunks(4) {
        // Four sextets are 24 bits, three bytes; a short final chunk of n
        // sextets carries n - 1 bytes and 6n - 8(n - 1) unused bits.
        let bits = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &s)| acc | u32::from(s) << (18 - 6 * i));
        let n_bytes = match chunk.len() {
            4 => 3,
            3 => 2,
            2 => 1,
            _ => return None, // one sextet is not a byte
        };
        let unused = 24 - 8 * n_bytes;
        if bits & ((1 << unused) - 1) != 0 {
            return None;
        }
        for i in 0..n_bytes {
            bytes.push((bits >> (16 - 8 * i)) as u8);
        }
    }
    Some(bytes)
}

#[cfg(test)]
// why: a test fails by panicking; indexing and unwrapping say so shortest.
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;

    #[test]
    fn c12_decodes_rfc4648_vectors() {
        for (text, want) in [
            ("", ""),
            ("Zg==", "f"),
            ("Zm8=", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg==", "foob"),
            ("Zm9vYmE=", "fooba"),
            ("Zm9vYmFy", "foobar"),
            ("Zg", "f"),
            ("Zm8", "fo"),
            ("Zm9vYmE", "fooba"),
        ] {
            assert_eq!(decode(text).as_deref(), Some(want.as_bytes()), "{text:?}");
        }
        assert_eq!(decode("+/+/").as_deref(), Some(&[0xfb, 0xff, 0xbf][..]));
        assert_eq!(decode("AA==").as_deref(), Some(&[0u8][..]));
    }

    #[test]
    fn rejects_non_canonical_and_foreign_text() {
        for bad in [
            "Z", "Zg=", "Zg===", "Z===", "Zh==", "Zm9=", "Zm9v=", "=", "==", "Zm 9v", "Zm9v\n",
            "-_-_", "Zg==Zg==", "é",
        ] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }
}
