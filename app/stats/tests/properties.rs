//! Property tests over seeded random rating sets: perfect agreement gives 1
//! wherever a coefficient is defined; results do not depend on the order of
//! rows, units or raters; interval alpha is invariant under linear
//! rescaling; a unit with a single rating changes no alpha.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use concord_stats::alpha::{bootstrap_alpha, krippendorff_alpha, BootstrapOptions, Level};
use concord_stats::icc::icc;
use concord_stats::kappa::{
    brennan_prediger, cohen_kappa, conger_kappa, fleiss_kappa, gwet_ac, krippendorff_alpha_gwet,
    percent_agreement, scott_pi, Weights,
};
use concord_stats::kendall::kendall_w;
use concord_stats::matrix::{BuildOptions, RatingMatrix};
use concord_stats::report::{agreement_report, AgreementOptions};
use concord_stats::rng::Rng;
use serde_json::Value;

const CASES: u64 = 150;

/// A long-format data set: (unit, rater, value) with `None` for blanks.
type Rows = Vec<(String, String, Option<String>)>;

/// Random ratings: `units` units, `raters` raters, values drawn near a
/// per-unit truth from `levels`, some blanks and some absent rows.
fn random_rows(rng: &mut Rng, levels: &[f64], perfect: bool) -> Rows {
    let units = 3 + rng.below(40) as usize;
    let raters = 2 + rng.below(5) as usize;
    let missing = rng.next_f64() * 0.3;
    let mut rows = Vec::new();
    for u in 0..units {
        let truth = rng.below(levels.len() as u64) as i64;
        for r in 0..raters {
            let roll = rng.next_f64();
            if roll < missing / 2.0 {
                continue; // no row at all
            }
            let value = if roll < missing {
                None
            } else {
                let jitter = if perfect { 0 } else { rng.below(3) as i64 - 1 };
                let idx = (truth + jitter).clamp(0, levels.len() as i64 - 1) as usize;
                Some(format_value(levels[idx]))
            };
            rows.push((format!("unit{u}"), format!("rater{r}"), value));
        }
    }
    rows
}

fn format_value(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn matrix(rows: &Rows) -> RatingMatrix {
    RatingMatrix::from_rows(
        rows.iter()
            .map(|(u, r, v)| (u.as_str(), r.as_str(), v.as_deref())),
        BuildOptions::default(),
    )
    .expect("valid rows")
}

fn csv(rows: &Rows) -> String {
    let mut s = String::from("unit,rater,value\n");
    for (u, r, v) in rows {
        s.push_str(&format!("{u},{r},{}\n", v.as_deref().unwrap_or("")));
    }
    s
}

fn random_levels(rng: &mut Rng) -> Vec<f64> {
    let q = 2 + rng.below(6) as usize;
    if rng.below(2) == 0 {
        (1..=q).map(|i| i as f64).collect()
    } else {
        // Unevenly spaced, some fractional, all positive.
        let mut v = 0.5;
        (0..q)
            .map(|_| {
                v += 0.25 + rng.next_f64() * 3.0;
                (v * 4.0).round() / 4.0
            })
            .collect()
    }
}

fn shuffle<T>(rng: &mut Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

fn assert_close(a: Option<f64>, b: Option<f64>, tol: f64, what: &str) {
    match (a, b) {
        (Some(x), Some(y)) => assert!(
            (x - y).abs() <= tol * (1.0 + x.abs().max(y.abs())),
            "{what}: {x} vs {y}"
        ),
        (None, None) => {}
        _ => panic!("{what}: {a:?} vs {b:?}"),
    }
}

/// JSON equality with a relative tolerance on numbers.
fn json_close(a: &Value, b: &Value, path: &str) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            assert!(
                (x - y).abs() <= 1e-9 * (1.0 + x.abs().max(y.abs())),
                "{path}: {x} vs {y}"
            );
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{path}"
            );
            for (k, v) in x {
                json_close(v, &y[k], &format!("{path}.{k}"));
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{path}");
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                json_close(p, q, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(a, b, "{path}"),
    }
}

#[test]
fn perfect_agreement_gives_one_wherever_defined() {
    let mut rng = Rng::seed_from_u64(11);
    let mut checked = 0;
    for _ in 0..CASES {
        let levels = random_levels(&mut rng);
        let rows = random_rows(&mut rng, &levels, true);
        let m = matrix(&rows);
        let one = |x: Option<f64>, what: &str| {
            if let Some(v) = x {
                assert!((v - 1.0).abs() < 1e-12, "{what} = {v}");
            }
        };
        for level in Level::ALL {
            one(krippendorff_alpha(&m, level), level.as_str());
            if let Some(ci) = bootstrap_alpha(&m, level, &BootstrapOptions::default()) {
                assert!(
                    (ci.lower - 1.0).abs() < 1e-12 && (ci.upper - 1.0).abs() < 1e-12,
                    "{ci:?}"
                );
            }
        }
        let weights = [
            Weights::Identity,
            Weights::linear(m.categories()).unwrap(),
            Weights::quadratic(m.categories()).unwrap(),
        ];
        for w in &weights {
            one(
                percent_agreement(&m, w).map(|c| c.value),
                "percent agreement",
            );
            one(gwet_ac(&m, w).map(|c| c.value), "Gwet AC");
            one(scott_pi(&m, w).map(|c| c.value), "Scott");
            one(conger_kappa(&m, w).map(|c| c.value), "Conger");
            one(brennan_prediger(&m, w).map(|c| c.value), "Brennan-Prediger");
            one(cohen_kappa(&m, w).map(|c| c.value), "Cohen");
            one(
                krippendorff_alpha_gwet(&m, w).map(|c| c.value),
                "alpha (Gwet)",
            );
        }
        one(fleiss_kappa(&m).map(|f| f.kappa), "Fleiss");
        one(kendall_w(&m).map(|k| k.w), "Kendall W");
        if let Some(t) = icc(&m, 0.95) {
            for e in &t.estimates {
                one(e.value, e.form.label());
            }
        }
        let report = agreement_report(&csv(&rows), &AgreementOptions::default()).expect("report");
        for key in [
            "percent_agreement",
            "fleiss_kappa",
            "cohen_kappa",
            "scott_pi",
            "conger_kappa",
            "brennan_prediger",
            "gwet_ac1",
            "kendall_w",
        ] {
            one(report[key].as_f64(), key);
        }
        if krippendorff_alpha(&m, Level::Nominal).is_some() {
            checked += 1;
        }
    }
    assert!(
        checked > CASES / 2,
        "too few cases with variation: {checked}"
    );
}

#[test]
fn results_do_not_depend_on_row_unit_or_rater_order() {
    let mut rng = Rng::seed_from_u64(12);
    for case in 0..CASES {
        let levels = random_levels(&mut rng);
        let rows = random_rows(&mut rng, &levels, false);
        let base = agreement_report(&csv(&rows), &AgreementOptions::default()).expect("report");

        // Shuffle the rows (usually ungrouped: exercises the scattered path).
        let mut shuffled = rows.clone();
        shuffle(&mut rng, &mut shuffled);
        let r = agreement_report(&csv(&shuffled), &AgreementOptions::default()).expect("report");
        json_close(&base, &r, &format!("case {case} shuffled rows"));

        // Rename units and raters by random permutations, keeping rows grouped
        // but in a different unit order and first-seen rater order.
        let mut unit_names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        unit_names.dedup();
        let mut perm: Vec<usize> = (0..unit_names.len()).collect();
        shuffle(&mut rng, &mut perm);
        let rater_perm: Vec<u64> = {
            let mut p: Vec<u64> = (0..8).collect();
            shuffle(&mut rng, &mut p);
            p
        };
        let mut renamed: Rows = Vec::new();
        for &target in &perm {
            let mut unit_rows: Vec<_> = rows
                .iter()
                .filter(|r| r.0 == unit_names[target])
                .cloned()
                .collect();
            shuffle(&mut rng, &mut unit_rows);
            for (u, r, v) in unit_rows {
                let idx: usize = r.trim_start_matches("rater").parse().unwrap_or(0);
                renamed.push((format!("x{u}"), format!("judge{}", rater_perm[idx]), v));
            }
        }
        let r = agreement_report(&csv(&renamed), &AgreementOptions::default()).expect("report");
        json_close(&base, &r, &format!("case {case} renamed"));
    }
}

#[test]
fn interval_alpha_is_invariant_under_linear_rescaling() {
    let mut rng = Rng::seed_from_u64(13);
    for _ in 0..CASES {
        let levels = random_levels(&mut rng);
        let rows = random_rows(&mut rng, &levels, false);
        let m = matrix(&rows);
        let scale = (0.1 + rng.next_f64() * 50.0) * if rng.below(2) == 0 { -1.0 } else { 1.0 };
        let shift = rng.next_f64() * 2000.0 - 1000.0;
        let map = |v: &Option<String>, a: f64, b: f64| {
            v.as_ref().map(|s| {
                let x: f64 = s.parse().unwrap_or(0.0);
                format!("{:e}", a * x + b)
            })
        };
        let rescaled: Rows = rows
            .iter()
            .map(|(u, r, v)| (u.clone(), r.clone(), map(v, scale, shift)))
            .collect();
        let m2 = matrix(&rescaled);
        assert_close(
            krippendorff_alpha(&m, Level::Interval),
            krippendorff_alpha(&m2, Level::Interval),
            1e-9,
            "interval alpha",
        );
        // Order-preserving maps keep the nominal and ordinal alphas too.
        assert_close(
            krippendorff_alpha(&m, Level::Nominal),
            krippendorff_alpha(&m2, Level::Nominal),
            1e-12,
            "nominal alpha",
        );
        if scale > 0.0 {
            assert_close(
                krippendorff_alpha(&m, Level::Ordinal),
                krippendorff_alpha(&m2, Level::Ordinal),
                1e-12,
                "ordinal alpha",
            );
            // The ratio metric is invariant under pure rescaling.
            let stretched: Rows = rows
                .iter()
                .map(|(u, r, v)| (u.clone(), r.clone(), map(v, scale, 0.0)))
                .collect();
            let m3 = matrix(&stretched);
            assert_close(
                krippendorff_alpha(&m, Level::Ratio),
                krippendorff_alpha(&m3, Level::Ratio),
                1e-9,
                "ratio alpha",
            );
        }
        // An increasing map keeps every unit pattern, hence the same draws
        // for the same seed: the bootstrap interval is invariant too.
        if scale > 0.0 {
            let (a, b) = (
                bootstrap_alpha(&m, Level::Interval, &BootstrapOptions::default()),
                bootstrap_alpha(&m2, Level::Interval, &BootstrapOptions::default()),
            );
            assert_close(
                a.as_ref().map(|i| i.lower),
                b.as_ref().map(|i| i.lower),
                1e-9,
                "bootstrap lower",
            );
            assert_close(
                a.as_ref().map(|i| i.upper),
                b.as_ref().map(|i| i.upper),
                1e-9,
                "bootstrap upper",
            );
        }
    }
}

#[test]
fn a_unit_with_a_single_rating_changes_no_alpha() {
    let mut rng = Rng::seed_from_u64(14);
    for _ in 0..CASES {
        let levels = random_levels(&mut rng);
        let rows = random_rows(&mut rng, &levels, false);
        let m = matrix(&rows);
        for value in [
            format_value(levels[rng.below(levels.len() as u64) as usize]),
            "987.5".to_string(),
        ] {
            let mut more = rows.clone();
            let at = rng.below(more.len() as u64 + 1) as usize;
            more.insert(at, ("lonely".into(), "rater0".into(), Some(value.clone())));
            more.push(("lonely".into(), "rater1".into(), None));
            let m2 = matrix(&more);
            for level in Level::ALL {
                assert_close(
                    krippendorff_alpha(&m, level),
                    krippendorff_alpha(&m2, level),
                    1e-12,
                    &format!("{level} with {value}"),
                );
            }
        }
    }
}
