//! Who may see or do what, in which phase: one function per decision,
//! called by every server function, page loader, export and API handler.
//! Pure: the callers gather the facts, these functions decide.
//!
//! This module is the heart of SPEC.md §3 rules 1–4 (blindness, anonymity,
//! conflicts of interest); its table test below covers role × phase ×
//! action.

use crate::model::study::{PanelRole, Phase, VisibilityRule};

/// Who is asking, in the context of one study.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Viewer {
    pub is_admin: bool,
    /// The viewer's role on this study's panel, if any.
    pub role: Option<PanelRole>,
}

impl Viewer {
    pub const ANONYMOUS: Viewer = Viewer {
        is_admin: false,
        role: None,
    };

    pub(crate) fn runs_study(self) -> bool {
        self.is_admin || self.role == Some(PanelRole::Moderator)
    }

    fn is_expert(self) -> bool {
        self.role == Some(PanelRole::Expert)
    }
}

/// Users, roles, frameworks and the organization catalogue: admins only.
pub fn may_administer(is_admin: bool) -> bool {
    is_admin
}

/// Any registered user may start a study and becomes its moderator.
pub fn may_create_study(signed_in: bool) -> bool {
    signed_in
}

/// Settings (framework, rule, thresholds) are pre-registered: only in draft.
pub fn may_configure_study(v: Viewer, phase: Phase) -> bool {
    v.runs_study() && phase == Phase::Draft
}

/// Inviting panel members and assigning organizations.
pub fn may_manage_panel(v: Viewer, phase: Phase) -> bool {
    v.runs_study() && phase != Phase::Published
}

pub fn may_change_phase(v: Viewer) -> bool {
    v.runs_study()
}

/// Opening the next Delphi round: once the panel has seen each other's
/// ratings (review) or while reconciling.
pub fn may_open_round(v: Viewer, phase: Phase) -> bool {
    v.runs_study() && matches!(phase, Phase::Review | Phase::Reconciliation)
}

/// Reconciling cells: once the panel has reviewed, and after publication
/// for corrections (which the next release's changelog reports).
pub fn may_reconcile(v: Viewer, phase: Phase) -> bool {
    v.runs_study()
        && matches!(
            phase,
            Phase::Review | Phase::Reconciliation | Phase::Published
        )
}

/// Reconciling a cell by asking the panel to rate it again: only while a
/// further round can still open, so not once the study is published.
pub fn may_request_rerating(v: Viewer, phase: Phase) -> bool {
    may_reconcile(v, phase) && may_open_round(v, phase)
}

/// Publishing a release: from reconciliation on (again for a new release).
pub fn may_publish(v: Viewer, phase: Phase) -> bool {
    v.runs_study() && matches!(phase, Phase::Reconciliation | Phase::Published)
}

/// The disagreement queue, cell details and the audit log.
pub fn may_moderate(v: Viewer) -> bool {
    v.runs_study()
}

/// Seeing the study's internals: panel, progress, dashboard.
pub fn may_view_study(v: Viewer) -> bool {
    v.runs_study() || v.is_expert()
}

/// Real names next to ratings and comments: moderators and admins only.
pub fn may_see_identities(v: Viewer) -> bool {
    v.runs_study()
}

/// What an expert's own situation for one organization is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpertStanding {
    pub assigned: bool,
    pub conflicted: bool,
    pub submitted: bool,
}

/// Why a rating cannot be saved; each has a message for the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RatingRefusal {
    NotAnExpert,
    NotAssigned,
    Conflicted,
    WrongPhase,
    AlreadySubmitted,
}

impl RatingRefusal {
    pub fn message(self) -> &'static str {
        match self {
            RatingRefusal::NotAnExpert => "Only the study's experts rate organizations.",
            RatingRefusal::NotAssigned => "This organization is not assigned to you in this study.",
            RatingRefusal::Conflicted => {
                "You declared a conflict of interest for this organization, so you cannot rate it."
            }
            RatingRefusal::WrongPhase => {
                "Ratings can only be saved while the study is in its scoring phase."
            }
            RatingRefusal::AlreadySubmitted => {
                "You already submitted this scorecard for the current round."
            }
        }
    }
}

/// May this viewer save or submit their own scorecard for an organization?
pub fn may_rate(v: Viewer, phase: Phase, standing: ExpertStanding) -> Result<(), RatingRefusal> {
    if !v.is_expert() {
        return Err(RatingRefusal::NotAnExpert);
    }
    if !standing.assigned {
        return Err(RatingRefusal::NotAssigned);
    }
    if standing.conflicted {
        return Err(RatingRefusal::Conflicted);
    }
    if phase != Phase::Scoring {
        return Err(RatingRefusal::WrongPhase);
    }
    if standing.submitted {
        return Err(RatingRefusal::AlreadySubmitted);
    }
    Ok(())
}

/// Declaring a conflict of interest: an expert, before the study closes.
pub fn may_declare_conflict(v: Viewer, phase: Phase) -> bool {
    v.is_expert() && matches!(phase, Phase::Draft | Phase::Scoring | Phase::Review)
}

/// Blindness (SPEC §3.1): may this viewer see peers' ratings — values,
/// justifications, counts, aggregates — for an organization? Experts only
/// under the study's visibility rule; a conflicted expert never.
pub fn may_see_peer_ratings(
    v: Viewer,
    phase: Phase,
    rule: VisibilityRule,
    standing: ExpertStanding,
) -> bool {
    if v.runs_study() {
        return true;
    }
    if !v.is_expert() || standing.conflicted || !standing.assigned {
        return false;
    }
    match (rule, phase) {
        (_, Phase::Draft) => false,
        (VisibilityRule::AfterOwnSubmission, Phase::Scoring) => standing.submitted,
        (VisibilityRule::AtReview, Phase::Scoring) => false,
        (_, Phase::Review | Phase::Reconciliation | Phase::Published) => true,
    }
}

/// Commenting on a cell follows the same rule as seeing the peers.
pub fn may_comment(
    v: Viewer,
    phase: Phase,
    rule: VisibilityRule,
    standing: ExpertStanding,
) -> bool {
    phase != Phase::Published && may_see_peer_ratings(v, phase, rule, standing)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADMIN: Viewer = Viewer {
        is_admin: true,
        role: None,
    };
    const MODERATOR: Viewer = Viewer {
        is_admin: false,
        role: Some(PanelRole::Moderator),
    };
    const EXPERT: Viewer = Viewer {
        is_admin: false,
        role: Some(PanelRole::Expert),
    };
    const OUTSIDER: Viewer = Viewer {
        is_admin: false,
        role: None,
    };

    const FRESH: ExpertStanding = ExpertStanding {
        assigned: true,
        conflicted: false,
        submitted: false,
    };
    const SUBMITTED: ExpertStanding = ExpertStanding {
        assigned: true,
        conflicted: false,
        submitted: true,
    };
    const CONFLICTED: ExpertStanding = ExpertStanding {
        assigned: true,
        conflicted: true,
        submitted: false,
    };
    const UNASSIGNED: ExpertStanding = ExpertStanding {
        assigned: false,
        conflicted: false,
        submitted: false,
    };

    #[test]
    fn role_by_phase_table() {
        use Phase::*;
        // (viewer, phase, configure, manage panel, change phase, view study, identities)
        let table = [
            (ADMIN, Draft, true, true, true, true, true),
            (ADMIN, Scoring, false, true, true, true, true),
            (MODERATOR, Draft, true, true, true, true, true),
            (MODERATOR, Review, false, true, true, true, true),
            (MODERATOR, Published, false, false, true, true, true),
            (EXPERT, Draft, false, false, false, true, false),
            (EXPERT, Scoring, false, false, false, true, false),
            (EXPERT, Published, false, false, false, true, false),
            (OUTSIDER, Draft, false, false, false, false, false),
            (OUTSIDER, Scoring, false, false, false, false, false),
            (
                Viewer::ANONYMOUS,
                Published,
                false,
                false,
                false,
                false,
                false,
            ),
        ];
        for (v, phase, configure, manage, change, view, identities) in table {
            let ctx = format!("{v:?} in {phase:?}");
            assert_eq!(may_configure_study(v, phase), configure, "configure: {ctx}");
            assert_eq!(may_manage_panel(v, phase), manage, "manage: {ctx}");
            assert_eq!(may_change_phase(v), change, "change phase: {ctx}");
            assert_eq!(may_view_study(v), view, "view: {ctx}");
            assert_eq!(may_see_identities(v), identities, "identities: {ctx}");
        }
    }

    #[test]
    fn delphi_round_table() {
        use Phase::*;
        for phase in Phase::ALL {
            let expected = matches!(phase, Review | Reconciliation);
            assert_eq!(may_open_round(MODERATOR, phase), expected, "{phase:?}");
            assert_eq!(may_open_round(ADMIN, phase), expected, "{phase:?}");
            assert!(!may_open_round(EXPERT, phase), "{phase:?}");
            assert!(!may_open_round(OUTSIDER, phase), "{phase:?}");
        }
    }

    #[test]
    fn reconciliation_and_publication_table() {
        use Phase::*;
        // (phase, reconcile, request a re-rating, publish) for moderators
        // and admins.
        let table = [
            (Draft, false, false, false),
            (Scoring, false, false, false),
            (Review, true, true, false),
            (Reconciliation, true, true, true),
            (Published, true, false, true),
        ];
        for (phase, reconcile, rerate, publish) in table {
            for v in [MODERATOR, ADMIN] {
                assert_eq!(may_reconcile(v, phase), reconcile, "{v:?} {phase:?}");
                assert_eq!(may_request_rerating(v, phase), rerate, "{v:?} {phase:?}");
                assert_eq!(may_publish(v, phase), publish, "{v:?} {phase:?}");
            }
            for v in [EXPERT, OUTSIDER, Viewer::ANONYMOUS] {
                assert!(!may_reconcile(v, phase) && !may_publish(v, phase));
                assert!(!may_request_rerating(v, phase));
                assert!(!may_moderate(v));
            }
        }
    }

    #[test]
    fn rating_table() {
        use Phase::*;
        use RatingRefusal::*;
        let table = [
            (EXPERT, Scoring, FRESH, Ok(())),
            (EXPERT, Draft, FRESH, Err(WrongPhase)),
            (EXPERT, Review, FRESH, Err(WrongPhase)),
            (EXPERT, Reconciliation, FRESH, Err(WrongPhase)),
            (EXPERT, Published, FRESH, Err(WrongPhase)),
            (EXPERT, Scoring, SUBMITTED, Err(AlreadySubmitted)),
            (EXPERT, Scoring, CONFLICTED, Err(Conflicted)),
            (EXPERT, Scoring, UNASSIGNED, Err(NotAssigned)),
            (MODERATOR, Scoring, FRESH, Err(NotAnExpert)),
            (ADMIN, Scoring, FRESH, Err(NotAnExpert)),
            (OUTSIDER, Scoring, FRESH, Err(NotAnExpert)),
        ];
        for (v, phase, standing, expected) in table {
            assert_eq!(
                may_rate(v, phase, standing),
                expected,
                "{v:?} {phase:?} {standing:?}"
            );
        }
    }

    #[test]
    fn blindness_table() {
        use Phase::*;
        use VisibilityRule::*;
        let table = [
            // Default rule: peers visible after one's own submission.
            (EXPERT, Draft, AfterOwnSubmission, SUBMITTED, false),
            (EXPERT, Scoring, AfterOwnSubmission, FRESH, false),
            (EXPERT, Scoring, AfterOwnSubmission, SUBMITTED, true),
            (EXPERT, Review, AfterOwnSubmission, FRESH, true),
            // Alternative rule: only from review on.
            (EXPERT, Scoring, AtReview, SUBMITTED, false),
            (EXPERT, Review, AtReview, FRESH, true),
            (EXPERT, Reconciliation, AtReview, FRESH, true),
            // A conflicted or unassigned expert never sees the cell.
            (EXPERT, Review, AfterOwnSubmission, CONFLICTED, false),
            (EXPERT, Review, AtReview, UNASSIGNED, false),
            // Moderators see everything; outsiders nothing of the study.
            (MODERATOR, Scoring, AtReview, FRESH, true),
            (ADMIN, Scoring, AtReview, FRESH, true),
            (OUTSIDER, Review, AfterOwnSubmission, SUBMITTED, false),
            (
                Viewer::ANONYMOUS,
                Scoring,
                AfterOwnSubmission,
                SUBMITTED,
                false,
            ),
        ];
        for (v, phase, rule, standing, expected) in table {
            assert_eq!(
                may_see_peer_ratings(v, phase, rule, standing),
                expected,
                "{v:?} {phase:?} {rule:?} {standing:?}"
            );
        }
        assert!(!may_comment(
            EXPERT,
            Published,
            AfterOwnSubmission,
            SUBMITTED
        ));
        assert!(may_comment(EXPERT, Review, AfterOwnSubmission, FRESH));
    }

    #[test]
    fn conflicts_are_declared_by_experts_while_the_study_is_open() {
        assert!(may_declare_conflict(EXPERT, Phase::Scoring));
        assert!(!may_declare_conflict(EXPERT, Phase::Published));
        assert!(!may_declare_conflict(MODERATOR, Phase::Scoring));
    }
}
