//! Test harness: a migrated database per test (an SQLite file, or a fresh
//! PostgreSQL database), the real router served on an ephemeral port, and a
//! cookie-keeping HTTP client.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
// Each test binary uses only part of the harness.
#![allow(dead_code)]

pub mod panel;

use std::net::SocketAddr;

use sea_orm::{ConnectionTrait, Database};
use server::Config;
use tokio::sync::oneshot;

/// One scenario at a time per test process. Two apps built and served on
/// two Tokio runtimes in one process — which production never does — now
/// and then leave a page render waiting forever inside Leptos (seen: one run
/// in six of the catalogue tests, with one test starting a server while
/// another rendered; never with the scenarios one after another, nor under
/// 800 concurrent requests to one server). A hung test would hold CI to its
/// time limit, so scenarios take turns.
pub static ONE_SCENARIO_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One test's own database.
pub struct TestDb {
    pub url: String,
    backend: Backend,
    name: String,
}

fn unique_name() -> String {
    use rand::Rng;
    let suffix: u64 = rand::thread_rng().gen();
    format!("concord_t_{suffix:016x}")
}

fn postgres_admin_url() -> String {
    std::env::var("CONCORD_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

fn with_database(url: &str, database: &str) -> String {
    let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(url);
    format!("{base}/{database}")
}

impl TestDb {
    /// A fresh database, or `None` when PostgreSQL is unreachable and not
    /// required (the test then says so loudly on stderr).
    pub async fn create(backend: Backend) -> Option<TestDb> {
        let name = unique_name();
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                Some(TestDb {
                    url: format!("sqlite://{}?mode=rwc", path.display()),
                    backend,
                    name,
                })
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let conn = match Database::connect(&admin).await {
                    Ok(c) => c,
                    Err(e) => {
                        if std::env::var("CONCORD_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                            panic!("PostgreSQL is required but unreachable at {admin}: {e}");
                        }
                        eprintln!(
                            "\n!!! SKIPPING a PostgreSQL test: {admin} is unreachable ({e}).\n\
                             !!! Set CONCORD_TEST_POSTGRES_URL, or CONCORD_REQUIRE_POSTGRES=1 to fail instead.\n"
                        );
                        return None;
                    }
                };
                conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                Some(TestDb {
                    url: with_database(&admin, &name),
                    backend,
                    name,
                })
            }
        }
    }

    /// Removes the database; a failed test leaves it behind for inspection.
    pub async fn drop_database(self) {
        match self.backend {
            Backend::Sqlite => {
                if let Some(path) = app::ssr::db::sqlite_path(&self.url) {
                    for suffix in ["", "-wal", "-shm"] {
                        let _ = std::fs::remove_file(format!("{path}{suffix}"));
                    }
                }
            }
            Backend::Postgres => {
                if let Ok(conn) = Database::connect(&postgres_admin_url()).await {
                    let _ = conn
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                            self.name
                        ))
                        .await;
                }
            }
        }
    }
}

/// The real router, serving on 127.0.0.1 with an ephemeral port.
pub struct TestServer {
    pub addr: SocketAddr,
    pub state: app::ssr::AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    pub async fn start(db: &TestDb) -> TestServer {
        let url = db.url.clone();
        let config = Config::from_lookup(|key| match key {
            "DATABASE_URL" => Some(url.clone()),
            "CONCORD_ADDR" => Some("127.0.0.1:0".to_string()),
            _ => None,
        })
        .expect("test config");
        let (router, state) = server::build_app(&config).await.expect("build app");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
                .expect("serve");
        });
        TestServer {
            addr,
            state,
            shutdown: Some(tx),
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Stops serving and closes the pool, like a process exit.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = self.task.await;
        let _ = self.state.db.clone().close().await;
    }
}

/// A browser-like client: keeps cookies, does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Calls a server function the way a script would (form-encoded, JSON back).
pub async fn call(
    client: &reqwest::Client,
    server: &TestServer,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let response = client
        .post(server.url(&format!("/fn/{endpoint}")))
        .form(form)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    (status, body)
}

pub async fn current_user(client: &reqwest::Client, server: &TestServer) -> serde_json::Value {
    let (status, body) = call(client, server, "auth/current_user", &[]).await;
    assert_eq!(status, 200, "current_user: {body}");
    body
}

pub const PASSWORD: &str = "amber-lattice-quorum";

pub async fn register(
    client: &reqwest::Client,
    server: &TestServer,
    email: &str,
    name: &str,
) -> (u16, serde_json::Value) {
    call(
        client,
        server,
        "auth/register",
        &[
            ("email", email),
            ("display_name", name),
            ("password", PASSWORD),
        ],
    )
    .await
}

/// Runs one scenario on SQLite and on PostgreSQL, each in its own database.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let _turn = $crate::common::ONE_SCENARIO_AT_A_TIME.lock().await;
                    if let Some(db) = $crate::common::TestDb::create($crate::common::Backend::Sqlite).await {
                        super::$name(&db).await;
                        db.drop_database().await;
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let _turn = $crate::common::ONE_SCENARIO_AT_A_TIME.lock().await;
                    if let Some(db) = $crate::common::TestDb::create($crate::common::Backend::Postgres).await {
                        super::$name(&db).await;
                        db.drop_database().await;
                    }
                }
            )*
        }
    };
}
