//! Reproduces every published value listed in `testdata/irr/expected.json`
//! (copied from the project's shared test data) within its stated
//! tolerance, reading each dataset's CSV with its category list.
//!
//! Every vector is checked; a coefficient name without an implementation
//! below is a failure, not a skip.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::path::PathBuf;

use concord_stats::alpha::{krippendorff_alpha, Level};
use concord_stats::icc::{icc, IccForm};
use concord_stats::kappa::{
    brennan_prediger, cohen_kappa, cohen_kappa_pair, conger_kappa, fleiss_kappa, gwet_ac,
    krippendorff_alpha_gwet, light_kappa, percent_agreement, scott_pi, Coefficient, Weights,
};
use concord_stats::kendall::kendall_w;
use concord_stats::matrix::{CategorySet, RatingMatrix};
use concord_stats::report::{read_ratings, AgreementOptions};
use serde_json::Value;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/irr")
}

/// The dataset's category list as strings (JSON numbers print as "1", …).
fn category_list(dataset: &Value) -> Option<Vec<String>> {
    dataset.get("categories")?.as_array().map(|cats| {
        cats.iter()
            .map(|c| match c {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()
    })
}

fn load(dataset: &Value) -> RatingMatrix {
    let file = dataset["file"].as_str().expect("dataset file");
    let text = std::fs::read_to_string(data_dir().join(file)).expect("read dataset");
    let opts = AgreementOptions {
        categories: category_list(dataset),
        ..AgreementOptions::default()
    };
    let m = read_ratings(&text, &opts).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_eq!(
        m.n_units() as u64,
        dataset["n_units"].as_u64().unwrap_or(0),
        "{file}: units"
    );
    assert_eq!(
        m.n_raters() as u64,
        dataset["n_raters"].as_u64().unwrap_or(0),
        "{file}: raters"
    );
    assert_eq!(
        m.n_missing() as u64,
        dataset["missing_cells"].as_u64().unwrap_or(0),
        "{file}: missing"
    );
    m
}

fn weights_named(name: Option<&str>, categories: &CategorySet) -> Weights {
    match name {
        None => Weights::Identity,
        Some("linear") => Weights::linear(categories).expect("ordered categories"),
        Some("quadratic") => Weights::quadratic(categories).expect("ordered categories"),
        Some(other) => panic!("unknown weights {other:?}"),
    }
}

/// Parses "custom [asymmetric] disagreement [[…],[…]] (row=Judge1)".
fn custom_disagreement(spec: &str) -> (Vec<Vec<f64>>, Option<String>) {
    let start = spec.find("[[").expect("matrix in weights spec");
    let end = spec.rfind("]]").expect("matrix end") + 2;
    let matrix: Vec<Vec<f64>> = serde_json::from_str(&spec[start..end]).expect("matrix JSON");
    let row = spec
        .split_once("(row=")
        .map(|(_, r)| r.trim_end_matches(')').to_string());
    (matrix, row)
}

/// Splits "name[arg]" into ("name", Some("arg")).
fn split_arg(coefficient: &str) -> (&str, Option<&str>) {
    match coefficient.split_once('[') {
        Some((name, rest)) => (name, rest.strip_suffix(']')),
        None => (coefficient, None),
    }
}

fn coefficient_value(c: Option<Coefficient>, se: bool) -> Option<f64> {
    let c = c?;
    if se {
        c.standard_error
    } else {
        Some(c.value)
    }
}

/// Computes one vector's coefficient; `Err` names what is missing.
fn compute(m: &RatingMatrix, dataset: &Value, vector: &Value) -> Result<Option<f64>, String> {
    let coefficient = vector["coefficient"].as_str().unwrap_or_default();
    let level: Level = vector["level"]
        .as_str()
        .unwrap_or("nominal")
        .parse()
        .map_err(|e| format!("{e}"))?;
    let weights_spec = vector["weights"].as_str();
    let cats = m.categories();
    let (base, se) = match coefficient.strip_suffix("_se") {
        Some(b) => (b, true),
        None => (coefficient, false),
    };
    let (name, arg) = split_arg(base);
    let plain_weights = || {
        if weights_spec.is_some_and(|w| w.starts_with("custom")) {
            Weights::Identity
        } else {
            weights_named(weights_spec, cats)
        }
    };
    Ok(match name {
        "krippendorff_alpha" => krippendorff_alpha(m, level),
        "percent_agreement_gwet" => coefficient_value(percent_agreement(m, &plain_weights()), se),
        "gwet_ac1" | "gwet_ac2" => coefficient_value(gwet_ac(m, &plain_weights()), se),
        "fleiss_kappa_gwet_generalized" => coefficient_value(scott_pi(m, &plain_weights()), se),
        "conger_kappa" => coefficient_value(conger_kappa(m, &plain_weights()), se),
        "brennan_prediger" => coefficient_value(brennan_prediger(m, &plain_weights()), se),
        "krippendorff_alpha_gwet" => {
            coefficient_value(krippendorff_alpha_gwet(m, &plain_weights()), se)
        }
        "fleiss_kappa" => fleiss_kappa(m).map(|f| f.kappa),
        "fleiss_kappa_z" => fleiss_kappa(m).and_then(|f| f.z),
        "fleiss_P_bar" => fleiss_kappa(m).map(|f| f.p_bar),
        "fleiss_P_bar_e" => fleiss_kappa(m).map(|f| f.p_bar_e),
        "fleiss_P_i" => {
            let unit = arg
                .and_then(|a| a.strip_prefix("unit "))
                .ok_or("P_i needs a unit")?;
            let u = m.unit_index(unit).ok_or(format!("no unit {unit}"))?;
            let f = fleiss_kappa(m).ok_or("Fleiss undefined")?;
            // Every unit of this dataset is rated, so P_i is in unit order.
            assert_eq!(f.p_i.len(), m.n_units());
            f.p_i.get(u).copied()
        }
        "fleiss_category_kappa" => {
            let label = arg.ok_or("category kappa needs a category")?;
            let k = cats.index_of(label).ok_or(format!("no category {label}"))?;
            fleiss_kappa(m).and_then(|f| f.category_kappas[k as usize])
        }
        "light_kappa" => light_kappa(m),
        "cohen_kappa" => match arg {
            Some(pair) => {
                let (a, b) = pair.split_once(',').ok_or("cohen pair")?;
                let a = m.rater_index(a.trim()).ok_or(format!("no rater {a}"))?;
                let b = m.rater_index(b.trim()).ok_or(format!("no rater {b}"))?;
                cohen_kappa_pair(m, a, b, &Weights::Identity).map(|c| c.value)
            }
            None => cohen_kappa(m, &Weights::Identity).map(|c| c.value),
        },
        "cohen_weighted_kappa_disagreement" => {
            let (v, row) = custom_disagreement(weights_spec.ok_or("custom weights")?);
            let raters: Vec<String> = dataset["raters"]
                .as_array()
                .map(|r| {
                    r.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            let row_rater = row.unwrap_or_else(|| raters[0].clone());
            let col_rater = raters
                .iter()
                .find(|r| **r != row_rater)
                .ok_or("second rater")?;
            let a = m.rater_index(&row_rater).ok_or("row rater")?;
            let b = m.rater_index(col_rater).ok_or("column rater")?;
            let w = Weights::from_disagreement(&v).ok_or("bad disagreement matrix")?;
            cohen_kappa_pair(m, a, b, &w).map(|c| c.value)
        }
        "kendall_w_tie_corrected" => kendall_w(m).map(|k| k.w),
        "friedman_Q" => kendall_w(m).map(|k| k.friedman_chi2),
        icc_name if icc_name.starts_with("ICC(") => {
            let inner = icc_name.trim_start_matches("ICC(").trim_end_matches(')');
            let (model, k) = inner.split_once(',').ok_or("ICC form")?;
            let single = k.trim() == "1";
            let form = match (model.trim(), single) {
                ("1", true) => IccForm::Single1,
                ("2", true) => IccForm::Single2,
                ("3", true) => IccForm::Single3,
                ("1", false) => IccForm::Average1,
                ("2", false) => IccForm::Average2,
                ("3", false) => IccForm::Average3,
                _ => return Err(format!("unknown ICC form {icc_name}")),
            };
            if !single {
                let raters: usize = k.trim().parse().map_err(|_| format!("ICC k {k}"))?;
                assert_eq!(
                    raters,
                    m.active_raters().len(),
                    "ICC(·,k) with k = number of raters"
                );
            }
            icc(m, 0.95).and_then(|t| t.get(form).and_then(|e| e.value))
        }
        other => return Err(format!("no implementation for coefficient {other:?}")),
    })
}

#[test]
fn every_published_value_is_reproduced_within_its_tolerance() {
    let text = std::fs::read_to_string(data_dir().join("expected.json")).expect("expected.json");
    let expected: Value = serde_json::from_str(&text).expect("valid JSON");
    let datasets = expected["datasets"].as_object().expect("datasets");
    let vectors = expected["vectors"].as_array().expect("vectors");
    assert!(!vectors.is_empty());
    let mut failures = Vec::new();
    let mut report = String::new();
    for vector in vectors {
        let id = vector["id"].as_str().unwrap_or("?");
        let dataset = &datasets[vector["dataset"].as_str().unwrap_or_default()];
        let m = load(dataset);
        let published = vector["published_value"].as_f64().expect("published value");
        let tolerance = vector["tolerance"].as_f64().expect("tolerance");
        match compute(&m, dataset, vector) {
            Ok(Some(got)) => {
                let diff = (got - published).abs();
                let ok = diff <= tolerance;
                report.push_str(&format!(
                    "{} {id}: computed {got:.10}, published {published} (|diff| {diff:.2e} <= {tolerance:.2e})\n",
                    if ok { "ok  " } else { "FAIL" }
                ));
                if !ok {
                    failures.push(format!("{id}: computed {got}, published {published}, |diff| {diff} > tolerance {tolerance}"));
                }
            }
            Ok(None) => failures.push(format!(
                "{id}: computed nothing (undefined), published {published}"
            )),
            Err(why) => failures.push(format!("{id}: {why}")),
        }
    }
    println!("{report}");
    assert!(
        failures.is_empty(),
        "{} of {} published values not reproduced:\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n")
    );
}

/// The same data through the public report (the JSON contract) agrees with
/// the published nominal, ordinal, interval and ratio alphas.
#[test]
fn report_json_reproduces_krippendorff_2011() {
    let text =
        std::fs::read_to_string(data_dir().join("krippendorff2011_4obs_12units.csv")).expect("csv");
    let opts = AgreementOptions {
        categories: Some(["1", "2", "3", "4", "5"].map(String::from).to_vec()),
        ..AgreementOptions::default()
    };
    let r = concord_stats::agreement_report(&text, &opts).expect("report");
    for (level, published) in [
        ("nominal", 0.743),
        ("ordinal", 0.815),
        ("interval", 0.849),
        ("ratio", 0.797),
    ] {
        let got = r["krippendorff_alpha"][level].as_f64().expect("number");
        assert!((got - published).abs() <= 0.000_500_001, "{level}: {got}");
    }
    assert_eq!(r["units"], 12);
    assert_eq!(r["raters"], 4);
    assert_eq!(r["ratings"], 41);
    // Without the list the categories are the values seen, numerically sorted.
    let plain =
        concord_stats::agreement_report(&text, &AgreementOptions::default()).expect("report");
    assert_eq!(plain["krippendorff_alpha"], r["krippendorff_alpha"]);
}
