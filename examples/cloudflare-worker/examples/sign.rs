//! Prints a `curl` command that sends the Worker a delivery signed with hookseal's `Signer`, as a
//! Standard Webhooks sender would:
//!
//! ```text
//! WEBHOOK_SECRET=whsec_... cargo run --example sign -- https://<worker>.workers.dev '{"type":"ping"}'
//! ```
//!
//! The secret is read from the environment and never printed.

use std::time::{SystemTime, UNIX_EPOCH};

use hookseal::{Scheme, Signer, Timestamp};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(body)) = (args.next(), args.next()) else {
        return Err("usage: sign <worker URL> <body>".into());
    };
    let secret = std::env::var("WEBHOOK_SECRET").map_err(|_| "set WEBHOOK_SECRET")?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?;
    let id = format!("msg_{}", now.as_nanos());

    let signer = Signer::from_secret(Scheme::standard_webhooks(), &secret)?;
    let signed = signer.sign_at(
        Some(&id),
        body.as_bytes(),
        Timestamp::from_unix_secs(now.as_secs()),
    )?;

    print!("curl -i {}", quoted(&url));
    for (name, value) in signed.iter() {
        print!(" \\\n  -H {}", quoted(&format!("{name}: {value}")));
    }
    println!(" \\\n  --data-binary {}", quoted(&body));
    Ok(())
}

/// `text` as one shell word.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
