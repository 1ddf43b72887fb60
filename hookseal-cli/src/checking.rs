//! [`Check`]: what `verify` and `explain` read — the scheme, the key, the captured request and
//! the time — and the verifier they build from it.

use std::time::Duration;

use hookseal::{
    Certificate, Key, Keyring, RequestView, Scheme, SystemClock, Timestamp, Verifier, VerifyError,
};
use zeroize::Zeroizing;

use crate::args::VerifyArgs;
use crate::failure::Failure;
use crate::raw_request::RawRequest;
use crate::{presets, secret_input};

/// A captured request and how to verify it.
#[derive(Debug)]
pub(crate) struct Check {
    pub(crate) scheme: Scheme,
    /// The key's text, as read (wiped when dropped).
    pub(crate) key_text: Zeroizing<String>,
    pub(crate) key_id: String,
    pub(crate) request: RawRequest,
    /// The time to verify at: `--at`, or now.
    pub(crate) at: Timestamp,
    /// `--public-url`, or `https://` and the Host header.
    pub(crate) public_url: Option<String>,
    pub(crate) endpoint_id: Option<String>,
    pub(crate) audience: Option<String>,
    pub(crate) service_account: Option<String>,
}

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verdict {
    pub(crate) key_id: String,
    pub(crate) id: Option<String>,
    pub(crate) timestamp: Option<Timestamp>,
}

impl Check {
    /// Reads what `args` names: the scheme, the key and the request.
    ///
    /// # Errors
    ///
    /// [`Failure::Input`] for an unknown scheme, an unreadable secret or request file, or a
    /// request that is not one; and for a key the scheme does not read ([`Check::verifier`]).
    pub(crate) fn read(args: &VerifyArgs) -> Result<Self, Failure> {
        let scheme = presets::find(&args.scheme)?;
        let key_text = secret_input::read(&args.secret)?;
        if key_text.starts_with("whsk_") {
            // As `Verifier::from_secret` refuses it: receivers hold the public key alone.
            return Err(Failure::input(
                "the key is a whsk_ Ed25519 signing key: verify with its public key (whpk_, \
                 printed by `secret generate`), which is what receivers hold",
            ));
        }
        let request = RawRequest::read(&args.request)?;
        let at = match args.at {
            Some(secs) => Timestamp::from_unix_secs(secs),
            None => hookseal::Clock::now(&SystemClock::new())
                .ok_or_else(|| Failure::input("the system clock is set before 1970"))?,
        };
        let host = request
            .header("Host")
            .next()
            .and_then(|h| std::str::from_utf8(h).ok())
            .map(|host| format!("https://{host}"));
        let check = Self {
            scheme,
            key_text,
            key_id: args.key_id.clone(),
            request,
            at,
            public_url: args.public_url.clone().or(host),
            endpoint_id: args.endpoint_id.clone(),
            audience: args.audience.clone(),
            service_account: args.service_account.clone(),
        };
        // Refuse a key the scheme cannot read now, as an input error, not as a refusal.
        check.verifier(&check.scheme, check.keyring(&check.scheme)?)?;
        Ok(check)
    }

    /// The key read the scheme's way, in a keyring of its own: a certificate (PEM) for the
    /// schemes whose requests name one, the text as [`Scheme::parse_key`] reads it otherwise.
    ///
    /// # Errors
    ///
    /// [`Failure::Input`] with why the text is not a key of `scheme` (never the text).
    pub(crate) fn keyring(&self, scheme: &Scheme) -> Result<Keyring, Failure> {
        let refused = |e: &dyn std::fmt::Display| {
            Failure::input(format!("the key is not one of {}: {e}", scheme.name()))
        };
        let key = if self.key_text.contains("-----BEGIN CERTIFICATE-----") {
            let certificate =
                Certificate::from_pem(self.key_text.as_bytes()).map_err(|e| refused(&e))?;
            Key::certificate(&self.key_id, &certificate).map_err(|e| refused(&e))?
        } else {
            (scheme.parse_key(&self.key_id, &self.key_text)).map_err(|e| refused(&e))?
        };
        Keyring::new(key).map_err(|e| refused(&e))
    }

    /// A verifier of `scheme` with `keyring` and this check's public URL, endpoint id, audience
    /// and service account.
    ///
    /// # Errors
    ///
    /// [`Failure::Input`] for a public URL, endpoint id, audience or service account the
    /// verifier refuses.
    pub(crate) fn verifier(&self, scheme: &Scheme, keyring: Keyring) -> Result<Verifier, Failure> {
        let invalid = |what: &str, e: hookseal::ConfigError| Failure::input(format!("{what}: {e}"));
        let mut verifier = Verifier::new(scheme.clone(), keyring);
        if let Some(url) = &self.public_url {
            verifier = (verifier.with_public_url(url)).map_err(|e| invalid("the public URL", e))?;
        }
        if let Some(id) = &self.endpoint_id {
            verifier = (verifier.with_endpoint_id(id)).map_err(|e| invalid("--endpoint-id", e))?;
        }
        if let Some(audience) = &self.audience {
            verifier = (verifier.with_audience(audience)).map_err(|e| invalid("--audience", e))?;
        }
        if let Some(account) = &self.service_account {
            verifier = (verifier.with_service_account(account))
                .map_err(|e| invalid("--service-account", e))?;
        }
        Ok(verifier)
    }

    /// Verifies the request with the check's scheme and key, at the check's time.
    ///
    /// # Errors
    ///
    /// [`Failure::Input`] when the key or options are not the scheme's (see [`Check::read`]).
    pub(crate) fn verify(&self) -> Result<Result<Verdict, VerifyError>, Failure> {
        let verifier = self.verifier(&self.scheme, self.keyring(&self.scheme)?)?;
        Ok(self.verify_with(&verifier, None, &self.request.body, None))
    }

    /// Verifies the request with `verifier`, its body replaced by `body`, at the check's time;
    /// with `window` set, in a window that wide on each side; with `public_url` set, for that
    /// public URL.
    pub(crate) fn verify_with(
        &self,
        verifier: &Verifier,
        window: Option<Duration>,
        body: &[u8],
        public_url: Option<&str>,
    ) -> Result<Verdict, VerifyError> {
        let mut verifier = verifier.clone();
        if let Some(window) = window {
            verifier = verifier.with_max_age(window).with_max_future_skew(window);
        }
        if let Some(url) = public_url {
            // A URL the verifier refuses cannot be the one signed: no verdict differs.
            if let Ok(with_url) = verifier.clone().with_public_url(url) {
                verifier = with_url;
            }
        }
        let request = &self.request;
        let view = RequestView::new(&request.method, &request.target, &request.headers);
        verifier
            .verify_at(&view, body, self.at)
            .map(|verified| Verdict {
                key_id: verified.key_id().as_str().to_owned(),
                id: verified.id().map(str::to_owned),
                timestamp: verified.timestamp(),
            })
    }
}
