//! Results: what the aggregation service computes for a study, what a
//! release freezes, and what the public pages, the API and the downloads
//! show. Plain data; identities never appear here.

use serde::{Deserialize, Serialize};

/// An organization as results name it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrganizationRef {
    pub slug: String,
    pub acronym: String,
    pub name: String,
}

/// A criterion as results name it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CriterionRef {
    pub code: String,
    pub dimension: String,
    pub prompt: String,
    /// "ordinal" or "nominal".
    pub scale: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DimensionRef {
    pub code: String,
    pub name: String,
}

/// A moderator's reconciliation of a cell, as published.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReconciliationNote {
    pub final_value: Option<String>,
    /// "accepted-consensus", "moderator-judgement" or "re-rating-requested".
    pub method: String,
    pub rationale: String,
    pub dissent: String,
    pub round: i32,
}

/// One cell (organization × criterion): SPEC §4's within-cell figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CellResult {
    pub organization: String,
    pub criterion: String,
    pub dimension: String,
    /// Ratings with a value; "don't know" answers are counted apart.
    pub n: usize,
    pub n_dont_know: usize,
    pub median: Option<f64>,
    pub mean: Option<f64>,
    pub confidence_weighted_mean: Option<f64>,
    pub sd: Option<f64>,
    pub iqr: Option<f64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub rwg: Option<f64>,
    pub ad_md: Option<f64>,
    pub share_within_one: Option<f64>,
    pub agreement_a: Option<f64>,
    /// 95% bootstrap interval of the median.
    pub median_lower: Option<f64>,
    pub median_upper: Option<f64>,
    /// Per value (levels of an ordinal scale, categories of a nominal one).
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<Vec<Object>>))]
    pub counts: Vec<(String, usize)>,
    /// consensus, weak, polarized, outlier-driven or insufficient.
    pub disagreement: String,
    /// The reconciled final value where a moderator set one, otherwise the
    /// median (ordinal) or the modal category (nominal) — `None` when the
    /// cell has fewer than the study's minimum raters.
    pub consensus: Option<String>,
    pub reconciliation: Option<ReconciliationNote>,
}

/// Krippendorff's ordinal alpha over a set of cells.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReliabilityRow {
    /// "study", a dimension code or a criterion code.
    pub scope: String,
    pub label: String,
    pub alpha: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub units: usize,
    pub ratings: usize,
}

/// An organization's consensus profile: the mean consensus level of each
/// dimension's ordinal criteria, with the mean of their median intervals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProfileRow {
    pub organization: String,
    pub dimension: String,
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub cells: usize,
}

/// A rating as a release publishes it: an anonymous rater number, only in
/// cells with at least k raters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AnonymousRating {
    pub organization: String,
    pub criterion: String,
    /// "R1", "R2", … — stable within a release, unrelated to pseudonyms.
    pub rater: String,
    /// The value, or empty for "don't know".
    pub value: String,
}

/// One rater's leniency and consistency against the leave-one-out cell
/// medians of the ordinal cells, under an anonymous rater number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RaterRow {
    pub rater: String,
    pub n_rated: usize,
    pub n_compared: usize,
    /// Positive: rates higher than the rest of the panel.
    pub mean_signed_deviation: Option<f64>,
    pub mean_absolute_deviation: Option<f64>,
    pub rank_correlation: Option<f64>,
}

/// Everything computed for a study at one moment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StudyResults {
    pub study_id: i32,
    pub title: String,
    pub period: String,
    pub round: i32,
    pub min_raters: u32,
    pub k_anonymity: u32,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub consensus_rule: concord_stats::cell::ConsensusRule,
    pub organizations: Vec<OrganizationRef>,
    pub dimensions: Vec<DimensionRef>,
    pub criteria: Vec<CriterionRef>,
    pub cells: Vec<CellResult>,
    pub reliability: Vec<ReliabilityRow>,
    pub profiles: Vec<ProfileRow>,
    /// Added after the first releases; older releases read as empty.
    #[serde(default)]
    pub raters: Vec<RaterRow>,
}

impl StudyResults {
    pub fn cell(&self, organization: &str, criterion: &str) -> Option<&CellResult> {
        self.cells
            .iter()
            .find(|c| c.organization == organization && c.criterion == criterion)
    }
}

/// One line of a release's changelog: what changed in a cell and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChangeEntry {
    pub organization: String,
    pub criterion: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// "new ratings", "reconciliation", "rule change", "new cell".
    pub reasons: Vec<String>,
}

/// A release as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReleaseSummary {
    pub study_id: i32,
    pub number: i32,
    pub round: i32,
    /// UTC, "2026-11-28 19:40".
    pub published: String,
    pub changes: usize,
}

/// A published release in full.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Release {
    pub summary: ReleaseSummary,
    pub results: StudyResults,
    pub ratings: Vec<AnonymousRating>,
    pub changelog: Vec<ChangeEntry>,
    pub history: Vec<ReleaseSummary>,
}

/// A study with at least one release, as the public lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PublishedStudy {
    pub id: i32,
    pub title: String,
    pub period: String,
    pub latest: ReleaseSummary,
}
