//! The seeded framework and organization catalogue, read back over HTTP on
//! SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::*;

async fn catalogue_pages_show_the_seeded_content(db: &TestDb) {
    let server = TestServer::start(db).await;
    let page = |path: &'static str| {
        let url = server.url(path);
        async move {
            let response = client().get(url).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, html) = page("/organizations").await;
    assert_eq!(status, 200);
    for acronym in ["NATO", "ECOWAS", "ASEAN", "SCO", "GCC"] {
        assert!(html.contains(acronym), "{acronym} listed");
    }
    let (status, html) = page("/organizations/nato").await;
    assert_eq!(status, 200);
    assert!(html.contains("North Atlantic Treaty Organization"));
    let (status, _) = page("/organizations/no-such-organization").await;
    assert_eq!(status, 404);
    let (status, html) = page("/methodology").await;
    assert_eq!(status, 200);
    for needle in ["D1.1", "D5.1", "Security community", "don’t know"] {
        assert!(html.contains(needle), "{needle} on the methodology page");
    }
    server.stop().await;
}

async fn seeding_twice_adds_nothing(db: &TestDb) {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let first = TestServer::start(db).await;
    let orgs = app::ssr::entities::organization::Entity::find()
        .count(&first.state.db)
        .await
        .unwrap();
    let criteria = app::ssr::entities::criterion::Entity::find()
        .count(&first.state.db)
        .await
        .unwrap();
    first.stop().await;
    let second = TestServer::start(db).await;
    let db2 = &second.state.db;
    assert_eq!(
        app::ssr::entities::organization::Entity::find()
            .count(db2)
            .await
            .unwrap(),
        orgs
    );
    assert_eq!(
        app::ssr::entities::criterion::Entity::find()
            .count(db2)
            .await
            .unwrap(),
        criteria
    );
    let expected = app::ssr::catalogue::default_organizations().unwrap().len() as u64;
    assert_eq!(orgs, expected);
    // The framework reads back exactly as shipped.
    let stored = app::ssr::catalogue::load_framework(db2, "regional-security-cooperation", None)
        .await
        .unwrap()
        .expect("seeded framework");
    assert_eq!(stored, app::ssr::catalogue::default_framework().unwrap());
    second.stop().await;
}

on_both_databases!(
    catalogue_pages_show_the_seeded_content,
    seeding_twice_adds_nothing
);
