//! [`KeyHasher`]: the seeded hash the memory stores file a 16-byte digest key under. Plain
//! arithmetic, so the stores' table logic builds without `std`.

/// The hash a key is filed under: a folded multiply of its two halves, each mixed with a random
/// seed, new for every table.
///
/// The crate's keys are SHA-256 digests, so their bytes alone would spread them well; a
/// [`ReplayKey`](crate::ReplayKey) can also be read back from a serialized delivery (feature
/// `serde`), where whoever wrote it chose its bytes. The seed keeps such keys from being picked
/// to fall on one shard or one run of buckets, at the cost of one multiplication.
#[derive(Clone, Copy)]
pub(crate) struct KeyHasher([u64; 2]);

impl KeyHasher {
    /// The hash of the key whose bytes, read as a little-endian number, are `key`.
    #[allow(clippy::cast_possible_truncation)] // The halves of the key and of the product.
    pub(crate) fn hash(self, key: u128) -> u64 {
        let [a, b] = self.0;
        let product = u128::from(key as u64 ^ a) * u128::from((key >> 64) as u64 ^ b);
        (product as u64) ^ ((product >> 64) as u64)
    }

    /// The hash of the key `key`.
    pub(crate) fn hash_bytes(self, key: &[u8; 16]) -> u64 {
        self.hash(u128::from_le_bytes(*key))
    }

    /// A hasher with the seed `seed`: random for a table, of a test's choosing in tests.
    pub(crate) fn new(seed: [u64; 2]) -> Self {
        Self(seed)
    }
}
