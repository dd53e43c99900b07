//! The command line of the `concord` binary.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tower_sessions::ExpiredDeletion;

use crate::{build_app, open_database, Config, StartError};

#[derive(Debug, Parser)]
#[command(
    name = "concord",
    version,
    about = "Expert panels assess regional security organizations: scoring, review, agreement and publication."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the web app (the default command).
    ///
    /// Configuration comes from environment variables: DATABASE_URL,
    /// CONCORD_ADDR, CONCORD_PUBLIC_URL, CONCORD_COOKIE_SECURE, ... (see README).
    Serve,
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Create an administrator account.
    ///
    /// The password is read from CONCORD_ADMIN_PASSWORD if set, otherwise
    /// prompted for (never passed as an argument, which would leak into
    /// shell history and process lists).
    CreateAdmin {
        /// Email address of the new administrator.
        #[arg(long)]
        email: String,
        /// Name shown to moderators.
        #[arg(long)]
        name: String,
    },
    /// Create a demo study with synthetic experts and ratings to explore.
    ///
    /// The demo accounts' password is read from CONCORD_DEMO_PASSWORD if
    /// set; otherwise a random one is generated and printed once.
    SeedDemo,
    /// Import ratings into a study's current round from a CSV file.
    ///
    /// Header: organization,criterion,expert,value[,confidence,justification,evidence]
    /// (any order). `organization` is a slug, `expert` a panel expert's
    /// email, `value` a value of the criterion's scale or `dont-know`,
    /// `evidence` items separated by " | ". The whole file is checked first;
    /// every problem is reported with its line and nothing is imported
    /// unless every row is valid (exit status 2 otherwise).
    ImportRatings {
        /// The study's id (shown in its address, /studies/ID).
        #[arg(long)]
        study: i32,
        /// The ratings file (CSV).
        file: PathBuf,
        /// Also submit every scorecard the file touches; each must then be complete.
        #[arg(long)]
        submit: bool,
    },
    /// Write a study's published release to files, as the API serves them.
    ///
    /// csv: `study-ID-release-N-cells.csv` and `…-ratings.csv`; json:
    /// `study-ID-release-N.json`. Only published data, like the public site.
    Export {
        /// The study's id.
        #[arg(long)]
        study: i32,
        /// csv or json.
        #[arg(long, default_value = "csv")]
        format: String,
        /// The release number (default: the latest).
        #[arg(long)]
        release: Option<i32>,
        /// Directory to write into (default: the current one).
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// Agreement statistics of a long-format ratings file, printed as JSON.
    ///
    /// The file has the header `unit,rater,value`; an empty value is a
    /// missing rating. A malformed file gets a message naming the line on
    /// stderr and exit status 2, with nothing on stdout.
    Agreement {
        /// The ratings file (CSV).
        file: PathBuf,
        /// Level of measurement of the primary alpha: nominal, ordinal, interval or ratio.
        #[arg(long)]
        level: Option<String>,
        /// The category set in its order, comma-separated (e.g. low,mid,high).
        #[arg(long, value_delimiter = ',')]
        categories: Option<Vec<String>>,
        /// Seed of the bootstrap intervals (same seed, same interval).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

/// `concord agreement`: pure computation, no database or runtime needed.
fn agreement(
    file: &Path,
    level: Option<String>,
    categories: Option<Vec<String>>,
    seed: u64,
) -> ExitCode {
    use concord_stats::report::{agreement_report_before_exit, AgreementOptions, Level};
    let level = match level.map(|l| l.parse::<Level>()).transpose() {
        Ok(level) => level,
        Err(e) => {
            eprintln!("concord agreement: {e}");
            return ExitCode::from(2);
        }
    };
    // Read in place: the usual file is streamed on every core, never held whole.
    let input = match std::fs::File::open(file) {
        Ok(input) => input,
        Err(e) => {
            eprintln!("concord agreement: cannot read {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let options = AgreementOptions {
        level,
        categories,
        seed,
    };
    match agreement_report_before_exit(&input, &options) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("concord agreement: {}: {e}", file.display());
            ExitCode::from(2)
        }
    }
}

pub fn run(cli: Cli) -> ExitCode {
    if let Some(Command::Agreement {
        file,
        level,
        categories,
        seed,
    }) = cli.command
    {
        return agreement(&file, level, categories, seed);
    }
    let config = match Config::from_environment() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("concord: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(config.json_logs);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("concord: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(&config).await,
            Command::Migrate => open_database(&config).await.map(|_| {
                println!("Database is up to date.");
            }),
            Command::CreateAdmin { email, name } => create_admin(&config, email, name).await,
            Command::SeedDemo => seed_demo(&config).await,
            Command::ImportRatings {
                study,
                file,
                submit,
            } => import_ratings(&config, study, &file, submit).await,
            Command::Export {
                study,
                format,
                release,
                out,
            } => export(&config, study, &format, release, &out).await,
            Command::Agreement { .. } => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(StartError::Refused(why)) => {
            eprint!("{why}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("concord: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("info,sqlx=warn,sea_orm_migration=warn,tower_sessions=warn")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

async fn serve(config: &Config) -> Result<(), StartError> {
    let (router, state) = build_app(config).await?;
    let store = crate::sessions::DbSessionStore::for_connection(&state.db).await?;
    tokio::spawn(async move {
        let _ = store
            .continuously_delete_expired(tokio::time::Duration::from_secs(3600))
            .await;
    });
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    tracing::info!(addr = %config.addr, secure_cookies = config.secure_cookies, "Concord is serving on http://{}", config.addr);
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn create_admin(config: &Config, email: String, name: String) -> Result<(), StartError> {
    let password = match std::env::var("CONCORD_ADMIN_PASSWORD") {
        Ok(p) => p,
        Err(_) if std::io::stdin().is_terminal() => {
            let first = rpassword::prompt_password("Password for the new administrator: ")?;
            let second = rpassword::prompt_password("Repeat the password: ")?;
            if first != second {
                return Err(StartError::Config("the two passwords differ".into()));
            }
            first
        }
        Err(_) => {
            return Err(StartError::Config(
                "set CONCORD_ADMIN_PASSWORD or run in a terminal to be prompted".into(),
            ))
        }
    };
    let db = open_database(config).await?;
    let account = app::ssr::users::register(
        &db,
        app::ssr::users::NewAccount {
            email,
            display_name: name,
            password,
            is_admin: true,
        },
    )
    .await
    .map_err(|e| StartError::Config(e.to_string()))?;
    println!(
        "Administrator {} <{}> created.",
        account.display_name, account.email
    );
    Ok(())
}

async fn import_ratings(
    config: &Config,
    study: i32,
    file: &Path,
    submit: bool,
) -> Result<(), StartError> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        StartError::Refused(format!("concord import-ratings: {}: {e}\n", file.display()))
    })?;
    let db = open_database(config).await?;
    match app::ssr::import::import_ratings(&db, study, &text, submit).await {
        Ok(done) => {
            println!(
                "Imported {} ratings into {} scorecards of study {study}{}.",
                done.ratings,
                done.scorecards,
                if submit {
                    format!("; submitted {}", done.submitted)
                } else {
                    String::new()
                }
            );
            Ok(())
        }
        Err(refused) => Err(StartError::Refused(format!(
            "concord import-ratings: {}: nothing was imported:\n{refused}",
            file.display()
        ))),
    }
}

async fn export(
    config: &Config,
    study: i32,
    format: &str,
    release: Option<i32>,
    out: &Path,
) -> Result<(), StartError> {
    use app::ssr::releases;
    if format != "csv" && format != "json" {
        return Err(StartError::Refused(format!(
            "concord export: --format is csv or json, not {format:?}\n"
        )));
    }
    let db = open_database(config).await?;
    let r = releases::release(&db, study, release)
        .await
        .map_err(|e| match e {
            app::model::AppError::NotFound => StartError::Refused(format!(
                "concord export: study {study} has no published release{}\n",
                release.map(|n| format!(" {n}")).unwrap_or_default()
            )),
            e => StartError::Config(e.to_string()),
        })?;
    let stem = format!("study-{study}-release-{}", r.summary.number);
    let files = if format == "csv" {
        vec![
            (format!("{stem}-cells.csv"), releases::cells_csv(&r)),
            (format!("{stem}-ratings.csv"), releases::ratings_csv(&r)),
        ]
    } else {
        vec![(
            format!("{stem}.json"),
            serde_json::to_string_pretty(&r).map_err(|e| StartError::Config(e.to_string()))?,
        )]
    };
    for (name, body) in files {
        let path = out.join(&name);
        std::fs::write(&path, body)?;
        println!("{}", path.display());
    }
    Ok(())
}

async fn seed_demo(config: &Config) -> Result<(), StartError> {
    let (password, generated) = match std::env::var("CONCORD_DEMO_PASSWORD") {
        Ok(p) => (p, false),
        Err(_) => {
            use rand::Rng;
            let words = [
                "amber", "basalt", "cedar", "delta", "ember", "fjord", "garnet", "harbor",
                "indigo", "juniper",
            ];
            let mut rng = rand::thread_rng();
            let phrase: Vec<&str> = (0..4)
                .map(|_| words[rng.gen_range(0..words.len())])
                .collect();
            (
                format!("{}-{}", phrase.join("-"), rng.gen_range(100..1000)),
                true,
            )
        }
    };
    let db = open_database(config).await?;
    match app::ssr::demo::seed_demo(&db, &password)
        .await
        .map_err(|e| StartError::Config(format!("seeding the demo: {e}")))?
    {
        None => println!("The demo study exists already; nothing was changed."),
        Some(summary) => {
            println!(
                "Demo study {} created with {} experts and {} ratings.",
                summary.study_id,
                summary.expert_emails.len(),
                summary.ratings
            );
            println!("Admin:     {}", summary.admin_email);
            println!("Moderator: {}", summary.moderator_email);
            println!("Experts:   {}", summary.expert_emails.join(", "));
            if generated {
                println!("Password of every demo account (shown once): {password}");
            } else {
                println!("Password of every demo account: the value of CONCORD_DEMO_PASSWORD.");
            }
        }
    }
    Ok(())
}
