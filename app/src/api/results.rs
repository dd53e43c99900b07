//! Moderation (queue, cells, reconciliation, publication, audit log) and
//! the public reading of releases.

use leptos::prelude::*;

use crate::model::moderation::{AuditRow, CellDetail, DisagreementQueue};
use crate::model::results::Release;
use crate::model::AppError;

#[cfg(feature = "ssr")]
async fn study_context(
    study_id: i32,
) -> Result<(crate::ssr::AppState, i32, crate::ssr::studies::StudyContext), AppError> {
    let (state, user) = crate::api::signed_in().await?;
    let ctx =
        crate::ssr::studies::StudyContext::load(&state.db, study_id, Some(user.id), user.is_admin)
            .await?;
    Ok((state, user.id, ctx))
}

#[server(prefix = "/fn", endpoint = "moderation/queue")]
pub async fn load_queue(
    study_id: i32,
    organization: Option<String>,
    criterion: Option<String>,
    dimension: Option<String>,
    kind: Option<String>,
) -> Result<DisagreementQueue, AppError> {
    use crate::ssr::{self, moderation};
    ssr::respond(async {
        let (state, _, ctx) = study_context(study_id).await?;
        let filter = moderation::QueueFilter {
            organization,
            criterion,
            dimension,
            kind,
        };
        moderation::queue(&state.db, &state.results, &ctx, &filter).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "moderation/cell")]
pub async fn load_cell(
    study_id: i32,
    organization: String,
    criterion: String,
) -> Result<CellDetail, AppError> {
    use crate::ssr::{self, moderation};
    ssr::respond(async {
        let (state, _, ctx) = study_context(study_id).await?;
        moderation::cell(&state.db, &state.results, &ctx, &organization, &criterion).await
    })
    .await
}

#[allow(clippy::too_many_arguments)]
#[server(prefix = "/fn", endpoint = "moderation/reconcile")]
pub async fn reconcile_cell(
    study_id: i32,
    organization: String,
    criterion: String,
    final_value: Option<String>,
    method: String,
    rationale: String,
    dissent: String,
) -> Result<(), AppError> {
    use crate::model::moderation::ReconcileMethod;
    use crate::ssr::{self, moderation};
    ssr::respond(async {
        let method = ReconcileMethod::parse(&method)
            .ok_or_else(|| AppError::invalid("method", "Choose how the cell was settled."))?;
        let (state, user, ctx) = study_context(study_id).await?;
        moderation::reconcile(
            &state.db,
            &ctx,
            user,
            moderation::Reconciliation {
                organization,
                criterion,
                final_value,
                method,
                rationale,
                dissent,
            },
        )
        .await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "moderation/publish")]
pub async fn publish_release(study_id: i32, confirm: Option<String>) -> Result<i32, AppError> {
    use crate::ssr::{self, moderation};
    ssr::respond(async {
        if confirm.as_deref() != Some("yes") {
            return Err(AppError::invalid(
                "confirm",
                "Tick the box to confirm the publication.",
            ));
        }
        let (state, user, ctx) = study_context(study_id).await?;
        moderation::publish(&state.db, &ctx, user).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "moderation/audit")]
pub async fn load_audit(study_id: i32) -> Result<Vec<AuditRow>, AppError> {
    use crate::ssr::{self, moderation};
    ssr::respond(async {
        let (state, _, ctx) = study_context(study_id).await?;
        moderation::audit_log(&state.db, &ctx).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "results/studies")]
pub async fn list_published() -> Result<Vec<crate::model::results::PublishedStudy>, AppError> {
    use crate::ssr::{self, releases};
    ssr::respond(async { releases::published_studies(&ssr::state()?.db).await }).await
}

#[server(prefix = "/fn", endpoint = "results/release")]
pub async fn load_release(study_id: i32, release: Option<i32>) -> Result<Release, AppError> {
    use crate::ssr::{self, releases};
    ssr::respond(async { releases::release(&ssr::state()?.db, study_id, release).await }).await
}
