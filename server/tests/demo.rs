//! `seed-demo` on SQLite and PostgreSQL: a complete, idempotent demo study.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use app::ssr::demo::{seed_demo, DEMO_ORGANIZATIONS};
use app::ssr::studies::{self, StudyContext};
use app::ssr::{catalogue, scorecards};
use common::*;
use sea_orm::{EntityTrait, PaginatorTrait};

async fn demo_study_is_complete_and_seeded_once(db: &TestDb) {
    let server = TestServer::start(db).await;
    let conn = &server.state.db;
    let summary = seed_demo(conn, PASSWORD).await.unwrap().expect("created");
    assert_eq!(summary.expert_emails.len(), 8);
    let criteria = catalogue::default_framework()
        .unwrap()
        .dimensions
        .iter()
        .map(|d| d.criteria.len())
        .sum::<usize>();
    // Two studies: one in scoring, one published.
    assert_eq!(summary.ratings, 2 * 8 * DEMO_ORGANIZATIONS.len() * criteria);
    assert_eq!(
        app::ssr::entities::rating::Entity::find()
            .count(conn)
            .await
            .unwrap(),
        summary.ratings as u64
    );
    // A second run changes nothing.
    assert!(seed_demo(conn, PASSWORD).await.unwrap().is_none());
    assert_eq!(
        app::ssr::entities::rating::Entity::find()
            .count(conn)
            .await
            .unwrap(),
        summary.ratings as u64
    );
    // The demo accounts work with the chosen password.
    let browser = client();
    let (status, _) = call(
        &browser,
        &server,
        "auth/login",
        &[
            ("email", summary.moderator_email.as_str()),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert!(status < 400);
    // An expert who submitted sees the seven peers under pseudonyms.
    let expert = app::ssr::users::find_by_email(conn, &summary.expert_emails[0])
        .await
        .unwrap()
        .unwrap();
    let ctx = StudyContext::load(conn, summary.study_id, Some(expert.id), false)
        .await
        .unwrap();
    let eu = studies::organization_id(conn, "eu").await.unwrap();
    let peers = scorecards::peer_scorecards(conn, &ctx, eu).await.unwrap();
    assert_eq!(peers.len(), 7);
    assert!(peers.iter().all(|p| p.pseudonym.starts_with("Expert ")));
    // The published study has a first release with reconciled cells.
    let release = app::ssr::releases::release(conn, summary.published_study_id, None)
        .await
        .unwrap();
    assert_eq!(release.summary.number, 1);
    assert_eq!(
        release.results.cells.len(),
        DEMO_ORGANIZATIONS.len() * criteria
    );
    assert!(
        release
            .results
            .cells
            .iter()
            .filter(|c| c.reconciliation.is_some())
            .count()
            >= 1
    );
    for kind in ["consensus", "polarized", "outlier-driven"] {
        assert!(
            release.results.cells.iter().any(|c| c.disagreement == kind),
            "the demo has {kind} cells"
        );
    }
    server.stop().await;
}

on_both_databases!(demo_study_is_complete_and_seeded_once);
