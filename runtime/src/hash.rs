//! The name hash and the open-addressing index built from it.
//!
//! The hash is part of the file format: indexes are built by `wire::encode`,
//! stored in the table, and probed by lookups without being rebuilt. Changing
//! [`hash`] therefore needs a `FORMAT_VERSION` bump.
//!
//! Index layout: a power-of-two number of 8-byte slots, each a little-endian `u32`
//! entry id followed by a little-endian `u32` tag, the [`tag`] (high 32 bits) of the
//! entry's name hash. An empty slot is id [`EMPTY`] with tag 0, and nothing else: one
//! encoding per index. Probing is linear from [`home_slot`] (`hash & (n_slots - 1)`,
//! the low bits, so home and tag are independent); a lookup compares the tag first
//! and the name only on an equal tag, so a probe that passes other names' slots
//! almost never touches their bytes. The slot count is always
//! [`n_slots`]`(n_entries)`, which keeps the load at most 50% and leaves at least one
//! empty slot, so a probe for an absent name stops.
//!
//! Read as one little-endian `u64`, a slot is `tag << 32 | id` ([`slot_word`]); the
//! empty slot is [`EMPTY_SLOT`].

/// The id of an empty slot.
pub(crate) const EMPTY: u32 = u32::MAX;

/// Bytes per slot.
pub(crate) const SLOT_LEN: usize = 8;

/// An empty slot read as a `u64`: id [`EMPTY`], tag 0.
pub(crate) const EMPTY_SLOT: u64 = EMPTY as u64;

/// Seed multiplier of the word mix (the FxHash constant).
const K: u64 = 0x517c_c1b7_2722_0a95;

/// A fast non-cryptographic hash of `bytes`; with `FOLD`, equal for byte strings
/// that are equal up to ASCII case.
///
/// Mixes the length and then 8-byte little-endian words (the last one zero-padded)
/// with a folded multiply: the high and low halves of the 128-bit product
/// `(state ^ word) * K`, xored, so every input bit reaches every state bit. Then
/// applies the murmur3 64-bit finalizer so that the low bits, which pick the slot,
/// and the high bits, which make the tag, depend on every input bit. With `FOLD`,
/// each word first goes through [`hash_fold`]. Never allocates, never calls `memcpy`.
#[inline]
pub(crate) fn hash<const FOLD: bool>(bytes: &[u8]) -> u64 {
    let mut state = (bytes.len() as u64).wrapping_mul(K);
    let mut rest = bytes;
    while let Some((word, tail)) = rest.split_first_chunk::<8>() {
        state = mix(state, hash_fold::<FOLD>(u64::from_le_bytes(*word)));
        rest = tail;
    }
    if !rest.is_empty() {
        let word = match bytes.last_chunk::<8>() {
            // The last 8 bytes, shifted to drop the ones already mixed: no branch on
            // the length of the rest.
            Some(last) => u64::from_le_bytes(*last) >> ((8 - rest.len()) * 8),
            None => partial_word(rest),
        };
        state = mix(state, hash_fold::<FOLD>(word));
    }
    finish(state)
}

/// The first `min(8, len)` bytes of `bytes` as a little-endian `u64`, zero-padded.
///
/// Reads whole (possibly overlapping) words instead of copying byte by byte, so
/// it needs neither a loop nor a `memcpy` call.
#[inline]
fn partial_word(bytes: &[u8]) -> u64 {
    if let Some(word) = bytes.first_chunk::<8>() {
        return u64::from_le_bytes(*word);
    }
    let len = bytes.len();
    if let (Some(lo), Some(hi)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        // 4 <= len < 8: `hi` overlaps `lo` and moves to bytes len - 4 .. len.
        let (lo, hi) = (u32::from_le_bytes(*lo), u32::from_le_bytes(*hi));
        return u64::from(lo) | (u64::from(hi) << ((len - 4) * 8));
    }
    match (bytes.first(), bytes.get(len / 2), bytes.last()) {
        // 1 <= len < 4: bytes 0, len / 2 and len - 1 cover them all.
        (Some(&first), Some(&mid), Some(&last)) => {
            u64::from(first)
                | (u64::from(mid) << (len / 2 * 8))
                | (u64::from(last) << ((len - 1) * 8))
        }
        _ => 0,
    }
}

/// Whether `a` and `b` are equal, byte for byte; for short names, cheaper than a
/// call to `memcmp`: whole words, the last one overlapping.
#[inline]
pub(crate) fn same_exact(a: &[u8], b: &[u8]) -> bool {
    same::<false>(a, b)
}

/// Whether `a` and `b` are equal up to ASCII case (like `eq_ignore_ascii_case`),
/// a word at a time.
#[inline]
pub(crate) fn same_folded(a: &[u8], b: &[u8]) -> bool {
    same::<true>(a, b)
}

#[inline]
fn same<const FOLD: bool>(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    // Equal words are equal folded too: names given in their canonical case (the
    // common case) never pay for folding.
    let word_eq = |x: u64, y: u64| x == y || (FOLD && fold::<FOLD>(x) == fold::<FOLD>(y));
    let (mut a_rest, mut b_rest) = (a, b);
    while let (Some((x, a_tail)), Some((y, b_tail))) = (
        a_rest.split_first_chunk::<8>(),
        b_rest.split_first_chunk::<8>(),
    ) {
        if !word_eq(u64::from_le_bytes(*x), u64::from_le_bytes(*y)) {
            return false;
        }
        (a_rest, b_rest) = (a_tail, b_tail);
    }
    if a_rest.is_empty() {
        return true;
    }
    match (a.last_chunk::<8>(), b.last_chunk::<8>()) {
        // The last 8 bytes, overlapping words already compared.
        (Some(x), Some(y)) => word_eq(u64::from_le_bytes(*x), u64::from_le_bytes(*y)),
        // Equal lengths under 8: the zero padding is the same on both sides.
        _ => word_eq(partial_word(a_rest), partial_word(b_rest)),
    }
}

#[inline]
fn mix(state: u64, word: u64) -> u64 {
    let product = u128::from(state ^ word) * u128::from(K);
    (product as u64) ^ ((product >> 64) as u64)
}

/// murmur3 `fmix64`.
#[inline]
fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The case-insensitive form of `word` for hashing: the ASCII case bit set in every
/// byte. It maps both cases of a letter to the same byte, so names equal up to ASCII
/// case hash alike; it also maps some other pairs of bytes together (`@` and `` ` ``,
/// `É` and `é`), which only costs a name comparison on a rare equal tag.
#[inline]
fn hash_fold<const FOLD: bool>(word: u64) -> u64 {
    if FOLD {
        word | 0x2020_2020_2020_2020
    } else {
        word
    }
}

#[inline]
fn fold<const FOLD: bool>(word: u64) -> u64 {
    if FOLD {
        ascii_lowercase_word(word)
    } else {
        word
    }
}

/// Lower-cases the ASCII letters among the 8 bytes of `word`; other bytes unchanged.
#[inline]
fn ascii_lowercase_word(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Each byte of `low7` is at most 0x7f, so the additions below never carry
    // into the next byte; the high bit of each byte answers one comparison.
    let low7 = word & !HIGH;
    let at_least_a = low7 + ONES * (0x80 - b'A' as u64);
    let above_z = low7 + ONES * (0x7f - b'Z' as u64);
    // `!word & HIGH` excludes bytes >= 0x80 (their low 7 bits may look like letters).
    let upper = at_least_a & !above_z & !word & HIGH;
    // Moves each selected high bit (0x80) to the case bit (0x20) of the same byte.
    word | (upper >> 2)
}

/// Exact hash, for principal names and ARNs.
#[inline]
pub(crate) fn hash_exact(bytes: &[u8]) -> u64 {
    hash::<false>(bytes)
}

/// Case-insensitive hash, for action names: equal for names equal up to ASCII case
/// (and for a few other pairs, see [`hash_fold`]).
#[inline]
pub(crate) fn hash_folded(bytes: &[u8]) -> u64 {
    hash::<true>(bytes)
}

/// The slot count of an index with `n_entries` entries: the smallest power of two
/// that is at least `2 * n_entries` and at least 2. `None` on overflow.
pub(crate) fn n_slots(n_entries: usize) -> Option<usize> {
    n_entries.checked_mul(2)?.max(2).checked_next_power_of_two()
}

/// The tag stored next to an entry whose name hashes to `hash`: its high 32 bits.
#[inline]
pub(crate) fn tag(hash: u64) -> u32 {
    (hash >> 32) as u32
}

/// A slot read as a little-endian `u64`: `tag << 32 | id`.
#[inline]
pub(crate) fn slot_word(id: u32, tag: u32) -> u64 {
    (u64::from(tag) << 32) | u64::from(id)
}

/// The id and tag of a slot read as a little-endian `u64`.
#[inline]
pub(crate) fn split_slot(word: u64) -> (u32, u32) {
    (word as u32, (word >> 32) as u32)
}

/// Slot `pos` of the index bytes `slots`, as a `u64` (see [`slot_word`]).
#[inline]
pub(crate) fn slot_at(slots: &[u8], pos: usize) -> Option<u64> {
    let start = pos.checked_mul(SLOT_LEN)?;
    slots
        .get(start..)?
        .first_chunk::<SLOT_LEN>()
        .map(|b| u64::from_le_bytes(*b))
}

/// The first slot probed for `hash` in an index of `n_slots` (a power of two) slots.
#[inline]
pub(crate) fn home_slot(hash: u64, n_slots: usize) -> usize {
    (hash as usize) & n_slots.wrapping_sub(1)
}

/// Builds the slots of an index over `entries` (`(id, hash)` pairs), in order, as
/// `u64` words (see [`slot_word`]).
///
/// Duplicate names are inserted like any other entry; the loader reports them.
/// `None` if the index would not fit in memory.
pub(crate) fn build_index(entries: &[(u32, u64)]) -> Option<Vec<u64>> {
    let n = n_slots(entries.len())?;
    let mut slots = vec![EMPTY_SLOT; n];
    for &(id, hash) in entries {
        let mut pos = home_slot(hash, n);
        // INVARIANT: fewer entries than slots, so an empty slot exists and this stops.
        loop {
            let slot = slots.get_mut(pos)?;
            if *slot == EMPTY_SLOT {
                *slot = slot_word(id, tag(hash));
                break;
            }
            pos = (pos + 1) & (n - 1);
        }
    }
    Some(slots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swar_lowercase_matches_bytewise() {
        let fillers = [0x00u8, b'a', b'Z', b'@', b'[', 0x7f, 0x80, 0xC1, 0xDA, 0xFF];
        for filler in fillers {
            for pos in 0..8 {
                for byte in 0..=255u8 {
                    let mut bytes = [filler; 8];
                    bytes[pos] = byte;
                    let expected: Vec<u8> = bytes.iter().map(u8::to_ascii_lowercase).collect();
                    let got = ascii_lowercase_word(u64::from_le_bytes(bytes)).to_le_bytes();
                    assert_eq!(got.as_slice(), expected.as_slice(), "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn folded_hash_ignores_ascii_case() {
        let names = [
            "chime:ListUsers",
            "s3:GetObject",
            "a",
            "",
            "iam:CreateAccessKeyLongName",
        ];
        for name in names {
            let upper = name.to_ascii_uppercase();
            let lower = name.to_ascii_lowercase();
            assert_eq!(hash_folded(upper.as_bytes()), hash_folded(lower.as_bytes()));
            assert_eq!(hash_folded(name.as_bytes()), hash_folded(lower.as_bytes()));
        }
        assert_ne!(hash_folded(b"s3:GetObject"), hash_folded(b"s3:GetObjects"));
        assert_ne!(hash_folded(b"s3:GetObject"), hash_folded(b"s3:PutObject"));
        assert_ne!(hash_exact(b"User/a"), hash_exact(b"user/a"));
        // The fold is coarser than ASCII case (the name comparison is exact).
        assert_eq!(hash_folded(b"a@b"), hash_folded(b"a`b"));
        assert!(!same_folded(b"a@b", b"a`b"));
    }
    #[test]
    fn length_is_part_of_the_hash() {
        assert_ne!(hash_exact(b"a"), hash_exact(b"a\0"));
        assert_ne!(hash_exact(b""), hash_exact(b"\0"));
    }

    #[test]
    fn similar_names_do_not_collide() {
        // A word mix whose high input bits reach only a few state bits (FxHash's
        // rotate-xor-multiply) made about 2% of names like these collide in all 64
        // bits, e.g. `user/t119` and `user/t192`: same home slot and same tag.
        assert_ne!(hash_exact(b"user/t119"), hash_exact(b"user/t192"));
        for pattern in [
            |i: u32| format!("user/t{i}"),
            |i: u32| format!("user/u{i:06}"),
            |i: u32| format!("arn:aws:iam::123456789012:role/r{i}"),
        ] {
            let mut hashes: Vec<u64> = (0..50_000)
                .map(|i| hash_exact(pattern(i).as_bytes()))
                .collect();
            hashes.sort_unstable();
            hashes.dedup();
            assert_eq!(hashes.len(), 50_000, "{}", pattern(0));
        }
    }

    #[test]
    fn partial_words_are_zero_padded() {
        let bytes: Vec<u8> = (1..=10).collect();
        for len in 0..=10 {
            let mut expected = [0u8; 8];
            let n = len.min(8);
            expected[..n].copy_from_slice(&bytes[..n]);
            assert_eq!(
                partial_word(&bytes[..len]),
                u64::from_le_bytes(expected),
                "{len}"
            );
        }
    }

    #[test]
    fn word_comparisons_match_slice_comparisons() {
        // Every length up to 20, a difference at every position, in case and not.
        for len in 0..=20usize {
            let a: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            assert!(same_exact(&a, &a));
            assert!(same_folded(&a, &a.to_ascii_uppercase()));
            assert!(!same_exact(&a, &a.to_ascii_uppercase()) || len == 0);
            for pos in 0..len {
                let mut b = a.clone();
                b[pos] = b'#';
                assert!(!same_exact(&a, &b), "{len} {pos}");
                assert!(!same_folded(&a, &b), "{len} {pos}");
                b[pos] = a[pos].to_ascii_uppercase();
                assert!(!same_exact(&a, &b), "{len} {pos}");
                assert!(same_folded(&a, &b), "{len} {pos}");
            }
            let mut longer = a.clone();
            longer.push(0);
            assert!(!same_exact(&a, &longer));
            assert!(!same_folded(&a, &longer));
        }
        // Non-ASCII bytes are compared exactly.
        assert!(!same_folded("É".as_bytes(), "é".as_bytes()));
    }

    proptest::proptest! {
        #[test]
        fn prop_word_comparisons_match_std(
            a in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            flips in proptest::collection::vec(proptest::prelude::any::<bool>(), 40),
            at in proptest::prelude::any::<proptest::sample::Index>(),
            byte in proptest::prelude::any::<u8>(),
            other in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
        ) {
            // `b`: `a` with some ASCII letters upper-cased; `c`: `a` with one byte changed.
            let b: Vec<u8> = a
                .iter()
                .zip(&flips)
                .map(|(&x, &flip)| if flip { x.to_ascii_uppercase() } else { x })
                .collect();
            let mut c = a.clone();
            if !c.is_empty() {
                c[at.index(a.len())] = byte;
            }
            for y in [&b, &c, &other] {
                proptest::prop_assert_eq!(same_exact(&a, y), a == *y);
                proptest::prop_assert_eq!(same_folded(&a, y), a.eq_ignore_ascii_case(y));
                if a.eq_ignore_ascii_case(y) {
                    proptest::prop_assert_eq!(hash_folded(&a), hash_folded(y));
                }
            }
        }
    }

    #[test]
    fn slot_counts() {
        assert_eq!(n_slots(0), Some(2));
        assert_eq!(n_slots(1), Some(2));
        assert_eq!(n_slots(2), Some(4));
        assert_eq!(n_slots(3), Some(8));
        assert_eq!(n_slots(4), Some(8));
        assert_eq!(n_slots(5), Some(16));
        assert_eq!(n_slots(usize::MAX), None);
    }

    #[test]
    fn build_places_every_entry_once_with_its_tag() {
        let hash_of = |i: u32| (u64::from(i) << 40) | u64::from(i % 7);
        let entries: Vec<(u32, u64)> = (0..100).map(|i| (i, hash_of(i))).collect();
        let slots = build_index(&entries).unwrap();
        assert_eq!(slots.len(), 256);
        let mut seen: Vec<u32> = Vec::new();
        for &word in &slots {
            let (id, tag) = split_slot(word);
            if word == EMPTY_SLOT {
                continue;
            }
            assert_eq!(tag, super::tag(hash_of(id)));
            seen.push(id);
        }
        seen.sort_unstable();
        assert_eq!(seen, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn slot_words_are_id_then_tag_little_endian() {
        let word = slot_word(0x0403_0201, 0x0807_0605);
        assert_eq!(word.to_le_bytes(), [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(split_slot(word), (0x0403_0201, 0x0807_0605));
        assert_eq!(
            EMPTY_SLOT.to_le_bytes(),
            [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]
        );
        assert_eq!(slot_at(&word.to_le_bytes(), 0), Some(word));
        assert_eq!(slot_at(&word.to_le_bytes(), 1), None);
        assert_eq!(slot_at(&[0; 7], 0), None);
        assert_eq!(tag(0xDEAD_BEEF_0000_0001), 0xDEAD_BEEF);
    }
}
