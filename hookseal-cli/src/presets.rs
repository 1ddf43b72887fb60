//! The presets by name, and what the command line can do with each.

use hookseal::Scheme;
use hookseal::scheme::Algorithm;

use crate::failure::Failure;

/// The preset named `name`.
///
/// # Errors
///
/// [`Failure::Input`] naming every preset when none is called `name`.
pub(crate) fn find(name: &str) -> Result<Scheme, Failure> {
    let presets = Scheme::presets();
    let names: Vec<String> = presets.iter().map(|s| s.name().to_owned()).collect();
    presets
        .into_iter()
        .find(|scheme| scheme.name() == name)
        .ok_or_else(|| {
            Failure::input(format!(
                "no scheme is called {name:?}; the schemes are: {}",
                names.join(", ")
            ))
        })
}

/// Whether a sender's key can sign `scheme` here: a shared secret (HMAC) or an Ed25519 signing
/// key. The other presets are signed by the provider's own private key, and only verified.
pub(crate) fn can_sign(scheme: &Scheme) -> bool {
    matches!(
        scheme.algorithm(),
        Algorithm::HmacSha256 | Algorithm::HmacSha1 | Algorithm::Ed25519
    )
}

/// The refusal to sign a scheme the provider signs with its own private key.
pub(crate) fn cannot_sign(scheme: &Scheme) -> Failure {
    let name = scheme.name();
    Failure::input(format!(
        "{name} is signed with the provider's own private key, which hookseal does not hold: it \
         cannot be signed here; verify its requests with `hookseal verify --scheme {name}` and \
         the provider's public key or certificate"
    ))
}
