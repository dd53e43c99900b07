//! The `concord` server: configuration, database, sessions, the Axum router
//! and its middleware, and the command line. `main.rs` only parses
//! arguments; everything here is testable without spawning a process.

pub mod api;
pub mod cli;
pub mod config;
pub mod router;
pub mod security;
pub mod sessions;

use std::sync::Arc;

use app::ssr::{db, AppState, AuthSettings};
use migrations::{Migrator, MigratorTrait};

pub use config::Config;

/// Errors that stop the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("session store: {0}")]
    Sessions(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
    /// Bad input: the command changed nothing (exit status 2).
    #[error("{0}")]
    Refused(String),
}

/// Connects to the database, brings its schema up to date and adds the
/// shipped framework and organization catalogue where missing.
pub async fn open_database(config: &Config) -> Result<sea_orm::DatabaseConnection, StartError> {
    let conn = db::connect(&config.database_url).await?;
    Migrator::up(&conn, None).await?;
    app::ssr::catalogue::seed_defaults(&conn)
        .await
        .map_err(|e| {
            StartError::Config(format!("seeding the default framework and catalogue: {e}"))
        })?;
    Ok(conn)
}

/// Everything `serve` needs, built from the configuration: a migrated
/// database, the session store and the router.
pub async fn build_app(config: &Config) -> Result<(axum::Router, AppState), StartError> {
    let conn = open_database(config).await?;
    let state = AppState {
        db: conn,
        leptos_options: config.leptos_options(),
        auth: Arc::new(AuthSettings {
            idle_timeout: config.session_idle,
            absolute_timeout: config.session_absolute,
        }),
        results: Default::default(),
    };
    let store = sessions::DbSessionStore::for_connection(&state.db).await?;
    let router = router::build_router(state.clone(), store, config);
    Ok((router, state))
}
