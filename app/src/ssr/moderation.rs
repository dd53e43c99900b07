//! Moderators at work: the disagreement queue, a cell side by side,
//! reconciliations, publication of numbered releases with a changelog, and
//! the audit log. Every entry point asks `policy` first.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use time::OffsetDateTime;

use super::entities::{audit, rating, reconciliation, release, scorecard};
use super::internal;
use super::policy;
use super::results::{gather, ResultsCache};
use super::scorecards::{check_value, criteria};
use super::studies::{organization_id, record, StudyContext};
use crate::model::moderation::{
    AuditRow, CellDetail, DisagreementQueue, IdentifiedRating, QueueCell, ReconcileMethod,
};
use crate::model::results::{AnonymousRating, ChangeEntry, StudyResults};
use crate::model::scorecard::answer_label;
use crate::model::study::Phase;
use crate::model::validation::check_text;
use crate::model::{AppError, Scale};

fn moderators_only() -> AppError {
    AppError::Forbidden("Only the study's moderators see this.".into())
}

/// Queue order: the cells that most need a moderator first.
fn urgency(kind: &str) -> u8 {
    match kind {
        "polarized" => 0,
        "outlier-driven" => 1,
        "weak" => 2,
        "insufficient" => 3,
        _ => 4,
    }
}

/// Filters of the queue; empty means any.
#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    pub organization: Option<String>,
    pub criterion: Option<String>,
    pub dimension: Option<String>,
    pub kind: Option<String>,
}

/// Cells sorted by disagreement type, then dispersion (widest first).
pub async fn queue(
    db: &DatabaseConnection,
    cache: &ResultsCache,
    ctx: &StudyContext,
    filter: &QueueFilter,
) -> Result<DisagreementQueue, AppError> {
    let results = moderated_results(db, cache, ctx).await?;
    let acronym: HashMap<&str, &str> = results
        .organizations
        .iter()
        .map(|o| (o.slug.as_str(), o.acronym.as_str()))
        .collect();
    let wanted = |want: &Option<String>, have: &str| {
        want.as_deref().is_none_or(|w| w.is_empty() || w == have)
    };
    let mut cells: Vec<QueueCell> = results
        .cells
        .iter()
        .filter(|c| {
            wanted(&filter.organization, &c.organization)
                && wanted(&filter.criterion, &c.criterion)
                && wanted(&filter.dimension, &c.dimension)
                && wanted(&filter.kind, &c.disagreement)
        })
        .map(|c| QueueCell {
            organization: c.organization.clone(),
            acronym: acronym
                .get(c.organization.as_str())
                .unwrap_or(&"")
                .to_string(),
            criterion: c.criterion.clone(),
            dimension: c.dimension.clone(),
            result: c.clone(),
        })
        .collect();
    cells.sort_by(|a, b| {
        let spread = |c: &QueueCell| c.result.iqr.or(c.result.sd).unwrap_or(0.0);
        urgency(&a.result.disagreement)
            .cmp(&urgency(&b.result.disagreement))
            .then(spread(b).total_cmp(&spread(a)))
            .then(a.acronym.cmp(&b.acronym))
            .then(a.criterion.cmp(&b.criterion))
    });
    Ok(DisagreementQueue {
        study_id: ctx.study.id,
        title: ctx.study.title.clone(),
        phase: ctx.phase,
        cells,
        organizations: results
            .organizations
            .iter()
            .map(|o| (o.slug.clone(), o.acronym.clone()))
            .collect(),
        criteria: results.criteria.iter().map(|c| c.code.clone()).collect(),
        dimensions: results
            .dimensions
            .iter()
            .map(|d| (d.code.clone(), d.name.clone()))
            .collect(),
        may_publish: policy::may_publish(ctx.viewer, ctx.phase),
        consensus_rule: results.consensus_rule.clone(),
        min_raters: results.min_raters,
    })
}

/// The study's current results, for its moderators only.
async fn moderated_results(
    db: &DatabaseConnection,
    cache: &ResultsCache,
    ctx: &StudyContext,
) -> Result<std::sync::Arc<StudyResults>, AppError> {
    if !policy::may_moderate(ctx.viewer) {
        return Err(moderators_only());
    }
    cache.get(db, ctx.study.id).await
}

/// One cell side by side: figures, every counted rating with identity,
/// the comment thread and the reconciliations so far.
pub async fn cell(
    db: &DatabaseConnection,
    cache: &ResultsCache,
    ctx: &StudyContext,
    slug: &str,
    code: &str,
) -> Result<CellDetail, AppError> {
    let results = moderated_results(db, cache, ctx).await?;
    let result = results
        .cell(slug, code)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let prompt = results
        .criteria
        .iter()
        .find(|c| c.code == code)
        .map(|c| c.prompt.clone())
        .ok_or(AppError::NotFound)?;
    let org_id = organization_id(db, slug).await?;
    let members = super::studies::members_by_id(db, ctx.study.id).await?;
    let names = super::users::display_names(db, members.values().map(|m| m.user_id)).await?;
    let crit = criteria(db, ctx.study.framework_id)
        .await?
        .into_iter()
        .find(|c| c.code == code)
        .ok_or(AppError::NotFound)?;
    let crit_id = crit.id;
    let scale: Scale = serde_json::from_str(&crit.scale).map_err(internal)?;
    // The same scorecards the aggregate counts, with evidence and rounds.
    let cards: HashMap<i32, scorecard::Model> =
        super::results::counted_scorecards(db, ctx.study.id, Some(org_id))
            .await?
            .into_values()
            .map(|c| (c.id, c))
            .collect();
    let mut latest: HashMap<i32, (i32, rating::Model)> = HashMap::new();
    for r in rating::Entity::find()
        .filter(rating::Column::ScorecardId.is_in(cards.keys().copied()))
        .filter(rating::Column::CriterionId.eq(crit_id))
        .all(db)
        .await
        .map_err(internal)?
    {
        let Some(card) = cards.get(&r.scorecard_id) else {
            continue;
        };
        let newer = latest
            .get(&card.panel_member_id)
            .is_none_or(|(_, l)| r.revision > l.revision);
        if newer {
            latest.insert(card.panel_member_id, (card.round, r));
        }
    }
    let mut ratings: Vec<IdentifiedRating> = latest
        .into_iter()
        .filter_map(|(member, (round, r))| {
            let m = members.get(&member)?;
            Some(IdentifiedRating {
                pseudonym: m.pseudonym.clone(),
                name: names.get(&m.user_id).cloned().unwrap_or_default(),
                round,
                value: answer_label(r.value.as_deref(), r.dont_know),
                confidence: r.confidence,
                justification: r.justification,
                evidence: serde_json::from_str(&r.evidence).unwrap_or_default(),
            })
        })
        .collect();
    ratings
        .sort_by(|a, b| (a.pseudonym.len(), &a.pseudonym).cmp(&(b.pseudonym.len(), &b.pseudonym)));
    let comments = super::comments::threads(db, ctx, org_id)
        .await?
        .into_iter()
        .filter(|c| c.criterion == code)
        .collect();
    let history = reconciliation::Entity::find()
        .filter(reconciliation::Column::StudyId.eq(ctx.study.id))
        .filter(reconciliation::Column::OrganizationId.eq(org_id))
        .filter(reconciliation::Column::CriterionId.eq(crit_id))
        .order_by_asc(reconciliation::Column::Id)
        .all(db)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|r| crate::model::results::ReconciliationNote {
            final_value: r.final_value,
            method: r.method,
            rationale: r.rationale,
            dissent: r.dissent,
            round: r.round,
        })
        .collect();
    let values = match &scale {
        Scale::Ordinal { levels } => levels
            .iter()
            .map(|l| (l.value.to_string(), format!("{} · {}", l.value, l.label)))
            .collect(),
        Scale::Nominal { categories } => categories
            .iter()
            .map(|c| (c.value.clone(), c.label.clone()))
            .collect(),
        Scale::Interval { .. } => Vec::new(),
    };
    let acronym = results
        .organizations
        .iter()
        .find(|o| o.slug == slug)
        .map(|o| o.acronym.clone())
        .unwrap_or_default();
    Ok(CellDetail {
        study_id: ctx.study.id,
        title: ctx.study.title.clone(),
        organization: slug.to_string(),
        acronym,
        criterion: code.to_string(),
        prompt,
        values,
        result,
        ratings,
        comments,
        history,
        may_reconcile: policy::may_reconcile(ctx.viewer, ctx.phase),
        may_request_rerating: policy::may_request_rerating(ctx.viewer, ctx.phase),
    })
}

/// What a moderator decides for one cell.
#[derive(Clone, Debug)]
pub struct Reconciliation {
    pub organization: String,
    pub criterion: String,
    pub final_value: Option<String>,
    pub method: ReconcileMethod,
    pub rationale: String,
    pub dissent: String,
}

/// Records a reconciliation (append-only; the latest one counts).
pub async fn reconcile(
    db: &DatabaseConnection,
    ctx: &StudyContext,
    actor: i32,
    r: Reconciliation,
) -> Result<(), AppError> {
    if !policy::may_reconcile(ctx.viewer, ctx.phase) {
        return Err(AppError::Forbidden(
            "Moderators reconcile cells once the study is in review, reconciliation or published."
                .into(),
        ));
    }
    // A published study has no further round in which to re-rate.
    if r.method == ReconcileMethod::ReRatingRequested
        && !policy::may_request_rerating(ctx.viewer, ctx.phase)
    {
        return Err(AppError::invalid(
            "method",
            "A published study opens no further round, so re-rating cannot be requested; record a final value instead.",
        ));
    }
    let crit = criteria(db, ctx.study.framework_id)
        .await?
        .into_iter()
        .find(|c| c.code == r.criterion)
        .ok_or_else(|| {
            AppError::invalid("criterion", format!("No criterion {:?}.", r.criterion))
        })?;
    let org = organization_id(db, &r.organization).await?;
    if !super::studies::includes(db, ctx.study.id, org).await? {
        return Err(AppError::invalid(
            "organization",
            "That organization is not part of this study.",
        ));
    }
    let scale: Scale = serde_json::from_str(&crit.scale).map_err(internal)?;
    let final_value = r
        .final_value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    match (r.method, &final_value) {
        (ReconcileMethod::ReRatingRequested, Some(_)) => {
            return Err(AppError::invalid(
                "final_value",
                "A re-rating request has no final value yet; leave it empty.",
            ))
        }
        (ReconcileMethod::ReRatingRequested, None) => {}
        (_, None) => {
            return Err(AppError::invalid(
                "final_value",
                "Choose the cell's final value.",
            ))
        }
        (_, Some(v)) => check_value(&scale, v).map_err(|m| AppError::invalid("final_value", m))?,
    }
    let rationale = r.rationale.trim();
    check_text(
        "rationale",
        rationale,
        true,
        5_000,
        "Give a rationale of at most 5,000 characters; it is published with the cell.",
    )?;
    check_text(
        "dissent",
        &r.dissent,
        false,
        5_000,
        "Recorded dissent has at most 5,000 characters.",
    )?;
    let txn = db.begin().await.map_err(internal)?;
    reconciliation::ActiveModel {
        study_id: Set(ctx.study.id),
        organization_id: Set(org),
        criterion_id: Set(crit.id),
        round: Set(ctx.study.round),
        final_value: Set(final_value.clone()),
        method: Set(r.method.as_str().to_string()),
        rationale: Set(rationale.to_string()),
        dissent: Set(r.dissent.trim().to_string()),
        user_id: Set(actor),
        created_at: Set(OffsetDateTime::now_utc()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(internal)?;
    record(
        &txn,
        Some(ctx.study.id),
        Some(actor),
        "cell.reconcile",
        serde_json::json!({
            "organization": r.organization, "criterion": r.criterion,
            "final_value": final_value, "method": r.method.as_str(), "why": rationale,
        }),
    )
    .await?;
    txn.commit().await.map_err(internal)
}

/// What changed per cell between two releases, and why.
pub fn changelog(before: Option<&StudyResults>, after: &StudyResults) -> Vec<ChangeEntry> {
    let mut out = Vec::new();
    for cell in &after.cells {
        let old = before.and_then(|b| b.cell(&cell.organization, &cell.criterion));
        let mut reasons = Vec::new();
        match old {
            None => {
                if before.is_some() {
                    reasons.push("new cell".to_string());
                }
            }
            Some(old) => {
                if old.counts != cell.counts || old.n_dont_know != cell.n_dont_know {
                    reasons.push("new ratings".to_string());
                }
                if old.reconciliation != cell.reconciliation {
                    reasons.push("reconciliation".to_string());
                }
                let rule_changed = before.is_some_and(|b| {
                    b.consensus_rule != after.consensus_rule || b.min_raters != after.min_raters
                });
                if rule_changed
                    && (old.disagreement != cell.disagreement || old.consensus != cell.consensus)
                {
                    reasons.push("rule change".to_string());
                }
            }
        }
        if before.is_some() && !reasons.is_empty() {
            out.push(ChangeEntry {
                organization: cell.organization.clone(),
                criterion: cell.criterion.clone(),
                before: old.and_then(|o| o.consensus.clone()),
                after: cell.consensus.clone(),
                reasons,
            });
        }
    }
    out
}

/// Publishes the study's current results as its next numbered release.
/// Returns the release number.
pub async fn publish(
    db: &DatabaseConnection,
    ctx: &StudyContext,
    actor: i32,
) -> Result<i32, AppError> {
    if !policy::may_publish(ctx.viewer, ctx.phase) {
        return Err(AppError::Forbidden(
            "A moderator publishes once the study is in reconciliation (or to issue a new release)."
                .into(),
        ));
    }
    let txn = db.begin().await.map_err(internal)?;
    let data = gather(&txn, ctx.study.id).await?;
    let mut results = super::results::aggregate(&data)?;
    // Per-rater figures are rater-level data too: published only when the
    // panel has at least k raters, like the ratings below.
    let raters: std::collections::HashSet<i32> = data.ratings.iter().map(|r| r.member_id).collect();
    if raters.len() < data.settings.k_anonymity as usize {
        results.raters.clear();
    }
    let previous = release::Entity::find()
        .filter(release::Column::StudyId.eq(ctx.study.id))
        .order_by_desc(release::Column::Number)
        .one(&txn)
        .await
        .map_err(internal)?;
    let before: Option<StudyResults> = previous
        .as_ref()
        .map(|p| serde_json::from_str(&p.results))
        .transpose()
        .map_err(internal)?;
    let changes = changelog(before.as_ref(), &results);
    if before.is_some() && changes.is_empty() {
        return Err(AppError::invalid(
            "release",
            "Nothing changed since the last release, so there is nothing new to publish.",
        ));
    }
    // Rater-level data only for cells with at least k raters.
    let members: Vec<i32> = data.ratings.iter().map(|r| r.member_id).collect();
    let numbers = super::results::rater_numbers(&members, ctx.study.id);
    let k = data.settings.k_anonymity as usize;
    let ratings: Vec<AnonymousRating> = data
        .ratings
        .iter()
        .filter(|r| {
            results
                .cell(&r.organization, &r.criterion)
                .is_some_and(|c| c.n + c.n_dont_know >= k)
        })
        .map(|r| AnonymousRating {
            organization: r.organization.clone(),
            criterion: r.criterion.clone(),
            rater: numbers.get(&r.member_id).cloned().unwrap_or_default(),
            value: if r.dont_know {
                String::new()
            } else {
                r.value.clone().unwrap_or_default()
            },
        })
        .collect();
    let number = previous.map(|p| p.number + 1).unwrap_or(1);
    release::ActiveModel {
        study_id: Set(ctx.study.id),
        number: Set(number),
        round: Set(ctx.study.round),
        results: Set(serde_json::to_string(&results).map_err(internal)?),
        ratings: Set(serde_json::to_string(&ratings).map_err(internal)?),
        changelog: Set(serde_json::to_string(&changes).map_err(internal)?),
        created_by: Set(actor),
        created_at: Set(OffsetDateTime::now_utc()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        // Another moderator published this number first.
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict(
            "Another moderator has just published a release; reload to see it.".into(),
        ),
        _ => internal(e),
    })?;
    if ctx.phase != Phase::Published {
        super::studies::move_phase(&txn, ctx.study.id, actor, ctx.phase, Phase::Published).await?;
    }
    record(
        &txn,
        Some(ctx.study.id),
        Some(actor),
        "study.publish",
        serde_json::json!({"release": number, "changes": changes.len()}),
    )
    .await?;
    txn.commit().await.map_err(internal)?;
    Ok(number)
}

/// The study's audit log, newest first, with names.
pub async fn audit_log(
    db: &DatabaseConnection,
    ctx: &StudyContext,
) -> Result<Vec<AuditRow>, AppError> {
    if !policy::may_moderate(ctx.viewer) {
        return Err(moderators_only());
    }
    let rows = audit::Entity::find()
        .filter(audit::Column::StudyId.eq(ctx.study.id))
        .order_by_desc(audit::Column::Id)
        .all(db)
        .await
        .map_err(internal)?;
    let names = super::users::display_names(db, rows.iter().filter_map(|r| r.user_id)).await?;
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    Ok(rows
        .into_iter()
        .map(|r| AuditRow {
            when: r.created_at.format(&format).unwrap_or_default(),
            who: r
                .user_id
                .and_then(|u| names.get(&u).cloned())
                .unwrap_or_else(|| "command line".into()),
            action: r.action,
            detail: r.detail,
        })
        .collect())
}
