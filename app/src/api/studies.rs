//! Studies, panels and scorecards. Every function loads the caller's
//! `StudyContext`, and the services ask `ssr::policy` before acting.

use leptos::prelude::*;

use crate::model::scorecard::ScorecardPage;
use crate::model::study::{Phase, StudyOverview, StudySummary};
use crate::model::AppError;

#[cfg(feature = "ssr")]
mod context {
    use crate::model::AppError;
    use crate::ssr::{self, studies::StudyContext};

    /// The signed-in user and their context in a study.
    pub async fn load(study_id: i32) -> Result<(ssr::AppState, i32, StudyContext), AppError> {
        let (state, user) = crate::api::signed_in().await?;
        let ctx = StudyContext::load(&state.db, study_id, Some(user.id), user.is_admin).await?;
        Ok((state, user.id, ctx))
    }
}

#[server(prefix = "/fn", endpoint = "studies/mine")]
pub async fn my_studies() -> Result<Vec<StudySummary>, AppError> {
    use crate::ssr::{self, auth, studies, users};
    ssr::respond(async {
        let state = ssr::state()?;
        let session = ssr::session().await?;
        let user = auth::signed_in_user(&session, &state.auth)
            .await?
            .ok_or_else(users::signed_out)?;
        studies::my_studies(&state.db, user).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "studies/overview")]
pub async fn load_study(study_id: i32) -> Result<StudyOverview, AppError> {
    use crate::ssr::{self, studies};
    ssr::respond(async {
        let (state, _, ctx) = context::load(study_id).await?;
        studies::overview(&state.db, &ctx).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "studies/invite")]
pub async fn invite_member(study_id: i32, email: String, role: String) -> Result<(), AppError> {
    use crate::model::study::PanelRole;
    use crate::ssr::{self, studies};
    ssr::respond(async {
        let role = PanelRole::parse(&role)
            .ok_or_else(|| AppError::invalid("role", "Choose expert or moderator."))?;
        let (state, user, ctx) = context::load(study_id).await?;
        studies::invite(&state.db, &ctx, user, &email, role).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "studies/advance")]
pub async fn advance_study(
    study_id: i32,
    from: Phase,
    confirm: Option<String>,
) -> Result<Phase, AppError> {
    use crate::ssr::{self, studies};
    ssr::respond(async {
        if confirm.as_deref() != Some("yes") {
            return Err(AppError::invalid(
                "confirm",
                "Tick the box to confirm the phase change.",
            ));
        }
        let (state, user, ctx) = context::load(study_id).await?;
        studies::advance_phase(&state.db, &ctx, user, from).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "scorecards/page")]
pub async fn load_scorecard(
    study_id: i32,
    organization: String,
) -> Result<ScorecardPage, AppError> {
    use crate::ssr::{self, scorecards};
    ssr::respond(async {
        let (state, _, ctx) = context::load(study_id).await?;
        scorecards::page(&state.db, &ctx, &organization).await
    })
    .await
}

/// Saves one rating; returns the new revision. `evidence` holds one citation
/// or link per line.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/fn", endpoint = "scorecards/save")]
pub async fn save_rating(
    study_id: i32,
    organization: String,
    criterion: String,
    value: Option<String>,
    dont_know: Option<String>,
    confidence: Option<String>,
    justification: String,
    evidence: String,
    base_revision: i32,
) -> Result<i32, AppError> {
    use crate::model::scorecard::RatingInput;
    use crate::ssr::{self, scorecards, studies};
    ssr::respond(async {
        let confidence = match confidence.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) => Some(c.parse::<i32>().map_err(|_| {
                AppError::invalid("confidence", "Confidence is a whole number from 0 to 100.")
            })?),
        };
        let dont_know = dont_know.is_some() || value.as_deref() == Some("dont-know");
        let value = value.filter(|v| !v.is_empty() && v != "dont-know");
        let input = RatingInput {
            criterion,
            value,
            dont_know,
            confidence,
            justification,
            evidence: evidence
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
            base_revision,
        };
        let (state, _, ctx) = context::load(study_id).await?;
        let org = studies::organization_id(&state.db, &organization).await?;
        scorecards::save_rating(&state.db, &ctx, org, input).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "scorecards/submit")]
pub async fn submit_scorecard(study_id: i32, organization: String) -> Result<(), AppError> {
    use crate::ssr::{self, scorecards, studies};
    ssr::respond(async {
        let (state, _, ctx) = context::load(study_id).await?;
        let org = studies::organization_id(&state.db, &organization).await?;
        scorecards::submit(&state.db, &ctx, org).await
    })
    .await
}

#[server(prefix = "/fn", endpoint = "scorecards/conflict")]
pub async fn declare_conflict(
    study_id: i32,
    organization: String,
    statement: String,
) -> Result<(), AppError> {
    use crate::ssr::{self, scorecards, studies};
    ssr::respond(async {
        let (state, _, ctx) = context::load(study_id).await?;
        let org = studies::organization_id(&state.db, &organization).await?;
        scorecards::declare_conflict(&state.db, &ctx, org, &statement).await
    })
    .await
}

/// Creates a study in draft with the caller as its moderator, then opens it.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/fn", endpoint = "studies/create")]
pub async fn create_study(
    title: String,
    description: String,
    period_start: i32,
    period_end: i32,
    organizations: Option<Vec<String>>,
    visibility: String,
    min_raters: u32,
    k_anonymity: u32,
) -> Result<i32, AppError> {
    use crate::model::study::{StudySettings, VisibilityRule};
    use crate::ssr::{self, auth, policy, studies, users};
    ssr::respond(async {
        let state = ssr::state()?;
        let session = ssr::session().await?;
        let user = auth::signed_in_user(&session, &state.auth).await?;
        if !policy::may_create_study(user.is_some()) {
            return Err(users::signed_out());
        }
        let user = user.ok_or_else(users::signed_out)?;
        let visibility = match visibility.as_str() {
            "after-own-submission" => VisibilityRule::AfterOwnSubmission,
            "at-review" => VisibilityRule::AtReview,
            _ => {
                return Err(AppError::invalid(
                    "visibility",
                    "Choose when experts see their peers’ scorecards.",
                ))
            }
        };
        let id = studies::create_study(
            &state.db,
            user,
            studies::NewStudy {
                title,
                description,
                framework_slug: crate::api::catalogue::DEFAULT_FRAMEWORK.to_string(),
                framework_version: None,
                period_start,
                period_end,
                organizations: organizations.unwrap_or_default(),
                settings: StudySettings {
                    visibility,
                    min_raters,
                    k_anonymity,
                    ..StudySettings::default()
                },
            },
        )
        .await?;
        leptos_axum::redirect(&format!("/studies/{id}"));
        Ok(id)
    })
    .await
}

/// Posts a comment on a cell (organization × criterion), optionally as a reply.
#[server(prefix = "/fn", endpoint = "comments/post")]
pub async fn post_comment(
    study_id: i32,
    organization: String,
    criterion: String,
    body: String,
    parent: Option<i32>,
) -> Result<i32, AppError> {
    use crate::ssr::{self, comments, studies};
    ssr::respond(async {
        let (state, _, ctx) = context::load(study_id).await?;
        let org = studies::organization_id(&state.db, &organization).await?;
        comments::post(&state.db, &ctx, org, &criterion, &body, parent).await
    })
    .await
}

/// Delphi: copies the expert's previous-round ratings into the current
/// round for every criterion not yet rated; returns how many were copied.
#[server(prefix = "/fn", endpoint = "scorecards/confirm-previous")]
pub async fn confirm_previous(study_id: i32, organization: String) -> Result<usize, AppError> {
    use crate::ssr::{self, scorecards, studies};
    ssr::respond(async {
        let (state, _, ctx) = context::load(study_id).await?;
        let org = studies::organization_id(&state.db, &organization).await?;
        scorecards::confirm_previous(&state.db, &ctx, org).await
    })
    .await
}

/// Opens the next Delphi round (from review or reconciliation).
#[server(prefix = "/fn", endpoint = "studies/open-round")]
pub async fn open_round(
    study_id: i32,
    from_round: i32,
    confirm: Option<String>,
) -> Result<i32, AppError> {
    use crate::ssr::{self, studies};
    ssr::respond(async {
        if confirm.as_deref() != Some("yes") {
            return Err(AppError::invalid(
                "confirm",
                "Tick the box to confirm opening the next round.",
            ));
        }
        let (state, user, ctx) = context::load(study_id).await?;
        studies::open_round(&state.db, &ctx, user, from_round).await
    })
    .await
}

/// Assigns organizations to an expert (by pseudonym); none ticked means all.
#[server(prefix = "/fn", endpoint = "studies/assign")]
pub async fn assign_organizations(
    study_id: i32,
    expert: String,
    organizations: Option<Vec<String>>,
) -> Result<(), AppError> {
    use crate::ssr::{self, studies};
    ssr::respond(async {
        let (state, user, ctx) = context::load(study_id).await?;
        studies::assign(
            &state.db,
            &ctx,
            user,
            &expert,
            &organizations.unwrap_or_default(),
        )
        .await
    })
    .await
}
