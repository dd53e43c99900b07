//! Accounts and sessions: register, log in, log out, current user, change
//! password.

use leptos::prelude::*;

use crate::model::{AppError, CurrentUser};

/// Only same-site paths may be a post-login destination (no open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_string(),
        _ => "/".to_string(),
    }
}

#[server(prefix = "/fn", endpoint = "auth/current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    use crate::ssr::{self, auth, users};
    ssr::respond(async {
        let state = ssr::state()?;
        let session = ssr::session().await?;
        let Some(id) = auth::signed_in_user(&session, &state.auth).await? else {
            return Ok(None);
        };
        Ok(users::find(&state.db, id).await?.map(Into::into))
    })
    .await
}

#[server(prefix = "/fn", endpoint = "auth/register")]
pub async fn register(
    email: String,
    display_name: String,
    password: String,
) -> Result<CurrentUser, AppError> {
    use crate::ssr::{self, auth, users};
    ssr::respond(async {
        let state = ssr::state()?;
        let session = ssr::session().await?;
        let account = users::register(
            &state.db,
            users::NewAccount {
                email,
                display_name,
                password,
                is_admin: false,
            },
        )
        .await?;
        auth::sign_in(&session, account.id).await?;
        tracing::info!(user_id = account.id, "account registered");
        leptos_axum::redirect("/account");
        Ok(account.into())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "auth/login")]
pub async fn login(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<CurrentUser, AppError> {
    use crate::ssr::{self, auth, users};
    ssr::respond(async {
        let state = ssr::state()?;
        let session = ssr::session().await?;
        let account = users::authenticate(&state.db, &email, &password).await?;
        auth::sign_in(&session, account.id).await?;
        tracing::info!(user_id = account.id, "signed in");
        leptos_axum::redirect(&safe_next(next.as_deref()));
        Ok(account.into())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::ssr::{self, auth};
    ssr::respond(async {
        let session = ssr::session().await?;
        auth::sign_out(&session).await?;
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "auth/change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use crate::ssr::{self, auth, users};
    ssr::respond(async {
        let state = ssr::state()?;
        let session = ssr::session().await?;
        let id = auth::signed_in_user(&session, &state.auth)
            .await?
            .ok_or_else(users::signed_out)?;
        users::change_password(&state.db, id, &current_password, &new_password).await?;
        // A credential changed: a fresh session id, same signed-in user.
        auth::sign_in(&session, id).await?;
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_always_a_local_path() {
        assert_eq!(safe_next(Some("/account")), "/account");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
