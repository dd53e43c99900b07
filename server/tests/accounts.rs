//! Accounts and sessions over real HTTP against the real router, on SQLite
//! and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::*;
use serde_json::Value;

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("concord_session="))
        .map(|rest| rest.split(';').next().unwrap_or_default().to_string())
}

async fn register_login_current_user_logout(db: &TestDb) {
    let server = TestServer::start(db).await;
    let browser = client();
    assert_eq!(current_user(&browser, &server).await, Value::Null);

    let (status, body) = register(
        &browser,
        &server,
        "Amina.Diallo@Example.org",
        "Amina Diallo",
    )
    .await;
    assert!(status < 400, "register: {status} {body}");
    // Registering signs the person in.
    let me = current_user(&browser, &server).await;
    assert_eq!(me["display_name"], "Amina Diallo");
    assert_eq!(me["email"], "amina.diallo@example.org");
    assert_eq!(me["is_admin"], false);

    let (status, _) = call(&browser, &server, "auth/logout", &[]).await;
    assert!(status < 400);
    assert_eq!(current_user(&browser, &server).await, Value::Null);

    // Emails match whatever their case.
    let (status, body) = call(
        &browser,
        &server,
        "auth/login",
        &[
            ("email", "AMINA.DIALLO@example.org"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert!(status < 400, "login: {status} {body}");
    assert_eq!(
        current_user(&browser, &server).await["display_name"],
        "Amina Diallo"
    );
    server.stop().await;
}

async fn logout_deletes_the_stored_session(db: &TestDb) {
    let server = TestServer::start(db).await;
    let browser = client();
    let response = browser
        .post(server.url("/fn/auth/register"))
        .form(&[
            ("email", "k@example.org"),
            ("display_name", "K"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let cookie = session_cookie(&response).expect("session cookie set at registration");
    let (status, _) = call(&browser, &server, "auth/logout", &[]).await;
    assert!(status < 400);
    // Replaying the old cookie from another client finds no session.
    let replay = reqwest::Client::new()
        .post(server.url("/fn/auth/current_user"))
        .header("cookie", format!("concord_session={cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.json::<Value>().await.unwrap(), Value::Null);
    server.stop().await;
}

async fn duplicate_email_is_refused_and_creates_nothing(db: &TestDb) {
    let server = TestServer::start(db).await;
    let (status, _) = register(&client(), &server, "panel@example.org", "First").await;
    assert!(status < 400);
    let (status, body) = register(&client(), &server, "Panel@Example.org", "Second").await;
    assert_eq!(status, 400, "{body}");
    let message = body.to_string();
    assert!(message.contains("already exists"), "{message}");
    use sea_orm::{EntityTrait, PaginatorTrait};
    let count = app::ssr::entities::user::Entity::find()
        .count(&server.state.db)
        .await
        .unwrap();
    assert_eq!(count, 1);
    server.stop().await;
}

async fn bad_registrations_get_field_errors(db: &TestDb) {
    let server = TestServer::start(db).await;
    for (email, name, password, field) in [
        ("not-an-email", "N", PASSWORD, "email"),
        ("n@example.org", " ", PASSWORD, "display_name"),
        ("n@example.org", "N", "short", "password"),
        ("n@example.org", "N", "password123", "password"),
    ] {
        let (status, body) = call(
            &client(),
            &server,
            "auth/register",
            &[
                ("email", email),
                ("display_name", name),
                ("password", password),
            ],
        )
        .await;
        assert_eq!(status, 400, "{email} {name} {password}: {body}");
        assert_eq!(body["Invalid"]["field"], field, "{body}");
    }
    use sea_orm::{EntityTrait, PaginatorTrait};
    let count = app::ssr::entities::user::Entity::find()
        .count(&server.state.db)
        .await
        .unwrap();
    assert_eq!(count, 0);
    server.stop().await;
}

async fn wrong_password_and_unknown_email_look_the_same(db: &TestDb) {
    let server = TestServer::start(db).await;
    register(&client(), &server, "real@example.org", "Real").await;
    let browser = client();
    let wrong = call(
        &browser,
        &server,
        "auth/login",
        &[
            ("email", "real@example.org"),
            ("password", "not-the-password"),
        ],
    )
    .await;
    let unknown = call(
        &browser,
        &server,
        "auth/login",
        &[
            ("email", "nobody@example.org"),
            ("password", "not-the-password"),
        ],
    )
    .await;
    assert_eq!(wrong.0, 401);
    assert_eq!(wrong, unknown);
    assert_eq!(current_user(&browser, &server).await, Value::Null);
    server.stop().await;
}

async fn session_survives_a_server_restart(db: &TestDb) {
    let browser = client();
    let first = TestServer::start(db).await;
    register(&browser, &first, "stays@example.org", "Stays").await;
    assert_eq!(
        current_user(&browser, &first).await["display_name"],
        "Stays"
    );
    first.stop().await;

    // A new process on the same database accepts the same cookie.
    let second = TestServer::start(db).await;
    assert_eq!(
        current_user(&browser, &second).await["display_name"],
        "Stays"
    );
    second.stop().await;
}

async fn session_id_changes_at_login(db: &TestDb) {
    let server = TestServer::start(db).await;
    register(&client(), &server, "a@example.org", "A").await;
    register(&client(), &server, "b@example.org", "B").await;
    let browser = client();
    let login = |email: &'static str| {
        browser
            .post(server.url("/fn/auth/login"))
            .form(&[("email", email), ("password", PASSWORD)])
            .send()
    };
    let before = session_cookie(&login("a@example.org").await.unwrap()).expect("cookie");
    let after = session_cookie(&login("b@example.org").await.unwrap()).expect("cookie");
    assert_ne!(before, after, "login must issue a new session id");
    // The id from before the second log-in is dead.
    let replay = reqwest::Client::new()
        .post(server.url("/fn/auth/current_user"))
        .header("cookie", format!("concord_session={before}"))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.json::<Value>().await.unwrap(), Value::Null);
    assert_eq!(current_user(&browser, &server).await["display_name"], "B");
    server.stop().await;
}

async fn cross_site_posts_are_refused_and_change_nothing(db: &TestDb) {
    let server = TestServer::start(db).await;
    let browser = client();
    let response = browser
        .post(server.url("/fn/auth/register"))
        .header("origin", "https://evil.example")
        .form(&[
            ("email", "victim@example.org"),
            ("display_name", "V"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let response = browser
        .post(server.url("/fn/auth/register"))
        .header("sec-fetch-site", "cross-site")
        .form(&[
            ("email", "victim@example.org"),
            ("display_name", "V"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    use sea_orm::{EntityTrait, PaginatorTrait};
    let count = app::ssr::entities::user::Entity::find()
        .count(&server.state.db)
        .await
        .unwrap();
    assert_eq!(count, 0, "a refused request must change nothing");

    // The same request from the site itself goes through.
    let response = browser
        .post(server.url("/fn/auth/register"))
        .header("origin", format!("http://{}", server.addr))
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("email", "victim@example.org"),
            ("display_name", "V"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert!(response.status().as_u16() < 400, "{}", response.status());
    server.stop().await;
}

async fn state_never_changes_on_get(db: &TestDb) {
    let server = TestServer::start(db).await;
    let response = client()
        .get(server.url(
            "/fn/auth/register?email=g@example.org&display_name=G&password=amber-lattice-quorum",
        ))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
    use sea_orm::{EntityTrait, PaginatorTrait};
    let count = app::ssr::entities::user::Entity::find()
        .count(&server.state.db)
        .await
        .unwrap();
    assert_eq!(count, 0);
    server.stop().await;
}

async fn change_password_requires_the_current_one(db: &TestDb) {
    let server = TestServer::start(db).await;
    let browser = client();
    register(&browser, &server, "c@example.org", "C").await;
    let (status, body) = call(
        &browser,
        &server,
        "auth/change_password",
        &[
            ("current_password", "wrong-password"),
            ("new_password", "river-basalt-orbit"),
        ],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["Invalid"]["field"], "current_password");
    let (status, body) = call(
        &browser,
        &server,
        "auth/change_password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "river-basalt-orbit"),
        ],
    )
    .await;
    assert!(status < 400, "{body}");
    let fresh = client();
    let (status, _) = call(
        &fresh,
        &server,
        "auth/login",
        &[("email", "c@example.org"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(status, 401, "the old password no longer works");
    let (status, _) = call(
        &fresh,
        &server,
        "auth/login",
        &[
            ("email", "c@example.org"),
            ("password", "river-basalt-orbit"),
        ],
    )
    .await;
    assert!(status < 400);
    server.stop().await;
}

async fn pages_carry_security_headers_and_health_answers(db: &TestDb) {
    let server = TestServer::start(db).await;
    let page = client().get(server.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    for needle in [
        "'wasm-unsafe-eval'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "'nonce-",
    ] {
        assert!(csp.contains(needle), "{needle} missing in {csp}");
    }
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers.contains_key("referrer-policy"));
    let html = page.text().await.unwrap();
    assert!(
        html.contains("regional security"),
        "home page explains Concord"
    );
    // The inline hydration script carries the header's nonce.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "hydration script nonce"
    );

    let missing = client()
        .get(server.url("/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    let health = client().get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.json::<Value>().await.unwrap()["database"], "ok");
    server.stop().await;
}

async fn oversized_bodies_are_refused(db: &TestDb) {
    let server = TestServer::start(db).await;
    let huge = "x".repeat(server::router::BODY_LIMIT + 1);
    let (status, _) = call(
        &client(),
        &server,
        "auth/register",
        &[
            ("email", "big@example.org"),
            ("display_name", "Big"),
            ("password", &huge),
        ],
    )
    .await;
    assert_eq!(status, 413);
    server.stop().await;
}

on_both_databases!(
    register_login_current_user_logout,
    logout_deletes_the_stored_session,
    duplicate_email_is_refused_and_creates_nothing,
    bad_registrations_get_field_errors,
    wrong_password_and_unknown_email_look_the_same,
    session_survives_a_server_restart,
    session_id_changes_at_login,
    cross_site_posts_are_refused_and_change_nothing,
    state_never_changes_on_get,
    change_password_requires_the_current_one,
    pages_carry_security_headers_and_health_answers,
    oversized_bodies_are_refused,
);
