//! `concord import-ratings`: ratings gathered outside the browser (a
//! spreadsheet, a paper round) entered as if each expert had saved them.
//!
//! The whole file is checked before anything is written, every problem is
//! reported with its line, and the import is one transaction: all rows or
//! none.

use std::collections::{HashMap, HashSet};

use concord_stats::csv::Reader;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use time::OffsetDateTime;

use super::entities::{assignment, conflict, organization, panel_member, rating, scorecard, user};
use super::internal;
use super::scorecards::{
    check_change_is_justified, check_input, criteria, find_scorecard, latest_revisions,
    latest_revisions_of, new_scorecard,
};
use super::studies::{record, StudyContext};
use crate::model::scorecard::RatingInput;
use crate::model::study::{PanelRole, Phase};
use crate::model::{AppError, Scale};

/// Columns of an import file; the first four are required, in any order.
pub const COLUMNS: [&str; 7] = [
    "organization",
    "criterion",
    "expert",
    "value",
    "confidence",
    "justification",
    "evidence",
];

/// What an import did.
#[derive(Debug, PartialEq, Eq)]
pub struct ImportSummary {
    pub ratings: usize,
    pub scorecards: usize,
    pub submitted: usize,
}

/// Why an import wrote nothing: every problem found, with its line (0 for
/// the file as a whole).
#[derive(Debug)]
pub struct ImportRefused {
    pub problems: Vec<(usize, String)>,
}

impl std::fmt::Display for ImportRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (line, problem) in &self.problems {
            if *line == 0 {
                writeln!(f, "{problem}")?;
            } else {
                writeln!(f, "line {line}: {problem}")?;
            }
        }
        Ok(())
    }
}

/// A store error refuses the whole import (nothing is written). The
/// command's user runs the server, so the cause is shown, not hidden.
impl From<AppError> for ImportRefused {
    fn from(e: AppError) -> Self {
        refused(0, e.to_string())
    }
}

impl From<sea_orm::DbErr> for ImportRefused {
    fn from(e: sea_orm::DbErr) -> Self {
        tracing::error!(error = %e, "import-ratings: database error");
        refused(0, format!("The database refused the import: {e}"))
    }
}

fn refused(line: usize, problem: impl Into<String>) -> ImportRefused {
    ImportRefused {
        problems: vec![(line, problem.into())],
    }
}

/// One checked row, ready to write.
struct Row {
    line: usize,
    organization_id: i32,
    member_id: i32,
    criterion_id: i32,
    input: RatingInput,
}

/// Imports the ratings of `text` into the study's current round. With
/// `submit`, every scorecard the file touches is submitted too, and must be
/// complete.
pub async fn import_ratings(
    db: &DatabaseConnection,
    study_id: i32,
    text: &str,
    submit: bool,
) -> Result<ImportSummary, ImportRefused> {
    let ctx = StudyContext::load(db, study_id, None, true)
        .await
        .map_err(|e| match e {
            AppError::NotFound => refused(0, format!("There is no study {study_id}.")),
            e => e.into(),
        })?;
    if ctx.phase != Phase::Scoring {
        return Err(refused(
            0,
            format!(
                "Study {study_id} is in its {} phase; ratings are imported only while it is scoring.",
                ctx.phase.as_str()
            ),
        ));
    }
    let rows = check_file(db, &ctx, text).await?;
    write(db, &ctx, rows, submit).await
}

/// Parses and checks every row; collects every problem.
async fn check_file(
    db: &DatabaseConnection,
    ctx: &StudyContext,
    text: &str,
) -> Result<Vec<Row>, ImportRefused> {
    let crits: HashMap<String, (i32, Scale)> = criteria(db, ctx.study.framework_id)
        .await?
        .into_iter()
        .map(|c| {
            let scale = serde_json::from_str(&c.scale).map_err(internal)?;
            Ok((c.code, (c.id, scale)))
        })
        .collect::<Result<_, AppError>>()?;
    let in_study = super::studies::organization_ids(db, ctx.study.id).await?;
    let orgs: HashMap<String, i32> = organization::Entity::find()
        .filter(organization::Column::Id.is_in(in_study.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.slug, o.id))
        .collect();
    let members: Vec<panel_member::Model> = panel_member::Entity::find()
        .filter(panel_member::Column::StudyId.eq(ctx.study.id))
        .filter(panel_member::Column::Role.eq(PanelRole::Expert.as_str()))
        .all(db)
        .await?;
    let emails: HashMap<i32, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(members.iter().map(|m| m.user_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.email))
        .collect();
    let experts: HashMap<String, i32> = members
        .iter()
        .filter_map(|m| Some((emails.get(&m.user_id)?.to_lowercase(), m.id)))
        .collect();
    let member_ids: Vec<i32> = members.iter().map(|m| m.id).collect();
    let assigned: Vec<assignment::Model> = assignment::Entity::find()
        .filter(assignment::Column::PanelMemberId.is_in(member_ids.clone()))
        .all(db)
        .await?;
    let conflicted: HashSet<(i32, i32)> = conflict::Entity::find()
        .filter(conflict::Column::PanelMemberId.is_in(member_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.panel_member_id, c.organization_id))
        .collect();
    let submitted: HashSet<(i32, i32)> = scorecard::Entity::find()
        .filter(scorecard::Column::StudyId.eq(ctx.study.id))
        .filter(scorecard::Column::Round.eq(ctx.study.round))
        .filter(scorecard::Column::SubmittedAt.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.panel_member_id, c.organization_id))
        .collect();
    // From round 2 on, each expert's answers of the previous round: a
    // changed value needs a justification of its own (the Delphi rule).
    let previous_cards = scorecard::Entity::find()
        .filter(scorecard::Column::StudyId.eq(ctx.study.id))
        .filter(scorecard::Column::Round.eq(ctx.study.round - 1))
        .all(db)
        .await?;
    let mut answers = latest_revisions_of(db, previous_cards.iter().map(|c| c.id)).await?;
    let mut previous: HashMap<(i32, i32, i32), rating::Model> = HashMap::new();
    for card in previous_cards {
        for (criterion_id, before) in answers.remove(&card.id).unwrap_or_default() {
            previous.insert(
                (card.panel_member_id, card.organization_id, criterion_id),
                before,
            );
        }
    }

    let mut reader = Reader::new(text);
    let mut fields = Vec::new();
    let header_line = match reader.read_record(&mut fields) {
        Ok(Some(line)) => line,
        Ok(None) => return Err(refused(1, "The file is empty; it needs a header row.")),
        Err(e) => return Err(refused(e.line, e.kind.description())),
    };
    let header: Vec<String> = fields.iter().map(|f| f.trim().to_lowercase()).collect();
    let mut problems = Vec::new();
    for h in &header {
        if !COLUMNS.contains(&h.as_str()) {
            problems.push((
                header_line,
                format!(
                    "unknown column {h:?}; the columns are {}",
                    COLUMNS.join(", ")
                ),
            ));
        }
    }
    let position = |name: &str| header.iter().position(|h| h == name);
    let missing: Vec<&str> = COLUMNS[..4]
        .iter()
        .copied()
        .filter(|c| position(c).is_none())
        .collect();
    if !missing.is_empty() {
        problems.push((
            header_line,
            format!(
                "the header lacks the required column(s) {}",
                missing.join(", ")
            ),
        ));
        return Err(ImportRefused { problems });
    }
    let mut rows = Vec::new();
    let mut seen: HashMap<(i32, i32, i32), usize> = HashMap::new();
    loop {
        let line = match reader.read_record(&mut fields) {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(e) => {
                problems.push((e.line, e.kind.description().to_string()));
                break;
            }
        };
        if fields.len() != header.len() {
            problems.push((
                line,
                format!(
                    "{} fields where the header has {}",
                    fields.len(),
                    header.len()
                ),
            ));
            continue;
        }
        let get = |name: &str| {
            position(name)
                .and_then(|i| fields.get(i))
                .map(|f| f.trim().to_string())
                .unwrap_or_default()
        };
        let mut bad = |problem: String| problems.push((line, problem));
        let org = get("organization");
        let Some(&organization_id) = orgs.get(&org) else {
            bad(format!("{org:?} is not an organization of this study"));
            continue;
        };
        let code = get("criterion");
        let Some((criterion_id, scale)) = crits.get(&code) else {
            bad(format!("the study's framework has no criterion {code:?}"));
            continue;
        };
        let email = get("expert").to_lowercase();
        let Some(&member_id) = experts.get(&email) else {
            bad(format!("{email:?} is not an expert on this study's panel"));
            continue;
        };
        let mine: Vec<i32> = assigned
            .iter()
            .filter(|a| a.panel_member_id == member_id)
            .map(|a| a.organization_id)
            .collect();
        if !mine.is_empty() && !mine.contains(&organization_id) {
            bad(format!("{org} is not assigned to {email}"));
            continue;
        }
        if conflicted.contains(&(member_id, organization_id)) {
            bad(format!("{email} declared a conflict of interest for {org}"));
            continue;
        }
        if submitted.contains(&(member_id, organization_id)) {
            bad(format!(
                "{email} already submitted the {org} scorecard of round {}",
                ctx.study.round
            ));
            continue;
        }
        let value = get("value");
        let confidence = match get("confidence").as_str() {
            "" => None,
            c => match c.parse::<i32>() {
                Ok(c) => Some(c),
                Err(_) => {
                    bad(format!("confidence {c:?} is not a whole number"));
                    continue;
                }
            },
        };
        let dont_know = value.eq_ignore_ascii_case("dont-know");
        let input = RatingInput {
            criterion: code.clone(),
            value: (!dont_know && !value.is_empty()).then(|| value.clone()),
            dont_know,
            confidence,
            justification: get("justification"),
            evidence: get("evidence")
                .split(" | ")
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(String::from)
                .collect(),
            base_revision: 0,
        };
        if value.is_empty() {
            bad("the value is empty; give a value on the scale or dont-know".into());
            continue;
        }
        let delphi = |before| check_change_is_justified(before, &code, ctx.study.round, &input);
        if let Err(e) = check_input(scale, &input).and_then(|()| {
            previous
                .get(&(member_id, organization_id, *criterion_id))
                .map_or(Ok(()), delphi)
        }) {
            bad(format!("{code}: {e}"));
            continue;
        }
        if let Some(first) = seen.insert((organization_id, member_id, *criterion_id), line) {
            bad(format!(
                "{email} rates {org} {code} again (first on line {first})"
            ));
            continue;
        }
        rows.push(Row {
            line,
            organization_id,
            member_id,
            criterion_id: *criterion_id,
            input,
        });
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push((0, "The file has a header but no ratings.".into()));
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(ImportRefused { problems })
    }
}

/// Writes the checked rows in one transaction.
async fn write(
    db: &DatabaseConnection,
    ctx: &StudyContext,
    rows: Vec<Row>,
    submit: bool,
) -> Result<ImportSummary, ImportRefused> {
    let txn = db.begin().await?;
    let mut cards: HashMap<(i32, i32), scorecard::Model> = HashMap::new();
    let total_criteria = criteria(&txn, ctx.study.framework_id).await?.len();
    let mut first_line: HashMap<(i32, i32), usize> = HashMap::new();
    // Each scorecard's latest revision per criterion, read once per card and
    // kept up to date as rows are written.
    let mut revisions: HashMap<i32, HashMap<i32, i32>> = HashMap::new();
    for row in &rows {
        let key = (row.member_id, row.organization_id);
        first_line.entry(key).or_insert(row.line);
        if let std::collections::hash_map::Entry::Vacant(slot) = cards.entry(key) {
            let card = match find_scorecard(
                &txn,
                ctx,
                row.organization_id,
                row.member_id,
                ctx.study.round,
            )
            .await?
            {
                // Submitted since the file was checked: refuse, write nothing.
                Some(card) if card.submitted_at.is_some() => {
                    return Err(refused(
                        row.line,
                        "this expert submitted the scorecard while the import ran",
                    ))
                }
                Some(card) => card,
                None => new_scorecard(&txn, ctx, row.organization_id, row.member_id).await?,
            };
            let latest = latest_revisions(&txn, card.id).await?;
            revisions.insert(
                card.id,
                latest.into_iter().map(|(c, r)| (c, r.revision)).collect(),
            );
            slot.insert(card);
        }
        let card = &cards[&key];
        let revision = revisions
            .entry(card.id)
            .or_default()
            .entry(row.criterion_id)
            .or_insert(0);
        *revision += 1;
        rating::ActiveModel {
            scorecard_id: Set(card.id),
            criterion_id: Set(row.criterion_id),
            revision: Set(*revision),
            value: Set(row.input.value.clone()),
            dont_know: Set(row.input.dont_know),
            confidence: Set(row.input.confidence),
            justification: Set(row.input.justification.clone()),
            evidence: Set(serde_json::to_string(&row.input.evidence).map_err(internal)?),
            created_at: Set(OffsetDateTime::now_utc()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let mut submitted = 0;
    if submit {
        let mut problems = Vec::new();
        let mut answers = latest_revisions_of(&txn, cards.values().map(|c| c.id)).await?;
        for (key, card) in &cards {
            let answered = answers
                .remove(&card.id)
                .unwrap_or_default()
                .values()
                .filter(|r| r.value.is_some() || r.dont_know)
                .count();
            if answered < total_criteria {
                problems.push((
                    first_line[key],
                    format!(
                        "--submit: this row's scorecard would have {answered} of {total_criteria} criteria answered; \
                         submit needs every criterion (a value or dont-know)"
                    ),
                ));
                continue;
            }
            let mut active: scorecard::ActiveModel = card.clone().into();
            active.submitted_at = Set(Some(OffsetDateTime::now_utc()));
            active.update(&txn).await?;
            submitted += 1;
        }
        if !problems.is_empty() {
            problems.sort();
            // Dropping the transaction rolls everything back.
            return Err(ImportRefused { problems });
        }
    }
    record(
        &txn,
        Some(ctx.study.id),
        None,
        "ratings.import",
        serde_json::json!({"ratings": rows.len(), "scorecards": cards.len(), "submitted": submitted}),
    )
    .await
    ?;
    txn.commit().await?;
    Ok(ImportSummary {
        ratings: rows.len(),
        scorecards: cards.len(),
        submitted,
    })
}
