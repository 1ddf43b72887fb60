//! [`KeyFetcher`]: the receiver's own HTTP client, which the crate asks for key documents, and
//! [`FetchError`], its failure.

use core::future::Future;
use core::pin::Pin;

use super::allow_list::KeyUrl;

/// Fetches the documents that hold a sender's keys (a certificate, a JWKS) for a
/// [`KeyCache`](crate::KeyCache).
///
/// The crate never makes an HTTP request itself: you bring the client, with the TLS, proxy and
/// timeout settings of your deployment, and the cache decides when to call it (once per URL at
/// a time, within its TTL, within its limit of fetches at once). It is only asked for URLs an
/// [`AllowList`](crate::AllowList) accepted.
///
/// Write the method as an `async fn`:
///
/// ```
/// use hookseal::{FetchError, KeyCache, KeyFetcher, KeyUrl};
///
/// /// Documents served from memory (a test double; a real fetcher wraps an HTTP client).
/// struct Fixed(&'static [u8]);
///
/// impl KeyFetcher for Fixed {
///     async fn fetch(&self, url: &KeyUrl) -> Result<Vec<u8>, FetchError> {
///         if url.as_str().ends_with(".pem") {
///             Ok(self.0.to_vec())
///         } else {
///             Err(FetchError::new(format!("404 from {url}")))
///         }
///     }
/// }
///
/// let cache = KeyCache::new(Fixed(b"-----BEGIN CERTIFICATE-----\n..."));
/// # let _ = cache;
/// ```
///
/// A fetcher over an HTTP client must:
///
/// - **time out**: the cache cannot, since it runs on no runtime of its own, and a fetch that
///   never ends holds one of the cache's few fetch slots (callers waiting for it are freed
///   when it is dropped, but nothing drops it);
/// - **follow no redirects**: the URL was checked against the allow list, and where it
///   redirects to was not (with `reqwest`, `redirect::Policy::none()`);
/// - **read at most [`KeyCache::MAX_DOCUMENT_LEN`](crate::KeyCache::MAX_DOCUMENT_LEN) bytes**
///   and fail beyond them, rather than read a body of any length into memory (the cache
///   refuses longer ones anyway);
/// - fail on a status other than 200.
///
/// The cache answers every failure with
/// [`VerifyError::KeyUnavailable`](crate::VerifyError::KeyUnavailable) and keeps nothing of the
/// [`FetchError`]: log it in the fetcher if you want to know why a fetch failed.
pub trait KeyFetcher: Send + Sync + 'static {
    /// GETs `url` and returns the response body. Time out (the cache cannot), follow no
    /// redirects, and read at most
    /// [`KeyCache::MAX_DOCUMENT_LEN`](crate::KeyCache::MAX_DOCUMENT_LEN) bytes.
    ///
    /// # Errors
    ///
    /// A [`FetchError`] when the document could not be had: a network failure, a timeout, a
    /// status other than 200, a body too long.
    fn fetch(&self, url: &KeyUrl) -> impl Future<Output = Result<Vec<u8>, FetchError>> + Send;
}

/// A [`KeyFetcher`] could not fetch a document. It shows the error it was made from.
///
/// ```
/// use hookseal::FetchError;
///
/// let timeout = std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer in 5 s");
/// assert_eq!(FetchError::new(timeout).to_string(), "no answer in 5 s");
/// assert_eq!(FetchError::new("status 404").to_string(), "status 404");
/// ```
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct FetchError(Box<dyn std::error::Error + Send + Sync>);

impl FetchError {
    /// A fetch error from any error, or from a message (`&str`, `String`).
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(error.into())
    }
}

/// The future of a type-erased fetch.
pub(crate) type FetchFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<u8>, FetchError>> + Send + 'a>>;

/// [`KeyFetcher`] as a trait object, so [`KeyCache`](crate::KeyCache) is not generic over it.
pub(crate) trait DynFetcher: Send + Sync {
    /// [`KeyFetcher::fetch`], boxed.
    fn fetch_boxed<'a>(&'a self, url: &'a KeyUrl) -> FetchFuture<'a>;
}

impl<F: KeyFetcher> DynFetcher for F {
    fn fetch_boxed<'a>(&'a self, url: &'a KeyUrl) -> FetchFuture<'a> {
        Box::pin(self.fetch(url))
    }
}
