//! What moderators see while reconciling: identities included. Never sent
//! to anyone `policy::may_see_identities` refuses.

use serde::{Deserialize, Serialize};

use crate::model::results::{CellResult, ReconciliationNote};
use crate::model::scorecard::CommentView;

/// How a moderator settled a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReconcileMethod {
    AcceptedConsensus,
    ModeratorJudgement,
    ReRatingRequested,
}

impl ReconcileMethod {
    pub const ALL: [ReconcileMethod; 3] = [
        ReconcileMethod::AcceptedConsensus,
        ReconcileMethod::ModeratorJudgement,
        ReconcileMethod::ReRatingRequested,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReconcileMethod::AcceptedConsensus => "accepted-consensus",
            ReconcileMethod::ModeratorJudgement => "moderator-judgement",
            ReconcileMethod::ReRatingRequested => "re-rating-requested",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReconcileMethod::AcceptedConsensus => "Accepted consensus",
            ReconcileMethod::ModeratorJudgement => "Moderator judgement",
            ReconcileMethod::ReRatingRequested => "Re-rating requested",
        }
    }

    pub fn parse(text: &str) -> Option<ReconcileMethod> {
        ReconcileMethod::ALL
            .into_iter()
            .find(|m| m.as_str() == text)
    }
}

/// A row of the disagreement queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueCell {
    pub organization: String,
    pub acronym: String,
    pub criterion: String,
    pub dimension: String,
    pub result: CellResult,
}

/// The queue with what its filters can choose from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DisagreementQueue {
    pub study_id: i32,
    pub title: String,
    pub phase: crate::model::study::Phase,
    pub cells: Vec<QueueCell>,
    pub organizations: Vec<(String, String)>,
    pub criteria: Vec<String>,
    pub dimensions: Vec<(String, String)>,
    pub may_publish: bool,
    /// The study's rule, shown with the types it decides.
    pub consensus_rule: concord_stats::cell::ConsensusRule,
    pub min_raters: u32,
}

/// One expert's rating as a moderator sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentifiedRating {
    pub pseudonym: String,
    pub name: String,
    pub round: i32,
    pub value: String,
    pub confidence: Option<i32>,
    pub justification: String,
    pub evidence: Vec<String>,
}

/// A cell side by side: figures, every rating with identity, the thread
/// and the reconciliations so far.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellDetail {
    pub study_id: i32,
    pub title: String,
    pub organization: String,
    pub acronym: String,
    pub criterion: String,
    pub prompt: String,
    /// The values the criterion's scale allows, in order.
    pub values: Vec<(String, String)>,
    pub result: CellResult,
    pub ratings: Vec<IdentifiedRating>,
    pub comments: Vec<CommentView>,
    pub history: Vec<ReconciliationNote>,
    pub may_reconcile: bool,
    /// Whether "re-rating requested" is on offer: not once the study is
    /// published (no further round opens).
    pub may_request_rerating: bool,
}

/// One audit-log entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub when: String,
    pub who: String,
    pub action: String,
    pub detail: String,
}
