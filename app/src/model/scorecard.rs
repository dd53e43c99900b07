//! Ratings as experts enter them and as peers see them.

use serde::{Deserialize, Serialize};

/// Longest justification accepted, in characters.
pub const JUSTIFICATION_MAX: usize = 5_000;
/// Most evidence entries per rating, and longest entry.
pub const EVIDENCE_MAX_ITEMS: usize = 20;
pub const EVIDENCE_MAX_CHARS: usize = 500;

/// One save of one rating. `base_revision` is the revision the expert's
/// form was showing (0 for a first save): a save based on an older revision
/// is refused instead of overwriting a newer one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RatingInput {
    pub criterion: String,
    pub value: Option<String>,
    pub dont_know: bool,
    pub confidence: Option<i32>,
    pub justification: String,
    pub evidence: Vec<String>,
    pub base_revision: i32,
}

/// A rating's current revision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RatingView {
    pub criterion: String,
    pub value: Option<String>,
    pub dont_know: bool,
    pub confidence: Option<i32>,
    pub justification: String,
    pub evidence: Vec<String>,
    pub revision: i32,
}

/// A peer's scorecard as another expert sees it: a pseudonym, never a name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeerScorecard {
    pub pseudonym: String,
    pub submitted: bool,
    pub ratings: Vec<RatingView>,
}

/// Everything the scorecard page shows an expert.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScorecardPage {
    pub study_id: i32,
    pub study_title: String,
    pub phase: crate::model::study::Phase,
    pub round: i32,
    pub organization: crate::model::Organization,
    pub framework: crate::model::Framework,
    pub own: Vec<RatingView>,
    pub may_rate: bool,
    /// Why not, when `may_rate` is false.
    pub refusal: Option<String>,
    pub submitted: bool,
    pub conflicted: bool,
    /// Peers' scorecards, only once the visibility rule allows.
    pub peers: Option<Vec<PeerScorecard>>,
}
