//! The commands, one file each, and what they share: printing JSON.

mod explain;
mod secret_generate;
mod send;
mod sign;
mod verify;

use crate::args::{Cli, Command, SecretCommand};
use crate::failure::Failure;

/// Runs the command `cli` names.
///
/// # Errors
///
/// The command's [`Failure`]: refused (exit 1), or a usage or input error (exit 2).
pub(crate) fn run(cli: &Cli) -> Result<(), Failure> {
    match &cli.command {
        Command::Secret(SecretCommand::Generate { scheme }) => {
            secret_generate::run(scheme, cli.json)
        }
        Command::Sign(args) => sign::run(args, cli.json),
        Command::Send(args) => send::run(args, cli.json),
        Command::Verify(args) => verify::run(args, cli.json),
        Command::Explain(args) => explain::run(args, cli.json),
    }
}

/// Prints `value` as one line of JSON on standard output.
pub(crate) fn print_json(value: &serde_json::Value) {
    println!("{value}");
}
