//! `hookseal`, the command line of the `hookseal` crate: generate a secret, sign a body, send a
//! signed request to a receiver under test, verify a captured request, and explain why one does
//! not verify.
//!
//! Exit codes: 0 verified (or the command succeeded), 1 refused, 2 usage or input error.
//! `hookseal --help` and `hookseal <command> --help` give examples.

mod args;
mod body_variants;
mod checking;
mod commands;
mod failure;
mod outgoing;
mod presets;
mod raw_request;
mod secret_input;

use std::process::ExitCode;

use clap::Parser as _;

use crate::failure::Failure;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if let Failure::Input(message) = &failure {
                if cli.json {
                    commands::print_json(&serde_json::json!({ "error": message, "exit": 2 }));
                } else {
                    eprintln!("hookseal: {message}");
                }
            }
            failure.exit_code()
        }
    }
}
