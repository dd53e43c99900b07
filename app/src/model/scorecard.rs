//! Ratings as experts enter them and as peers see them.

use serde::{Deserialize, Serialize};

/// Longest justification accepted, in characters.
pub const JUSTIFICATION_MAX: usize = 5_000;
/// Most evidence entries per rating, and longest entry.
pub const EVIDENCE_MAX_ITEMS: usize = 20;
pub const EVIDENCE_MAX_CHARS: usize = 500;
/// Longest comment accepted, in characters.
pub const COMMENT_MAX: usize = 2_000;

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
    /// Comment threads of this organization's cells, under the same rule.
    pub comments: Option<Vec<CommentView>>,
    pub may_comment: bool,
    /// From round 2 on: per criterion, the viewer's own rating of the
    /// previous round and the panel's anonymized distribution.
    pub previous: Vec<PreviousCell>,
}

/// One comment on a cell (organization × criterion), under the author's
/// pseudonym; `author_name` only for moderators.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommentView {
    pub id: i32,
    pub criterion: String,
    pub author: String,
    pub author_name: Option<String>,
    pub body: String,
    /// UTC, "2026-11-28 19:40".
    pub posted: String,
    pub parent: Option<i32>,
}

/// A cell's comments in reading order: each comment followed by the replies
/// to it (and to those), with the pseudonym of the comment a reply answers.
/// A reply whose comment is not in the list reads as a comment of its own;
/// replies that no chain reaches from such a comment (parent links that
/// loop) come last, in list order: no comment is ever left out.
pub fn reading_order(comments: &[CommentView]) -> Vec<(&CommentView, Option<&str>)> {
    let author = |id: i32| {
        comments
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.author.as_str())
    };
    let answered = |c: &CommentView| c.parent.and_then(author);
    let mut placed = vec![false; comments.len()];
    let mut out = Vec::with_capacity(comments.len());
    // Depth first from every comment in turn that answers none in the list
    // (then from any left over): a stack of indices still to place.
    let starts: Vec<usize> = (0..comments.len())
        .filter(|&i| answered(&comments[i]).is_none())
        .chain(0..comments.len())
        .collect();
    for start in starts {
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut placed[i], true) {
                continue;
            }
            let c = &comments[i];
            out.push((c, answered(c)));
            stack.extend(
                (0..comments.len())
                    .rev()
                    .filter(|&r| !placed[r] && comments[r].parent == Some(c.id)),
            );
        }
    }
    out
}

/// A cell as the previous Delphi round left it, for one expert.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreviousCell {
    pub round: i32,
    pub criterion: String,
    /// The expert's own previous answer: a value, "don't know", or none.
    pub own: Option<String>,
    pub own_justification: String,
    /// Submitted answers per value (and "don't know"), no identities.
    pub distribution: Vec<(String, u32)>,
    /// A moderator asked the panel to re-rate this cell.
    pub rerating_requested: bool,
}

/// How a rating reads in a table: its value, "don't know", or a dash.
pub fn answer_label(value: Option<&str>, dont_know: bool) -> String {
    match (value, dont_know) {
        (_, true) => "don’t know".to_string(),
        (Some(v), false) => v.to_string(),
        (None, false) => "—".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: i32, author: &str, parent: Option<i32>) -> CommentView {
        CommentView {
            id,
            criterion: "D1.1".into(),
            author: author.into(),
            author_name: None,
            body: format!("comment {id}"),
            posted: "2026-11-29 10:00".into(),
            parent,
        }
    }

    /// Each comment's id in reading order, with whom it answers.
    fn ids_in_reading_order(comments: &[CommentView]) -> Vec<(i32, Option<&str>)> {
        reading_order(comments)
            .into_iter()
            .map(|(c, answered)| (c.id, answered))
            .collect()
    }

    #[test]
    fn replies_follow_the_comment_they_answer() {
        let comments = vec![
            comment(1, "Expert A", None),
            comment(2, "Expert B", None),
            comment(3, "Expert C", Some(1)),
            comment(4, "Expert A", Some(3)),
            comment(5, "Expert D", Some(2)),
            comment(6, "Expert E", Some(99)),
        ];
        assert_eq!(
            ids_in_reading_order(&comments),
            [
                (1, None),
                (3, Some("Expert A")),
                (4, Some("Expert C")),
                (2, None),
                (5, Some("Expert B")),
                (6, None),
            ]
        );
    }

    #[test]
    fn replies_in_a_loop_are_still_shown() {
        // The server never links comments in a loop; if the data ever did,
        // the comments would still appear, each once.
        let comments = vec![
            comment(1, "Expert A", None),
            comment(2, "Expert B", Some(3)),
            comment(3, "Expert C", Some(2)),
            comment(4, "Expert D", Some(4)),
        ];
        assert_eq!(
            ids_in_reading_order(&comments),
            [
                (1, None),
                (2, Some("Expert C")),
                (3, Some("Expert B")),
                (4, Some("Expert D")),
            ]
        );
    }
}
