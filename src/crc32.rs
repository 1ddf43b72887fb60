//! CRC-32 (IEEE 802.3, the polynomial zlib and PNG use), for the one provider that signs a
//! body's CRC-32 in decimal (PayPal). A checksum, not a digest: see
//! [`Part::body_crc32`](crate::scheme::Part::body_crc32).

/// The CRC-32 of `bytes`, as `zlib.crc32` computes it.
pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0_u32;
    for &byte in bytes {
        let low = u8::try_from(crc & 0xff).unwrap_or_default();
        let index = usize::from(low ^ byte);
        crc = (crc >> 8) ^ TABLE.get(index).copied().unwrap_or_default();
    }
    !crc
}

/// The CRC of each byte value, reflected polynomial `0xedb88320`.
// Evaluated at compile time, where an index out of bounds fails the build.
#[allow(clippy::indexing_slicing)]
const TABLE: [u32; 256] = {
    let mut table = [0_u32; 256];
    let mut n: u32 = 0;
    while n < 256 {
        let mut c = n;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 == 1 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n as usize] = c;
        n += 1;
    }
    table
};

/// A CRC-32 written in unsigned decimal: at most ten digits.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Decimal {
    digits: [u8; 10],
    len: usize,
}

impl Decimal {
    /// No digits: a CRC-32 not computed.
    pub(crate) const EMPTY: Self = Self {
        digits: [0; 10],
        len: 0,
    };

    pub(crate) fn of(mut value: u32) -> Self {
        let mut digits = [0_u8; 10];
        let mut len = 0;
        loop {
            let digit = u8::try_from(value % 10).unwrap_or_default();
            if let Some(slot) = digits.get_mut(len) {
                *slot = b'0' + digit;
            }
            len += 1;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        if let Some(written) = digits.get_mut(..len) {
            written.reverse();
        }
        Self { digits, len }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.digits.get(..self.len).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_checksums() {
        // The check value of CRC-32/ISO-HDLC (the catalogue of parametrised CRC algorithms).
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b""), 0);
        // Python: zlib.crc32(b"The quick brown fox jumps over the lazy dog")
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414f_a339
        );
    }

    #[test]
    fn decimals() {
        for (value, text) in [
            (0, "0"),
            (7, "7"),
            (10, "10"),
            (3_494_065_244, "3494065244"),
            (u32::MAX, "4294967295"),
        ] {
            assert_eq!(Decimal::of(value).as_bytes(), text.as_bytes());
        }
    }
}
