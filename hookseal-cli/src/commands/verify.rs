//! `hookseal verify`: the verdict on a captured request.

use serde_json::json;

use crate::args::VerifyArgs;
use crate::checking::Check;
use crate::failure::Failure;

/// Verifies the request and prints the verdict: the key that matched, or the error's code.
///
/// # Errors
///
/// [`Failure::Refused`] when the request does not verify; [`Failure::Input`] when it cannot be
/// checked (see [`Check::read`]).
pub(crate) fn run(args: &VerifyArgs, json: bool) -> Result<(), Failure> {
    let check = Check::read(args)?;
    let scheme = check.scheme.name();
    match check.verify()? {
        Ok(verdict) => {
            let timestamp = verdict.timestamp.map(|t| t.as_unix_secs());
            if json {
                super::print_json(&json!({
                    "verified": true,
                    "scheme": scheme,
                    "key_id": verdict.key_id,
                    "id": verdict.id,
                    "timestamp": timestamp,
                }));
            } else {
                println!("verified: {scheme}, key {}", verdict.key_id);
                if let Some(id) = &verdict.id {
                    println!("id: {id}");
                }
                if let Some(t) = timestamp {
                    println!("signed at: {t} (Unix seconds)");
                }
            }
            Ok(())
        }
        Err(refused) => {
            if json {
                super::print_json(&json!({
                    "verified": false,
                    "scheme": scheme,
                    "code": refused.code(),
                    "message": refused.to_string(),
                    "status": refused.status_code(),
                }));
            } else {
                println!("refused: {} ({refused})", refused.code());
                println!("a receiver answers {}", refused.status_code());
            }
            Err(Failure::Refused)
        }
    }
}
