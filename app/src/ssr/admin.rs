//! Administration: users and roles, framework versions, the organization
//! catalogue. Every entry point asks `policy::may_administer` first.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

use super::catalogue::{insert_framework, load_framework};
use super::entities::{framework, organization, study, user};
use super::internal;
use super::policy;
use super::studies::record;
use crate::model::admin::{CriterionEdit, FrameworkVersion, UserRow};
use crate::model::validation::check_text;
use crate::model::{AppError, Organization, Scale};

fn refuse() -> AppError {
    AppError::NotFound
}

fn check(is_admin: bool) -> Result<(), AppError> {
    policy::may_administer(is_admin)
        .then_some(())
        .ok_or_else(refuse)
}

/// Every account, oldest first.
pub async fn users(db: &DatabaseConnection, is_admin: bool) -> Result<Vec<UserRow>, AppError> {
    check(is_admin)?;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Ok(user::Entity::find()
        .order_by_asc(user::Column::Id)
        .all(db)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            name: u.display_name,
            email: u.email,
            is_admin: u.is_admin,
            joined: u.created_at.format(&format).unwrap_or_default(),
        })
        .collect())
}

/// Grants or withdraws the administrator role; the last administrator
/// cannot withdraw it, so the site is never left without one.
pub async fn set_admin(
    db: &DatabaseConnection,
    actor: i32,
    is_admin: bool,
    user_id: i32,
    grant: bool,
) -> Result<(), AppError> {
    check(is_admin)?;
    let txn = db.begin().await.map_err(internal)?;
    let target = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await
        .map_err(internal)?
        .ok_or_else(|| AppError::invalid("user", "There is no such user."))?;
    if !grant && target.is_admin {
        let admins = user::Entity::find()
            .filter(user::Column::IsAdmin.eq(true))
            .count(&txn)
            .await
            .map_err(internal)?;
        if admins <= 1 {
            return Err(AppError::invalid(
                "user",
                "This is the last administrator; make someone else an administrator first.",
            ));
        }
    }
    let mut active: user::ActiveModel = target.into();
    active.is_admin = Set(grant);
    active.update(&txn).await.map_err(internal)?;
    record(
        &txn,
        None,
        Some(actor),
        if grant { "admin.grant" } else { "admin.revoke" },
        serde_json::json!({"user_id": user_id}),
    )
    .await?;
    txn.commit().await.map_err(internal)
}

/// Framework versions with the number of studies using each.
pub async fn framework_versions(
    db: &DatabaseConnection,
    is_admin: bool,
) -> Result<Vec<FrameworkVersion>, AppError> {
    check(is_admin)?;
    let mut out = Vec::new();
    for f in framework::Entity::find()
        .order_by_asc(framework::Column::Slug)
        .order_by_desc(framework::Column::Version)
        .all(db)
        .await
        .map_err(internal)?
    {
        let studies = study::Entity::find()
            .filter(study::Column::FrameworkId.eq(f.id))
            .count(db)
            .await
            .map_err(internal)?;
        out.push(FrameworkVersion {
            slug: f.slug,
            version: f.version,
            name: f.name,
            studies: studies as usize,
        });
    }
    Ok(out)
}

/// Edits one criterion's wording (prompt, guidance, anchors). A version a
/// study uses is never changed: the edit then creates the next version,
/// and new studies use it. Returns the version that holds the edit.
pub async fn edit_criterion(
    db: &DatabaseConnection,
    actor: i32,
    is_admin: bool,
    slug: &str,
    version: i32,
    edit: CriterionEdit,
) -> Result<i32, AppError> {
    check(is_admin)?;
    let mut f = load_framework(db, slug, Some(version))
        .await?
        .ok_or(AppError::NotFound)?;
    let prompt = edit.prompt.trim();
    check_text(
        "prompt",
        prompt,
        true,
        500,
        "A prompt has 1 to 500 characters.",
    )?;
    if edit.guidance.chars().count() > 5_000
        || edit.anchors.iter().any(|a| a.chars().count() > 2_000)
    {
        return Err(AppError::invalid(
            "guidance",
            "Guidance has at most 5,000 characters and each anchor at most 2,000.",
        ));
    }
    let criterion = f
        .dimensions
        .iter_mut()
        .flat_map(|d| d.criteria.iter_mut())
        .find(|c| c.code == edit.code)
        .ok_or_else(|| {
            AppError::invalid(
                "code",
                format!("Version {version} has no criterion {:?}.", edit.code),
            )
        })?;
    criterion.prompt = prompt.to_string();
    criterion.guidance = edit.guidance.trim().to_string();
    let anchors: Vec<&mut String> = match &mut criterion.scale {
        Scale::Ordinal { levels } => levels.iter_mut().map(|l| &mut l.anchor).collect(),
        Scale::Nominal { categories } => categories.iter_mut().map(|c| &mut c.anchor).collect(),
        Scale::Interval { .. } => Vec::new(),
    };
    if anchors.len() != edit.anchors.len() {
        return Err(AppError::invalid(
            "anchors",
            format!("Give one anchor per level: {} expected.", anchors.len()),
        ));
    }
    for (slot, text) in anchors.into_iter().zip(&edit.anchors) {
        *slot = text.trim().to_string();
    }
    let stored = framework::Entity::find()
        .filter(framework::Column::Slug.eq(slug))
        .filter(framework::Column::Version.eq(version))
        .one(db)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let txn = db.begin().await.map_err(internal)?;
    let used = study::Entity::find()
        .filter(study::Column::FrameworkId.eq(stored.id))
        .count(&txn)
        .await
        .map_err(internal)?
        > 0;
    let target = if used {
        let newest = framework::Entity::find()
            .filter(framework::Column::Slug.eq(slug))
            .order_by_desc(framework::Column::Version)
            .one(&txn)
            .await
            .map_err(internal)?
            .map(|f| f.version)
            .unwrap_or(version);
        // A new version builds on the newest, or the newest's edits are lost.
        if newest != version {
            return Err(AppError::Conflict(format!(
                "Version {version} is in use and version {newest} already follows it: edit version {newest}."
            )));
        }
        f.version = newest + 1;
        insert_framework(&txn, &f).await?;
        f.version
    } else {
        use super::entities::{criterion as crit, dimension};
        let dims: Vec<i32> = dimension::Entity::find()
            .filter(dimension::Column::FrameworkId.eq(stored.id))
            .all(&txn)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|d| d.id)
            .collect();
        let row = crit::Entity::find()
            .filter(crit::Column::DimensionId.is_in(dims))
            .filter(crit::Column::Code.eq(&edit.code))
            .one(&txn)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        let changed = f
            .dimensions
            .iter()
            .flat_map(|d| &d.criteria)
            .find(|c| c.code == edit.code)
            .ok_or(AppError::NotFound)?;
        let mut active: crit::ActiveModel = row.into();
        active.prompt = Set(changed.prompt.clone());
        active.guidance = Set(changed.guidance.clone());
        active.scale = Set(serde_json::to_string(&changed.scale).map_err(internal)?);
        active.update(&txn).await.map_err(internal)?;
        version
    };
    record(
        &txn,
        None,
        Some(actor),
        "framework.edit",
        serde_json::json!({"framework": slug, "from_version": version, "version": target, "criterion": edit.code}),
    )
    .await?;
    txn.commit().await.map_err(internal)?;
    Ok(target)
}

/// Checks an organization entry as an admin typed it.
pub fn check_organization(o: &Organization) -> Result<(), AppError> {
    let slug_ok = !o.slug.is_empty()
        && o.slug.len() <= 40
        && o.slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !slug_ok {
        return Err(AppError::invalid(
            "slug",
            "A slug has 1 to 40 lowercase letters, digits and hyphens (it is the page address).",
        ));
    }
    check_text(
        "acronym",
        &o.acronym,
        true,
        20,
        "An acronym has 1 to 20 characters.",
    )?;
    check_text(
        "name",
        &o.name,
        true,
        200,
        "A name has 1 to 200 characters.",
    )?;
    check_text(
        "region",
        &o.region,
        true,
        100,
        "A region has 1 to 100 characters.",
    )?;
    if !(1800..=2100).contains(&o.founded) {
        return Err(AppError::invalid(
            "founded",
            "The founding year lies between 1800 and 2100.",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for m in &o.members {
        if m.len() != 2 || !m.chars().all(|c| c.is_ascii_uppercase()) || !seen.insert(m) {
            return Err(AppError::invalid(
                "members",
                format!(
                    "{m:?}: list each member once as an ISO 3166-1 alpha-2 code (e.g. FR, DE)."
                ),
            ));
        }
    }
    if o.members.is_empty() {
        return Err(AppError::invalid(
            "members",
            "List the member states as ISO 3166-1 alpha-2 codes.",
        ));
    }
    check_text(
        "description",
        &o.description,
        false,
        5_000,
        "A description has at most 5,000 characters.",
    )?;
    Ok(())
}

/// Adds an organization to the catalogue, or updates the one with `slug`.
pub async fn save_organization(
    db: &DatabaseConnection,
    actor: i32,
    is_admin: bool,
    existing: Option<&str>,
    o: Organization,
) -> Result<(), AppError> {
    check(is_admin)?;
    check_organization(&o)?;
    let txn = db.begin().await.map_err(internal)?;
    let clash = organization::Entity::find()
        .filter(organization::Column::Slug.eq(&o.slug))
        .one(&txn)
        .await
        .map_err(internal)?;
    let current = match existing {
        Some(slug) => Some(
            organization::Entity::find()
                .filter(organization::Column::Slug.eq(slug))
                .one(&txn)
                .await
                .map_err(internal)?
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    if clash.as_ref().map(|c| c.id) != current.as_ref().map(|c| c.id) && clash.is_some() {
        return Err(AppError::invalid(
            "slug",
            format!("The catalogue already has an organization {:?}.", o.slug),
        ));
    }
    let members = serde_json::to_string(&o.members).map_err(internal)?;
    let mut active = match current {
        Some(row) => row.into(),
        None => <organization::ActiveModel as Default>::default(),
    };
    active.slug = Set(o.slug.clone());
    active.acronym = Set(o.acronym.trim().to_string());
    active.name = Set(o.name.trim().to_string());
    active.region = Set(o.region.trim().to_string());
    active.founded = Set(o.founded);
    active.members = Set(members);
    active.description = Set(o.description.trim().to_string());
    active.save(&txn).await.map_err(internal)?;
    record(
        &txn,
        None,
        Some(actor),
        if existing.is_some() {
            "organization.edit"
        } else {
            "organization.add"
        },
        serde_json::json!({"slug": o.slug}),
    )
    .await?;
    txn.commit().await.map_err(internal)
}
