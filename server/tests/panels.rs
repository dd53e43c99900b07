//! Panel rules at the service layer, on SQLite and PostgreSQL: blindness,
//! optimistic concurrency, bad input, conflicts of interest, phases.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use app::model::scorecard::RatingInput;
use app::model::study::{PanelRole, Phase, StudySettings, VisibilityRule};
use app::model::AppError;
use app::ssr::studies::{self, NewStudy, StudyContext};
use app::ssr::{catalogue, scorecards, users};
use common::*;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

async fn person(db: &DatabaseConnection, email: &str, name: &str) -> i32 {
    users::register(
        db,
        users::NewAccount {
            email: email.into(),
            display_name: name.into(),
            password: PASSWORD.into(),
            is_admin: false,
        },
    )
    .await
    .expect("register")
    .id
}

struct Panel {
    study: i32,
    moderator: i32,
    a: i32,
    b: i32,
    nato: i32,
    eu: i32,
}

async fn panel(db: &DatabaseConnection, visibility: VisibilityRule) -> Panel {
    let moderator = person(db, "mod@example.org", "Mona Moderator").await;
    let a = person(db, "a@example.org", "Ada Analyst").await;
    let b = person(db, "b@example.org", "Bo Bureaucrat").await;
    let study = studies::create_study(
        db,
        moderator,
        NewStudy {
            title: "Regional security 2005–2006".into(),
            description: String::new(),
            framework_slug: "regional-security-cooperation".into(),
            framework_version: None,
            period_start: 2005,
            period_end: 2006,
            organizations: vec!["nato".into(), "eu".into()],
            settings: StudySettings {
                visibility,
                ..StudySettings::default()
            },
        },
    )
    .await
    .expect("create study");
    let ctx = StudyContext::load(db, study, Some(moderator), false)
        .await
        .unwrap();
    studies::invite(db, &ctx, moderator, "A@example.org", PanelRole::Expert)
        .await
        .unwrap();
    studies::invite(db, &ctx, moderator, "b@example.org", PanelRole::Expert)
        .await
        .unwrap();
    let nato = studies::organization_id(db, "nato").await.unwrap();
    let eu = studies::organization_id(db, "eu").await.unwrap();
    Panel {
        study,
        moderator,
        a,
        b,
        nato,
        eu,
    }
}

async fn advance(db: &DatabaseConnection, p: &Panel) {
    let ctx = StudyContext::load(db, p.study, Some(p.moderator), false)
        .await
        .unwrap();
    studies::advance_phase(db, &ctx, p.moderator, ctx.phase)
        .await
        .unwrap();
}

async fn ctx(db: &DatabaseConnection, p: &Panel, user: i32) -> StudyContext {
    StudyContext::load(db, p.study, Some(user), false)
        .await
        .unwrap()
}

fn rating(code: &str, value: &str, base: i32) -> RatingInput {
    RatingInput {
        criterion: code.into(),
        value: Some(value.into()),
        dont_know: false,
        confidence: Some(60),
        justification: format!("Why {code} is {value}."),
        evidence: vec!["SIPRI Yearbook 2006, ch. 4".into()],
        base_revision: base,
    }
}

/// Every criterion of the default framework answered.
async fn fill(db: &DatabaseConnection, ctx: &StudyContext, org: i32, level: &str) {
    let framework = catalogue::default_framework().unwrap();
    for c in framework.dimensions.iter().flat_map(|d| &d.criteria) {
        let value = match &c.scale {
            app::model::Scale::Nominal { .. } => "security-regime",
            _ => level,
        };
        let own = scorecards::own_ratings(db, ctx, org).await.unwrap();
        let base = own
            .iter()
            .find(|r| r.criterion == c.code)
            .map(|r| r.revision)
            .unwrap_or(0);
        scorecards::save_rating(db, ctx, org, rating(&c.code, value, base))
            .await
            .expect("save");
    }
}

async fn ratings_count(db: &DatabaseConnection) -> u64 {
    app::ssr::entities::rating::Entity::find()
        .count(db)
        .await
        .unwrap()
}

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

on_both_databases!(
    blind_until_own_submission,
    peers_hidden_until_review_under_the_alternative_rule,
    stale_saves_are_refused_and_overwrite_nothing,
    bad_input_gets_a_clear_error_and_changes_nothing,
    a_conflicted_expert_cannot_rate,
    outsiders_cannot_see_a_study_or_move_it,
);
