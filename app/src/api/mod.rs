//! Server functions, grouped by concern. Each body runs on the server only
//! and goes through `ssr::respond` so errors carry their HTTP status.

pub mod admin;
pub mod auth;
pub mod catalogue;
pub mod results;
pub mod studies;

/// The signed-in user of this request, or "signed out".
#[cfg(feature = "ssr")]
pub(crate) async fn signed_in(
) -> Result<(crate::ssr::AppState, crate::ssr::entities::user::Model), crate::model::AppError> {
    use crate::ssr::{self, auth, users};
    let state = ssr::state()?;
    let session = ssr::session().await?;
    let user_id = auth::signed_in_user(&session, &state.auth)
        .await?
        .ok_or_else(users::signed_out)?;
    let user = users::find(&state.db, user_id)
        .await?
        .ok_or_else(users::signed_out)?;
    Ok((state, user))
}
