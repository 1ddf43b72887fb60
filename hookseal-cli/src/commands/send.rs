//! `hookseal send`: sign and POST.
use crate::args::SendArgs;
use crate::failure::Failure;
pub(crate) fn run(_args: &SendArgs, _json: bool) -> Result<(), Failure> {
    Err(Failure::input("todo"))
}
