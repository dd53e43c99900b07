//! Criterion benchmarks: Krippendorff's alpha at each level on a synthetic
//! 100,000-unit × 5-rater ordinal data set (5 levels, 10% missing), the
//! bootstrap, parsing and the whole report, and per-cell statistics.

use std::hint::black_box;
use std::time::Duration;

use concord_stats::alpha::{bootstrap_alpha, krippendorff_alpha, BootstrapOptions, Level};
use concord_stats::cell::{
    cell_stats, disagreement_type, CellRating, CellSettings, ConsensusRule, OrdinalScale,
};
use concord_stats::matrix::{BuildOptions, RatingMatrix};
use concord_stats::report::{agreement_report, read_ratings, AgreementOptions};
use concord_stats::rng::Rng;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

/// 100,000 units × 5 raters on a 1–5 scale: each unit has a true level,
/// raters are off by one a third of the time, 10% of cells are blank.
fn synthetic_csv(units: usize, raters: usize) -> String {
    let mut rng = Rng::seed_from_u64(2024);
    let mut csv = String::with_capacity(units * raters * 14);
    csv.push_str("unit,rater,value\n");
    for u in 0..units {
        let truth = 1 + rng.below(5) as i64;
        for r in 0..raters {
            if rng.next_f64() < 0.1 {
                csv.push_str(&format!("u{u},r{r},\n"));
            } else {
                let v = (truth + rng.below(3) as i64 - 1).clamp(1, 5);
                csv.push_str(&format!("u{u},r{r},{v}\n"));
            }
        }
    }
    csv
}

fn alpha_benches(c: &mut Criterion) {
    let csv = synthetic_csv(100_000, 5);
    let m = read_ratings(&csv, &AgreementOptions::default()).expect("synthetic data parses");
    let mut group = c.benchmark_group("alpha_100k_units_x5");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(4));
    // From a fresh matrix: builds the per-unit count patterns (one pass over
    // the ratings), then alpha. (The file reader packs them while reading, so
    // the fresh matrix is built from the rows directly.)
    let fresh = RatingMatrix::from_rows(
        csv.lines().skip(1).map(|line| {
            let mut fields = line.split(',');
            let unit = fields.next().unwrap_or_default();
            let rater = fields.next().unwrap_or_default();
            (unit, rater, fields.next().filter(|v| !v.is_empty()))
        }),
        BuildOptions::default(),
    )
    .expect("synthetic rows build a matrix");
    for level in Level::ALL {
        group.bench_function(format!("{}_fresh_matrix", level.as_str()), |b| {
            b.iter_batched_ref(
                || fresh.clone(),
                |m| krippendorff_alpha(black_box(m), level),
                BatchSize::LargeInput,
            )
        });
    }
    // With the count patterns cached (every further level or coefficient).
    let _ = m.counts();
    for level in Level::ALL {
        group.bench_function(format!("{}_cached_counts", level.as_str()), |b| {
            b.iter(|| krippendorff_alpha(black_box(&m), level))
        });
    }
    group.bench_function("ordinal_bootstrap_1000", |b| {
        b.iter(|| bootstrap_alpha(black_box(&m), Level::Ordinal, &BootstrapOptions::default()))
    });
    group.bench_function("parse_csv", |b| {
        b.iter(|| read_ratings(black_box(&csv), &AgreementOptions::default()))
    });
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("full_report", |b| {
        let opts = AgreementOptions {
            level: Some(Level::Ordinal),
            ..AgreementOptions::default()
        };
        b.iter(|| agreement_report(black_box(&csv), &opts))
    });
    group.finish();
}

fn cell_benches(c: &mut Criterion) {
    let mut rng = Rng::seed_from_u64(7);
    let ratings: Vec<CellRating> = (0..15)
        .map(|_| CellRating {
            value: rng.below(5) as i64,
            confidence: Some(rng.below(101) as f64),
        })
        .collect();
    let values: Vec<i64> = ratings.iter().map(|r| r.value).collect();
    let settings = CellSettings {
        scale: OrdinalScale {
            lowest: 0,
            levels: 5,
        },
        rule: ConsensusRule::default(),
        min_raters: 3,
        bootstrap: BootstrapOptions::default(),
    };
    let mut group = c.benchmark_group("cell_15_ratings");
    group.bench_function("cell_stats_with_bootstrap_1000", |b| {
        b.iter(|| cell_stats(black_box(&ratings), 2, &settings))
    });
    group.bench_function("disagreement_type", |b| {
        b.iter(|| disagreement_type(black_box(&values), settings.scale, &settings.rule, 3))
    });
    group.finish();
}

criterion_group!(benches, alpha_benches, cell_benches);
criterion_main!(benches);
