//! The `concord` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    server::cli::run(server::cli::Cli::parse())
}
