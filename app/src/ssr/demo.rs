//! `concord seed-demo`: a demo study with synthetic experts and ratings, so
//! a newcomer sees every screen with data. Ratings are drawn from a seeded
//! generator and shaped so the study has clear-consensus, polarized and
//! outlier-driven cells.

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

use super::entities::study;
use super::studies::{self, NewStudy, StudyContext};
use super::{catalogue, scorecards, users};
use crate::model::scorecard::RatingInput;
use crate::model::study::{PanelRole, StudySettings};
use crate::model::{AppError, Scale};

pub const DEMO_TITLE: &str = "Regional security cooperation 2005–2006 (demo)";
pub const DEMO_PUBLISHED_TITLE: &str = "Regional security cooperation 2006, published (demo)";
pub const DEMO_ORGANIZATIONS: [&str; 10] = [
    "eu", "nato", "osce", "au", "ecowas", "oas", "asean", "sco", "csto", "gcc",
];
const EXPERTS: [&str; 8] = [
    "Amina Diallo",
    "Bernard Keller",
    "Chen Wei",
    "Dolores Ibarra",
    "Emeka Okafor",
    "Farah Haddad",
    "Gunnar Lindqvist",
    "Hana Sato",
];

/// What `seed-demo` made, for the person who ran it.
#[derive(Debug)]
pub struct DemoSummary {
    pub study_id: i32,
    pub published_study_id: i32,
    pub admin_email: String,
    pub moderator_email: String,
    pub expert_emails: Vec<String>,
    pub ratings: usize,
}

/// SplitMix64: small, fast, and the same numbers on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The shape of one cell's ratings.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Pattern {
    Consensus,
    Polarized,
    OutlierDriven,
}

fn pattern(org: usize, criterion: usize) -> Pattern {
    match (org * 7 + criterion * 3) % 11 {
        0 | 5 => Pattern::Polarized,
        3 | 8 => Pattern::OutlierDriven,
        _ => Pattern::Consensus,
    }
}

/// The level expert number `expert` gives a cell centred on `centre` (0–4).
fn level(p: Pattern, centre: i64, expert: usize, rng: &mut Rng) -> i64 {
    match p {
        Pattern::Consensus => (centre + [0, 0, 1, -1, 0, 0, 1, 0][expert]).clamp(0, 4),
        Pattern::Polarized => {
            if expert.is_multiple_of(2) {
                rng.below(2) as i64
            } else {
                3 + rng.below(2) as i64
            }
        }
        // Seven ratings spread just too widely for consensus and one far
        // away: without that one, the cell is a consensus. (Seven tight
        // ratings and one outlier would already count as consensus.)
        Pattern::OutlierDriven => {
            let low = [0, 0, 0, 1, 1, 1, 2, 4][expert];
            if centre >= 2 {
                4 - low
            } else {
                low
            }
        }
    }
}

/// Creates the demo study, or reports that it exists. `password` is the
/// password of every demo account.
pub async fn seed_demo(
    db: &DatabaseConnection,
    password: &str,
) -> Result<Option<DemoSummary>, AppError> {
    let exists = study::Entity::find()
        .filter(study::Column::Title.eq(DEMO_TITLE))
        .count(db)
        .await
        .map_err(super::internal)?;
    if exists > 0 {
        return Ok(None);
    }
    let account = |email: String, name: &str| users::NewAccount {
        email,
        display_name: name.to_string(),
        password: password.to_string(),
        is_admin: false,
    };
    let moderator_email = "moderator@demo.concord.example".to_string();
    let moderator = match users::find_by_email(db, &moderator_email).await? {
        Some(u) => u,
        None => users::register(db, account(moderator_email.clone(), "Morgan Moderator")).await?,
    };
    let admin_email = "admin@demo.concord.example".to_string();
    if users::find_by_email(db, &admin_email).await?.is_none() {
        users::register(
            db,
            users::NewAccount {
                is_admin: true,
                ..account(admin_email.clone(), "Avery Admin")
            },
        )
        .await?;
    }
    let mut expert_ids = Vec::new();
    let mut expert_emails = Vec::new();
    for (i, name) in EXPERTS.iter().enumerate() {
        let email = format!("expert{}@demo.concord.example", i + 1);
        let user = match users::find_by_email(db, &email).await? {
            Some(u) => u,
            None => users::register(db, account(email.clone(), name)).await?,
        };
        expert_ids.push(user.id);
        expert_emails.push(email);
    }
    // A study in scoring (one draft left, so progress shows) …
    let (study_id, mut ratings) = seed_study(
        db,
        DEMO_TITLE,
        moderator.id,
        &expert_emails,
        &expert_ids,
        true,
    )
    .await?;
    // … and one reconciled and published, so the public pages have data.
    let (published_id, more) = seed_study(
        db,
        DEMO_PUBLISHED_TITLE,
        moderator.id,
        &expert_emails,
        &expert_ids,
        false,
    )
    .await?;
    ratings += more;
    publish_demo(db, published_id, moderator.id).await?;
    Ok(Some(DemoSummary {
        study_id,
        published_study_id: published_id,
        admin_email,
        moderator_email,
        expert_emails,
        ratings,
    }))
}

/// One demo study: the eight experts rate the ten organizations with the
/// seeded patterns; seat 1 opens a discussion of each first cell.
async fn seed_study(
    db: &DatabaseConnection,
    title: &str,
    moderator: i32,
    expert_emails: &[String],
    expert_ids: &[i32],
    leave_draft: bool,
) -> Result<(i32, usize), AppError> {
    let study_id = studies::create_study(
        db,
        moderator,
        NewStudy {
            title: title.to_string(),
            description: "Synthetic panel and ratings for exploring Concord. Not an assessment of any organization."
                .to_string(),
            framework_slug: crate::api::catalogue::DEFAULT_FRAMEWORK.to_string(),
            framework_version: None,
            period_start: 2005,
            period_end: 2006,
            organizations: DEMO_ORGANIZATIONS.iter().map(|s| s.to_string()).collect(),
            settings: StudySettings::default(),
        },
    )
    .await?;
    for email in expert_emails {
        let ctx = StudyContext::load(db, study_id, Some(moderator), false).await?;
        studies::invite(db, &ctx, moderator, email, PanelRole::Expert).await?;
    }
    let ctx = StudyContext::load(db, study_id, Some(moderator), false).await?;
    studies::advance_phase(db, &ctx, moderator, ctx.phase).await?;

    let framework = catalogue::default_framework().map_err(super::internal)?;
    let criteria: Vec<_> = framework
        .dimensions
        .iter()
        .flat_map(|d| d.criteria.iter())
        .collect();
    let mut rng = Rng(2006);
    let mut ratings = 0;
    for (o, slug) in DEMO_ORGANIZATIONS.iter().enumerate() {
        let org = studies::organization_id(db, slug).await?;
        let centres: Vec<i64> = criteria.iter().map(|_| rng.below(5) as i64).collect();
        for (e, user) in expert_ids.iter().enumerate() {
            let ctx = StudyContext::load(db, study_id, Some(*user), false).await?;
            for (c, criterion) in criteria.iter().enumerate() {
                let (value, dont_know) = match &criterion.scale {
                    Scale::Nominal { categories } => {
                        let pick = (o + usize::from(e % 3 == 0)) % categories.len();
                        (Some(categories[pick].value.clone()), false)
                    }
                    _ if (o + e + c) % 29 == 0 => (None, true),
                    _ => (
                        Some(level(pattern(o, c), centres[c], e, &mut rng).to_string()),
                        false,
                    ),
                };
                scorecards::save_rating(
                    db,
                    &ctx,
                    org,
                    RatingInput {
                        criterion: criterion.code.clone(),
                        value,
                        dont_know,
                        confidence: Some(40 + rng.below(60) as i32),
                        justification: format!(
                            "Synthetic justification from panel seat {}.",
                            e + 1
                        ),
                        evidence: vec!["SIPRI Yearbook 2006, chapter 4".to_string()],
                        base_revision: 0,
                    },
                )
                .await?;
                ratings += 1;
            }
            // The last expert leaves one scorecard as a draft, so progress shows.
            if !(leave_draft && e == EXPERTS.len() - 1 && o == DEMO_ORGANIZATIONS.len() - 1) {
                scorecards::submit(db, &ctx, org).await?;
            }
            // Seat 1 opens a discussion of each organization's first cell.
            if e == 0 {
                let ctx = StudyContext::load(db, study_id, Some(*user), false).await?;
                super::comments::post(
                    db,
                    &ctx,
                    org,
                    &criteria[0].code,
                    "Synthetic comment from panel seat 1: the 2006 record on this cell rests on few sources.",
                    None,
                )
                .await?;
            }
        }
    }
    Ok((study_id, ratings))
}

/// Takes a demo study through review to a first release, with a few
/// reconciled cells.
async fn publish_demo(
    db: &DatabaseConnection,
    study_id: i32,
    moderator: i32,
) -> Result<(), AppError> {
    use crate::model::moderation::ReconcileMethod;
    for _ in 0..2 {
        let ctx = StudyContext::load(db, study_id, Some(moderator), false).await?;
        studies::advance_phase(db, &ctx, moderator, ctx.phase).await?;
    }
    let ctx = StudyContext::load(db, study_id, Some(moderator), false).await?;
    let results = super::results::compute(db, study_id).await?;
    let mut polarized = results
        .cells
        .iter()
        .filter(|c| c.median.is_some())
        .filter(|c| c.disagreement == "polarized" || c.disagreement == "outlier-driven");
    // Leave polarized cells for the visitor (and the tests) to reconcile;
    // settle one outlier-driven and one polarized cell.
    let picks: Vec<_> = polarized.by_ref().take(2).cloned().collect();
    for (i, cell) in picks.iter().enumerate() {
        super::moderation::reconcile(
            db,
            &ctx,
            moderator,
            super::moderation::Reconciliation {
                organization: cell.organization.clone(),
                criterion: cell.criterion.clone(),
                final_value: cell.median.map(|m| format!("{}", m.round() as i64)),
                method: if i == 0 {
                    ReconcileMethod::ModeratorJudgement
                } else {
                    ReconcileMethod::AcceptedConsensus
                },
                rationale:
                    "Synthetic reconciliation: read against the record, the panel favoured the median."
                        .into(),
                dissent: if i == 0 {
                    "Two seats held that the record supports a lower level.".into()
                } else {
                    String::new()
                },
            },
        )
        .await?;
    }
    super::moderation::publish(db, &ctx, moderator).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use concord_stats::cell::{disagreement_type, ConsensusRule, DisagreementType, OrdinalScale};

    /// The patterns really produce the disagreement types they are named for.
    #[test]
    fn patterns_produce_their_disagreement_types() {
        let scale = OrdinalScale {
            lowest: 0,
            levels: 5,
        };
        let rule = ConsensusRule::default();
        let mut rng = Rng(1);
        for (p, expected) in [
            (Pattern::Consensus, DisagreementType::Consensus),
            (Pattern::Polarized, DisagreementType::Polarized),
            (Pattern::OutlierDriven, DisagreementType::OutlierDriven),
        ] {
            for centre in 0..5 {
                let values: Vec<i64> = (0..8).map(|e| level(p, centre, e, &mut rng)).collect();
                let t = disagreement_type(&values, scale, &rule, 3).unwrap();
                assert_eq!(t, expected, "{p:?} centre {centre}: {values:?}");
            }
        }
    }
}
