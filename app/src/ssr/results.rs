//! The aggregation service: a study's ratings turned into SPEC §4's
//! figures — per cell, per criterion, per dimension, per study — with each
//! cell's disagreement type under the study's pre-registered rule.
//!
//! Results are derived data. `ResultsCache` keeps one computation per
//! study and recomputes only when its fingerprint moves: a scorecard
//! submitted, a conflict declared, a reconciliation recorded or a round
//! opened. Only submitted scorecards count, and each expert counts once per
//! organization: with their latest submitted scorecard.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use concord_stats::cell::{cell_stats, CellRating, CellSettings, OrdinalScale};
use concord_stats::{
    bootstrap_alpha, BootstrapOptions, BuildOptions, CategorySet, Level, RatingMatrix,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::entities::{
    conflict, dimension, organization, panel_member, rating, reconciliation, scorecard, study,
};
use super::internal;
use super::scorecards::criteria;
use crate::model::results::{
    CellResult, CriterionRef, DimensionRef, OrganizationRef, ProfileRow, RaterRow,
    ReconciliationNote, ReliabilityRow, StudyResults,
};
use crate::model::study::StudySettings;
use crate::model::{AppError, Scale};

/// Replicates of every bootstrap interval in results; the seed is fixed so
/// the same data always give the same published interval.
const BOOTSTRAP: BootstrapOptions = BootstrapOptions {
    replicates: 1000,
    confidence: 0.95,
    seed: 2006,
};

/// What makes a study's results change; equal fingerprints, equal results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fingerprint {
    round: i32,
    submitted: u64,
    conflicts: u64,
    last_reconciliation: Option<i32>,
}

/// Per study: the inputs' fingerprint and the results computed from them.
type CacheMap = HashMap<i32, (Fingerprint, Arc<StudyResults>)>;

/// One computation per study, shared by every request.
#[derive(Clone, Default)]
pub struct ResultsCache {
    entries: Arc<Mutex<CacheMap>>,
}

impl ResultsCache {
    /// The study's current results, computed only if something changed.
    pub async fn get(
        &self,
        db: &DatabaseConnection,
        study_id: i32,
    ) -> Result<Arc<StudyResults>, AppError> {
        let print = fingerprint(db, study_id).await?;
        if let Some((seen, results)) = self.lock().get(&study_id) {
            if *seen == print {
                return Ok(results.clone());
            }
        }
        let results = Arc::new(compute(db, study_id).await?);
        self.lock().insert(study_id, (print, results.clone()));
        Ok(results)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheMap> {
        // A panic while holding the lock leaves a map that is still valid.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

async fn fingerprint(db: &DatabaseConnection, study_id: i32) -> Result<Fingerprint, AppError> {
    let s = study::Entity::find_by_id(study_id)
        .one(db)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let submitted = scorecard::Entity::find()
        .filter(scorecard::Column::StudyId.eq(study_id))
        .filter(scorecard::Column::SubmittedAt.is_not_null())
        .count(db)
        .await
        .map_err(internal)?;
    let members = panel_member::Entity::find()
        .select_only()
        .column(panel_member::Column::Id)
        .filter(panel_member::Column::StudyId.eq(study_id))
        .into_tuple::<i32>()
        .all(db)
        .await
        .map_err(internal)?;
    let conflicts = conflict::Entity::find()
        .filter(conflict::Column::PanelMemberId.is_in(members))
        .count(db)
        .await
        .map_err(internal)?;
    let last_reconciliation = reconciliation::Entity::find()
        .filter(reconciliation::Column::StudyId.eq(study_id))
        .order_by_desc(reconciliation::Column::Id)
        .one(db)
        .await
        .map_err(internal)?
        .map(|r| r.id);
    Ok(Fingerprint {
        round: s.round,
        submitted,
        conflicts,
        last_reconciliation,
    })
}

/// One counted answer: an expert's latest submitted answer to a cell.
#[derive(Clone, Debug)]
pub struct CountedRating {
    pub organization: String,
    pub criterion: String,
    pub member_id: i32,
    pub value: Option<String>,
    pub dont_know: bool,
    pub confidence: Option<i32>,
}

/// Everything `aggregate` needs, gathered from the database.
pub struct StudyData {
    pub study: study::Model,
    pub settings: StudySettings,
    pub organizations: Vec<OrganizationRef>,
    pub dimensions: Vec<DimensionRef>,
    /// Criteria with their dimension code and scale, in framework order.
    pub criteria: Vec<(CriterionRef, Scale)>,
    pub ratings: Vec<CountedRating>,
    /// Latest reconciliation per (organization slug, criterion code).
    pub reconciliations: HashMap<(String, String), ReconciliationNote>,
}

/// Reads what the study's results are computed from.
pub async fn gather(db: &impl ConnectionTrait, study_id: i32) -> Result<StudyData, AppError> {
    let study = study::Entity::find_by_id(study_id)
        .one(db)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let settings: StudySettings = serde_json::from_str(&study.settings).map_err(internal)?;
    let org_ids = super::studies::organization_ids(db, study_id).await?;
    let mut orgs = organization::Entity::find()
        .filter(organization::Column::Id.is_in(org_ids))
        .all(db)
        .await
        .map_err(internal)?;
    orgs.sort_by(|a, b| a.acronym.cmp(&b.acronym));
    let slug_of: HashMap<i32, String> = orgs.iter().map(|o| (o.id, o.slug.clone())).collect();
    let dims = dimension::Entity::find()
        .filter(dimension::Column::FrameworkId.eq(study.framework_id))
        .order_by_asc(dimension::Column::Position)
        .all(db)
        .await
        .map_err(internal)?;
    let dim_code: HashMap<i32, String> = dims.iter().map(|d| (d.id, d.code.clone())).collect();
    let mut crits = criteria(db, study.framework_id).await?;
    let dim_pos: HashMap<i32, i32> = dims.iter().map(|d| (d.id, d.position)).collect();
    crits.sort_by_key(|c| (dim_pos.get(&c.dimension_id).copied(), c.position));
    let code_of: HashMap<i32, String> = crits.iter().map(|c| (c.id, c.code.clone())).collect();
    let mut criteria_out = Vec::new();
    for c in &crits {
        let scale: Scale = serde_json::from_str(&c.scale).map_err(internal)?;
        criteria_out.push((
            CriterionRef {
                code: c.code.clone(),
                dimension: dim_code.get(&c.dimension_id).cloned().unwrap_or_default(),
                prompt: c.prompt.clone(),
                scale: match scale {
                    Scale::Nominal { .. } => "nominal",
                    Scale::Ordinal { .. } => "ordinal",
                    Scale::Interval { .. } => "interval",
                }
                .to_string(),
            },
            scale,
        ));
    }
    let latest_card = counted_scorecards(db, study_id, None).await?;
    let card_by_id: HashMap<i32, &scorecard::Model> =
        latest_card.values().map(|c| (c.id, c)).collect();
    let mut latest: HashMap<(i32, i32), rating::Model> = HashMap::new();
    for r in rating::Entity::find()
        .filter(rating::Column::ScorecardId.is_in(card_by_id.keys().copied()))
        .all(db)
        .await
        .map_err(internal)?
    {
        let key = (r.scorecard_id, r.criterion_id);
        if latest.get(&key).is_none_or(|l| l.revision < r.revision) {
            latest.insert(key, r);
        }
    }
    let mut ratings: Vec<CountedRating> = latest
        .into_values()
        .filter_map(|r| {
            let card = card_by_id.get(&r.scorecard_id)?;
            Some(CountedRating {
                organization: slug_of.get(&card.organization_id)?.clone(),
                criterion: code_of.get(&r.criterion_id)?.clone(),
                member_id: card.panel_member_id,
                value: r.value,
                dont_know: r.dont_know,
                confidence: r.confidence,
            })
        })
        .collect();
    ratings.sort_by(|a, b| {
        (&a.organization, &a.criterion, a.member_id).cmp(&(
            &b.organization,
            &b.criterion,
            b.member_id,
        ))
    });
    let mut reconciliations = HashMap::new();
    for r in reconciliation::Entity::find()
        .filter(reconciliation::Column::StudyId.eq(study_id))
        .order_by_asc(reconciliation::Column::Id)
        .all(db)
        .await
        .map_err(internal)?
    {
        if let (Some(org), Some(code)) = (
            slug_of.get(&r.organization_id),
            code_of.get(&r.criterion_id),
        ) {
            reconciliations.insert(
                (org.clone(), code.clone()),
                ReconciliationNote {
                    final_value: r.final_value,
                    method: r.method,
                    rationale: r.rationale,
                    dissent: r.dissent,
                    round: r.round,
                },
            );
        }
    }
    Ok(StudyData {
        settings,
        organizations: orgs
            .into_iter()
            .map(|o| OrganizationRef {
                slug: o.slug,
                acronym: o.acronym,
                name: o.name,
            })
            .collect(),
        dimensions: dims
            .into_iter()
            .map(|d| DimensionRef {
                code: d.code,
                name: d.name,
            })
            .collect(),
        criteria: criteria_out,
        ratings,
        reconciliations,
        study,
    })
}

/// The scorecards that count: each expert's latest submitted scorecard per
/// organization, none for an organization they declared a conflict on.
/// Keyed by (panel member, organization); `organization` narrows to one.
pub async fn counted_scorecards(
    db: &impl ConnectionTrait,
    study_id: i32,
    organization: Option<i32>,
) -> Result<HashMap<(i32, i32), scorecard::Model>, AppError> {
    let members = super::studies::members_by_id(db, study_id).await?;
    let conflicted: HashSet<(i32, i32)> = conflict::Entity::find()
        .filter(conflict::Column::PanelMemberId.is_in(members.keys().copied()))
        .all(db)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|c| (c.panel_member_id, c.organization_id))
        .collect();
    let in_study = super::studies::organization_ids(db, study_id).await?;
    let mut query = scorecard::Entity::find()
        .filter(scorecard::Column::StudyId.eq(study_id))
        .filter(scorecard::Column::SubmittedAt.is_not_null());
    if let Some(org) = organization {
        query = query.filter(scorecard::Column::OrganizationId.eq(org));
    }
    let mut latest: HashMap<(i32, i32), scorecard::Model> = HashMap::new();
    for card in query.all(db).await.map_err(internal)? {
        let key = (card.panel_member_id, card.organization_id);
        if conflicted.contains(&key) || !in_study.contains(&card.organization_id) {
            continue;
        }
        if latest.get(&key).is_none_or(|c| c.round < card.round) {
            latest.insert(key, card);
        }
    }
    Ok(latest)
}

/// Computes a study's results from scratch.
pub async fn compute(db: &impl ConnectionTrait, study_id: i32) -> Result<StudyResults, AppError> {
    let data = gather(db, study_id).await?;
    aggregate(&data)
}

fn ordinal_scale(levels: &[crate::model::framework::Level]) -> Option<OrdinalScale> {
    let lowest = levels.first()?.value;
    let consecutive = levels
        .iter()
        .enumerate()
        .all(|(i, l)| i64::from(l.value) == i64::from(lowest) + i as i64);
    consecutive.then_some(OrdinalScale {
        lowest: i64::from(lowest),
        levels: levels.len() as u32,
    })
}

fn format_level(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

/// The pure part: figures from gathered data.
pub fn aggregate(data: &StudyData) -> Result<StudyResults, AppError> {
    let settings = &data.settings;
    let mut by_cell: BTreeMap<(&str, &str), Vec<&CountedRating>> = BTreeMap::new();
    for r in &data.ratings {
        by_cell
            .entry((r.organization.as_str(), r.criterion.as_str()))
            .or_default()
            .push(r);
    }
    let mut cells = Vec::new();
    for org in &data.organizations {
        for (c, scale) in &data.criteria {
            let rows = by_cell
                .get(&(org.slug.as_str(), c.code.as_str()))
                .cloned()
                .unwrap_or_default();
            let n_dont_know = rows.iter().filter(|r| r.dont_know).count();
            let note = data
                .reconciliations
                .get(&(org.slug.clone(), c.code.clone()))
                .cloned();
            let mut cell = CellResult {
                organization: org.slug.clone(),
                criterion: c.code.clone(),
                dimension: c.dimension.clone(),
                n: 0,
                n_dont_know,
                median: None,
                mean: None,
                confidence_weighted_mean: None,
                sd: None,
                iqr: None,
                min: None,
                max: None,
                rwg: None,
                ad_md: None,
                share_within_one: None,
                agreement_a: None,
                median_lower: None,
                median_upper: None,
                counts: Vec::new(),
                disagreement: "insufficient".into(),
                consensus: None,
                reconciliation: None,
            };
            match scale {
                Scale::Ordinal { levels } => {
                    let Some(os) = ordinal_scale(levels) else {
                        return Err(internal(format!("{}: levels are not consecutive", c.code)));
                    };
                    let values: Vec<CellRating> = rows
                        .iter()
                        .filter(|r| !r.dont_know)
                        .filter_map(|r| {
                            Some(CellRating {
                                value: r.value.as_deref()?.parse().ok()?,
                                confidence: r.confidence.map(f64::from),
                            })
                        })
                        .collect();
                    let stats = cell_stats(
                        &values,
                        n_dont_know,
                        &CellSettings {
                            scale: os,
                            rule: settings.consensus_rule.clone(),
                            min_raters: settings.min_raters as usize,
                            bootstrap: BOOTSTRAP,
                        },
                    )
                    .map_err(|e| internal(format!("{}: {e:?}", c.code)))?;
                    cell.n = stats.n;
                    cell.median = stats.median;
                    cell.mean = stats.mean;
                    cell.confidence_weighted_mean = stats.confidence_weighted_mean;
                    cell.sd = stats.sd;
                    cell.iqr = stats.iqr;
                    cell.min = stats.min;
                    cell.max = stats.max;
                    cell.rwg = stats.rwg;
                    cell.ad_md = stats.ad_md;
                    cell.share_within_one = stats.share_within_one;
                    cell.agreement_a = stats.agreement_a;
                    cell.median_lower = stats.median_interval.as_ref().map(|i| i.lower);
                    cell.median_upper = stats.median_interval.as_ref().map(|i| i.upper);
                    cell.counts = stats
                        .counts
                        .iter()
                        .map(|l| (l.level.to_string(), l.count))
                        .collect();
                    cell.disagreement = stats.disagreement.as_str().to_string();
                    if stats.n >= settings.min_raters as usize {
                        cell.consensus = stats.median.map(format_level);
                    }
                }
                Scale::Nominal { categories } => {
                    let counts: Vec<(String, usize)> = categories
                        .iter()
                        .map(|cat| {
                            let n = rows
                                .iter()
                                .filter(|r| !r.dont_know && r.value.as_deref() == Some(&cat.value))
                                .count();
                            (cat.value.clone(), n)
                        })
                        .collect();
                    let n: usize = counts.iter().map(|(_, k)| k).sum();
                    cell.n = n;
                    if n >= settings.min_raters as usize && n > 0 {
                        let top = counts.iter().map(|(_, k)| *k).max().unwrap_or(0);
                        let modal: Vec<&String> = counts
                            .iter()
                            .filter(|(_, k)| *k == top)
                            .map(|(v, _)| v)
                            .collect();
                        let share = top as f64 / n as f64;
                        cell.disagreement = if modal.len() > 1 {
                            "polarized"
                        } else if share >= settings.consensus_rule.min_share_near_median {
                            "consensus"
                        } else {
                            "weak"
                        }
                        .to_string();
                        if modal.len() == 1 {
                            cell.consensus = modal.first().map(|v| v.to_string());
                        }
                    }
                    cell.counts = counts;
                }
                Scale::Interval { .. } => {}
            }
            if let Some(note) = note {
                if note.final_value.is_some() {
                    cell.consensus = note.final_value.clone();
                }
                cell.reconciliation = Some(note);
            }
            cells.push(cell);
        }
    }
    let reliability = reliability(data);
    let profiles = profiles(data, &cells);
    let raters = raters(data);
    let s = &data.study;
    Ok(StudyResults {
        study_id: s.id,
        title: s.title.clone(),
        period: crate::model::study::period_label(s.period_start, s.period_end),
        round: s.round,
        min_raters: settings.min_raters,
        k_anonymity: settings.k_anonymity,
        consensus_rule: settings.consensus_rule.clone(),
        organizations: data.organizations.clone(),
        dimensions: data.dimensions.clone(),
        criteria: data.criteria.iter().map(|(c, _)| c.clone()).collect(),
        cells,
        reliability,
        profiles,
        raters,
    })
}

/// Rater numbers for a release: stable within it, not in invitation order
/// (so "R1" does not point at "Expert A").
pub fn rater_numbers(members: &[i32], study_id: i32) -> HashMap<i32, String> {
    let mut order: Vec<i32> = members.to_vec();
    order.sort_by_key(|m| {
        // SplitMix64 of (study, member): a fixed shuffle.
        let mut z = ((*m as u64) << 32 ^ study_id as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    });
    order.dedup();
    order
        .into_iter()
        .enumerate()
        .map(|(i, m)| (m, format!("R{}", i + 1)))
        .collect()
}

/// Leniency and consistency per rater over the ordinal cells.
fn raters(data: &StudyData) -> Vec<RaterRow> {
    let ordinal: HashSet<&str> = data
        .criteria
        .iter()
        .filter(|(_, s)| matches!(s, Scale::Ordinal { .. }))
        .map(|(c, _)| c.code.as_str())
        .collect();
    let members: Vec<i32> = data.ratings.iter().map(|r| r.member_id).collect();
    let numbers = rater_numbers(&members, data.study.id);
    let mut cells: BTreeMap<(&str, &str), Vec<(String, f64)>> = BTreeMap::new();
    for r in &data.ratings {
        if r.dont_know || !ordinal.contains(r.criterion.as_str()) {
            continue;
        }
        let (Some(label), Some(value)) = (
            numbers.get(&r.member_id),
            r.value.as_deref().and_then(|v| v.parse::<f64>().ok()),
        ) else {
            continue;
        };
        cells
            .entry((r.organization.as_str(), r.criterion.as_str()))
            .or_default()
            .push((label.clone(), value));
    }
    let cells: Vec<Vec<(String, f64)>> = cells.into_values().collect();
    let mut rows: Vec<RaterRow> = concord_stats::rater_stats(&cells)
        .into_iter()
        .map(|s| RaterRow {
            rater: s.rater,
            n_rated: s.n_rated,
            n_compared: s.n_compared,
            mean_signed_deviation: s.mean_signed_deviation,
            mean_absolute_deviation: s.mean_absolute_deviation,
            rank_correlation: s.rank_correlation,
        })
        .collect();
    rows.sort_by_key(|r| {
        r.rater
            .trim_start_matches('R')
            .parse::<usize>()
            .unwrap_or(0)
    });
    rows
}

/// Ordinal alpha over the study's ordinal cells (units = cells, raters =
/// experts): for the whole study, per dimension, per criterion. A scope's
/// categories are the levels of its criteria, in order of value (criteria
/// on different scales pool their levels).
fn reliability(data: &StudyData) -> Vec<ReliabilityRow> {
    reliability_of(&data.criteria, &data.dimensions, &data.ratings)
}

fn reliability_of(
    criteria: &[(CriterionRef, Scale)],
    dimensions: &[DimensionRef],
    ratings: &[CountedRating],
) -> Vec<ReliabilityRow> {
    let ordinal: HashMap<&str, (&CriterionRef, &[crate::model::framework::Level])> = criteria
        .iter()
        .filter_map(|(c, s)| match s {
            Scale::Ordinal { levels } => Some((c.code.as_str(), (c, levels.as_slice()))),
            _ => None,
        })
        .collect();
    let row = |scope: &str, label: &str, keep: &dyn Fn(&CriterionRef) -> bool| {
        let mut values: Vec<i32> = criteria
            .iter()
            .filter(|(c, _)| keep(c))
            .filter_map(|(c, _)| ordinal.get(c.code.as_str()))
            .flat_map(|(_, levels)| levels.iter().map(|l| l.value))
            .collect();
        values.sort_unstable();
        values.dedup();
        let labels: Vec<String> = values.iter().map(i32::to_string).collect();
        let rows: Vec<(String, String, Option<&str>)> = ratings
            .iter()
            .filter(|r| {
                ordinal
                    .get(r.criterion.as_str())
                    .is_some_and(|(c, _)| keep(c))
            })
            .map(|r| {
                (
                    format!("{}:{}", r.organization, r.criterion),
                    format!("m{}", r.member_id),
                    if r.dont_know {
                        None
                    } else {
                        r.value.as_deref()
                    },
                )
            })
            .collect();
        let matrix = CategorySet::ordered(&labels).ok().and_then(|categories| {
            RatingMatrix::from_rows(
                rows.iter().map(|(u, r, v)| (u.as_str(), r.as_str(), *v)),
                BuildOptions {
                    categories: Some(categories),
                    require_numeric: false,
                },
            )
            .ok()
        });
        let interval = matrix
            .as_ref()
            .and_then(|m| bootstrap_alpha(m, Level::Ordinal, &BOOTSTRAP));
        ReliabilityRow {
            scope: scope.to_string(),
            label: label.to_string(),
            alpha: matrix
                .as_ref()
                .and_then(|m| concord_stats::krippendorff_alpha(m, Level::Ordinal)),
            lower: interval.as_ref().map(|i| i.lower),
            upper: interval.as_ref().map(|i| i.upper),
            units: matrix.as_ref().map(|m| m.n_units()).unwrap_or(0),
            ratings: matrix.as_ref().map(|m| m.n_ratings()).unwrap_or(0),
        }
    };
    if ordinal.is_empty() {
        return Vec::new();
    }
    let mut out = vec![row("study", "All ordinal criteria", &|_| true)];
    for d in dimensions {
        if ordinal.values().any(|(c, _)| c.dimension == d.code) {
            out.push(row(&d.code, &d.name, &|c| c.dimension == d.code));
        }
    }
    for (c, _) in criteria {
        if ordinal.contains_key(c.code.as_str()) {
            out.push(row(&c.code, &c.prompt, &|x| x.code == c.code));
        }
    }
    out
}

/// Per organization and dimension: the mean consensus level of the
/// dimension's ordinal cells that have one.
fn profiles(data: &StudyData, cells: &[CellResult]) -> Vec<ProfileRow> {
    let mut out = Vec::new();
    for org in &data.organizations {
        for d in &data.dimensions {
            let chosen: Vec<&CellResult> = cells
                .iter()
                .filter(|c| c.organization == org.slug && c.dimension == d.code)
                .filter(|c| c.median.is_some() && c.consensus.is_some())
                .collect();
            let mean = |f: &dyn Fn(&CellResult) -> Option<f64>| {
                let values: Vec<f64> = chosen.iter().filter_map(|c| f(c)).collect();
                (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
            };
            let any_ordinal = data
                .criteria
                .iter()
                .any(|(c, s)| c.dimension == d.code && matches!(s, Scale::Ordinal { .. }));
            if !any_ordinal {
                continue;
            }
            out.push(ProfileRow {
                organization: org.slug.clone(),
                dimension: d.code.clone(),
                value: mean(&|c| c.consensus.as_deref().and_then(|v| v.parse().ok())),
                lower: mean(&|c| c.median_lower),
                upper: mean(&|c| c.median_upper),
                cells: chosen.len(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::framework::Level as ScaleLevel;

    fn ordinal(values: std::ops::RangeInclusive<i32>) -> Scale {
        Scale::Ordinal {
            levels: values
                .map(|value| ScaleLevel {
                    value,
                    label: value.to_string(),
                    anchor: String::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn reliability_pools_the_levels_of_criteria_on_different_scales() {
        let criterion = |code: &str, dimension: &str| CriterionRef {
            code: code.into(),
            dimension: dimension.into(),
            prompt: code.into(),
            scale: "ordinal".into(),
        };
        let criteria = vec![
            (criterion("A1", "A"), ordinal(0..=4)),
            (criterion("B1", "B"), ordinal(1..=7)),
        ];
        let dimensions: Vec<DimensionRef> = ["A", "B"]
            .map(|code| DimensionRef {
                code: code.into(),
                name: code.into(),
            })
            .to_vec();
        let mut ratings = Vec::new();
        for org in 0..6 {
            for (code, truth, top) in [("A1", org % 5, 4), ("B1", 1 + org, 7)] {
                for member_id in 0..3 {
                    let nudge = i32::from(member_id == 2 && org % 2 == 0);
                    ratings.push(CountedRating {
                        organization: format!("o{org}"),
                        criterion: code.into(),
                        member_id,
                        value: Some((truth + nudge).min(top).to_string()),
                        dont_know: false,
                        confidence: None,
                    });
                }
            }
        }
        let rows = reliability_of(&criteria, &dimensions, &ratings);
        let scopes: Vec<&str> = rows.iter().map(|r| r.scope.as_str()).collect();
        assert_eq!(scopes, ["study", "A", "B", "A1", "B1"]);
        for row in &rows {
            assert!(row.alpha.is_some_and(|a| a > 0.5), "{row:?}");
        }
        // Every cell and rating counts in the study row, B1's values above
        // A1's top level included.
        assert_eq!((rows[0].units, rows[0].ratings), (12, 36));
        assert_eq!((rows[4].units, rows[4].ratings), (6, 18));
        // The same data give the same rows, call after call.
        assert_eq!(reliability_of(&criteria, &dimensions, &ratings), rows);
    }
}
