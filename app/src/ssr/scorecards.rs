//! Scorecards: saving ratings as append-only revisions, submitting,
//! declaring conflicts of interest, and peers' anonymized scorecards.
//! Every entry point asks `policy` first.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, SqlErr, TransactionTrait,
};
use time::OffsetDateTime;

use super::entities::{conflict, criterion, dimension, panel_member, rating, scorecard};
use super::internal;
use super::policy;
use super::studies::{record, StudyContext};
use crate::model::scorecard::{
    answer_label, PeerScorecard, PreviousCell, RatingInput, RatingView, EVIDENCE_MAX_CHARS,
    EVIDENCE_MAX_ITEMS, JUSTIFICATION_MAX,
};
use crate::model::study::PanelRole;
use crate::model::validation::check_text;
use crate::model::{AppError, Scale};

/// The study framework's criteria by code.
pub(crate) async fn criteria(
    db: &impl ConnectionTrait,
    framework_id: i32,
) -> Result<Vec<criterion::Model>, AppError> {
    let dims = dimension::Entity::find()
        .filter(dimension::Column::FrameworkId.eq(framework_id))
        .all(db)
        .await
        .map_err(internal)?;
    criterion::Entity::find()
        .filter(criterion::Column::DimensionId.is_in(dims.iter().map(|d| d.id)))
        .order_by_asc(criterion::Column::Id)
        .all(db)
        .await
        .map_err(internal)
}

/// Checks a value against its criterion's scale; the message says what fits.
pub fn check_value(scale: &Scale, value: &str) -> Result<(), String> {
    match scale {
        Scale::Ordinal { levels } => {
            let ok = value
                .parse::<i32>()
                .ok()
                .is_some_and(|v| levels.iter().any(|l| l.value == v));
            let allowed: Vec<String> = levels.iter().map(|l| l.value.to_string()).collect();
            ok.then_some(()).ok_or_else(|| {
                format!(
                    "{value:?} is not on this scale; choose one of {}.",
                    allowed.join(", ")
                )
            })
        }
        Scale::Interval { min, max, step } => {
            let v: f64 = value
                .parse()
                .map_err(|_| format!("{value:?} is not a number."))?;
            let steps = (v - min) / step;
            if v < *min || v > *max || (steps - steps.round()).abs() > 1e-9 {
                return Err(format!(
                    "Enter a number from {min} to {max} in steps of {step}."
                ));
            }
            Ok(())
        }
        Scale::Nominal { categories } => categories
            .iter()
            .any(|c| c.value == value)
            .then_some(())
            .ok_or_else(|| format!("{value:?} is not one of this criterion's categories.")),
    }
}

/// Validates everything about one rating that does not need the database.
pub fn check_input(scale: &Scale, input: &RatingInput) -> Result<(), AppError> {
    match (&input.value, input.dont_know) {
        (Some(_), true) => {
            return Err(AppError::invalid(
                "value",
                "Choose a value or “don’t know”, not both.",
            ))
        }
        (Some(v), false) => check_value(scale, v).map_err(|m| AppError::invalid("value", m))?,
        (None, _) => {}
    }
    if let Some(c) = input.confidence {
        if !(0..=100).contains(&c) {
            return Err(AppError::invalid(
                "confidence",
                "Confidence runs from 0 to 100.",
            ));
        }
    }
    check_text(
        "justification",
        &input.justification,
        false,
        JUSTIFICATION_MAX,
        format!("A justification has at most {JUSTIFICATION_MAX} characters."),
    )?;
    if input.evidence.len() > EVIDENCE_MAX_ITEMS
        || input
            .evidence
            .iter()
            .any(|e| e.chars().count() > EVIDENCE_MAX_CHARS)
    {
        return Err(AppError::invalid(
            "evidence",
            format!("Give at most {EVIDENCE_MAX_ITEMS} citations or links of at most {EVIDENCE_MAX_CHARS} characters each."),
        ));
    }
    Ok(())
}

fn member_of(ctx: &StudyContext) -> Result<&panel_member::Model, AppError> {
    ctx.member
        .as_ref()
        .ok_or_else(|| AppError::Forbidden(policy::RatingRefusal::NotAnExpert.message().into()))
}

async fn ensure_rating_allowed(
    db: &impl ConnectionTrait,
    ctx: &StudyContext,
    organization_id: i32,
) -> Result<(), AppError> {
    let standing = ctx.standing(db, organization_id).await?;
    policy::may_rate(ctx.viewer, ctx.phase, standing)
        .map_err(|r| AppError::Forbidden(r.message().into()))
}

/// Saves one rating as a new revision and returns its revision number. A
/// save based on an older revision than the stored one is refused.
pub async fn save_rating(
    db: &DatabaseConnection,
    ctx: &StudyContext,
    organization_id: i32,
    input: RatingInput,
) -> Result<i32, AppError> {
    let member = member_of(ctx)?;
    let txn = db.begin().await.map_err(internal)?;
    ensure_rating_allowed(&txn, ctx, organization_id).await?;
    let criterion = criteria(&txn, ctx.study.framework_id)
        .await?
        .into_iter()
        .find(|c| c.code == input.criterion)
        .ok_or_else(|| {
            AppError::invalid(
                "criterion",
                format!(
                    "This study's framework has no criterion {:?}.",
                    input.criterion
                ),
            )
        })?;
    let scale: Scale = serde_json::from_str(&criterion.scale).map_err(internal)?;
    check_input(&scale, &input)?;

    if ctx.study.round > 1 {
        check_changed_value_is_justified(&txn, ctx, organization_id, &criterion, &input).await?;
    }
    let card = match find_scorecard(&txn, ctx, organization_id, member.id, ctx.study.round).await? {
        Some(card) => card,
        None => new_scorecard(&txn, ctx, organization_id, member.id).await?,
    };
    let latest = rating::Entity::find()
        .filter(rating::Column::ScorecardId.eq(card.id))
        .filter(rating::Column::CriterionId.eq(criterion.id))
        .order_by_desc(rating::Column::Revision)
        .one(&txn)
        .await
        .map_err(internal)?
        .map(|r| r.revision)
        .unwrap_or(0);
    if input.base_revision != latest {
        return Err(stale(&input.criterion));
    }
    let revision = latest + 1;
    let inserted = rating::ActiveModel {
        scorecard_id: Set(card.id),
        criterion_id: Set(criterion.id),
        revision: Set(revision),
        value: Set(if input.dont_know {
            None
        } else {
            input.value.clone()
        }),
        dont_know: Set(input.dont_know),
        confidence: Set(input.confidence),
        justification: Set(input.justification.clone()),
        evidence: Set(serde_json::to_string(&input.evidence).map_err(internal)?),
        created_at: Set(OffsetDateTime::now_utc()),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    match inserted {
        Ok(_) => {}
        // Another save took the same revision between our read and write.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(stale(&input.criterion))
        }
        Err(e) => return Err(internal(e)),
    }
    txn.commit().await.map_err(internal)?;
    Ok(revision)
}

pub(crate) async fn new_scorecard(
    db: &impl ConnectionTrait,
    ctx: &StudyContext,
    organization_id: i32,
    member_id: i32,
) -> Result<scorecard::Model, AppError> {
    scorecard::ActiveModel {
        study_id: Set(ctx.study.id),
        organization_id: Set(organization_id),
        panel_member_id: Set(member_id),
        round: Set(ctx.study.round),
        submitted_at: Set(None),
        created_at: Set(OffsetDateTime::now_utc()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(internal)
}

fn stale(code: &str) -> AppError {
    AppError::Conflict(format!(
        "Your rating for {code} was changed in another window or tab since you opened it, so this save \
         was refused and nothing was overwritten. Reload to see the newer version."
    ))
}

/// One expert's scorecard for an organization in a given round.
pub(crate) async fn find_scorecard(
    db: &impl ConnectionTrait,
    ctx: &StudyContext,
    organization_id: i32,
    member_id: i32,
    round: i32,
) -> Result<Option<scorecard::Model>, AppError> {
    scorecard::Entity::find()
        .filter(scorecard::Column::StudyId.eq(ctx.study.id))
        .filter(scorecard::Column::OrganizationId.eq(organization_id))
        .filter(scorecard::Column::PanelMemberId.eq(member_id))
        .filter(scorecard::Column::Round.eq(round))
        .one(db)
        .await
        .map_err(internal)
}

/// The latest revision of each criterion's rating on a scorecard.
pub(crate) async fn latest_revisions(
    db: &impl ConnectionTrait,
    scorecard_id: i32,
) -> Result<HashMap<i32, rating::Model>, AppError> {
    Ok(latest_revisions_of(db, [scorecard_id])
        .await?
        .remove(&scorecard_id)
        .unwrap_or_default())
}

/// [`latest_revisions`] of several scorecards, by scorecard id, in one query.
pub(crate) async fn latest_revisions_of(
    db: &impl ConnectionTrait,
    scorecard_ids: impl IntoIterator<Item = i32>,
) -> Result<HashMap<i32, HashMap<i32, rating::Model>>, AppError> {
    let rows = rating::Entity::find()
        .filter(rating::Column::ScorecardId.is_in(scorecard_ids))
        .order_by_asc(rating::Column::Revision)
        .all(db)
        .await
        .map_err(internal)?;
    let mut latest: HashMap<i32, HashMap<i32, rating::Model>> = HashMap::new();
    for r in rows {
        latest
            .entry(r.scorecard_id)
            .or_default()
            .insert(r.criterion_id, r);
    }
    Ok(latest)
}

/// The current revision of each rating on a scorecard.
async fn current_ratings(
    db: &impl ConnectionTrait,
    scorecard_id: i32,
    criteria: &[criterion::Model],
) -> Result<Vec<RatingView>, AppError> {
    let codes: HashMap<i32, &str> = criteria.iter().map(|c| (c.id, c.code.as_str())).collect();
    let mut latest = latest_revisions(db, scorecard_id).await?;
    let mut views = Vec::new();
    for c in criteria {
        if let Some(r) = latest.remove(&c.id) {
            views.push(RatingView {
                criterion: codes
                    .get(&r.criterion_id)
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
                value: r.value,
                dont_know: r.dont_know,
                confidence: r.confidence,
                justification: r.justification,
                evidence: serde_json::from_str(&r.evidence).map_err(internal)?,
                revision: r.revision,
            });
        }
    }
    Ok(views)
}

/// The viewer's own scorecard for the current round (empty if none yet).
pub async fn own_ratings(
    db: &DatabaseConnection,
    ctx: &StudyContext,
    organization_id: i32,
) -> Result<Vec<RatingView>, AppError> {
    let member = member_of(ctx)?;
    let Some(card) = find_scorecard(db, ctx, organization_id, member.id, ctx.study.round).await?
    else {
        return Ok(Vec::new());
    };
    let criteria = criteria(db, ctx.study.framework_id).await?;
    current_ratings(db, card.id, &criteria).await
}

/// Submits the scorecard as a whole: every criterion answered (a value or
/// "don't know").
pub async fn submit(
    db: &DatabaseConnection,
    ctx: &StudyContext,
    organization_id: i32,
) -> Result<(), AppError> {
    let member = member_of(ctx)?;
    let txn = db.begin().await.map_err(internal)?;
    ensure_rating_allowed(&txn, ctx, organization_id).await?;
    let criteria = criteria(&txn, ctx.study.framework_id).await?;
    let card = find_scorecard(&txn, ctx, organization_id, member.id, ctx.study.round)
        .await?
        .ok_or_else(|| AppError::invalid("scorecard", "Rate every criterion before submitting."))?;
    let ratings = current_ratings(&txn, card.id, &criteria).await?;
    let answered = ratings
        .iter()
        .filter(|r| r.value.is_some() || r.dont_know)
        .count();
    if answered < criteria.len() {
        let missing: Vec<&str> = criteria
            .iter()
            .filter(|c| {
                !ratings
                    .iter()
                    .any(|r| r.criterion == c.code && (r.value.is_some() || r.dont_know))
            })
            .map(|c| c.code.as_str())
            .collect();
        return Err(AppError::invalid(
            "scorecard",
            format!(
                "Answer every criterion (a value or “don’t know”) before submitting; missing: {}.",
                missing.join(", ")
            ),
        ));
    }
    let mut active: scorecard::ActiveModel = card.into();
    active.submitted_at = Set(Some(OffsetDateTime::now_utc()));
    active.update(&txn).await.map_err(internal)?;
    record(
        &txn,
        Some(ctx.study.id),
        ctx.member.as_ref().map(|m| m.user_id),
        "scorecard.submit",
        serde_json::json!({"organization_id": organization_id, "round": ctx.study.round}),
    )
    .await?;
    txn.commit().await.map_err(internal)
}

/// Declares a conflict of interest: from then on the expert cannot rate
/// the organization (and does not see its peers' ratings).
pub async fn declare_conflict(
    db: &DatabaseConnection,
    ctx: &StudyContext,
    organization_id: i32,
    statement: &str,
) -> Result<(), AppError> {
    let member = member_of(ctx)?;
    if !policy::may_declare_conflict(ctx.viewer, ctx.phase) {
        return Err(AppError::Forbidden(
            "Only the study's experts declare conflicts, while the study is open.".into(),
        ));
    }
    let statement = statement.trim();
    check_text(
        "statement",
        statement,
        true,
        2_000,
        "Describe the conflict in at most 2,000 characters.",
    )?;
    let txn = db.begin().await.map_err(internal)?;
    let inserted = conflict::ActiveModel {
        panel_member_id: Set(member.id),
        organization_id: Set(organization_id),
        statement: Set(statement.to_string()),
        declared_at: Set(OffsetDateTime::now_utc()),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(AppError::invalid(
                "statement",
                "You already declared a conflict for this organization.",
            ))
        }
        Err(e) => return Err(internal(e)),
    }
    record(
        &txn,
        Some(ctx.study.id),
        Some(member.user_id),
        "conflict.declare",
        serde_json::json!({"organization_id": organization_id}),
    )
    .await?;
    txn.commit().await.map_err(internal)
}

/// Peers' scorecards for one organization, under pseudonyms. Refused —
/// with the same message whether or not any peer has rated — until the
/// study's visibility rule allows it.
pub async fn peer_scorecards(
    db: &DatabaseConnection,
    ctx: &StudyContext,
    organization_id: i32,
) -> Result<Vec<PeerScorecard>, AppError> {
    let standing = ctx.standing(db, organization_id).await?;
    if !policy::may_see_peer_ratings(ctx.viewer, ctx.phase, ctx.settings.visibility, standing) {
        return Err(AppError::Forbidden(
            "Peers’ ratings for this organization become visible under the study’s visibility rule \
             (by default, once you have submitted your own scorecard)."
                .into(),
        ));
    }
    let criteria = criteria(db, ctx.study.framework_id).await?;
    let cards = scorecard::Entity::find()
        .filter(scorecard::Column::StudyId.eq(ctx.study.id))
        .filter(scorecard::Column::OrganizationId.eq(organization_id))
        .filter(scorecard::Column::Round.eq(ctx.study.round))
        .all(db)
        .await
        .map_err(internal)?;
    let members = super::studies::members_by_id(db, ctx.study.id).await?;
    let own = ctx.member.as_ref().map(|m| m.id);
    let mut peers = Vec::new();
    for card in cards {
        if Some(card.panel_member_id) == own {
            continue;
        }
        let Some(member) = members.get(&card.panel_member_id) else {
            continue;
        };
        if PanelRole::parse(&member.role) != Some(PanelRole::Expert) {
            continue;
        }
        peers.push(PeerScorecard {
            pseudonym: member.pseudonym.clone(),
            submitted: card.submitted_at.is_some(),
            ratings: current_ratings(db, card.id, &criteria).await?,
        });
    }
    peers.sort_by(|a, b| {
        a.pseudonym
            .len()
            .cmp(&b.pseudonym.len())
            .then(a.pseudonym.cmp(&b.pseudonym))
    });
    Ok(peers)
}

/// The viewer's own ratings of the previous round, by criterion id.
async fn previous_own(
    db: &impl ConnectionTrait,
    ctx: &StudyContext,
    organization_id: i32,
) -> Result<HashMap<i32, rating::Model>, AppError> {
    let member = member_of(ctx)?;
    match find_scorecard(db, ctx, organization_id, member.id, ctx.study.round - 1).await? {
        Some(card) => latest_revisions(db, card.id).await,
        None => Ok(HashMap::new()),
    }
}

/// Delphi rule: from round 2 on, a value that differs from the expert's
/// own previous-round value needs a justification of its own.
async fn check_changed_value_is_justified(
    db: &impl ConnectionTrait,
    ctx: &StudyContext,
    organization_id: i32,
    criterion: &criterion::Model,
    input: &RatingInput,
) -> Result<(), AppError> {
    let previous = previous_own(db, ctx, organization_id).await?;
    match previous.get(&criterion.id) {
        Some(before) => check_change_is_justified(before, &criterion.code, ctx.study.round, input),
        None => Ok(()),
    }
}

/// The Delphi rule for one answer against the same expert's answer of the
/// previous round (`round` is the current one); the browser and the import
/// both go through it.
pub(crate) fn check_change_is_justified(
    before: &rating::Model,
    code: &str,
    round: i32,
    input: &RatingInput,
) -> Result<(), AppError> {
    let now = if input.dont_know {
        None
    } else {
        input.value.clone()
    };
    let changed = before.dont_know != input.dont_know || before.value != now;
    let justification = input.justification.trim();
    if changed && (justification.is_empty() || justification == before.justification.trim()) {
        return Err(AppError::invalid(
            "justification",
            format!(
                "You changed {code} from {} in round {} to {}: say why in the justification.",
                answer_label(before.value.as_deref(), before.dont_know),
                round - 1,
                answer_label(now.as_deref(), input.dont_know),
            ),
        ));
    }
    Ok(())
}

/// Delphi "confirm": copies the expert's previous-round ratings into this
/// round for every criterion not yet rated in it, except cells the
/// moderators asked the panel to re-rate. Returns how many.
pub async fn confirm_previous(
    db: &DatabaseConnection,
    ctx: &StudyContext,
    organization_id: i32,
) -> Result<usize, AppError> {
    let member = member_of(ctx)?;
    if ctx.study.round < 2 {
        return Err(AppError::invalid(
            "scorecard",
            "There is no previous round to confirm in round 1.",
        ));
    }
    let txn = db.begin().await.map_err(internal)?;
    ensure_rating_allowed(&txn, ctx, organization_id).await?;
    let previous = previous_own(&txn, ctx, organization_id).await?;
    let card = match find_scorecard(&txn, ctx, organization_id, member.id, ctx.study.round).await? {
        Some(card) => card,
        None => new_scorecard(&txn, ctx, organization_id, member.id).await?,
    };
    let current = latest_revisions(&txn, card.id).await?;
    let requested = rerating_requests(&txn, ctx.study.id).await?;
    let mut copied = 0;
    for (criterion_id, before) in previous {
        if current.contains_key(&criterion_id)
            || requested.contains(&(organization_id, criterion_id))
        {
            continue;
        }
        copy_rating(&txn, card.id, before, OffsetDateTime::now_utc()).await?;
        copied += 1;
    }
    txn.commit().await.map_err(internal)?;
    Ok(copied)
}

/// A rating carried into another round's scorecard as its first revision.
async fn copy_rating(
    db: &impl ConnectionTrait,
    scorecard_id: i32,
    before: rating::Model,
    at: OffsetDateTime,
) -> Result<(), AppError> {
    rating::ActiveModel {
        scorecard_id: Set(scorecard_id),
        criterion_id: Set(before.criterion_id),
        revision: Set(1),
        value: Set(before.value),
        dont_know: Set(before.dont_know),
        confidence: Set(before.confidence),
        justification: Set(before.justification),
        evidence: Set(before.evidence),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(internal)?;
    Ok(())
}

/// Cells whose latest reconciliation asks the panel to re-rate them.
pub(crate) async fn rerating_requests(
    db: &impl ConnectionTrait,
    study_id: i32,
) -> Result<std::collections::HashSet<(i32, i32)>, AppError> {
    use super::entities::reconciliation;
    let mut latest: HashMap<(i32, i32), String> = HashMap::new();
    for r in reconciliation::Entity::find()
        .filter(reconciliation::Column::StudyId.eq(study_id))
        .order_by_asc(reconciliation::Column::Id)
        .all(db)
        .await
        .map_err(internal)?
    {
        latest.insert((r.organization_id, r.criterion_id), r.method);
    }
    let wanted = crate::model::moderation::ReconcileMethod::ReRatingRequested.as_str();
    Ok(latest
        .into_iter()
        .filter(|(_, m)| m == wanted)
        .map(|(cell, _)| cell)
        .collect())
}

/// When a round opens for re-rating requests only: every expert's
/// submitted answers of the previous round are carried into the new round
/// except the requested cells, which the expert answers again before
/// submitting. Returns how many requested cells there are (0: the whole
/// scorecard is open again, nothing carried).
pub(crate) async fn carry_forward_unrequested(
    db: &impl ConnectionTrait,
    study_id: i32,
    from_round: i32,
) -> Result<usize, AppError> {
    let requested = rerating_requests(db, study_id).await?;
    if requested.is_empty() {
        return Ok(0);
    }
    let cards = scorecard::Entity::find()
        .filter(scorecard::Column::StudyId.eq(study_id))
        .filter(scorecard::Column::Round.eq(from_round))
        .filter(scorecard::Column::SubmittedAt.is_not_null())
        .all(db)
        .await
        .map_err(internal)?;
    let now = OffsetDateTime::now_utc();
    let mut answers = latest_revisions_of(db, cards.iter().map(|c| c.id)).await?;
    for card in cards {
        let next = scorecard::ActiveModel {
            study_id: Set(study_id),
            organization_id: Set(card.organization_id),
            panel_member_id: Set(card.panel_member_id),
            round: Set(from_round + 1),
            submitted_at: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .map_err(internal)?;
        for (criterion_id, before) in answers.remove(&card.id).unwrap_or_default() {
            if requested.contains(&(card.organization_id, criterion_id)) {
                continue;
            }
            copy_rating(db, next.id, before, now).await?;
        }
    }
    Ok(requested.len())
}

/// From round 2 on: per criterion, the viewer's previous answer and the
/// anonymized distribution of the previous round's submitted answers.
pub async fn previous_round(
    db: &DatabaseConnection,
    ctx: &StudyContext,
    organization_id: i32,
) -> Result<Vec<PreviousCell>, AppError> {
    if ctx.study.round < 2 || ctx.member.is_none() {
        return Ok(Vec::new());
    }
    let round = ctx.study.round - 1;
    let criteria = criteria(db, ctx.study.framework_id).await?;
    let own = previous_own(db, ctx, organization_id).await?;
    let cards = scorecard::Entity::find()
        .filter(scorecard::Column::StudyId.eq(ctx.study.id))
        .filter(scorecard::Column::OrganizationId.eq(organization_id))
        .filter(scorecard::Column::Round.eq(round))
        .filter(scorecard::Column::SubmittedAt.is_not_null())
        .all(db)
        .await
        .map_err(internal)?;
    let rerate: std::collections::HashSet<i32> = rerating_requests(db, ctx.study.id)
        .await?
        .into_iter()
        .filter(|(org, _)| *org == organization_id)
        .map(|(_, criterion)| criterion)
        .collect();
    let mut counts: HashMap<(i32, String), u32> = HashMap::new();
    for answers in latest_revisions_of(db, cards.iter().map(|c| c.id))
        .await?
        .into_values()
    {
        for (criterion_id, r) in answers {
            let label = answer_label(r.value.as_deref(), r.dont_know);
            *counts.entry((criterion_id, label)).or_default() += 1;
        }
    }
    Ok(criteria
        .iter()
        .map(|c| {
            let mut distribution: Vec<(String, u32)> = counts
                .iter()
                .filter(|((id, _), _)| *id == c.id)
                .map(|((_, label), n)| (label.clone(), *n))
                .collect();
            distribution.sort();
            let mine = own.get(&c.id);
            PreviousCell {
                round,
                criterion: c.code.clone(),
                own: mine.map(|r| answer_label(r.value.as_deref(), r.dont_know)),
                own_justification: mine.map(|r| r.justification.clone()).unwrap_or_default(),
                distribution,
                rerating_requested: rerate.contains(&c.id),
            }
        })
        .collect())
}

/// Everything the scorecard page shows, each part behind its policy check.
pub async fn page(
    db: &DatabaseConnection,
    ctx: &StudyContext,
    slug: &str,
) -> Result<crate::model::scorecard::ScorecardPage, AppError> {
    let organization = super::catalogue::organization(db, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let org_id = super::studies::organization_id(db, slug).await?;
    let standing = ctx.standing(db, org_id).await?;
    if !standing.assigned && !policy::may_see_identities(ctx.viewer) {
        return Err(AppError::NotFound);
    }
    let framework_row = super::entities::framework::Entity::find_by_id(ctx.study.framework_id)
        .one(db)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let framework =
        super::catalogue::load_framework(db, &framework_row.slug, Some(framework_row.version))
            .await?
            .ok_or(AppError::NotFound)?;
    let rating_check = policy::may_rate(ctx.viewer, ctx.phase, standing);
    let own = if ctx.member.is_some() {
        own_ratings(db, ctx, org_id).await?
    } else {
        Vec::new()
    };
    let peers =
        if policy::may_see_peer_ratings(ctx.viewer, ctx.phase, ctx.settings.visibility, standing) {
            Some(peer_scorecards(db, ctx, org_id).await?)
        } else {
            None
        };
    let comments =
        if policy::may_see_peer_ratings(ctx.viewer, ctx.phase, ctx.settings.visibility, standing) {
            Some(super::comments::threads(db, ctx, org_id).await?)
        } else {
            None
        };
    let may_comment = ctx.member.is_some()
        && policy::may_comment(ctx.viewer, ctx.phase, ctx.settings.visibility, standing);
    let previous = if standing.conflicted {
        Vec::new()
    } else {
        previous_round(db, ctx, org_id).await?
    };
    Ok(crate::model::scorecard::ScorecardPage {
        study_id: ctx.study.id,
        study_title: ctx.study.title.clone(),
        phase: ctx.phase,
        round: ctx.study.round,
        organization,
        framework,
        own,
        may_rate: rating_check.is_ok(),
        refusal: rating_check.err().map(|r| r.message().to_string()),
        submitted: standing.submitted,
        conflicted: standing.conflicted,
        peers,
        comments,
        may_comment,
        previous,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::framework::{Category, Level};

    fn ordinal() -> Scale {
        Scale::Ordinal {
            levels: (0..=4)
                .map(|v| Level {
                    value: v,
                    label: v.to_string(),
                    anchor: String::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn values_must_be_on_the_scale() {
        assert!(check_value(&ordinal(), "3").is_ok());
        assert!(check_value(&ordinal(), "5").is_err());
        assert!(check_value(&ordinal(), "2.5").is_err());
        assert!(check_value(&ordinal(), "high").is_err());
        let interval = Scale::Interval {
            min: 0.0,
            max: 10.0,
            step: 0.5,
        };
        assert!(check_value(&interval, "7.5").is_ok());
        assert!(check_value(&interval, "7.25").is_err());
        assert!(check_value(&interval, "10.5").is_err());
        let nominal = Scale::Nominal {
            categories: vec![Category {
                value: "alliance".into(),
                label: "Alliance".into(),
                anchor: String::new(),
            }],
        };
        assert!(check_value(&nominal, "alliance").is_ok());
        assert!(check_value(&nominal, "Alliance").is_err());
    }

    fn input() -> RatingInput {
        RatingInput {
            criterion: "D1.1".into(),
            value: Some("2".into()),
            dont_know: false,
            confidence: Some(70),
            justification: "Mediation in two border disputes.".into(),
            evidence: vec!["https://example.org/report".into()],
            base_revision: 0,
        }
    }

    #[test]
    fn inputs_are_checked_field_by_field() {
        assert!(check_input(&ordinal(), &input()).is_ok());
        let field = |i: RatingInput| match check_input(&ordinal(), &i) {
            Err(AppError::Invalid { field, .. }) => field,
            other => panic!("expected a field error, got {other:?}"),
        };
        assert_eq!(
            field(RatingInput {
                dont_know: true,
                ..input()
            })
            .as_deref(),
            Some("value")
        );
        assert_eq!(
            field(RatingInput {
                confidence: Some(101),
                ..input()
            })
            .as_deref(),
            Some("confidence")
        );
        assert_eq!(
            field(RatingInput {
                justification: "x".repeat(JUSTIFICATION_MAX + 1),
                ..input()
            })
            .as_deref(),
            Some("justification")
        );
        assert_eq!(
            field(RatingInput {
                evidence: vec!["e".into(); EVIDENCE_MAX_ITEMS + 1],
                ..input()
            })
            .as_deref(),
            Some("evidence")
        );
        assert!(check_input(
            &ordinal(),
            &RatingInput {
                value: None,
                dont_know: true,
                ..input()
            }
        )
        .is_ok());
    }
}
