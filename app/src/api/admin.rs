//! Administration: users and roles, framework versions, the catalogue.
//! Non-administrators are told the pages do not exist.

use leptos::prelude::*;

use crate::model::admin::AdminOverview;
use crate::model::{AppError, Framework};

#[server(prefix = "/fn", endpoint = "admin/overview")]
pub async fn load_admin() -> Result<AdminOverview, AppError> {
    use crate::ssr::{self, admin, catalogue};
    ssr::respond(async {
        let (state, me) = crate::api::signed_in().await?;
        Ok(AdminOverview {
            users: admin::users(&state.db, me.is_admin).await?,
            frameworks: admin::framework_versions(&state.db, me.is_admin).await?,
            organizations: catalogue::organizations(&state.db).await?,
            me: me.id,
        })
    })
    .await
}

/// Grants (`grant` = "yes") or withdraws the administrator role.
#[server(prefix = "/fn", endpoint = "admin/role")]
pub async fn set_admin_role(user_id: i32, grant: String) -> Result<(), AppError> {
    use crate::ssr::{self, admin};
    ssr::respond(async {
        let (state, me) = crate::api::signed_in().await?;
        admin::set_admin(&state.db, me.id, me.is_admin, user_id, grant == "yes").await
    })
    .await
}

/// A framework version for editing (admins only).
#[server(prefix = "/fn", endpoint = "admin/framework")]
pub async fn load_framework_for_edit(slug: String, version: i32) -> Result<Framework, AppError> {
    use crate::ssr::{self, catalogue, policy};
    ssr::respond(async {
        let (state, me) = crate::api::signed_in().await?;
        if !policy::may_administer(me.is_admin) {
            return Err(AppError::NotFound);
        }
        catalogue::load_framework(&state.db, &slug, Some(version))
            .await?
            .ok_or(AppError::NotFound)
    })
    .await
}

/// Saves a criterion's wording; returns the version that holds it (a new
/// one when a study uses this version).
#[server(prefix = "/fn", endpoint = "admin/criterion")]
pub async fn edit_criterion(
    slug: String,
    version: i32,
    code: String,
    prompt: String,
    guidance: String,
    anchors: Option<Vec<String>>,
) -> Result<i32, AppError> {
    use crate::model::admin::CriterionEdit;
    use crate::ssr::{self, admin};
    ssr::respond(async {
        let (state, me) = crate::api::signed_in().await?;
        let edit = CriterionEdit {
            code,
            prompt,
            guidance,
            anchors: anchors.unwrap_or_default(),
        };
        let saved =
            admin::edit_criterion(&state.db, me.id, me.is_admin, &slug, version, edit).await?;
        leptos_axum::redirect(&format!("/admin/frameworks/{slug}/{saved}"));
        Ok(saved)
    })
    .await
}

/// Adds an organization (`existing` empty) or updates the one with that slug.
/// `members`: ISO 3166-1 alpha-2 codes separated by commas or spaces.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/fn", endpoint = "admin/organization")]
pub async fn save_organization(
    existing: Option<String>,
    slug: String,
    acronym: String,
    name: String,
    region: String,
    founded: String,
    members: String,
    description: String,
) -> Result<(), AppError> {
    use crate::model::Organization;
    use crate::ssr::{self, admin};
    ssr::respond(async {
        let (state, me) = crate::api::signed_in().await?;
        let founded = founded.trim().parse::<i32>().map_err(|_| {
            AppError::invalid("founded", "The founding year is a number such as 1949.")
        })?;
        let organization = Organization {
            slug: slug.trim().to_string(),
            acronym,
            name,
            region,
            founded,
            members: members
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|m| !m.is_empty())
                .map(|m| m.to_uppercase())
                .collect(),
            description,
        };
        let existing = existing.filter(|e| !e.is_empty());
        let slug = organization.slug.clone();
        admin::save_organization(
            &state.db,
            me.id,
            me.is_admin,
            existing.as_deref(),
            organization,
        )
        .await?;
        leptos_axum::redirect(&format!("/organizations/{slug}"));
        Ok(())
    })
    .await
}
