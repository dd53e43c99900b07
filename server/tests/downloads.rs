//! The CSV downloads as data tools read them: pandas `read_csv` and R
//! `read.csv`, both with no options, get every row and column with the
//! right types. Fetched over HTTP from the API like any user would.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// pandas lives in the venv `scripts/test` prepares; override with CONCORD_PANDAS_PYTHON.
fn python() -> PathBuf {
    std::env::var_os("CONCORD_PANDAS_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/venv/bin/python"))
}

fn run(program: &Path, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{} (scripts/test installs it): {e}", program.display()));
    assert!(
        out.status.success(),
        "{}: {}",
        program.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

async fn pandas_and_r_read_the_downloads_as_they_are(db: &TestDb) {
    let server = TestServer::start(db).await;
    let demo = app::ssr::demo::seed_demo(&server.state.db, PASSWORD)
        .await
        .unwrap()
        .unwrap();
    let release = app::ssr::releases::release(&server.state.db, demo.published_study_id, None)
        .await
        .unwrap();
    let http = client();
    let own: String = db
        .url
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let dir = std::env::temp_dir().join(format!("concord-downloads-{own}"));
    std::fs::create_dir_all(&dir).unwrap();
    let base = format!("/api/v1/studies/{}/releases/1", demo.published_study_id);
    let mut files = Vec::new();
    for name in ["cells.csv", "ratings.csv"] {
        let response = http
            .get(server.url(&format!("{base}/{name}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let path = dir.join(name);
        std::fs::write(&path, response.bytes().await.unwrap()).unwrap();
        files.push(path);
    }
    let (cells, ratings) = (files[0].to_str().unwrap(), files[1].to_str().unwrap());
    let n_cells = release.results.cells.len();
    let n_ratings = release.ratings.len();
    // pandas: shape, a numeric column read as numbers, text with commas intact.
    let script = format!(
        "import pandas as pd\n\
         c = pd.read_csv({cells:?})\n\
         r = pd.read_csv({ratings:?})\n\
         print(c.shape[0], c.shape[1], r.shape[0], r.shape[1], c['n'].dtype.kind, c['median'].dtype.kind, \
         int((c['reconciliation_rationale'].fillna('').str.contains(',')).sum()))"
    );
    let pandas = run(&python(), &["-c", &script]);
    let reconciled_with_comma = release
        .results
        .cells
        .iter()
        .filter(|c| {
            c.reconciliation
                .as_ref()
                .is_some_and(|r| r.rationale.contains(','))
        })
        .count();
    assert!(
        reconciled_with_comma > 0,
        "the demo's rationales carry commas"
    );
    assert_eq!(
        pandas,
        format!("{n_cells} 21 {n_ratings} 5 i f {reconciled_with_comma}")
    );
    // R: the same shape, numbers as numbers.
    let script = format!(
        "c <- read.csv({cells:?}); r <- read.csv({ratings:?}); \
         cat(nrow(c), ncol(c), nrow(r), ncol(r), is.numeric(c$n), is.numeric(c$median))"
    );
    let r = run(Path::new("Rscript"), &["-e", &script]);
    assert_eq!(r, format!("{n_cells} 21 {n_ratings} 5 TRUE TRUE"));
    std::fs::remove_dir_all(&dir).ok();
    server.stop().await;
}

on_both_databases!(pandas_and_r_read_the_downloads_as_they_are);
