//! Server-only room: database entities, services, authentication, the
//! content-security policy, and helpers that give server functions their
//! state. Compiled with the `ssr` feature only.

pub mod admin;
pub mod auth;
pub mod catalogue;
pub mod comments;
pub mod csp;
pub mod db;
pub mod demo;
pub mod entities;
pub mod import;
pub mod moderation;
pub mod policy;
pub mod releases;
pub mod results;
pub mod scorecards;
pub mod studies;
pub mod users;

use std::future::Future;
use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::*;
use sea_orm::DatabaseConnection;
use tower_sessions::Session;

use crate::model::AppError;

/// Settings that decide how accounts and sessions behave.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// A session unused for this long is gone.
    pub idle_timeout: time::Duration,
    /// A session older than this is gone however active it is.
    pub absolute_timeout: time::Duration,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            idle_timeout: time::Duration::hours(12),
            absolute_timeout: time::Duration::days(7),
        }
    }
}

/// Everything a request handler or server function needs, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub leptos_options: LeptosOptions,
    pub auth: Arc<AuthSettings>,
    /// Study results, recomputed only when their inputs change.
    pub results: results::ResultsCache,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The application state provided to every server function and page.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })
}

/// The request's session (put there by the session layer).
pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "session layer missing");
        AppError::Internal
    })
}

/// Runs a server function body. An error keeps its message; script
/// callers also get the error's HTTP status, while plain HTML form posts
/// keep the redirect back to the form that shows the message.
pub async fn respond<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(err) = &result {
        let accepts_html = use_context::<http::request::Parts>()
            .and_then(|parts| {
                parts
                    .headers
                    .get(http::header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| v.contains("text/html"))
            })
            .unwrap_or(false);
        if !accepts_html {
            if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
                options.set_status(err.status());
            }
        }
    }
    result
}

/// Logs an internal cause and returns the safe error to show instead.
pub fn internal(cause: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %cause, "internal error");
    AppError::Internal
}
