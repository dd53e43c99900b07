//! Studies and their panels: creation, invitations, assignments, phases,
//! and the per-request context every study action starts from.

use std::collections::HashSet;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set, TransactionTrait,
};
use time::OffsetDateTime;

use super::entities::{
    assignment, audit, conflict, framework, organization, panel_member, scorecard, study,
    study_organization,
};
use super::internal;
use super::policy::{self, ExpertStanding, Viewer};
use super::users;
use crate::model::study::{pseudonym, PanelRole, Phase, StudySettings};
use crate::model::validation::check_text;
use crate::model::AppError;

/// What a moderator fills in to start a study.
#[derive(Clone, Debug)]
pub struct NewStudy {
    pub title: String,
    pub description: String,
    pub framework_slug: String,
    pub framework_version: Option<i32>,
    pub period_start: i32,
    pub period_end: i32,
    pub organizations: Vec<String>,
    pub settings: StudySettings,
}

/// A study as one person sees it in one request.
#[derive(Clone, Debug)]
pub struct StudyContext {
    pub study: study::Model,
    pub phase: Phase,
    pub settings: StudySettings,
    pub viewer: Viewer,
    pub member: Option<panel_member::Model>,
}

impl StudyContext {
    /// Loads the study and the viewer's place in it. A study the viewer may
    /// not see is reported as not found, so its existence does not leak.
    pub async fn load(
        db: &impl ConnectionTrait,
        study_id: i32,
        user_id: Option<i32>,
        is_admin: bool,
    ) -> Result<StudyContext, AppError> {
        let study = study::Entity::find_by_id(study_id)
            .one(db)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        let member = match user_id {
            Some(uid) => panel_member::Entity::find()
                .filter(panel_member::Column::StudyId.eq(study_id))
                .filter(panel_member::Column::UserId.eq(uid))
                .one(db)
                .await
                .map_err(internal)?,
            None => None,
        };
        let viewer = Viewer {
            is_admin,
            role: member.as_ref().and_then(|m| PanelRole::parse(&m.role)),
        };
        if !policy::may_view_study(viewer) {
            return Err(AppError::NotFound);
        }
        let phase = Phase::parse(&study.phase)
            .ok_or_else(|| internal(format!("bad phase {}", study.phase)))?;
        let settings = serde_json::from_str(&study.settings).map_err(internal)?;
        Ok(StudyContext {
            study,
            phase,
            settings,
            viewer,
            member,
        })
    }

    /// The viewer's standing for one organization of the study.
    pub async fn standing(
        &self,
        db: &impl ConnectionTrait,
        organization_id: i32,
    ) -> Result<ExpertStanding, AppError> {
        let Some(member) = &self.member else {
            return Ok(ExpertStanding {
                assigned: false,
                conflicted: false,
                submitted: false,
            });
        };
        let in_study = includes(db, self.study.id, organization_id).await?;
        let assignments = assignment::Entity::find()
            .filter(assignment::Column::PanelMemberId.eq(member.id))
            .all(db)
            .await
            .map_err(internal)?;
        let assigned = in_study
            && (assignments.is_empty()
                || assignments
                    .iter()
                    .any(|a| a.organization_id == organization_id));
        let conflicted = conflict::Entity::find()
            .filter(conflict::Column::PanelMemberId.eq(member.id))
            .filter(conflict::Column::OrganizationId.eq(organization_id))
            .count(db)
            .await
            .map_err(internal)?
            > 0;
        let submitted = scorecard::Entity::find()
            .filter(scorecard::Column::PanelMemberId.eq(member.id))
            .filter(scorecard::Column::OrganizationId.eq(organization_id))
            .filter(scorecard::Column::Round.eq(self.study.round))
            .filter(scorecard::Column::SubmittedAt.is_not_null())
            .count(db)
            .await
            .map_err(internal)?
            > 0;
        Ok(ExpertStanding {
            assigned,
            conflicted,
            submitted,
        })
    }
}

/// Appends to the study's audit log: who, when, what, why.
pub async fn record(
    db: &impl ConnectionTrait,
    study_id: Option<i32>,
    user_id: Option<i32>,
    action: &str,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    audit::ActiveModel {
        study_id: Set(study_id),
        user_id: Set(user_id),
        action: Set(action.to_string()),
        detail: Set(detail.to_string()),
        created_at: Set(OffsetDateTime::now_utc()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(internal)?;
    Ok(())
}

/// Whether the organization is one the study assesses.
pub(crate) async fn includes(
    db: &impl ConnectionTrait,
    study_id: i32,
    organization_id: i32,
) -> Result<bool, AppError> {
    Ok(
        study_organization::Entity::find_by_id((study_id, organization_id))
            .one(db)
            .await
            .map_err(internal)?
            .is_some(),
    )
}

/// The ids of a study's organizations.
pub async fn organization_ids(
    db: &impl ConnectionTrait,
    study_id: i32,
) -> Result<HashSet<i32>, AppError> {
    Ok(study_organization::Entity::find()
        .filter(study_organization::Column::StudyId.eq(study_id))
        .all(db)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|l| l.organization_id)
        .collect())
}

/// A study's panel members by id.
pub async fn members_by_id(
    db: &impl ConnectionTrait,
    study_id: i32,
) -> Result<std::collections::HashMap<i32, panel_member::Model>, AppError> {
    Ok(panel_member::Entity::find()
        .filter(panel_member::Column::StudyId.eq(study_id))
        .all(db)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|m| (m.id, m))
        .collect())
}

pub async fn organization_id(db: &impl ConnectionTrait, slug: &str) -> Result<i32, AppError> {
    organization::Entity::find()
        .filter(organization::Column::Slug.eq(slug))
        .one(db)
        .await
        .map_err(internal)?
        .map(|o| o.id)
        .ok_or_else(|| {
            AppError::invalid("organizations", format!("Unknown organization {slug:?}."))
        })
}

/// Creates a study in draft; its creator becomes its first moderator.
pub async fn create_study(
    db: &DatabaseConnection,
    creator: i32,
    new: NewStudy,
) -> Result<i32, AppError> {
    let title = new.title.trim();
    check_text(
        "title",
        title,
        true,
        200,
        "Give the study a title of at most 200 characters.",
    )?;
    check_text(
        "description",
        &new.description,
        false,
        5_000,
        "A description has at most 5,000 characters.",
    )?;
    if !(1900..=2100).contains(&new.period_start)
        || new.period_end < new.period_start
        || new.period_end > 2100
    {
        return Err(AppError::invalid(
            "period",
            "The reference period needs a start year and an end year not before it.",
        ));
    }
    if new.settings.min_raters < 1 || new.settings.k_anonymity < 1 {
        return Err(AppError::invalid(
            "settings",
            "Minimum raters and k must be at least 1.",
        ));
    }
    let unique: HashSet<&String> = new.organizations.iter().collect();
    if new.organizations.is_empty() || unique.len() != new.organizations.len() {
        return Err(AppError::invalid(
            "organizations",
            "Choose one or more organizations, each once.",
        ));
    }
    let txn = db.begin().await.map_err(internal)?;
    let mut fw = framework::Entity::find().filter(framework::Column::Slug.eq(&new.framework_slug));
    if let Some(v) = new.framework_version {
        fw = fw.filter(framework::Column::Version.eq(v));
    }
    use sea_orm::QueryOrder;
    let fw = fw
        .order_by_desc(framework::Column::Version)
        .one(&txn)
        .await
        .map_err(internal)?
        .ok_or_else(|| AppError::invalid("framework", "Unknown framework."))?;
    let mut org_ids = Vec::new();
    for slug in &new.organizations {
        org_ids.push(organization_id(&txn, slug).await?);
    }
    let created = study::ActiveModel {
        title: Set(title.to_string()),
        description: Set(new.description.trim().to_string()),
        framework_id: Set(fw.id),
        period_start: Set(new.period_start),
        period_end: Set(new.period_end),
        phase: Set(Phase::Draft.as_str().to_string()),
        round: Set(1),
        settings: Set(serde_json::to_string(&new.settings).map_err(internal)?),
        created_by: Set(creator),
        created_at: Set(OffsetDateTime::now_utc()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(internal)?;
    for org in org_ids {
        study_organization::ActiveModel {
            study_id: Set(created.id),
            organization_id: Set(org),
        }
        .insert(&txn)
        .await
        .map_err(internal)?;
    }
    add_member(&txn, created.id, creator, PanelRole::Moderator).await?;
    record(
        &txn,
        Some(created.id),
        Some(creator),
        "study.create",
        serde_json::json!({"title": title}),
    )
    .await?;
    txn.commit().await.map_err(internal)?;
    Ok(created.id)
}

async fn add_member(
    db: &impl ConnectionTrait,
    study_id: i32,
    user_id: i32,
    role: PanelRole,
) -> Result<panel_member::Model, AppError> {
    let existing = panel_member::Entity::find()
        .filter(panel_member::Column::StudyId.eq(study_id))
        .count(db)
        .await
        .map_err(internal)?;
    let name = match role {
        PanelRole::Expert => {
            let experts = panel_member::Entity::find()
                .filter(panel_member::Column::StudyId.eq(study_id))
                .filter(panel_member::Column::Role.eq(PanelRole::Expert.as_str()))
                .count(db)
                .await
                .map_err(internal)?;
            pseudonym(experts as usize)
        }
        PanelRole::Moderator => format!("Moderator {}", existing + 1),
    };
    panel_member::ActiveModel {
        study_id: Set(study_id),
        user_id: Set(user_id),
        role: Set(role.as_str().to_string()),
        pseudonym: Set(name),
        invited_at: Set(OffsetDateTime::now_utc()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(internal)
}

/// Whether the viewer may change the panel (members, assignments) now: the
/// study's moderators may, until the study is published.
fn check_may_manage_panel(ctx: &StudyContext) -> Result<(), AppError> {
    if policy::may_manage_panel(ctx.viewer, ctx.phase) {
        Ok(())
    } else if ctx.viewer.runs_study() {
        Err(AppError::Conflict(
            "The study is published: its panel no longer changes.".into(),
        ))
    } else {
        Err(AppError::Forbidden(
            "Only the study's moderators manage its panel.".into(),
        ))
    }
}

/// Adds a registered user to the panel as an expert or co-moderator.
pub async fn invite(
    db: &DatabaseConnection,
    ctx: &StudyContext,
    actor: i32,
    email: &str,
    role: PanelRole,
) -> Result<(), AppError> {
    check_may_manage_panel(ctx)?;
    let user = users::find_by_email(db, email).await?.ok_or_else(|| {
        AppError::invalid(
            "email",
            "No registered user has this email address; ask them to register first.",
        )
    })?;
    let txn = db.begin().await.map_err(internal)?;
    let already = panel_member::Entity::find()
        .filter(panel_member::Column::StudyId.eq(ctx.study.id))
        .filter(panel_member::Column::UserId.eq(user.id))
        .count(&txn)
        .await
        .map_err(internal)?;
    if already > 0 {
        return Err(AppError::invalid(
            "email",
            "This person is already on the panel.",
        ));
    }
    let member = add_member(&txn, ctx.study.id, user.id, role).await?;
    record(
        &txn,
        Some(ctx.study.id),
        Some(actor),
        "panel.invite",
        serde_json::json!({"user_id": user.id, "role": role.as_str(), "pseudonym": member.pseudonym}),
    )
    .await?;
    txn.commit().await.map_err(internal)
}

/// Moves the study to its next phase. `from` is the phase the moderator saw:
/// if someone else moved it meanwhile, nothing happens and they are told.
pub async fn advance_phase(
    db: &DatabaseConnection,
    ctx: &StudyContext,
    actor: i32,
    from: Phase,
) -> Result<Phase, AppError> {
    if !policy::may_change_phase(ctx.viewer) {
        return Err(AppError::Forbidden(
            "Only the study's moderators change its phase.".into(),
        ));
    }
    if from != ctx.phase {
        return Err(AppError::Conflict(format!(
            "The study is already in {}; reload to see its current state.",
            ctx.phase.as_str()
        )));
    }
    let to = ctx
        .phase
        .next()
        .ok_or_else(|| AppError::Conflict("A published study has no next phase.".into()))?;
    let txn = db.begin().await.map_err(internal)?;
    move_phase(&txn, ctx.study.id, actor, from, to).await?;
    txn.commit().await.map_err(internal)?;
    Ok(to)
}

/// Moves a study from phase `from` to `to`, audited, provided it is still
/// in `from`: two moderators acting on the same page state move it once.
pub(crate) async fn move_phase(
    db: &impl ConnectionTrait,
    study_id: i32,
    actor: i32,
    from: Phase,
    to: Phase,
) -> Result<(), AppError> {
    use sea_orm::sea_query::Expr;
    let updated = study::Entity::update_many()
        .col_expr(study::Column::Phase, Expr::value(to.as_str()))
        .filter(study::Column::Id.eq(study_id))
        .filter(study::Column::Phase.eq(from.as_str()))
        .exec(db)
        .await
        .map_err(internal)?;
    if updated.rows_affected != 1 {
        return Err(AppError::Conflict(
            "The study's phase changed meanwhile; reload.".into(),
        ));
    }
    record(
        db,
        Some(study_id),
        Some(actor),
        "study.phase",
        serde_json::json!({"from": from.as_str(), "to": to.as_str()}),
    )
    .await
}

/// The studies a person is on, newest first.
pub async fn my_studies(
    db: &DatabaseConnection,
    user_id: i32,
) -> Result<Vec<crate::model::study::StudySummary>, AppError> {
    use sea_orm::QueryOrder;
    let memberships = panel_member::Entity::find()
        .filter(panel_member::Column::UserId.eq(user_id))
        .all(db)
        .await
        .map_err(internal)?;
    let studies = study::Entity::find()
        .filter(study::Column::Id.is_in(memberships.iter().map(|m| m.study_id)))
        .order_by_desc(study::Column::Id)
        .all(db)
        .await
        .map_err(internal)?;
    Ok(studies
        .into_iter()
        .filter_map(|s| {
            let role = memberships
                .iter()
                .find(|m| m.study_id == s.id)
                .and_then(|m| PanelRole::parse(&m.role));
            Some(summary(&s, Phase::parse(&s.phase)?, role))
        })
        .collect())
}

fn summary(
    s: &study::Model,
    phase: Phase,
    role: Option<PanelRole>,
) -> crate::model::study::StudySummary {
    crate::model::study::StudySummary {
        id: s.id,
        title: s.title.clone(),
        phase,
        round: s.round,
        period: crate::model::study::period_label(s.period_start, s.period_end),
        role,
    }
}

/// The study page: organizations with the viewer's status, and for
/// moderators the panel with identities and progress.
pub async fn overview(
    db: &DatabaseConnection,
    ctx: &StudyContext,
) -> Result<crate::model::study::StudyOverview, AppError> {
    use crate::model::study::{StudyOrganization, StudyOverview};
    let links = study_organization::Entity::find()
        .filter(study_organization::Column::StudyId.eq(ctx.study.id))
        .all(db)
        .await
        .map_err(internal)?;
    let orgs = organization::Entity::find()
        .filter(organization::Column::Id.is_in(links.iter().map(|l| l.organization_id)))
        .all(db)
        .await
        .map_err(internal)?;
    let cards = scorecard::Entity::find()
        .filter(scorecard::Column::StudyId.eq(ctx.study.id))
        .filter(scorecard::Column::Round.eq(ctx.study.round))
        .all(db)
        .await
        .map_err(internal)?;
    let members = panel_member::Entity::find()
        .filter(panel_member::Column::StudyId.eq(ctx.study.id))
        .all(db)
        .await
        .map_err(internal)?;
    let experts = members
        .iter()
        .filter(|m| m.role == PanelRole::Expert.as_str())
        .count();
    let runs = policy::may_see_identities(ctx.viewer);
    let mut organizations = Vec::new();
    let mut sorted = orgs;
    sorted.sort_by(|a, b| a.acronym.cmp(&b.acronym));
    for o in sorted {
        let status = if runs {
            let submitted = cards
                .iter()
                .filter(|c| c.organization_id == o.id && c.submitted_at.is_some())
                .count();
            format!("{submitted} of {experts} submitted")
        } else {
            let standing = ctx.standing(db, o.id).await?;
            let own = ctx.member.as_ref().and_then(|m| {
                cards
                    .iter()
                    .find(|c| c.organization_id == o.id && c.panel_member_id == m.id)
            });
            match (
                standing.assigned,
                standing.conflicted,
                standing.submitted,
                own,
            ) {
                (false, _, _, _) => "not assigned".into(),
                (_, true, _, _) => "conflict of interest".into(),
                (_, _, true, _) => "submitted".into(),
                (_, _, _, Some(_)) => "draft".into(),
                _ => "not started".into(),
            }
        };
        organizations.push(StudyOrganization {
            slug: o.slug,
            acronym: o.acronym,
            name: o.name,
            status,
        });
    }
    let (panel, progress) = if runs {
        let (panel, progress) =
            panel_and_progress(db, ctx, &members, &cards, &organizations).await?;
        (Some(panel), Some(progress))
    } else {
        (None, None)
    };
    Ok(StudyOverview {
        summary: summary(&ctx.study, ctx.phase, ctx.viewer.role),
        description: ctx.study.description.clone(),
        settings: ctx.settings.clone(),
        organizations,
        panel,
        progress,
        may_manage_panel: policy::may_manage_panel(ctx.viewer, ctx.phase),
        may_open_round: policy::may_open_round(ctx.viewer, ctx.phase),
    })
}

/// The moderators' view of the panel: identities, assignments, and each
/// expert's progress per organization in the current round.
async fn panel_and_progress(
    db: &DatabaseConnection,
    ctx: &StudyContext,
    members: &[panel_member::Model],
    cards: &[scorecard::Model],
    organizations: &[crate::model::study::StudyOrganization],
) -> Result<
    (
        Vec<crate::model::study::PanelRow>,
        Vec<crate::model::study::ProgressRow>,
    ),
    AppError,
> {
    use crate::model::study::{PanelRow, ProgressCell, ProgressRow};
    use std::collections::HashMap;
    let people: HashMap<i32, super::entities::user::Model> = super::entities::user::Entity::find()
        .filter(super::entities::user::Column::Id.is_in(members.iter().map(|m| m.user_id)))
        .all(db)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let member_ids: Vec<i32> = members.iter().map(|m| m.id).collect();
    let assignments = assignment::Entity::find()
        .filter(assignment::Column::PanelMemberId.is_in(member_ids.clone()))
        .all(db)
        .await
        .map_err(internal)?;
    let conflicts = conflict::Entity::find()
        .filter(conflict::Column::PanelMemberId.is_in(member_ids))
        .all(db)
        .await
        .map_err(internal)?;
    let org_ids: HashMap<String, i32> = organization::Entity::find()
        .filter(organization::Column::Slug.is_in(organizations.iter().map(|o| o.slug.clone())))
        .all(db)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|o| (o.slug, o.id))
        .collect();
    let slugs: HashMap<i32, &str> = org_ids.iter().map(|(s, id)| (*id, s.as_str())).collect();
    let total = super::scorecards::criteria(db, ctx.study.framework_id)
        .await?
        .len();
    // Answered criteria per scorecard: the latest revision has a value or "don't know".
    let mut latest: HashMap<(i32, i32), (i32, bool)> = HashMap::new();
    for r in super::entities::rating::Entity::find()
        .filter(super::entities::rating::Column::ScorecardId.is_in(cards.iter().map(|c| c.id)))
        .all(db)
        .await
        .map_err(internal)?
    {
        let answered = r.value.is_some() || r.dont_know;
        let entry = latest
            .entry((r.scorecard_id, r.criterion_id))
            .or_insert((0, false));
        if r.revision > entry.0 {
            *entry = (r.revision, answered);
        }
    }
    let mut answered: HashMap<i32, usize> = HashMap::new();
    for ((card, _), (_, yes)) in latest {
        if yes {
            *answered.entry(card).or_default() += 1;
        }
    }
    let mut panel = Vec::new();
    let mut progress = Vec::new();
    for m in members {
        let (Some(person), Some(role)) = (people.get(&m.user_id), PanelRole::parse(&m.role)) else {
            continue;
        };
        let mine: Vec<i32> = assignments
            .iter()
            .filter(|a| a.panel_member_id == m.id)
            .map(|a| a.organization_id)
            .collect();
        let mut assigned: Vec<String> = mine
            .iter()
            .filter_map(|id| slugs.get(id).map(|s| s.to_string()))
            .collect();
        assigned.sort();
        panel.push(PanelRow {
            pseudonym: m.pseudonym.clone(),
            name: person.display_name.clone(),
            email: person.email.clone(),
            role,
            submitted: cards
                .iter()
                .filter(|c| c.panel_member_id == m.id && c.submitted_at.is_some())
                .count(),
            assigned,
        });
        if role != PanelRole::Expert {
            continue;
        }
        let cells = organizations
            .iter()
            .map(|o| {
                let Some(&org) = org_ids.get(&o.slug) else {
                    return ProgressCell::NotAssigned;
                };
                let card = cards
                    .iter()
                    .find(|c| c.panel_member_id == m.id && c.organization_id == org);
                if !mine.is_empty() && !mine.contains(&org) {
                    ProgressCell::NotAssigned
                } else if conflicts
                    .iter()
                    .any(|c| c.panel_member_id == m.id && c.organization_id == org)
                {
                    ProgressCell::Conflict
                } else {
                    match card {
                        Some(c) if c.submitted_at.is_some() => ProgressCell::Submitted,
                        Some(c) => ProgressCell::Draft {
                            answered: answered.get(&c.id).copied().unwrap_or(0),
                            total,
                        },
                        None => ProgressCell::NotStarted,
                    }
                }
            })
            .collect();
        progress.push(ProgressRow {
            pseudonym: m.pseudonym.clone(),
            name: person.display_name.clone(),
            cells,
        });
    }
    Ok((panel, progress))
}

/// Assigns organizations to one expert, replacing earlier assignments; an
/// empty list means every organization of the study (the default).
pub async fn assign(
    db: &DatabaseConnection,
    ctx: &StudyContext,
    actor: i32,
    pseudonym: &str,
    organizations: &[String],
) -> Result<(), AppError> {
    check_may_manage_panel(ctx)?;
    let member = panel_member::Entity::find()
        .filter(panel_member::Column::StudyId.eq(ctx.study.id))
        .filter(panel_member::Column::Pseudonym.eq(pseudonym))
        .filter(panel_member::Column::Role.eq(PanelRole::Expert.as_str()))
        .one(db)
        .await
        .map_err(internal)?
        .ok_or_else(|| {
            AppError::invalid("expert", format!("No expert {pseudonym:?} on this panel."))
        })?;
    let in_study = organization_ids(db, ctx.study.id).await?;
    let mut ids = Vec::new();
    for slug in organizations {
        let id = organization_id(db, slug).await?;
        if !in_study.contains(&id) {
            return Err(AppError::invalid(
                "organizations",
                format!("{slug:?} is not one of this study's organizations."),
            ));
        }
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let txn = db.begin().await.map_err(internal)?;
    assignment::Entity::delete_many()
        .filter(assignment::Column::PanelMemberId.eq(member.id))
        .exec(&txn)
        .await
        .map_err(internal)?;
    if ids.len() < in_study.len() {
        for id in &ids {
            assignment::ActiveModel {
                panel_member_id: Set(member.id),
                organization_id: Set(*id),
            }
            .insert(&txn)
            .await
            .map_err(internal)?;
        }
    }
    record(
        &txn,
        Some(ctx.study.id),
        Some(actor),
        "panel.assign",
        serde_json::json!({"pseudonym": pseudonym, "organizations": organizations}),
    )
    .await?;
    txn.commit().await.map_err(internal)
}

/// Opens the next Delphi round: the study returns to scoring with its round
/// number raised; earlier rounds' scorecards stay as they were. `from_round`
/// is the round the moderator saw, so two moderators cannot skip a round.
pub async fn open_round(
    db: &DatabaseConnection,
    ctx: &StudyContext,
    actor: i32,
    from_round: i32,
) -> Result<i32, AppError> {
    if !policy::may_open_round(ctx.viewer, ctx.phase) {
        return Err(AppError::Forbidden(
            "A moderator opens the next Delphi round once the study is in review or reconciliation."
                .into(),
        ));
    }
    let to = from_round + 1;
    let txn = db.begin().await.map_err(internal)?;
    use sea_orm::sea_query::Expr;
    let updated = study::Entity::update_many()
        .col_expr(study::Column::Round, Expr::value(to))
        .col_expr(study::Column::Phase, Expr::value(Phase::Scoring.as_str()))
        .filter(study::Column::Id.eq(ctx.study.id))
        .filter(study::Column::Round.eq(from_round))
        .filter(study::Column::Phase.eq(ctx.phase.as_str()))
        .exec(&txn)
        .await
        .map_err(internal)?;
    if updated.rows_affected != 1 {
        return Err(AppError::Conflict(
            "The study's round or phase changed meanwhile; reload.".into(),
        ));
    }
    let requested =
        super::scorecards::carry_forward_unrequested(&txn, ctx.study.id, from_round).await?;
    record(
        &txn,
        Some(ctx.study.id),
        Some(actor),
        "study.round",
        serde_json::json!({"from": from_round, "to": to, "re_rating_cells": requested}),
    )
    .await?;
    txn.commit().await.map_err(internal)?;
    Ok(to)
}
