//! Results on SQLite and PostgreSQL: the aggregate follows new ratings,
//! releases are immutable and their changelogs say why, published ratings
//! reproduce the published reliability, and an anonymous crawl of every
//! public route finds no identity, no unpublished value and no rater-level
//! data in a cell below k.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::sync::Arc;

use app::model::moderation::ReconcileMethod;
use app::model::study::VisibilityRule;
use app::model::AppError;
use app::ssr::moderation::{self, Reconciliation};
use app::ssr::releases;
use app::ssr::results::ResultsCache;
use common::panel::*;
use common::*;

async fn a_new_rating_shows_up_in_the_next_aggregate(db: &TestDb) {
    let server = TestServer::start(db).await;
    let conn = &server.state.db;
    let p = panel(conn, VisibilityRule::AfterOwnSubmission).await;
    advance(conn, &p).await;
    let cache = ResultsCache::default();
    let a = ctx(conn, &p, p.a).await;
    fill(conn, &a, p.nato, "2").await;
    app::ssr::scorecards::submit(conn, &a, p.nato)
        .await
        .unwrap();
    let first = cache.get(conn, p.study).await.unwrap();
    assert_eq!(first.cell("nato", "D1.1").unwrap().n, 1);
    assert_eq!(first.cell("eu", "D1.1").unwrap().n, 0);
    // Nothing changed: the same computation is served again.
    let again = cache.get(conn, p.study).await.unwrap();
    assert!(Arc::ptr_eq(&first, &again));
    // A draft rating does not count; a submission does, at once.
    let b = ctx(conn, &p, p.b).await;
    fill(conn, &b, p.nato, "4").await;
    let draft = cache.get(conn, p.study).await.unwrap();
    assert_eq!(draft.cell("nato", "D1.1").unwrap().n, 1);
    app::ssr::scorecards::submit(conn, &b, p.nato)
        .await
        .unwrap();
    let next = cache.get(conn, p.study).await.unwrap();
    let cell = next.cell("nato", "D1.1").unwrap();
    assert_eq!(cell.n, 2);
    assert_eq!(cell.median, Some(3.0));
    assert_eq!(cell.disagreement, "insufficient", "fewer than 3 raters");
    // Per rater: B rated every NATO cell one level above A's … at D1.1, two.
    assert_eq!(next.raters.len(), 2);
    let lenient = next
        .raters
        .iter()
        .max_by(|x, y| {
            x.mean_signed_deviation
                .unwrap()
                .total_cmp(&y.mean_signed_deviation.unwrap())
        })
        .unwrap();
    assert_eq!(lenient.mean_signed_deviation, Some(2.0));
    assert!(lenient.rater.starts_with('R'));
    server.stop().await;
}

async fn releases_are_immutable_and_changelogs_say_why(db: &TestDb) {
    let server = TestServer::start(db).await;
    let conn = &server.state.db;
    let p = panel(conn, VisibilityRule::AfterOwnSubmission).await;
    advance(conn, &p).await;
    submitted_pair(conn, &p, p.nato).await;
    advance(conn, &p).await; // review
    let m = ctx(conn, &p, p.moderator).await;
    assert!(matches!(
        moderation::publish(conn, &m, p.moderator).await,
        Err(AppError::Forbidden(_))
    ));
    advance(conn, &p).await; // reconciliation
    let a = ctx(conn, &p, p.a).await;
    let settle = |value: Option<&str>, method| Reconciliation {
        organization: "nato".into(),
        criterion: "D1.1".into(),
        final_value: value.map(String::from),
        method,
        rationale: "The 2006 summit record.".into(),
        dissent: String::new(),
    };
    assert!(matches!(
        moderation::reconcile(
            conn,
            &a,
            p.a,
            settle(Some("3"), ReconcileMethod::ModeratorJudgement)
        )
        .await,
        Err(AppError::Forbidden(_))
    ));
    let m = ctx(conn, &p, p.moderator).await;
    for bad in [
        settle(Some("9"), ReconcileMethod::ModeratorJudgement),
        settle(None, ReconcileMethod::AcceptedConsensus),
        settle(Some("3"), ReconcileMethod::ReRatingRequested),
        Reconciliation {
            rationale: " ".into(),
            ..settle(Some("3"), ReconcileMethod::ModeratorJudgement)
        },
    ] {
        assert!(matches!(
            moderation::reconcile(conn, &m, p.moderator, bad).await,
            Err(AppError::Invalid { .. })
        ));
    }
    // The cell side by side shows the ratings the aggregate counts, with names.
    let detail = moderation::cell(conn, &ResultsCache::default(), &m, "nato", "D1.1")
        .await
        .unwrap();
    assert_eq!(detail.result.n, 2);
    assert!(detail.may_reconcile && detail.may_request_rerating);
    let mut seen: Vec<(String, String)> = detail
        .ratings
        .iter()
        .map(|r| (r.name.clone(), r.value.clone()))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("Ada Analyst".to_string(), "2".to_string()),
            ("Bo Bureaucrat".to_string(), "3".to_string())
        ]
    );
    let a = ctx(conn, &p, p.a).await;
    assert!(
        moderation::cell(conn, &ResultsCache::default(), &a, "nato", "D1.1")
            .await
            .is_err()
    );
    // A second moderator's page, loaded before the first release.
    let stale = ctx(conn, &p, p.moderator).await;
    assert_eq!(moderation::publish(conn, &m, p.moderator).await, Ok(1));
    let first = releases::release(conn, p.study, Some(1)).await.unwrap();
    assert!(first.changelog.is_empty());
    assert_eq!(first.results.cell("nato", "D1.1").unwrap().consensus, None);
    // Nothing changed: no new release.
    let m = ctx(conn, &p, p.moderator).await;
    assert!(matches!(
        moderation::publish(conn, &m, p.moderator).await,
        Err(AppError::Invalid { .. })
    ));
    moderation::reconcile(
        conn,
        &m,
        p.moderator,
        settle(Some("3"), ReconcileMethod::ModeratorJudgement),
    )
    .await
    .unwrap();
    // Publishing from the stale page moves nothing and writes no release.
    assert!(matches!(
        moderation::publish(conn, &stale, p.moderator).await,
        Err(AppError::Conflict(_))
    ));
    assert_eq!(
        releases::release(conn, p.study, None)
            .await
            .unwrap()
            .summary
            .number,
        1
    );
    assert_eq!(moderation::publish(conn, &m, p.moderator).await, Ok(2));
    // No round follows publication, so no re-rating can be asked for: the
    // cell's form no longer offers it, and the server refuses it.
    let published = ctx(conn, &p, p.moderator).await;
    let detail = moderation::cell(conn, &ResultsCache::default(), &published, "nato", "D1.1")
        .await
        .unwrap();
    assert!(detail.may_reconcile && !detail.may_request_rerating);
    assert!(matches!(
        moderation::reconcile(
            conn,
            &published,
            p.moderator,
            settle(None, ReconcileMethod::ReRatingRequested)
        )
        .await,
        Err(AppError::Invalid { field: Some(f), .. }) if f == "method"
    ));
    // Nor does the panel change, and the moderator is told why.
    assert!(matches!(
        app::ssr::studies::invite(
            conn,
            &published,
            p.moderator,
            "b@example.org",
            app::model::study::PanelRole::Expert
        )
        .await,
        Err(AppError::Conflict(m)) if m.contains("published")
    ));
    let second = releases::release(conn, p.study, None).await.unwrap();
    assert_eq!(second.summary.number, 2);
    assert_eq!(second.changelog.len(), 1);
    let change = &second.changelog[0];
    assert_eq!(
        (change.organization.as_str(), change.criterion.as_str()),
        ("nato", "D1.1")
    );
    assert_eq!(
        (change.before.as_deref(), change.after.as_deref()),
        (None, Some("3"))
    );
    assert_eq!(change.reasons, vec!["reconciliation"]);
    assert_eq!(
        second.history.iter().map(|h| h.number).collect::<Vec<_>>(),
        vec![2, 1]
    );
    // Release 1 is exactly as it was.
    let again = releases::release(conn, p.study, Some(1)).await.unwrap();
    assert_eq!(again.results, first.results);
    assert_eq!(again.ratings, first.ratings);
    // New ratings and rule changes are named too.
    let mut later = second.results.clone();
    let cell = later
        .cells
        .iter_mut()
        .find(|c| c.organization == "nato" && c.criterion == "D1.2")
        .unwrap();
    cell.counts[4].1 += 1;
    later.min_raters = 1;
    let changes = moderation::changelog(Some(&second.results), &later);
    let d12 = changes.iter().find(|c| c.criterion == "D1.2").unwrap();
    assert!(d12.reasons.contains(&"new ratings".to_string()), "{d12:?}");
    // Two raters: fewer than k = 5, so no rater-level data was published.
    assert!(second.ratings.is_empty());
    assert!(second.results.raters.is_empty());
    // The audit log tells who did what.
    let log = moderation::audit_log(conn, &m).await.unwrap();
    assert!(log
        .iter()
        .any(|r| r.action == "cell.reconcile" && r.who == "Mona Moderator"));
    assert_eq!(
        log.iter().filter(|r| r.action == "study.publish").count(),
        2
    );
    let a = ctx(conn, &p, p.a).await;
    assert!(moderation::audit_log(conn, &a).await.is_err());
    server.stop().await;
}

/// Every public page and API document of the demo, fetched anonymously.
async fn crawl(
    server: &TestServer,
    published: i32,
    organizations: &[String],
) -> Vec<(String, String)> {
    let http = client();
    let mut paths = vec![
        "/".to_string(),
        "/organizations".into(),
        "/methodology".into(),
        "/results".into(),
        format!("/results/{published}"),
        format!("/results/{published}?release=1"),
        format!("/results/{published}/compare?org=nato&org=eu&org=osce"),
        "/api/v1/openapi.json".into(),
        "/api/v1/organizations".into(),
        "/api/v1/studies".into(),
        format!("/api/v1/studies/{published}/releases"),
        format!("/api/v1/studies/{published}/releases/1"),
        format!("/api/v1/studies/{published}/releases/1/cells.csv"),
        format!("/api/v1/studies/{published}/releases/1/ratings.csv"),
    ];
    for slug in organizations {
        paths.push(format!("/organizations/{slug}"));
        paths.push(format!("/api/v1/organizations/{slug}"));
        paths.push(format!("/results/{published}/organizations/{slug}"));
    }
    let mut pages = Vec::new();
    for path in paths {
        let response = http
            .get(server.url(&path))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        pages.push((path, response.text().await.unwrap()));
    }
    pages
}

async fn anonymous_crawl_finds_only_published_data(db: &TestDb) {
    let server = TestServer::start(db).await;
    let conn = &server.state.db;
    let demo = app::ssr::demo::seed_demo(conn, PASSWORD)
        .await
        .unwrap()
        .unwrap();
    // A draft study and the demo's unpublished scoring round sit beside it.
    let p = panel(conn, VisibilityRule::AfterOwnSubmission).await;
    let release = releases::release(conn, demo.published_study_id, None)
        .await
        .unwrap();
    let slugs: Vec<String> = release
        .results
        .organizations
        .iter()
        .map(|o| o.slug.clone())
        .collect();
    let pages = crawl(&server, demo.published_study_id, &slugs).await;
    let secrets = [
        "Amina Diallo",
        "Hana Sato",
        "Morgan Moderator",
        "Mona Moderator",
        "Ada Analyst",
        "demo.concord.example",
        "a@example.org",
        "Synthetic justification",
        "Synthetic comment",
        "Expert A",
        "Regional security 2005–2006",
        app::ssr::demo::DEMO_TITLE,
    ];
    for (path, body) in &pages {
        for secret in secrets {
            assert!(!body.contains(secret), "{path} shows {secret:?}");
        }
    }
    // Unpublished studies do not exist for the public.
    let http = client();
    for path in [
        format!("/results/{}", demo.study_id),
        format!("/results/{}", p.study),
        format!("/api/v1/studies/{}/releases", demo.study_id),
        format!("/api/v1/studies/{}/releases/1", p.study),
        format!("/api/v1/studies/{}/releases/1/ratings.csv", demo.study_id),
    ] {
        let status = http.get(server.url(&path)).send().await.unwrap().status();
        assert_eq!(status.as_u16(), 404, "{path}");
    }
    // Rater-level rows only in cells with at least k raters.
    let csv = &pages
        .iter()
        .find(|(p, _)| p.ends_with("ratings.csv"))
        .unwrap()
        .1;
    let mut per_cell = std::collections::HashMap::<&str, usize>::new();
    for line in csv.lines().skip(1) {
        *per_cell.entry(line.split(',').next().unwrap()).or_default() += 1;
    }
    assert!(!per_cell.is_empty());
    assert_eq!(
        release.results.raters.len(),
        8,
        "eight raters ≥ k: per-rater rows published"
    );
    assert!(per_cell
        .values()
        .all(|n| *n >= release.results.k_anonymity as usize));
    // The published ratings reproduce the published reliability.
    let nominal: Vec<String> = release
        .results
        .criteria
        .iter()
        .filter(|c| c.scale != "ordinal")
        .map(|c| format!(":{},", c.code))
        .collect();
    let ordinal_rows: Vec<String> = csv
        .lines()
        .skip(1)
        .filter(|l| !nominal.iter().any(|n| l.contains(n.as_str())))
        .map(|l| l.split(',').take(3).collect::<Vec<_>>().join(","))
        .collect();
    let file = std::env::temp_dir().join(format!("concord-release-{}.csv", std::process::id()));
    std::fs::write(
        &file,
        format!("unit,rater,value\n{}\n", ordinal_rows.join("\n")),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(["agreement", file.to_str().unwrap(), "--level", "ordinal"])
        .output()
        .unwrap();
    std::fs::remove_file(&file).ok();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cli = report["krippendorff_alpha"]["ordinal"].as_f64().unwrap();
    let published = release
        .results
        .reliability
        .iter()
        .find(|r| r.scope == "study")
        .unwrap();
    assert!(
        (cli - published.alpha.unwrap()).abs() < 1e-9,
        "{cli} vs {:?}",
        published.alpha
    );
    // The OpenAPI document describes the endpoints.
    let doc: serde_json::Value = serde_json::from_str(
        &pages
            .iter()
            .find(|(p, _)| p.ends_with("openapi.json"))
            .unwrap()
            .1,
    )
    .unwrap();
    assert!(doc["paths"]["/api/v1/studies/{id}/releases/{number}"]["get"].is_object());
    // Every documented path answers, with the documented kind of body.
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 7);
    for (template, item) in paths {
        let path = template
            .replace("{slug}", "nato")
            .replace("{id}", &demo.published_study_id.to_string())
            .replace("{number}", "1");
        let response = http.get(server.url(&path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        let documented = item["get"]["responses"]["200"]["content"]
            .as_object()
            .unwrap()
            .keys()
            .next()
            .unwrap()
            .clone();
        assert!(
            kind.starts_with(&documented),
            "{path}: {kind} vs {documented}"
        );
        if documented == "application/json" {
            let body: serde_json::Value = response.json().await.unwrap();
            assert!(body.is_object() || body.is_array(), "{path}");
        }
    }
    server.stop().await;
}

on_both_databases!(
    a_new_rating_shows_up_in_the_next_aggregate,
    releases_are_immutable_and_changelogs_say_why,
    anonymous_crawl_finds_only_published_data,
);
