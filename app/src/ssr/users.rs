//! Accounts: registration, authentication, password change, admins.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, SqlErr,
};
use time::OffsetDateTime;

use super::auth::{hash_password, verify_password};
use super::entities::user;
use super::internal;
use crate::model::validation::{check_display_name, check_email, check_password, normalize_email};
use crate::model::AppError;

/// What a person types to register.
#[derive(Clone, Debug)]
pub struct NewAccount {
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub is_admin: bool,
}

/// The one message for every failed log-in: it never says whether the
/// email exists.
pub const BAD_CREDENTIALS: &str = "The email or password is not correct.";

pub async fn find(db: &DatabaseConnection, id: i32) -> Result<Option<user::Model>, AppError> {
    user::Entity::find_by_id(id).one(db).await.map_err(internal)
}

/// The display names of these users, by id, in one query.
pub async fn display_names(
    db: &DatabaseConnection,
    ids: impl IntoIterator<Item = i32>,
) -> Result<HashMap<i32, String>, AppError> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

pub async fn find_by_email(
    db: &DatabaseConnection,
    email: &str,
) -> Result<Option<user::Model>, AppError> {
    user::Entity::find()
        .filter(user::Column::Email.eq(normalize_email(email)))
        .one(db)
        .await
        .map_err(internal)
}

/// Creates an account after checking every field; a duplicate email gets a
/// clear error and creates nothing.
pub async fn register(
    db: &DatabaseConnection,
    account: NewAccount,
) -> Result<user::Model, AppError> {
    check_email(&account.email).map_err(|m| AppError::invalid("email", m))?;
    check_display_name(&account.display_name).map_err(|m| AppError::invalid("display_name", m))?;
    check_password(&account.password, &account.email, &account.display_name)
        .map_err(|m| AppError::invalid("password", m))?;
    let email = normalize_email(&account.email);
    if find_by_email(db, &email).await?.is_some() {
        return Err(duplicate_email());
    }
    let password_hash = hash_password(account.password).await?;
    let inserted = user::ActiveModel {
        email: Set(email),
        display_name: Set(account.display_name.trim().to_string()),
        password_hash: Set(password_hash),
        is_admin: Set(account.is_admin),
        affiliation: Set(None),
        created_at: Set(OffsetDateTime::now_utc()),
        ..Default::default()
    }
    .insert(db)
    .await;
    match inserted {
        Ok(model) => Ok(model),
        // Two registrations racing for one email: the unique index decides.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(duplicate_email())
        }
        Err(e) => Err(internal(e)),
    }
}

fn duplicate_email() -> AppError {
    AppError::invalid(
        "email",
        "An account with this email address already exists. Sign in instead.",
    )
}

/// The account for these credentials, or the one generic error.
pub async fn authenticate(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
) -> Result<user::Model, AppError> {
    let found = find_by_email(db, email).await?;
    let stored = found.as_ref().map(|u| u.password_hash.clone());
    if verify_password(password.to_string(), stored).await? {
        found.ok_or_else(|| AppError::Unauthorized(BAD_CREDENTIALS.into()))
    } else {
        Err(AppError::Unauthorized(BAD_CREDENTIALS.into()))
    }
}

/// Replaces the password after checking the current one.
pub async fn change_password(
    db: &DatabaseConnection,
    user_id: i32,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    let account = find(db, user_id).await?.ok_or_else(signed_out)?;
    if !verify_password(current.to_string(), Some(account.password_hash.clone())).await? {
        return Err(AppError::invalid(
            "current_password",
            "Your current password is not correct.",
        ));
    }
    check_password(new, &account.email, &account.display_name)
        .map_err(|m| AppError::invalid("new_password", m))?;
    let hash = hash_password(new.to_string()).await?;
    let mut active: user::ActiveModel = account.into();
    active.password_hash = Set(hash);
    active.update(db).await.map_err(internal)?;
    Ok(())
}

pub fn signed_out() -> AppError {
    AppError::Unauthorized("Please sign in first.".into())
}
