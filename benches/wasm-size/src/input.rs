//! The fields of a delivery, as the host writes them.

/// A delivery: each field a little-endian `u32` length and that many bytes, in this order.
#[derive(Debug)]
pub struct Input<'a> {
    /// The endpoint's secret (`whsec_…`).
    pub secret: &'a [u8],
    /// The `webhook-id` header.
    pub id: &'a [u8],
    /// The `webhook-timestamp` header.
    pub timestamp: &'a [u8],
    /// The `webhook-signature` header.
    pub signature: &'a [u8],
    /// The raw body.
    pub body: &'a [u8],
}

impl<'a> Input<'a> {
    /// Reads the five fields of `bytes`; `None` when they are not all there or more follows.
    pub fn parse(mut bytes: &'a [u8]) -> Option<Self> {
        let mut field = || {
            let (len, rest) = bytes.split_first_chunk::<4>()?;
            let (value, rest) =
                rest.split_at_checked(usize::try_from(u32::from_le_bytes(*len)).ok()?)?;
            bytes = rest;
            Some(value)
        };
        let input = Self {
            secret: field()?,
            id: field()?,
            timestamp: field()?,
            signature: field()?,
            body: field()?,
        };
        bytes.is_empty().then_some(input)
    }
}
