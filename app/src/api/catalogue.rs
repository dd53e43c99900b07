//! Public reads of the organization catalogue and the framework.

use leptos::prelude::*;

use crate::model::{AppError, Framework, Organization};

/// The slug of the framework shipped with Concord.
pub const DEFAULT_FRAMEWORK: &str = "regional-security-cooperation";

#[server(prefix = "/fn", endpoint = "catalogue/organizations")]
pub async fn list_organizations() -> Result<Vec<Organization>, AppError> {
    use crate::ssr::{self, catalogue};
    ssr::respond(async { catalogue::organizations(&ssr::state()?.db).await }).await
}

#[server(prefix = "/fn", endpoint = "catalogue/organization")]
pub async fn get_organization(slug: String) -> Result<Organization, AppError> {
    use crate::ssr::{self, catalogue};
    ssr::respond(async {
        catalogue::organization(&ssr::state()?.db, &slug)
            .await?
            .ok_or(AppError::NotFound)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "catalogue/framework")]
pub async fn get_framework(slug: String, version: Option<i32>) -> Result<Framework, AppError> {
    use crate::ssr::{self, catalogue};
    ssr::respond(async {
        catalogue::load_framework(&ssr::state()?.db, &slug, version)
            .await?
            .ok_or(AppError::NotFound)
    })
    .await
}
