//! Administration on SQLite and PostgreSQL: only admins reach it, the last
//! admin stays, a used framework version is never edited in place, and
//! catalogue entries are checked before anything is stored.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use app::model::admin::CriterionEdit;
use app::model::study::StudySettings;
use app::model::{AppError, Organization};
use app::ssr::studies::{self, NewStudy};
use app::ssr::{admin, catalogue, users};
use common::*;
use sea_orm::DatabaseConnection;

const FRAMEWORK: &str = "regional-security-cooperation";

async fn account(db: &DatabaseConnection, email: &str, is_admin: bool) -> i32 {
    users::register(
        db,
        users::NewAccount {
            email: email.into(),
            display_name: email.split('@').next().unwrap().into(),
            password: PASSWORD.into(),
            is_admin,
        },
    )
    .await
    .unwrap()
    .id
}

fn edit(prompt: &str) -> CriterionEdit {
    let framework = catalogue::default_framework().unwrap();
    let c = &framework.dimensions[0].criteria[0];
    let anchors = match &c.scale {
        app::model::Scale::Ordinal { levels } => levels
            .iter()
            .map(|l| format!("Anchor {}", l.value))
            .collect(),
        _ => panic!("D1.1 is ordinal"),
    };
    CriterionEdit {
        code: c.code.clone(),
        prompt: prompt.into(),
        guidance: "Revised guidance.".into(),
        anchors,
    }
}

async fn only_admins_reach_administration(db: &TestDb) {
    let server = TestServer::start(db).await;
    let http = client();
    assert_eq!(
        register(&http, &server, "user@example.org", "Una User")
            .await
            .0,
        200
    );
    let (status, _) = call(&http, &server, "admin/overview", &[]).await;
    assert_eq!(status, 404, "a non-admin is told the page does not exist");
    let page = http.get(server.url("/admin")).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 404);
    let conn = &server.state.db;
    let user = users::find_by_email(conn, "user@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        admin::set_admin(conn, user.id, false, user.id, true).await,
        Err(AppError::NotFound)
    );
    // Made an admin, the same session now reaches it.
    let root = account(conn, "root@example.org", true).await;
    admin::set_admin(conn, root, true, user.id, true)
        .await
        .unwrap();
    let (status, body) = call(&http, &server, "admin/overview", &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["users"].as_array().unwrap().len(), 2);
    server.stop().await;
}

async fn the_last_admin_stays(db: &TestDb) {
    let server = TestServer::start(db).await;
    let conn = &server.state.db;
    let root = account(conn, "root@example.org", true).await;
    let other = account(conn, "other@example.org", false).await;
    assert!(matches!(
        admin::set_admin(conn, root, true, root, false).await,
        Err(AppError::Invalid { .. })
    ));
    admin::set_admin(conn, root, true, other, true)
        .await
        .unwrap();
    admin::set_admin(conn, other, true, root, false)
        .await
        .unwrap();
    let rows = admin::users(conn, true).await.unwrap();
    assert_eq!(
        rows.iter().map(|u| u.is_admin).collect::<Vec<_>>(),
        vec![false, true]
    );
    server.stop().await;
}

async fn a_used_framework_version_gets_a_new_version(db: &TestDb) {
    let server = TestServer::start(db).await;
    let conn = &server.state.db;
    let root = account(conn, "root@example.org", true).await;
    // Unused: edited in place.
    assert_eq!(
        admin::edit_criterion(conn, root, true, FRAMEWORK, 1, edit("First wording?")).await,
        Ok(1)
    );
    let v1 = catalogue::load_framework(conn, FRAMEWORK, Some(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v1.dimensions[0].criteria[0].prompt, "First wording?");
    // Used by a study: version 1 stays, version 2 holds the edit.
    studies::create_study(
        conn,
        root,
        NewStudy {
            title: "Uses v1".into(),
            description: String::new(),
            framework_slug: FRAMEWORK.into(),
            framework_version: Some(1),
            period_start: 2006,
            period_end: 2006,
            organizations: vec!["nato".into()],
            settings: StudySettings::default(),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        admin::edit_criterion(conn, root, true, FRAMEWORK, 1, edit("Second wording?")).await,
        Ok(2)
    );
    let v1 = catalogue::load_framework(conn, FRAMEWORK, Some(1))
        .await
        .unwrap()
        .unwrap();
    let v2 = catalogue::load_framework(conn, FRAMEWORK, Some(2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v1.dimensions[0].criteria[0].prompt, "First wording?");
    assert_eq!(v2.dimensions[0].criteria[0].prompt, "Second wording?");
    assert_eq!(v2.dimensions[0].criteria[0].guidance, "Revised guidance.");
    assert_eq!(
        v1.dimensions
            .iter()
            .map(|d| d.criteria.len())
            .sum::<usize>(),
        v2.dimensions
            .iter()
            .map(|d| d.criteria.len())
            .sum::<usize>()
    );
    let versions = admin::framework_versions(conn, true).await.unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| (v.version, v.studies))
            .collect::<Vec<_>>(),
        vec![(2, 0), (1, 1)]
    );
    // Bad input changes nothing.
    let mut wrong = edit("Third?");
    wrong.anchors.pop();
    assert!(matches!(
        admin::edit_criterion(conn, root, true, FRAMEWORK, 2, wrong).await,
        Err(AppError::Invalid { .. })
    ));
    assert!(matches!(
        admin::edit_criterion(conn, root, true, FRAMEWORK, 2, edit("  ")).await,
        Err(AppError::Invalid { .. })
    ));
    // Version 1 is in use and version 2 follows it: a second edit of
    // version 1 would branch off and lose version 2's wording.
    assert!(matches!(
        admin::edit_criterion(conn, root, true, FRAMEWORK, 1, edit("Branch?")).await,
        Err(AppError::Conflict(_))
    ));
    assert_eq!(
        admin::framework_versions(conn, true).await.unwrap().len(),
        2
    );
    server.stop().await;
}

async fn catalogue_entries_are_checked(db: &TestDb) {
    let server = TestServer::start(db).await;
    let conn = &server.state.db;
    let root = account(conn, "root@example.org", true).await;
    let before = catalogue::organizations(conn).await.unwrap().len();
    let entry = Organization {
        slug: "cica".into(),
        acronym: "CICA".into(),
        name: "Conference on Interaction and Confidence-Building Measures in Asia".into(),
        region: "Asia".into(),
        founded: 1999,
        members: vec!["KZ".into(), "CN".into(), "RU".into()],
        description: String::new(),
    };
    for bad in [
        Organization {
            members: vec!["KAZ".into()],
            ..entry.clone()
        },
        Organization {
            slug: "Not A Slug".into(),
            ..entry.clone()
        },
        Organization {
            founded: 1066,
            ..entry.clone()
        },
        Organization {
            slug: "nato".into(),
            ..entry.clone()
        },
    ] {
        assert!(matches!(
            admin::save_organization(conn, root, true, None, bad).await,
            Err(AppError::Invalid { .. })
        ));
    }
    assert_eq!(catalogue::organizations(conn).await.unwrap().len(), before);
    admin::save_organization(conn, root, true, None, entry.clone())
        .await
        .unwrap();
    admin::save_organization(
        conn,
        root,
        true,
        Some("cica"),
        Organization {
            founded: 2002,
            ..entry.clone()
        },
    )
    .await
    .unwrap();
    let stored = catalogue::organization(conn, "cica")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.founded, 2002);
    assert_eq!(stored.members, vec!["KZ", "CN", "RU"]);
    assert_eq!(
        catalogue::organizations(conn).await.unwrap().len(),
        before + 1
    );
    assert_eq!(
        admin::save_organization(conn, root, false, None, entry).await,
        Err(AppError::NotFound)
    );
    server.stop().await;
}

on_both_databases!(
    only_admins_reach_administration,
    the_last_admin_stays,
    a_used_framework_version_gets_a_new_version,
    catalogue_entries_are_checked,
);
