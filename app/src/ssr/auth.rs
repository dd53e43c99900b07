//! Password hashing and the signed-in session.
//!
//! Hashes are Argon2id with 19 MiB of memory, 2 passes and one lane (the
//! OWASP minimum), computed on Tokio's blocking pool so a log-in never stalls
//! the executor. The session stores the user id and the moment of log-in;
//! the absolute timeout is checked here, the idle timeout by the session
//! layer's expiry.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use time::OffsetDateTime;
use tower_sessions::Session;

use super::{internal, AuthSettings};
use crate::model::AppError;

const USER_ID: &str = "user_id";
const SIGNED_IN_AT: &str = "signed_in_at";

fn hasher() -> Argon2<'static> {
    // Constant, valid parameters: building them cannot fail.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(internal)
    })
    .await
    .map_err(internal)?
}

/// Checks a password against a stored hash. `None` (no such account) still
/// spends the same work on a fixed hash, so timing does not reveal which
/// emails are registered.
pub async fn verify_password(password: String, stored: Option<String>) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| DUMMY_HASH.to_string());
        let parsed = PasswordHash::new(&hash).map_err(internal)?;
        let ok = hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && known)
    })
    .await
    .map_err(internal)?
}

/// An Argon2id hash (same parameters) of a random string nobody knows.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$2wNtk1sJmfz1l3gGxEycPDk+AKqfCBP5a2aXK0YYn4s";

/// Marks the session as signed in as `user_id`, with a fresh session id so
/// a session id planted before log-in is worthless after it.
pub async fn sign_in(session: &Session, user_id: i32) -> Result<(), AppError> {
    session.cycle_id().await.map_err(internal)?;
    session.insert(USER_ID, user_id).await.map_err(internal)?;
    session
        .insert(SIGNED_IN_AT, OffsetDateTime::now_utc().unix_timestamp())
        .await
        .map_err(internal)?;
    Ok(())
}

/// Ends the session and deletes it from the store.
pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(internal)
}

/// The signed-in user's id, if the session is signed in and younger than
/// the absolute timeout. An expired session is deleted.
pub async fn signed_in_user(
    session: &Session,
    settings: &AuthSettings,
) -> Result<Option<i32>, AppError> {
    let Some(user_id) = session.get::<i32>(USER_ID).await.map_err(internal)? else {
        return Ok(None);
    };
    let since = session
        .get::<i64>(SIGNED_IN_AT)
        .await
        .map_err(internal)?
        .unwrap_or(0);
    let age = OffsetDateTime::now_utc().unix_timestamp() - since;
    if age < 0 || age > settings.absolute_timeout.whole_seconds() {
        sign_out(session).await?;
        return Ok(None);
    }
    Ok(Some(user_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let hash = hash_password("amber-lattice-quorum".into()).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            verify_password("amber-lattice-quorum".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify_password("amber-lattice-quorun".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        // Salted: the same password never hashes the same way twice.
        assert_ne!(
            hash,
            hash_password("amber-lattice-quorum".into()).await.unwrap()
        );
    }

    #[tokio::test]
    async fn unknown_account_never_verifies() {
        assert!(!verify_password("anything at all".into(), None)
            .await
            .unwrap());
    }
}
