//! Prints the `concord agreement` JSON report of a long-format ratings file,
//! exactly as the `concord` binary does, without building the web app.
//!
//! ```text
//! cargo run --release -p concord-stats --example agreement -- [agreement] FILE.csv \
//!     [--level nominal|ordinal|interval|ratio] [--categories a,b,c] [--seed N]
//! ```
//!
//! A leading `agreement` word is accepted, so the example stands in for
//! `concord agreement …` in `scripts/bench-agreement.sh`.

use std::process::ExitCode;

use concord_stats::report::{agreement_report_before_exit, AgreementOptions, Level};

fn usage() -> ExitCode {
    eprintln!("usage: agreement [agreement] FILE.csv [--level nominal|ordinal|interval|ratio] [--categories a,b,c] [--seed N]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("agreement") {
        args.next();
    }
    let mut file = None;
    let mut opts = AgreementOptions::default();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--level" => match args.next().map(|l| l.parse::<Level>()) {
                Some(Ok(level)) => opts.level = Some(level),
                Some(Err(e)) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
                None => return usage(),
            },
            "--categories" => match args.next() {
                Some(list) => {
                    opts.categories = Some(list.split(',').map(|s| s.trim().to_string()).collect())
                }
                None => return usage(),
            },
            "--seed" => match args.next().map(|s| s.parse::<u64>()) {
                Some(Ok(seed)) => opts.seed = seed,
                _ => return usage(),
            },
            _ if file.is_none() && !arg.starts_with("--") => file = Some(arg),
            _ => return usage(),
        }
    }
    let Some(file) = file else {
        return usage();
    };
    let file_handle = match std::fs::File::open(&file) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: cannot read {file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match agreement_report_before_exit(&file_handle, &opts) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {file}: {e}");
            ExitCode::FAILURE
        }
    }
}
