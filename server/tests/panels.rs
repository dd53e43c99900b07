//! Panel rules at the service layer, on SQLite and PostgreSQL: blindness,
//! optimistic concurrency, bad input, conflicts of interest, phases.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use app::model::scorecard::RatingInput;
use app::model::study::{Phase, VisibilityRule};
use app::model::AppError;
use app::ssr::studies::{self, StudyContext};
use app::ssr::{catalogue, comments, scorecards};
use common::panel::*;
use common::*;
use sea_orm::{EntityTrait, PaginatorTrait};

async fn blind_until_own_submission(db: &TestDb) {
    let server = TestServer::start(db).await;
    let conn = &server.state.db;
    let p = panel(conn, VisibilityRule::AfterOwnSubmission).await;

    // Draft: nobody rates yet.
    let a = ctx(conn, &p, p.a).await;
    let refused = scorecards::save_rating(conn, &a, p.nato, rating("D1.1", "3", 0)).await;
    assert!(
        matches!(refused, Err(AppError::Forbidden(ref m)) if m.contains("scoring phase")),
        "{refused:?}"
    );
    advance(conn, &p).await;

    let (a, b) = (ctx(conn, &p, p.a).await, ctx(conn, &p, p.b).await);
    // B asks before anyone rated, and again after A rated: the same answer,
    // so not even the existence of A's rating leaks.
    let before = scorecards::peer_scorecards(conn, &b, p.nato)
        .await
        .unwrap_err();
    fill(conn, &a, p.nato, "3").await;
    let after = scorecards::peer_scorecards(conn, &b, p.nato)
        .await
        .unwrap_err();
    assert!(matches!(before, AppError::Forbidden(_)));
    assert_eq!(before, after);
    // A has not submitted either: A is blind too.
    assert!(scorecards::peer_scorecards(conn, &a, p.nato).await.is_err());

    scorecards::submit(conn, &a, p.nato).await.expect("submit");
    let a = ctx(conn, &p, p.a).await;
    // Submitted: A sees peers (none has rated yet), B still does not see A.
    assert_eq!(
        scorecards::peer_scorecards(conn, &a, p.nato).await.unwrap(),
        vec![]
    );
    assert!(scorecards::peer_scorecards(conn, &b, p.nato).await.is_err());
    // And A can no longer change the submitted scorecard.
    let locked = scorecards::save_rating(conn, &a, p.nato, rating("D1.1", "1", 1)).await;
    assert!(
        matches!(locked, Err(AppError::Forbidden(ref m)) if m.contains("already submitted")),
        "{locked:?}"
    );

    fill(conn, &b, p.nato, "1").await;
    scorecards::submit(conn, &b, p.nato).await.unwrap();
    let b = ctx(conn, &p, p.b).await;
    let seen_by_b = scorecards::peer_scorecards(conn, &b, p.nato).await.unwrap();
    assert_eq!(seen_by_b.len(), 1);
    assert_eq!(seen_by_b[0].pseudonym, "Expert A");
    assert!(seen_by_b[0].submitted);
    let d11 = seen_by_b[0]
        .ratings
        .iter()
        .find(|r| r.criterion == "D1.1")
        .unwrap();
    assert_eq!(d11.value.as_deref(), Some("3"));
    // No identity anywhere in what B receives.
    let json = serde_json::to_string(&seen_by_b).unwrap();
    for secret in ["Ada", "a@example.org", "Analyst"] {
        assert!(!json.contains(secret), "{secret} leaked: {json}");
    }
    // The moderator sees both.
    let m = ctx(conn, &p, p.moderator).await;
    assert_eq!(
        scorecards::peer_scorecards(conn, &m, p.nato)
            .await
            .unwrap()
            .len(),
        2
    );
    server.stop().await;
}

async fn peers_hidden_until_review_under_the_alternative_rule(db: &TestDb) {
    let server = TestServer::start(db).await;
    let conn = &server.state.db;
    let p = panel(conn, VisibilityRule::AtReview).await;
    advance(conn, &p).await;
    let a = ctx(conn, &p, p.a).await;
    fill(conn, &a, p.nato, "2").await;
    scorecards::submit(conn, &a, p.nato).await.unwrap();
    let a = ctx(conn, &p, p.a).await;
    assert!(
        scorecards::peer_scorecards(conn, &a, p.nato).await.is_err(),
        "submitted, but not yet review"
    );
    advance(conn, &p).await;
    let b = ctx(conn, &p, p.b).await;
    let seen = scorecards::peer_scorecards(conn, &b, p.nato).await.unwrap();
    assert_eq!(
        seen.iter()
            .map(|s| s.pseudonym.as_str())
            .collect::<Vec<_>>(),
        vec!["Expert A"]
    );
    server.stop().await;
}

async fn stale_saves_are_refused_and_overwrite_nothing(db: &TestDb) {
    let server = TestServer::start(db).await;
    let conn = &server.state.db;
    let p = panel(conn, VisibilityRule::AfterOwnSubmission).await;
    advance(conn, &p).await;
    let a = ctx(conn, &p, p.a).await;
    // Two tabs open the empty scorecard; the first saves, the second is stale.
    assert_eq!(
        scorecards::save_rating(conn, &a, p.nato, rating("D1.1", "3", 0))
            .await
            .unwrap(),
        1
    );
    let stale = scorecards::save_rating(conn, &a, p.nato, rating("D1.1", "1", 0)).await;
    assert!(
        matches!(stale, Err(AppError::Conflict(ref m)) if m.contains("another window")),
        "{stale:?}"
    );
    // A save on the current revision goes through; every revision is kept.
    assert_eq!(
        scorecards::save_rating(conn, &a, p.nato, rating("D1.1", "4", 1))
            .await
            .unwrap(),
        2
    );
    let own = scorecards::own_ratings(conn, &a, p.nato).await.unwrap();
    assert_eq!(own[0].value.as_deref(), Some("4"));
    assert_eq!(own[0].revision, 2);
    assert_eq!(ratings_count(conn).await, 2);
    server.stop().await;
}

async fn bad_input_gets_a_clear_error_and_changes_nothing(db: &TestDb) {
    let server = TestServer::start(db).await;
    let conn = &server.state.db;
    let p = panel(conn, VisibilityRule::AfterOwnSubmission).await;
    advance(conn, &p).await;
    let a = ctx(conn, &p, p.a).await;
    let cases = [
        (rating("D1.1", "7", 0), "value"),
        (rating("D6.1", "empire", 0), "value"),
        (rating("Z9.9", "1", 0), "criterion"),
        (
            RatingInput {
                justification: "x".repeat(5_001),
                ..rating("D1.1", "2", 0)
            },
            "justification",
        ),
        (
            RatingInput {
                confidence: Some(-1),
                ..rating("D1.1", "2", 0)
            },
            "confidence",
        ),
    ];
    for (input, field) in cases {
        match scorecards::save_rating(conn, &a, p.nato, input.clone()).await {
            Err(AppError::Invalid { field: Some(f), .. }) => assert_eq!(f, field, "{input:?}"),
            other => panic!("{input:?}: expected an error on {field}, got {other:?}"),
        }
    }
    // Submitting an incomplete scorecard names what is missing.
    scorecards::save_rating(conn, &a, p.nato, rating("D1.1", "2", 0))
        .await
        .unwrap();
    match scorecards::submit(conn, &a, p.nato).await {
        Err(AppError::Invalid { message, .. }) => assert!(message.contains("D1.2"), "{message}"),
        other => panic!("expected refusal, got {other:?}"),
    }
    assert_eq!(ratings_count(conn).await, 1);
    // An organization outside the study cannot be rated.
    let asean = studies::organization_id(conn, "asean").await.unwrap();
    assert!(matches!(
        scorecards::save_rating(conn, &a, asean, rating("D1.1", "2", 0)).await,
        Err(AppError::Forbidden(_))
    ));
    server.stop().await;
}

async fn a_conflicted_expert_cannot_rate(db: &TestDb) {
    let server = TestServer::start(db).await;
    let conn = &server.state.db;
    let p = panel(conn, VisibilityRule::AfterOwnSubmission).await;
    advance(conn, &p).await;
    let b = ctx(conn, &p, p.b).await;
    scorecards::declare_conflict(conn, &b, p.eu, "I advise the European Commission.")
        .await
        .unwrap();
    let refused = scorecards::save_rating(conn, &b, p.eu, rating("D1.1", "2", 0)).await;
    assert!(
        matches!(refused, Err(AppError::Forbidden(ref m)) if m.contains("conflict of interest")),
        "{refused:?}"
    );
    // Still free to rate the other organization.
    assert!(
        scorecards::save_rating(conn, &b, p.nato, rating("D1.1", "2", 0))
            .await
            .is_ok()
    );
    // Nor does the conflicted expert see the organization's peers, ever.
    advance(conn, &p).await;
    let b = ctx(conn, &p, p.b).await;
    assert!(scorecards::peer_scorecards(conn, &b, p.eu).await.is_err());
    server.stop().await;
}

async fn outsiders_cannot_see_a_study_or_move_it(db: &TestDb) {
    let server = TestServer::start(db).await;
    let conn = &server.state.db;
    let p = panel(conn, VisibilityRule::AfterOwnSubmission).await;
    let outsider = person(conn, "out@example.org", "Out Sider").await;
    assert_eq!(
        StudyContext::load(conn, p.study, Some(outsider), false)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        StudyContext::load(conn, p.study, None, false)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    let a = ctx(conn, &p, p.a).await;
    assert!(matches!(
        studies::advance_phase(conn, &a, p.a, Phase::Draft).await,
        Err(AppError::Forbidden(_))
    ));
    // A moderator working from an out-of-date page is told, and nothing moves.
    let m = ctx(conn, &p, p.moderator).await;
    studies::advance_phase(conn, &m, p.moderator, Phase::Draft)
        .await
        .unwrap();
    assert!(matches!(
        studies::advance_phase(conn, &m, p.moderator, Phase::Draft).await,
        Err(AppError::Conflict(_))
    ));
    assert_eq!(ctx(conn, &p, p.moderator).await.phase, Phase::Scoring);
    server.stop().await;
}

async fn comments_follow_the_blindness_rule(db: &TestDb) {
    let server = TestServer::start(db).await;
    let conn = &server.state.db;
    let p = panel(conn, VisibilityRule::AfterOwnSubmission).await;
    advance(conn, &p).await;
    let a = ctx(conn, &p, p.a).await;
    fill(conn, &a, p.nato, "2").await;
    scorecards::submit(conn, &a, p.nato).await.unwrap();
    let first = comments::post(
        conn,
        &a,
        p.nato,
        "D1.1",
        "Mediation was ad hoc in 2006.",
        None,
    )
    .await
    .expect("A has submitted, so A may comment");
    // B has not submitted: B can neither read nor write the threads.
    let b = ctx(conn, &p, p.b).await;
    assert!(matches!(
        comments::threads(conn, &b, p.nato).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        comments::post(conn, &b, p.nato, "D1.1", "Peeking.", None).await,
        Err(AppError::Forbidden(_))
    ));
    let page = scorecards::page(conn, &b, "nato").await.unwrap();
    assert!(page.comments.is_none() && !page.may_comment);
    // Once B submits, B reads A's comment under A's pseudonym, never A's name.
    fill(conn, &b, p.nato, "3").await;
    scorecards::submit(conn, &b, p.nato).await.unwrap();
    let b = ctx(conn, &p, p.b).await;
    let thread = comments::threads(conn, &b, p.nato).await.unwrap();
    assert_eq!(thread.len(), 1);
    assert_eq!(thread[0].author, "Expert A");
    assert_eq!(thread[0].author_name, None);
    assert_eq!(thread[0].criterion, "D1.1");
    comments::post(
        conn,
        &b,
        p.nato,
        "D1.1",
        "Agreed, but see the 2005 summit.",
        Some(first),
    )
    .await
    .unwrap();
    // Bad input: empty, oversized, unknown criterion, reply across cells.
    let before = comments::threads(conn, &b, p.nato).await.unwrap().len();
    for (code, body, parent) in [
        ("D1.1", "   ", None),
        ("D1.1", &"x".repeat(2_001)[..], None),
        ("Z9.9", "Which criterion?", None),
        ("D1.2", "Reply on another cell.", Some(first)),
    ] {
        assert!(matches!(
            comments::post(conn, &b, p.nato, code, body, parent).await,
            Err(AppError::Invalid { .. })
        ));
    }
    // Moderators see who wrote what, and comment only on the study's cells.
    let m = ctx(conn, &p, p.moderator).await;
    let osce = studies::organization_id(conn, "osce").await.unwrap();
    assert!(matches!(
        comments::post(conn, &m, osce, "D1.1", "Not this study's.", None).await,
        Err(AppError::Invalid { field: Some(f), .. }) if f == "organization"
    ));
    let thread = comments::threads(conn, &m, p.nato).await.unwrap();
    assert_eq!(thread.len(), before);
    assert_eq!(thread[0].author_name.as_deref(), Some("Ada Analyst"));
    assert_eq!(thread[1].author, "Expert B");
    assert_eq!(thread[1].parent, Some(first));
    server.stop().await;
}

async fn delphi_round_two_shows_the_distribution_and_keeps_round_one(db: &TestDb) {
    let server = TestServer::start(db).await;
    let conn = &server.state.db;
    let p = panel(conn, VisibilityRule::AfterOwnSubmission).await;
    advance(conn, &p).await;
    submitted_pair(conn, &p, p.nato).await;
    advance(conn, &p).await; // review
    let a = ctx(conn, &p, p.a).await;
    assert!(matches!(
        studies::open_round(conn, &a, p.a, 1).await,
        Err(AppError::Forbidden(_))
    ));
    let m = ctx(conn, &p, p.moderator).await;
    app::ssr::moderation::reconcile(
        conn,
        &m,
        p.moderator,
        app::ssr::moderation::Reconciliation {
            organization: "nato".into(),
            criterion: "D1.1".into(),
            final_value: None,
            method: app::model::moderation::ReconcileMethod::ReRatingRequested,
            rationale: "The panel splits between 2 and 3.".into(),
            dissent: String::new(),
        },
    )
    .await
    .unwrap();
    assert_eq!(studies::open_round(conn, &m, p.moderator, 1).await, Ok(2));
    // A second moderator click from the same page opens nothing more.
    assert!(studies::open_round(conn, &m, p.moderator, 1).await.is_err());
    let a = ctx(conn, &p, p.a).await;
    assert_eq!((a.phase, a.study.round), (Phase::Scoring, 2));

    let page = scorecards::page(conn, &a, "nato").await.unwrap();
    // Only the requested cell is open again: every other answer came along.
    assert!(page.may_rate && !page.submitted);
    assert_eq!(page.own.len(), page.previous.len() - 1);
    assert!(page.own.iter().all(|r| r.criterion != "D1.1"));
    let d11 = page
        .previous
        .iter()
        .find(|c| c.criterion == "D1.1")
        .unwrap();
    assert_eq!(d11.round, 1);
    assert!(d11.rerating_requested);
    assert!(
        !page
            .previous
            .iter()
            .find(|c| c.criterion == "D1.2")
            .unwrap()
            .rerating_requested
    );
    assert_eq!(d11.own.as_deref(), Some("2"));
    assert_eq!(
        d11.distribution,
        vec![("2".to_string(), 1), ("3".to_string(), 1)]
    );
    // An import is held to the same Delphi rule: a changed value without a
    // justification of its own is refused, and nothing is written.
    let count = ratings_count(conn).await;
    let file = "organization,criterion,expert,value\nnato,D1.1,a@example.org,3\n";
    let refused = app::ssr::import::import_ratings(conn, p.study, file, false)
        .await
        .unwrap_err();
    assert_eq!(refused.problems.len(), 1, "{refused}");
    assert_eq!(refused.problems[0].0, 2);
    assert!(refused.problems[0].1.contains("say why"), "{refused}");
    assert_eq!(ratings_count(conn).await, count);
    // "Confirm" does not answer a requested cell with the old answer.
    let before_confirm = ratings_count(conn).await;
    assert_eq!(scorecards::confirm_previous(conn, &a, p.nato).await, Ok(0));
    assert_eq!(ratings_count(conn).await, before_confirm);
    // A changed value needs a justification of its own.
    let unexplained = RatingInput {
        justification: "Why D1.1 is 2.".into(),
        ..rating("D1.1", "3", 0)
    };
    assert!(matches!(
        scorecards::save_rating(conn, &a, p.nato, unexplained).await,
        Err(AppError::Invalid { field: Some(f), .. }) if f == "justification"
    ));
    let count = ratings_count(conn).await;
    assert_eq!(
        scorecards::save_rating(conn, &a, p.nato, rating("D1.1", "3", 0)).await,
        Ok(1)
    );
    // Nothing is left to confirm; A submits round 2.
    assert_eq!(scorecards::confirm_previous(conn, &a, p.nato).await, Ok(0));
    assert_eq!(ratings_count(conn).await, count + 1);
    scorecards::submit(conn, &a, p.nato).await.unwrap();
    // Round 1 is kept as it was.
    use app::ssr::entities::{rating as r, scorecard as sc};
    use sea_orm::{ColumnTrait, QueryFilter};
    let cards = sc::Entity::find()
        .filter(sc::Column::StudyId.eq(p.study))
        .filter(sc::Column::OrganizationId.eq(p.nato))
        .all(conn)
        .await
        .unwrap();
    assert_eq!(cards.iter().filter(|c| c.round == 1).count(), 2);
    // Both experts' round-2 scorecards exist (B's carried, not yet submitted).
    assert_eq!(cards.iter().filter(|c| c.round == 2).count(), 2);
    assert_eq!(
        cards
            .iter()
            .filter(|c| c.round == 2 && c.submitted_at.is_some())
            .count(),
        1
    );
    let round_one_a = cards
        .iter()
        .find(|c| c.round == 1 && c.submitted_at.is_some())
        .unwrap();
    assert!(
        r::Entity::find()
            .filter(r::Column::ScorecardId.eq(round_one_a.id))
            .count(conn)
            .await
            .unwrap()
            > 0
    );
    server.stop().await;
}

async fn assignments_narrow_what_an_expert_rates(db: &TestDb) {
    let server = TestServer::start(db).await;
    let conn = &server.state.db;
    let p = panel(conn, VisibilityRule::AfterOwnSubmission).await;
    let m = ctx(conn, &p, p.moderator).await;
    let a = ctx(conn, &p, p.a).await;
    assert!(matches!(
        studies::assign(conn, &a, p.a, "Expert A", &["eu".into()]).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        studies::assign(conn, &m, p.moderator, "Expert A", &["osce".into()]).await,
        Err(AppError::Invalid { .. })
    ));
    assert!(matches!(
        studies::assign(conn, &m, p.moderator, "Expert Q", &["eu".into()]).await,
        Err(AppError::Invalid { .. })
    ));
    studies::assign(conn, &m, p.moderator, "Expert A", &["eu".into()])
        .await
        .unwrap();
    advance(conn, &p).await;
    let a = ctx(conn, &p, p.a).await;
    assert!(matches!(
        scorecards::save_rating(conn, &a, p.nato, rating("D1.1", "2", 0)).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(
        scorecards::save_rating(conn, &a, p.eu, rating("D1.1", "2", 0))
            .await
            .is_ok()
    );
    let m = ctx(conn, &p, p.moderator).await;
    let overview = studies::overview(conn, &m).await.unwrap();
    let progress = overview.progress.unwrap();
    let row = progress.iter().find(|r| r.pseudonym == "Expert A").unwrap();
    let column = |slug: &str| {
        overview
            .organizations
            .iter()
            .position(|o| o.slug == slug)
            .unwrap()
    };
    use app::model::study::ProgressCell;
    assert_eq!(row.cells[column("nato")], ProgressCell::NotAssigned);
    assert!(matches!(
        row.cells[column("eu")],
        ProgressCell::Draft { answered: 1, .. }
    ));
    // Nothing ticked: back to every organization.
    studies::assign(conn, &m, p.moderator, "Expert A", &[])
        .await
        .unwrap();
    let a = ctx(conn, &p, p.a).await;
    assert!(
        scorecards::save_rating(conn, &a, p.nato, rating("D1.1", "2", 0))
            .await
            .is_ok()
    );
    server.stop().await;
}

/// An import file: one row per criterion for `email` on `org`.
fn import_rows(email: &str, org: &str, level: &str) -> Vec<String> {
    let framework = catalogue::default_framework().unwrap();
    framework
        .dimensions
        .iter()
        .flat_map(|d| &d.criteria)
        .map(|c| {
            let value = match &c.scale {
                app::model::Scale::Nominal { .. } => "alliance",
                _ => level,
            };
            format!(
                "{org},{},{email},{value},70,\"Imported, with a comma\",Report A | Report B",
                c.code
            )
        })
        .collect()
}

async fn import_is_checked_whole_and_all_or_nothing(db: &TestDb) {
    use app::ssr::import::import_ratings;
    let server = TestServer::start(db).await;
    let conn = &server.state.db;
    let p = panel(conn, VisibilityRule::AfterOwnSubmission).await;
    let header = "organization,criterion,expert,value,confidence,justification,evidence";
    let good = import_rows("a@example.org", "nato", "3");
    // Draft phase: refused as a whole.
    let file = format!("{header}\n{}\n", good.join("\n"));
    let refused = import_ratings(conn, p.study, &file, false)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("draft"), "{refused}");
    advance(conn, &p).await;
    // Every bad line is reported with its number; nothing is written.
    let mut rows = good.clone();
    rows[1] = "nato,Z9.9,a@example.org,2,,,".into(); // line 3
    rows[3] = "nato,D1.1,a@example.org,7,,,".into(); // line 5 (also a duplicate of line 2)
    rows[4] = "osce,D1.1,a@example.org,2,,,".into(); // line 6
    rows[5] = "nato,D1.2,nobody@example.org,2,,,".into(); // line 7
    let file = format!("{header}\n{}\n", rows.join("\n"));
    let before = ratings_count(conn).await;
    let refused = import_ratings(conn, p.study, &file, false)
        .await
        .unwrap_err();
    let lines: Vec<usize> = refused.problems.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![3, 5, 6, 7], "{refused}");
    assert_eq!(ratings_count(conn).await, before);
    // --submit with an incomplete scorecard: refused, nothing written.
    let file = format!("{header}\n{}\n", good[..5].join("\n"));
    let refused = import_ratings(conn, p.study, &file, true)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("5 of"), "{refused}");
    assert_eq!(ratings_count(conn).await, before);
    // A whole scorecard, submitted.
    let file = format!("{header}\n{}\n", good.join("\n"));
    let done = import_ratings(conn, p.study, &file, true).await.unwrap();
    assert_eq!(
        (done.ratings, done.scorecards, done.submitted),
        (good.len(), 1, 1)
    );
    let a = ctx(conn, &p, p.a).await;
    let own = scorecards::own_ratings(conn, &a, p.nato).await.unwrap();
    let d11 = own.iter().find(|r| r.criterion == "D1.1").unwrap();
    assert_eq!(d11.value.as_deref(), Some("3"));
    assert_eq!(d11.justification, "Imported, with a comma");
    assert_eq!(d11.evidence, vec!["Report A", "Report B"]);
    assert!(a.standing(conn, p.nato).await.unwrap().submitted);
    // A submitted scorecard cannot be imported over.
    let refused = import_ratings(conn, p.study, &file, false)
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("already submitted"),
        "{refused}"
    );
    server.stop().await;
}

on_both_databases!(
    blind_until_own_submission,
    peers_hidden_until_review_under_the_alternative_rule,
    stale_saves_are_refused_and_overwrite_nothing,
    bad_input_gets_a_clear_error_and_changes_nothing,
    a_conflicted_expert_cannot_rate,
    outsiders_cannot_see_a_study_or_move_it,
    comments_follow_the_blindness_rule,
    delphi_round_two_shows_the_distribution_and_keeps_round_one,
    assignments_narrow_what_an_expert_rates,
    import_is_checked_whole_and_all_or_nothing,
);
