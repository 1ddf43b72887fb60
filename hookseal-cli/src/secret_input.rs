//! Reading the secret (or key) text from where `--secret-env` or `--secret-file` says: never from
//! an argument, which would show in process lists.

use std::io::Read as _;

use zeroize::Zeroizing;

use crate::args::SecretSource;
use crate::failure::Failure;

/// The secret's text, wiped when dropped. One trailing line end of a file is dropped.
///
/// # Errors
///
/// [`Failure::Input`] when the variable is unset or not UTF-8, or the file cannot be read, is
/// larger than [`MAX_LEN`] or is not UTF-8. The messages name the variable or file, never what
/// it holds.
pub(crate) fn read(source: &SecretSource) -> Result<Zeroizing<String>, Failure> {
    if let Some(name) = &source.secret_env {
        return match std::env::var(name) {
            Ok(text) => Ok(Zeroizing::new(text)),
            Err(std::env::VarError::NotPresent) => Err(Failure::input(format!(
                "the environment variable {name} is not set"
            ))),
            Err(std::env::VarError::NotUnicode(_)) => Err(Failure::input(format!(
                "the environment variable {name} is not UTF-8"
            ))),
        };
    }
    let Some(path) = &source.secret_file else {
        return Err(Failure::input(
            "give the secret with --secret-env VAR or --secret-file PATH",
        ));
    };
    let shown = path.display();
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::input(format!("cannot open the secret file {shown}: {e}")))?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_LEN as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::input(format!("cannot read the secret file {shown}: {e}")))?;
    if bytes.len() > MAX_LEN {
        return Err(Failure::input(format!(
            "the secret file {shown} is larger than {MAX_LEN} bytes"
        )));
    }
    let mut text = Zeroizing::new(
        String::from_utf8(std::mem::take(&mut *bytes))
            .map_err(|_| Failure::input(format!("the secret file {shown} is not UTF-8")))?,
    );
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    Ok(text)
}

/// The largest secret file read: room for a certificate chain's PEM.
const MAX_LEN: usize = 64 * 1024;
