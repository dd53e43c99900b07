//! `concord import-ratings` and `concord export` as an operator runs them:
//! the real binary against a real database (SQLite and PostgreSQL).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::process::{Command, Output};

use app::model::study::VisibilityRule;
use common::panel::*;
use common::*;

fn concord(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(args)
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "error")
        .output()
        .unwrap()
}

async fn import_ratings_reports_every_bad_line_and_imports_nothing(db: &TestDb) {
    let server = TestServer::start(db).await;
    let conn = &server.state.db;
    let p = panel(conn, VisibilityRule::AfterOwnSubmission).await;
    advance(conn, &p).await;
    let dir = tempdir(db, "import");
    let study = p.study.to_string();
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "organization,criterion,expert,value\n\
         nato,D1.1,a@example.org,3\n\
         nato,D1.2,a@example.org,five\n\
         nato,D1.3,nobody@example.org,2\n",
    )
    .unwrap();
    let before = ratings_count(conn).await;
    let out = concord(
        db,
        &["import-ratings", "--study", &study, bad.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 3:") && stderr.contains("line 4:"),
        "{stderr}"
    );
    assert!(!stderr.contains("line 2:"), "{stderr}");
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    assert_eq!(ratings_count(conn).await, before);
    let good = dir.join("good.csv");
    std::fs::write(
        &good,
        "expert,organization,criterion,value,confidence\n\
         a@example.org,nato,D1.1,3,80\n\
         b@example.org,eu,D1.1,dont-know,\n",
    )
    .unwrap();
    let out = concord(
        db,
        &["import-ratings", "--study", &study, good.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Imported 2 ratings into 2 scorecards"));
    assert_eq!(ratings_count(conn).await, before + 2);
    let out = concord(
        db,
        &["import-ratings", "--study", "999", good.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no study 999"));
    std::fs::remove_dir_all(&dir).ok();
    server.stop().await;
}

fn tempdir(db: &TestDb, what: &str) -> std::path::PathBuf {
    let own: String = db
        .url
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let dir = std::env::temp_dir().join(format!("concord-{what}-{own}"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn export_writes_what_the_api_serves(db: &TestDb) {
    let server = TestServer::start(db).await;
    let demo = app::ssr::demo::seed_demo(&server.state.db, PASSWORD)
        .await
        .unwrap()
        .unwrap();
    let dir = tempdir(db, "export");
    let id = demo.published_study_id.to_string();
    let out = concord(
        db,
        &[
            "export",
            "--study",
            &id,
            "--format",
            "csv",
            "--out",
            dir.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let http = client();
    for name in ["cells", "ratings"] {
        let file =
            std::fs::read_to_string(dir.join(format!("study-{id}-release-1-{name}.csv"))).unwrap();
        let served = http
            .get(server.url(&format!("/api/v1/studies/{id}/releases/1/{name}.csv")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(file, served, "{name}.csv");
    }
    let out = concord(
        db,
        &[
            "export",
            "--study",
            &id,
            "--format",
            "json",
            "--out",
            dir.to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    let file: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(format!("study-{id}-release-1.json"))).unwrap(),
    )
    .unwrap();
    let served: serde_json::Value = http
        .get(server.url(&format!("/api/v1/studies/{id}/releases/1")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(file, served);
    // An unpublished study has nothing to export; a bad format is refused.
    let unpublished = demo.study_id.to_string();
    let out = concord(
        db,
        &[
            "export",
            "--study",
            &unpublished,
            "--out",
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no published release"));
    let out = concord(db, &["export", "--study", &id, "--format", "xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
    server.stop().await;
}

on_both_databases!(
    import_ratings_reports_every_bad_line_and_imports_nothing,
    export_writes_what_the_api_serves,
);
