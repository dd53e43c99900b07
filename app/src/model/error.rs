//! The one error type of Concord's server functions and handlers. Each
//! variant maps to an HTTP status and carries only a message that is safe to
//! show; internal causes are logged on the server and never sent.

use leptos::server_fn;
use serde::{Deserialize, Serialize};
use server_fn::{codec::JsonEncoding, error::FromServerFnError, ServerFnError};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Bad input; `field` names the form field it belongs to, if any.
    #[error("{message}")]
    Invalid {
        field: Option<String>,
        message: String,
    },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("Not found.")]
    NotFound,
    /// The request conflicts with saved state (duplicate, stale edit).
    #[error("{0}")]
    Conflict(String),
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request could not be read or sent (malformed body, network).
    #[error("{0}")]
    Request(String),
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    /// The message for one form field, if this error is about it.
    pub fn for_field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Invalid {
                field: Some(f),
                message,
            } if f == name => Some(message.clone()),
            _ => None,
        }
    }

    /// The form-level message: every error except those about one of the
    /// fields the form shows beside their inputs (`inline`).
    pub fn outside(&self, inline: &[&str]) -> Option<String> {
        match self {
            AppError::Invalid { field: Some(f), .. } if inline.contains(&f.as_str()) => None,
            other => Some(other.to_string()),
        }
    }

    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::Invalid { .. } | AppError::Request(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: server_fn::error::ServerFnErrorErr) -> Self {
        AppError::Request(value.to_string())
    }
}

impl From<ServerFnError> for AppError {
    fn from(value: ServerFnError) -> Self {
        AppError::Request(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_message_shows_every_error_not_shown_inline() {
        let last_admin = AppError::invalid("user", "Keep at least one administrator.");
        assert_eq!(
            last_admin.outside(&[]).as_deref(),
            Some("Keep at least one administrator.")
        );
        assert_eq!(last_admin.outside(&["email", "user"]), None);
        assert!(last_admin.outside(&["email"]).is_some());
        assert!(AppError::NotFound.outside(&["user"]).is_some());
    }
}
