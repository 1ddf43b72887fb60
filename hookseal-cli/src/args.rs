//! The command line's grammar: commands, options and their help, with examples.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Sign, send and verify webhooks, and explain why a signature does not match.
#[derive(Debug, Parser)]
#[command(
    name = "hookseal",
    version,
    after_long_help = "\
Exit codes: 0 verified (or the command succeeded), 1 refused (the request does not verify, or
`explain` found why), 2 usage or input error.

Secrets and keys are read from an environment variable (--secret-env) or a file
(--secret-file), never from an argument: arguments show in process lists. No command prints a
secret but `secret generate`.

Examples:
  hookseal secret generate --scheme stripe
  hookseal sign --scheme github --secret-env GITHUB_SECRET < event.json
  hookseal send --secret-env WEBHOOK_SECRET http://127.0.0.1:3000/webhooks < event.json
  hookseal verify --scheme stripe --secret-env STRIPE_SECRET --request captured.http
  hookseal explain --scheme stripe --secret-env STRIPE_SECRET --request captured.http"
)]
pub(crate) struct Cli {
    /// Prints the result as one JSON object, for scripts.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Secrets: `secret generate` makes one.
    #[command(subcommand)]
    Secret(SecretCommand),
    /// Signs a body (read from standard input) and prints the headers to send with it.
    #[command(after_long_help = "\
Schemes that sign the request line (twilio, square, hubspot) sign --url and --method. Schemes
that carry values in the JSON body (linear's webhookTimestamp, mailgun's signature object) write
them there: the signed body is printed after the headers and a blank line. The presets whose
providers sign with their own private key (sendgrid, aws-sns, paypal, google-pubsub) cannot be
signed here: `verify` checks them with the provider's public key or certificate.

Examples:
  export WEBHOOK_SECRET=\"$(hookseal secret generate)\"
  echo '{\"type\":\"invoice.paid\"}' | hookseal sign --secret-env WEBHOOK_SECRET --id msg_1
  hookseal sign --scheme stripe --secret-file stripe.secret --curl http://127.0.0.1:3000/hook < event.json
  hookseal sign --scheme twilio --secret-env TWILIO_TOKEN --url 'https://example.com/sms?a=1' < form.txt
  hookseal sign --scheme github --secret-env GITHUB_SECRET --timestamp 1700000000 --json < event.json")]
    Sign(SignCommand),
    /// Signs a body (read from standard input) and POSTs it to a URL: for testing a receiver.
    #[command(after_long_help = "\
Prints each answer's status and body. --repeat N sends the event N times, each attempt signed
again with the same id at its own time, a second after the one before at least (as a provider
retries; with --timestamp, every attempt is the same request); --replay sends each signed
request a second time, byte for byte (a replay, which a receiver with a replay cache refuses,
usually with 409). Exits 1 when an attempt that is not a replay is answered with a status other
than 2xx, and 2 when a request cannot be sent.

Examples:
  hookseal send --secret-env WEBHOOK_SECRET --id evt_1 http://127.0.0.1:3000/webhooks < event.json
  hookseal send --secret-env WEBHOOK_SECRET --replay http://127.0.0.1:3000/webhooks < event.json
  hookseal send --scheme stripe --secret-env STRIPE_SECRET --repeat 3 --json http://localhost:8080/stripe < event.json")]
    Send(SendArgs),
    /// Verifies a captured HTTP request: prints the verdict, the key that matched, or the
    /// error's code.
    #[command(after_long_help = "\
The request file is a raw HTTP/1.1 request as received: the request line, the headers (CRLF or
LF line ends), a blank line, then the body's exact bytes (Content-Length is honoured when
present). Files over 16 MiB are refused. A captured request is usually older than the
scheme's window: give --at with the time it was received.

Examples:
  hookseal verify --scheme stripe --secret-env STRIPE_SECRET --request captured.http
  hookseal verify --scheme github --secret-file github.secret --request captured.http --json
  hookseal verify --scheme square --secret-env SQUARE_KEY --public-url https://hooks.example.com --request sq.http --at 1700000000
  hookseal verify --scheme sendgrid --secret-file sendgrid.pub --request event.http")]
    Verify(VerifyArgs),
    /// Explains why a captured request does not verify, by trying the known mistakes offline.
    #[command(after_long_help = "\
Tries, in turn, until one reproduces the request's signature:
  - a clock skew, and how large (from the signed timestamp and now, or --at); told besides
    any other cause found;
  - the body re-serialized after signing: compact, pretty (2 or 4 spaces), Python's
    separators, keys sorted, non-ASCII escaped as \\uXXXX (or unescaped), / escaped, a trailing
    newline added or dropped, line ends changed (CRLF, LF);
  - the secret read in the wrong format: its text used as the key where the scheme decodes it,
    decoded where the scheme uses the text, its prefix kept or dropped;
  - another preset's layout;
  - a URL changed by a proxy (scheme, host, port), for schemes that sign the URL.
Exits 0 when the request verifies as it is, 1 when it does not (naming the cause when one is
found), 2 on a usage or input error.

explain is for your desk, never for a server: a receiver that told senders why a signature
does not match would be an oracle helping an attacker forge one. Run it on requests you
captured.

Examples:
  hookseal explain --scheme stripe --secret-env STRIPE_SECRET --request captured.http
  hookseal explain --scheme hubspot --secret-env HUBSPOT_SECRET --public-url https://hooks.example.com --request hs.http --json")]
    Explain(VerifyArgs),
}

/// What `secret` does.
#[derive(Debug, Subcommand)]
pub(crate) enum SecretCommand {
    /// Generates a new secret in the scheme's own text format and prints it, once.
    #[command(after_long_help = "\
Standard Webhooks and Svix: whsec_ and the base64 of 32 random bytes. Stripe: whsec_ and
text. Other HMAC schemes: 43 characters of base64url text (256 bits). Ed25519 schemes
(discord, telnyx): a whsk_ signing key, printed with its public key. The schemes whose
providers sign with their own key pair have no secret to generate.

Examples:
  hookseal secret generate
  hookseal secret generate --scheme github > github.secret
  hookseal secret generate --scheme discord --json")]
    Generate {
        /// The scheme whose secret format to use.
        #[arg(long, default_value = "standard-webhooks", value_name = "SCHEME")]
        scheme: String,
    },
}

/// Where the secret (or key) comes from: never an argument.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub(crate) struct SecretSource {
    /// Reads the secret (or key) from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub(crate) secret_env: Option<String>,
    /// Reads the secret (or key) from this file; one trailing line end is dropped.
    #[arg(long, value_name = "PATH")]
    pub(crate) secret_file: Option<PathBuf>,
}

/// What `sign` and `send` sign.
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The scheme (a preset's name: standard-webhooks, stripe, github, …).
    #[arg(long, default_value = "standard-webhooks", value_name = "SCHEME")]
    pub(crate) scheme: String,
    #[command(flatten)]
    pub(crate) secret: SecretSource,
    /// The delivery id. Defaults to a new random `msg_…` id in schemes that carry one.
    #[arg(long, value_name = "ID")]
    pub(crate) id: Option<String>,
    /// The signing time, in Unix seconds. Defaults to now.
    #[arg(long, value_name = "UNIX_SECS")]
    pub(crate) timestamp: Option<u64>,
    /// The public URL the request is for, signed by schemes that sign the URL (twilio, square,
    /// hubspot). Defaults to `https://example.com/webhook` for `sign`, and to the URL sent to for
    /// `send`.
    #[arg(long, value_name = "URL")]
    pub(crate) url: Option<String>,
    /// The method, signed by schemes that sign it (hubspot).
    #[arg(long, default_value = "POST", value_name = "METHOD")]
    pub(crate) method: String,
    /// A header to send as well, `Name: value` (repeatable). hook0 and coinbase-cdp sign it.
    #[arg(long = "header", value_name = "NAME: VALUE")]
    pub(crate) headers: Vec<String>,
    /// Reads the body from this file instead of standard input.
    #[arg(long, value_name = "PATH")]
    pub(crate) body: Option<PathBuf>,
}

/// `sign`: what to sign, and how to print it.
#[derive(Debug, Args)]
pub(crate) struct SignCommand {
    #[command(flatten)]
    pub(crate) sign: SignArgs,
    /// Also prints a curl command that POSTs the signed body with its headers to this URL.
    #[arg(long, value_name = "URL")]
    pub(crate) curl: Option<String>,
}

/// `send`: what to sign, where to send it, how many times.
#[derive(Debug, Args)]
pub(crate) struct SendArgs {
    #[command(flatten)]
    pub(crate) sign: SignArgs,
    /// Sends the event this many times, each attempt signed again (same id).
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub(crate) repeat: u32,
    /// Sends each signed request a second time, byte for byte.
    #[arg(long)]
    pub(crate) replay: bool,
    /// Gives up on an answer after this many seconds.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub(crate) timeout: u64,
    /// The URL to POST to.
    #[arg(value_name = "URL")]
    pub(crate) target: String,
}

/// What `verify` and `explain` read.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The scheme (a preset's name: standard-webhooks, stripe, github, …).
    #[arg(long, default_value = "standard-webhooks", value_name = "SCHEME")]
    pub(crate) scheme: String,
    #[command(flatten)]
    pub(crate) secret: SecretSource,
    /// The captured request: a raw HTTP/1.1 request, headers and body as received.
    #[arg(long, value_name = "PATH")]
    pub(crate) request: PathBuf,
    /// Verifies as at this time, in Unix seconds (when the request was received). Defaults to
    /// now.
    #[arg(long, value_name = "UNIX_SECS")]
    pub(crate) at: Option<u64>,
    /// The public URL senders post to, up to the request's path (`https://hooks.example.com`),
    /// for schemes that sign the URL. Defaults to `https://` and the request's Host header.
    #[arg(long, value_name = "URL")]
    pub(crate) public_url: Option<String>,
    /// The key's id, where requests name their key (google-pubsub's `kid`). Defaults to
    /// `default`.
    #[arg(long, default_value = "default", value_name = "ID")]
    pub(crate) key_id: String,
    /// The endpoint id the provider gave the webhook, for schemes that sign it (paypal).
    #[arg(long, value_name = "ID")]
    pub(crate) endpoint_id: Option<String>,
    /// The audience a bearer token must name (google-pubsub). Defaults to the request's URL.
    #[arg(long, value_name = "AUDIENCE")]
    pub(crate) audience: Option<String>,
    /// The service account a bearer token must name (google-pubsub; required there).
    #[arg(long, value_name = "EMAIL")]
    pub(crate) service_account: Option<String>,
}
