//! `hookseal secret generate`: a new secret in the scheme's own text format, printed once.

use hookseal::scheme::{Algorithm, SecretFormat};
use hookseal::{Ed25519SigningKey, Scheme, Secret, SecretError};
use serde_json::json;
use zeroize::Zeroizing;

use crate::failure::Failure;
use crate::presets;

/// Generates a secret for the scheme named `name` and prints it (with its public key, for an
/// Ed25519 signing key).
///
/// # Errors
///
/// [`Failure::Input`] for an unknown scheme, one whose provider signs with its own key pair,
/// or a system random number generator that fails.
pub(crate) fn run(name: &str, json: bool) -> Result<(), Failure> {
    let scheme = presets::find(name)?;
    let random = |e: SecretError| Failure::input(format!("cannot generate a secret: {e}"));
    let (secret, public_key) = match scheme.algorithm() {
        Algorithm::Ed25519 => {
            let (key, text) = Ed25519SigningKey::generate().map_err(random)?;
            let secret = Zeroizing::new(text.expose_secret().to_owned());
            (secret, Some(key.public_key().to_whpk()))
        }
        _ if presets::can_sign(&scheme) => (shared_secret(&scheme).map_err(random)?, None),
        _ => {
            return Err(Failure::input(format!(
                "{} is signed with the provider's own key pair: there is no secret to \
                 generate; verify with the provider's public key or certificate",
                scheme.name()
            )));
        }
    };
    if json {
        super::print_json(&json!({
            "scheme": scheme.name(),
            "secret": secret.as_str(),
            "public_key": public_key,
        }));
    } else {
        println!("{}", secret.as_str());
        if let Some(public) = public_key {
            eprintln!("public key (for receivers, in `verify --secret-env`): {public}");
        }
    }
    Ok(())
}

/// A new shared secret written as `scheme` reads it: `whsec_` and base64 where the scheme
/// decodes base64 after that prefix, bare base64 where it decodes it without one, and text
/// (base64url, 256 bits) after the prefix the scheme requires, if any, where the text is the
/// key.
fn shared_secret(scheme: &Scheme) -> Result<Zeroizing<String>, SecretError> {
    let (_, exported) = Secret::generate()?.export();
    // `whsec_` and the standard base64 of 32 random bytes.
    let whsec = exported.expose_secret();
    let base64 = whsec.strip_prefix("whsec_").unwrap_or(whsec);
    let format = scheme.secret_format();
    let min = format.min_len();
    if *format == SecretFormat::base64_with_prefix("whsec_").with_min_len(min) {
        return Ok(Zeroizing::new(whsec.to_owned()));
    }
    if *format == SecretFormat::base64().with_min_len(min) {
        return Ok(Zeroizing::new(base64.to_owned()));
    }
    let mut text: Zeroizing<String> = Zeroizing::new(
        (base64.trim_end_matches('='))
            .chars()
            .map(|c| match c {
                '+' => '-',
                '/' => '_',
                c => c,
            })
            .collect(),
    );
    // A format that requires a prefix names it when it is missing.
    if let Err(SecretError::MissingPrefix { expected }) = format.parse(&text) {
        text = Zeroizing::new(format!("{expected}{}", text.as_str()));
    }
    // What the scheme cannot read back is no secret of it.
    format.parse(&text)?;
    Ok(text)
}
