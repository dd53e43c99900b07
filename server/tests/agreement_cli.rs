//! `concord agreement` as a person runs it: the real binary, real files.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::path::PathBuf;
use std::process::{Command, Output};

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("concord-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn concord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(args)
        .output()
        .expect("run concord")
}

fn published(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../app/stats/testdata/irr")
        .join(name);
    path.display().to_string()
}

#[test]
fn prints_the_published_alpha_of_krippendorffs_example() {
    let out = concord(&[
        "agreement",
        &published("krippendorff2011_4obs_12units.csv"),
        "--level",
        "ordinal",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    for key in [
        "units",
        "raters",
        "ratings",
        "categories",
        "percent_agreement",
        "krippendorff_alpha",
        "fleiss_kappa",
        "cohen_kappa",
        "cohen_kappa_weighted",
        "scott_pi",
        "conger_kappa",
        "brennan_prediger",
        "gwet_ac1",
        "gwet_ac2",
        "icc",
        "kendall_w",
    ] {
        assert!(report.get(key).is_some(), "key {key} missing");
    }
    assert_eq!(report["units"], 12);
    assert_eq!(report["raters"], 4);
    // Krippendorff (2011): nominal 0.743, ordinal 0.815, interval 0.849.
    let alpha = &report["krippendorff_alpha"];
    for (level, published) in [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)] {
        let value = alpha[level].as_f64().unwrap();
        assert!((value - published).abs() <= 0.0005, "{level}: {value}");
    }
    // Four raters: Cohen's kappa is undefined.
    assert!(report["cohen_kappa"].is_null());
}

#[test]
fn the_same_seed_gives_the_same_interval() {
    let file = published("krippendorff2011_4obs_12units.csv");
    let a = concord(&["agreement", &file, "--seed", "7"]);
    let b = concord(&["agreement", &file, "--seed", "7"]);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
}

fn assert_refused(out: &Output, needle: &str) {
    assert_eq!(out.status.code(), Some(2), "exit status");
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(needle),
        "stderr {stderr:?} should mention {needle:?}"
    );
}

#[test]
fn malformed_files_name_the_line_and_exit_2() {
    let no_header = write("no-header.csv", "u1,A,1\nu1,B,2\n");
    assert_refused(
        &concord(&["agreement", no_header.to_str().unwrap()]),
        "line 1",
    );

    let duplicate = write(
        "duplicate.csv",
        "unit,rater,value\nu1,A,1\nu1,B,2\nu1,A,3\n",
    );
    assert_refused(
        &concord(&["agreement", duplicate.to_str().unwrap()]),
        "line 4",
    );

    let quoting = write("quoting.csv", "unit,rater,value\nu1,A,1\n\"u2,B,2\n");
    assert_refused(
        &concord(&["agreement", quoting.to_str().unwrap()]),
        "line 3",
    );

    let text = write("text.csv", "unit,rater,value\nu1,A,1\nu1,B,high\n");
    assert_refused(
        &concord(&["agreement", text.to_str().unwrap(), "--level", "interval"]),
        "line 3",
    );
}

#[test]
fn errors_deep_in_a_large_file_name_their_line() {
    // Over a megabyte, so the file is read in parts on several threads.
    let mut big = String::from("unit,rater,value\n");
    for u in 0..40_000 {
        for (r, rater) in ["A", "B", "C"].iter().enumerate() {
            big.push_str(&format!("unit-{u},{rater},{}\n", (u + r) % 5 + 1));
        }
    }
    let ok = write("large.csv", &big);
    let out = concord(&["agreement", ok.to_str().unwrap()]);
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (report["units"].as_u64(), report["ratings"].as_u64()),
        (Some(40_000), Some(120_000))
    );

    let duplicate = write("large-duplicate.csv", &format!("{big}unit-39999,B,2\n"));
    assert_refused(
        &concord(&["agreement", duplicate.to_str().unwrap()]),
        "line 120002: duplicate rating for unit unit-39999 by rater B",
    );

    let mut bytes = big.into_bytes();
    let at = bytes.len() * 3 / 4;
    let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
    bytes[at] = 0xff;
    let path = write("large-not-utf8.csv", "");
    std::fs::write(&path, &bytes).unwrap();
    assert_refused(
        &concord(&["agreement", path.to_str().unwrap()]),
        &format!("line {line}: the file is not UTF-8 text"),
    );
}

#[test]
fn bad_arguments_exit_2() {
    let ok = write("ok.csv", "unit,rater,value\nu1,A,1\nu1,B,2\n");
    assert_refused(
        &concord(&["agreement", ok.to_str().unwrap(), "--level", "cardinal"]),
        "cardinal",
    );
    assert_refused(&concord(&["agreement", "/no/such/file.csv"]), "cannot read");
}
