//! Studies, panels and their phases, as both sides see them.

use serde::{Deserialize, Serialize};

/// Where a study stands. Moderators move it forward (and may reopen);
/// every publication is a new release.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Draft,
    Scoring,
    Review,
    Reconciliation,
    Published,
}

impl Phase {
    pub const ALL: [Phase; 5] = [
        Phase::Draft,
        Phase::Scoring,
        Phase::Review,
        Phase::Reconciliation,
        Phase::Published,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Draft => "draft",
            Phase::Scoring => "scoring",
            Phase::Review => "review",
            Phase::Reconciliation => "reconciliation",
            Phase::Published => "published",
        }
    }

    pub fn parse(text: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// The phase a moderator's "advance" leads to.
    pub fn next(self) -> Option<Phase> {
        match self {
            Phase::Draft => Some(Phase::Scoring),
            Phase::Scoring => Some(Phase::Review),
            Phase::Review => Some(Phase::Reconciliation),
            Phase::Reconciliation => Some(Phase::Published),
            Phase::Published => None,
        }
    }
}

/// A panel member's role in one study.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PanelRole {
    Expert,
    Moderator,
}

impl PanelRole {
    pub fn as_str(self) -> &'static str {
        match self {
            PanelRole::Expert => "expert",
            PanelRole::Moderator => "moderator",
        }
    }

    pub fn parse(text: &str) -> Option<PanelRole> {
        match text {
            "expert" => Some(PanelRole::Expert),
            "moderator" => Some(PanelRole::Moderator),
            _ => None,
        }
    }
}

/// When an expert may see peers' anonymized scorecards for an organization.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VisibilityRule {
    /// After submitting their own scorecard for that organization (default).
    #[default]
    AfterOwnSubmission,
    /// Only once the study enters review.
    AtReview,
}

/// Pre-registered settings of a study, fixed once scoring opens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudySettings {
    #[serde(default)]
    pub visibility: VisibilityRule,
    /// Fewest ratings (excluding "don't know") for a cell to be assessed.
    pub min_raters: u32,
    /// Fewest raters for a cell's rater-level data to be published.
    pub k_anonymity: u32,
    /// The consensus rule of SPEC §4, published with the results.
    #[serde(default)]
    pub consensus_rule: concord_stats::cell::ConsensusRule,
}

impl Default for StudySettings {
    fn default() -> Self {
        Self {
            visibility: VisibilityRule::default(),
            min_raters: 3,
            k_anonymity: 5,
            consensus_rule: Default::default(),
        }
    }
}

/// A reference period as people write it: "2006" or "2005–2006".
pub fn period_label(start: i32, end: i32) -> String {
    if start == end {
        start.to_string()
    } else {
        format!("{start}–{end}")
    }
}

/// Pseudonym of the n-th expert of a study (0 → "Expert A", 26 → "Expert AA").
pub fn pseudonym(index: usize) -> String {
    let mut letters = String::new();
    let mut n = index + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.insert(0, (b'A' + rem as u8) as char);
        n = (n - 1) / 26;
    }
    format!("Expert {letters}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_letters() {
        assert_eq!(pseudonym(0), "Expert A");
        assert_eq!(pseudonym(1), "Expert B");
        assert_eq!(pseudonym(25), "Expert Z");
        assert_eq!(pseudonym(26), "Expert AA");
        assert_eq!(pseudonym(27), "Expert AB");
    }

    #[test]
    fn phases_round_trip_and_advance_in_order() {
        for p in Phase::ALL {
            assert_eq!(Phase::parse(p.as_str()), Some(p));
        }
        assert_eq!(Phase::Draft.next(), Some(Phase::Scoring));
        assert_eq!(Phase::Published.next(), None);
        assert_eq!(Phase::parse("archived"), None);
    }
}

/// A study in someone's "My studies" list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudySummary {
    pub id: i32,
    pub title: String,
    pub phase: Phase,
    pub round: i32,
    pub period: String,
    pub role: Option<PanelRole>,
}

/// One organization of a study, from the viewer's side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyOrganization {
    pub slug: String,
    pub acronym: String,
    pub name: String,
    /// For an expert: "not started", "draft", "submitted", "conflict of
    /// interest" or "not assigned"; for a moderator: "k of n submitted".
    pub status: String,
}

/// A panel member as moderators see them (with identity).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PanelRow {
    pub pseudonym: String,
    pub name: String,
    pub email: String,
    pub role: PanelRole,
    pub submitted: usize,
    /// Slugs of the organizations assigned to this member; empty means all.
    pub assigned: Vec<String>,
}

/// One expert's row of the moderator dashboard: a status per organization,
/// in the order of `StudyOverview::organizations`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProgressRow {
    pub pseudonym: String,
    pub name: String,
    pub cells: Vec<ProgressCell>,
}

/// Where one expert stands with one organization in the current round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ProgressCell {
    NotAssigned,
    Conflict,
    NotStarted,
    Draft { answered: usize, total: usize },
    Submitted,
}

/// The study page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyOverview {
    pub summary: StudySummary,
    pub description: String,
    pub settings: StudySettings,
    pub organizations: Vec<StudyOrganization>,
    /// Moderators only.
    pub panel: Option<Vec<PanelRow>>,
    /// Moderators only: experts × organizations.
    pub progress: Option<Vec<ProgressRow>>,
    /// Whether the viewer may invite and assign now (the server's policy).
    pub may_manage_panel: bool,
    /// Whether the viewer may open the next Delphi round now.
    pub may_open_round: bool,
}
