//! Cheap comparison of short strings (ids and codes) in hot loops.
//!
//! A [`StrKey`] holds a string's first 16 bytes as a big-endian integer plus its length. Comparing
//! two keys gives the byte-wise order of the strings, and looks at the strings themselves only when
//! both share the 16-byte prefix and one is longer than that.

use std::cmp::Ordering;

/// The first 16 bytes (zero-padded, big-endian) and the length of a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StrKey {
    prefix: u128,
    len: usize,
}

impl StrKey {
    #[inline]
    pub fn of(s: &str) -> Self {
        let b = s.as_bytes();
        let len = b.len();
        let word = |from: usize| -> u64 {
            b.get(from..from + 8)
                .and_then(|w| <[u8; 8]>::try_from(w).ok())
                .map_or(0, u64::from_be_bytes)
        };
        let prefix = if len >= 16 {
            (u128::from(word(0)) << 64) | u128::from(word(8))
        } else if len >= 8 {
            // The last 8 bytes, shifted so the bytes after the first 8 sit at the top, zero-filled.
            let tail = len - 8;
            let low = if tail == 0 {
                0
            } else {
                word(len - 8) << (8 * (8 - tail))
            };
            (u128::from(word(0)) << 64) | u128::from(low)
        } else {
            b.iter()
                .zip((0..16u32).rev())
                .fold(0u128, |acc, (&byte, shift)| {
                    acc | (u128::from(byte) << (8 * shift))
                })
        };
        StrKey { prefix, len }
    }

    /// Byte-wise order of `a` (whose key is `self`) and `b` (whose key is `other`).
    #[inline]
    pub fn cmp_str(self, a: &str, other: StrKey, b: &str) -> Ordering {
        match self.prefix.cmp(&other.prefix) {
            // Both fit in the prefix: the shorter one is a prefix of the longer.
            Ordering::Equal if self.len <= 16 && other.len <= 16 => self.len.cmp(&other.len),
            Ordering::Equal => a.as_bytes().cmp(b.as_bytes()),
            unequal => unequal,
        }
    }

    /// Whether `a` (key `self`) equals `b` (key `other`).
    #[inline]
    pub fn eq_str(self, a: &str, other: StrKey, b: &str) -> bool {
        self == other && (self.len <= 16 || a == b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_is_byte_wise_string_order() {
        let words = [
            "",
            "a",
            "a\0",
            "ab",
            "abc",
            "B",
            "b",
            "1234567",
            "12345678",
            "123456789",
            "123456789012345",
            "1234567890123456",
            "12345678901234567",
            "SVS-JOBS-LOCAL",
            "SVS-JOBS-LOCAL-EXTRA-LONG",
            "SVS-JOBS-LOCAL-EXTRA-LONGER",
            "SVS-JOBS-LOCALX",
            "q1",
            "q10",
            "q2",
            "z/~",
        ];
        for a in words {
            let mut padded = [0u8; 16];
            for (slot, byte) in padded.iter_mut().zip(a.as_bytes()) {
                *slot = *byte;
            }
            assert_eq!(StrKey::of(a).prefix, u128::from_be_bytes(padded), "{a:?}");
            for b in words {
                let (ka, kb) = (StrKey::of(a), StrKey::of(b));
                assert_eq!(
                    ka.cmp_str(a, kb, b),
                    a.as_bytes().cmp(b.as_bytes()),
                    "{a:?} {b:?}"
                );
                assert_eq!(ka.eq_str(a, kb, b), a == b, "{a:?} {b:?}");
            }
        }
    }
}
