//! `hookseal explain`.
use crate::args::VerifyArgs;
use crate::failure::Failure;
pub(crate) fn run(_args: &VerifyArgs, _json: bool) -> Result<(), Failure> {
    Err(Failure::input("todo"))
}
