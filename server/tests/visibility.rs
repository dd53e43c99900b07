//! The visibility matrix over real HTTP: every read path that exists today
//! (server-rendered pages, server functions, their serialized resources),
//! asked by each kind of viewer while the demo study is in scoring.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use app::ssr::demo::seed_demo;
use common::*;

/// Text only the other experts' ratings and identities contain.
const PEER_SECRETS: [&str; 5] = [
    "from panel seat 1.",
    "Synthetic comment",
    "Amina Diallo",
    "expert1@demo.concord.example",
    "Expert A",
];

async fn get(client: &reqwest::Client, server: &TestServer, path: &str) -> (u16, String) {
    let r = client.get(server.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn signed_in(server: &TestServer, email: &str) -> reqwest::Client {
    let c = client();
    let (status, body) = call(
        &c,
        server,
        "auth/login",
        &[("email", email), ("password", PASSWORD)],
    )
    .await;
    assert!(status < 400, "{body}");
    c
}

async fn an_unsubmitted_expert_learns_nothing_of_peers(db: &TestDb) {
    let server = TestServer::start(db).await;
    let summary = seed_demo(&server.state.db, PASSWORD)
        .await
        .unwrap()
        .unwrap();
    let study = summary.study_id.to_string();
    // expert8 left the GCC scorecard as a draft; everyone else submitted.
    let hana = signed_in(&server, "expert8@demo.concord.example").await;
    let mut answers = vec![
        get(
            &hana,
            &server,
            &format!("/studies/{study}/organizations/gcc"),
        )
        .await,
        get(&hana, &server, &format!("/studies/{study}")).await,
        get(&hana, &server, "/studies").await,
    ];
    for (endpoint, form) in [
        (
            "scorecards/page",
            vec![("study_id", study.as_str()), ("organization", "gcc")],
        ),
        ("studies/overview", vec![("study_id", study.as_str())]),
    ] {
        let (status, body) = call(&hana, &server, endpoint, &form).await;
        answers.push((status, body.to_string()));
    }
    for (status, body) in &answers {
        assert_eq!(*status, 200, "{body}");
        for secret in PEER_SECRETS {
            assert!(
                !body.contains(secret),
                "{secret:?} leaked to an unsubmitted expert"
            );
        }
        // Not even how many peers have submitted.
        assert!(!body.contains("of 8 submitted"), "progress counts leaked");
    }
    // Her own draft is there.
    assert!(answers[0].1.contains("from panel seat 8."));
    // Threads, the moderators' queue, cells and audit log are all closed to her.
    for (endpoint, form) in [
        (
            "comments/post",
            vec![
                ("study_id", study.as_str()),
                ("organization", "gcc"),
                ("criterion", "D1.1"),
                ("body", "Peeking."),
            ],
        ),
        ("moderation/queue", vec![("study_id", study.as_str())]),
        (
            "moderation/cell",
            vec![
                ("study_id", study.as_str()),
                ("organization", "gcc"),
                ("criterion", "D1.1"),
            ],
        ),
        ("moderation/audit", vec![("study_id", study.as_str())]),
    ] {
        let (status, body) = call(&hana, &server, endpoint, &form).await;
        assert_eq!(status, 403, "{endpoint}: {body}");
        for secret in PEER_SECRETS {
            assert!(
                !body.to_string().contains(secret),
                "{endpoint} leaked {secret:?}"
            );
        }
    }

    // Having submitted NATO, the same expert sees NATO's peers, pseudonymously.
    let (status, nato) = get(
        &hana,
        &server,
        &format!("/studies/{study}/organizations/nato"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(nato.contains("Expert A") && nato.contains("from panel seat 1."));
    assert!(nato.contains("Synthetic comment from panel seat 1"));
    assert!(!nato.contains("Amina Diallo") && !nato.contains("expert1@demo"));
    server.stop().await;
}

async fn outsiders_and_the_public_see_no_study(db: &TestDb) {
    let server = TestServer::start(db).await;
    let summary = seed_demo(&server.state.db, PASSWORD)
        .await
        .unwrap()
        .unwrap();
    let study = summary.study_id.to_string();
    register(&client(), &server, "outsider@example.org", "Out Sider").await;
    let outsider = signed_in(&server, "outsider@example.org").await;
    // The public is asked to sign in (401); a signed-in outsider is told
    // there is no such study (404), so its existence does not leak.
    for (viewer, expected) in [(client(), 401), (outsider, 404)] {
        for path in [
            format!("/studies/{study}"),
            format!("/studies/{study}/organizations/eu"),
        ] {
            let (status, body) = get(&viewer, &server, &path).await;
            assert_eq!(status, expected, "{path}");
            for secret in PEER_SECRETS {
                assert!(!body.contains(secret), "{secret:?} on {path}");
            }
            assert!(
                !body.contains("demo)"),
                "the study's title leaked on {path}"
            );
        }
        let (status, body) = call(
            &viewer,
            &server,
            "scorecards/page",
            &[("study_id", &study), ("organization", "eu")],
        )
        .await;
        assert!(status == 404 || status == 401, "{status} {body}");
    }
    // The moderator sees identities.
    let moderator = signed_in(&server, &summary.moderator_email).await;
    let (_, body) = get(&moderator, &server, &format!("/studies/{study}")).await;
    assert!(body.contains("Amina Diallo"));
    server.stop().await;
}

on_both_databases!(
    an_unsubmitted_expert_learns_nothing_of_peers,
    outsiders_and_the_public_see_no_study
);
