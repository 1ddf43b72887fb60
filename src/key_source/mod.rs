//! Keys fetched from the provider: some providers sign with a private key and
//! publish the public one at a URL, named in the request (AWS SNS's `SigningCertURL`, PayPal's
//! `PAYPAL-CERT-URL`) or fixed (Google's OAuth 2.0 key set).
//!
//! - [`AllowList`] checks the URL a request names before anything is fetched, and makes a
//!   [`KeyUrl`] of it;
//! - `KeyFetcher` (feature `x509`) is the receiver's own HTTP client (the crate never makes a
//!   request itself), and `FetchError` its failure;
//! - `KeyCache` (feature `x509`) wraps the fetcher: bounded, with a TTL, one fetch per URL at a time, a few
//!   fetches at once, failures remembered for a while; generic over what a document parses
//!   into.

mod allow_list;
#[cfg(feature = "x509")]
mod cache;
#[cfg(feature = "x509")]
mod fetcher;

pub use allow_list::{AllowList, KeyUrl};
#[cfg(feature = "x509")]
pub use cache::KeyCache;
#[cfg(feature = "x509")]
pub use fetcher::{FetchError, KeyFetcher};
