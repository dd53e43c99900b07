//! Published releases: the only study data the public, the API and the
//! downloads ever read. A release is frozen at publication; nothing here
//! computes from live ratings.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::entities::{release, study};
use super::internal;
use crate::model::results::{
    AnonymousRating, ChangeEntry, PublishedStudy, Release, ReleaseSummary, StudyResults,
};
use crate::model::AppError;

/// What a listing shows of a release: everything but its results and
/// ratings, which are the bulk of it and are read only for the release
/// itself.
#[derive(Debug, FromQueryResult)]
struct ReleaseHead {
    study_id: i32,
    number: i32,
    round: i32,
    changelog: String,
    created_at: sea_orm::prelude::TimeDateTimeWithTimeZone,
}

/// The heads of the releases `query` selects, newest first.
async fn heads(
    db: &impl ConnectionTrait,
    query: Select<release::Entity>,
) -> Result<Vec<ReleaseHead>, AppError> {
    query
        .select_only()
        .columns([
            release::Column::StudyId,
            release::Column::Number,
            release::Column::Round,
            release::Column::Changelog,
            release::Column::CreatedAt,
        ])
        .order_by_desc(release::Column::Number)
        .into_model::<ReleaseHead>()
        .all(db)
        .await
        .map_err(internal)
}

fn summary(r: &ReleaseHead) -> Result<ReleaseSummary, AppError> {
    let changes: Vec<ChangeEntry> = serde_json::from_str(&r.changelog).map_err(internal)?;
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    Ok(ReleaseSummary {
        study_id: r.study_id,
        number: r.number,
        round: r.round,
        published: r.created_at.format(&format).unwrap_or_default(),
        changes: changes.len(),
    })
}

/// Every study with a release, newest study first.
pub async fn published_studies(db: &impl ConnectionTrait) -> Result<Vec<PublishedStudy>, AppError> {
    let releases = heads(db, release::Entity::find()).await?;
    let studies = study::Entity::find()
        .filter(study::Column::Id.is_in(releases.iter().map(|r| r.study_id)))
        .order_by_desc(study::Column::Id)
        .all(db)
        .await
        .map_err(internal)?;
    let mut out = Vec::new();
    for s in studies {
        let Some(latest) = releases.iter().find(|r| r.study_id == s.id) else {
            continue;
        };
        out.push(PublishedStudy {
            id: s.id,
            title: s.title.clone(),
            period: crate::model::study::period_label(s.period_start, s.period_end),
            latest: summary(latest)?,
        });
    }
    Ok(out)
}

/// A study's releases, newest first. Unpublished studies are not found.
pub async fn history(
    db: &impl ConnectionTrait,
    study_id: i32,
) -> Result<Vec<ReleaseSummary>, AppError> {
    let all = heads(
        db,
        release::Entity::find().filter(release::Column::StudyId.eq(study_id)),
    )
    .await?;
    if all.is_empty() {
        return Err(AppError::NotFound);
    }
    all.iter().map(summary).collect()
}

/// A release of a study (the latest when `number` is `None`) with the
/// study's release history. Unpublished studies are not found.
pub async fn release(
    db: &impl ConnectionTrait,
    study_id: i32,
    number: Option<i32>,
) -> Result<Release, AppError> {
    let history = history(db, study_id).await?;
    let summary = match number {
        Some(n) => history.iter().find(|h| h.number == n),
        None => history.first(),
    }
    .cloned()
    .ok_or(AppError::NotFound)?;
    let chosen = release::Entity::find()
        .filter(release::Column::StudyId.eq(study_id))
        .filter(release::Column::Number.eq(summary.number))
        .one(db)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let results: StudyResults = serde_json::from_str(&chosen.results).map_err(internal)?;
    let ratings: Vec<AnonymousRating> = serde_json::from_str(&chosen.ratings).map_err(internal)?;
    let changelog: Vec<ChangeEntry> = serde_json::from_str(&chosen.changelog).map_err(internal)?;
    Ok(Release {
        summary,
        results,
        ratings,
        changelog,
        history,
    })
}

/// Tidy long CSV of a release's cells: one row per cell.
pub fn cells_csv(r: &Release) -> String {
    let mut out = String::from(
        "study_id,release,organization,criterion,dimension,n,n_dont_know,median,median_lower,median_upper,mean,sd,iqr,rwg,ad_md,share_within_one,agreement_a,disagreement,consensus,reconciliation_method,reconciliation_rationale\n",
    );
    let num = |v: Option<f64>| v.map(|x| format!("{x:.6}")).unwrap_or_default();
    for c in &r.results.cells {
        let note = c.reconciliation.as_ref();
        let fields = [
            r.summary.study_id.to_string(),
            r.summary.number.to_string(),
            c.organization.clone(),
            c.criterion.clone(),
            c.dimension.clone(),
            c.n.to_string(),
            c.n_dont_know.to_string(),
            num(c.median),
            num(c.median_lower),
            num(c.median_upper),
            num(c.mean),
            num(c.sd),
            num(c.iqr),
            num(c.rwg),
            num(c.ad_md),
            num(c.share_within_one),
            num(c.agreement_a),
            c.disagreement.clone(),
            c.consensus.clone().unwrap_or_default(),
            note.map(|n| n.method.clone()).unwrap_or_default(),
            note.map(|n| n.rationale.clone()).unwrap_or_default(),
        ];
        push_row(&mut out, &fields);
    }
    out
}

/// Tidy long CSV of a release's anonymized ratings (cells with at least k
/// raters only). Columns `unit,rater,value` first, so `concord agreement`
/// reads it as it is.
pub fn ratings_csv(r: &Release) -> String {
    let mut out = String::from("unit,rater,value,organization,criterion\n");
    for a in &r.ratings {
        let fields = [
            format!("{}:{}", a.organization, a.criterion),
            a.rater.clone(),
            a.value.clone(),
            a.organization.clone(),
            a.criterion.clone(),
        ];
        push_row(&mut out, &fields);
    }
    out
}

fn push_row(out: &mut String, fields: &[String]) {
    let quoted: Vec<String> = fields.iter().map(|f| quote(f)).collect();
    out.push_str(&quoted.join(","));
    out.push('\n');
}

/// RFC 4180 quoting where needed.
fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}
