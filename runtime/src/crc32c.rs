//! CRC-32C (Castagnoli), table-driven, with the table generated at compile time.
//!
//! Used only for the table file checksum. A CRC detects every error burst of at
//! most 32 bits, so in particular every single-byte change of a table file.
//! No hardware acceleration: tables are small and loaded once.

/// The reflected Castagnoli polynomial 0x1EDC6F41.
const POLY: u32 = 0x82F6_3B78;

/// `TABLE[b]` is the CRC register after shifting in byte `b`.
const TABLE: [u32; 256] = make_table();

#[expect(
    clippy::indexing_slicing,
    reason = "const fn without iterators; the loop bound keeps idx < 256"
)]
const fn make_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut idx = 0;
    while idx < 256 {
        let mut crc = idx as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ POLY
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[idx] = crc;
        idx += 1;
    }
    table
}

/// A running CRC-32C computation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Crc32c {
    state: u32,
}

impl Crc32c {
    pub(crate) const fn new() -> Crc32c {
        Crc32c { state: !0 }
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        let mut crc = self.state;
        for &byte in bytes {
            let idx = usize::from((crc as u8) ^ byte);
            #[expect(
                clippy::indexing_slicing,
                reason = "idx is a u8 and the table has 256 entries"
            )]
            let entry = TABLE[idx];
            crc = entry ^ (crc >> 8);
        }
        self.state = crc;
    }

    pub(crate) const fn finish(self) -> u32 {
        !self.state
    }
}

/// The CRC-32C of `bytes`.
#[cfg(test)]
pub(crate) fn crc32c(bytes: &[u8]) -> u32 {
    let mut crc = Crc32c::new();
    crc.update(bytes);
    crc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit-by-bit reference implementation.
    fn slow(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ POLY
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn check_values() {
        // The standard check value of CRC-32C, and vectors from RFC 3720 B.4.
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(crc32c(b""), 0);
        assert_eq!(crc32c(&[0u8; 32]), 0x8A91_36AA);
        assert_eq!(crc32c(&[0xFFu8; 32]), 0x62A8_AB43);
        let ascending: Vec<u8> = (0u8..32).collect();
        assert_eq!(crc32c(&ascending), 0x46DD_794E);
    }

    #[test]
    fn table_matches_bitwise() {
        let data: Vec<u8> = (0u16..1000)
            .map(|i| (i.wrapping_mul(31) % 251) as u8)
            .collect();
        assert_eq!(crc32c(&data), slow(&data));
    }

    #[test]
    fn incremental_equals_one_shot() {
        let data = b"the quick brown fox jumps over the lazy dog";
        let mut crc = Crc32c::new();
        crc.update(&data[..10]);
        crc.update(&data[10..]);
        assert_eq!(crc.finish(), crc32c(data));
    }
}
