//! Keys fetched from the provider: some providers sign with a private key and
//! publish the public one at a URL, named in the request (AWS SNS's `SigningCertURL`, PayPal's
//! `PAYPAL-CERT-URL`) or fixed (Google's OAuth 2.0 key set).
//!
//! - [`AllowList`] checks the URL a request names before anything is fetched, and makes a
//!   [`KeyUrl`] of it;
//! - `KeyFetcher` (feature `rsa`) is the receiver's own HTTP client (the crate never makes a
//!   request itself), and `FetchError` its failure;
//! - `KeyCache` (feature `rsa`) wraps the fetcher: bounded, with a TTL, one fetch per URL at a time, a few
//!   fetches at once, failures remembered for a while; generic over what a document parses
//!   into.

mod allow_list;
#[cfg(feature = "rsa")]
mod cache;
#[cfg(feature = "rsa")]
mod fetcher;

pub use allow_list::{AllowList, KeyUrl};
#[cfg(feature = "rsa")]
pub use cache::KeyCache;
#[cfg(feature = "rsa")]
pub use fetcher::{FetchError, KeyFetcher};
