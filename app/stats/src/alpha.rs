//! Krippendorff's alpha at the nominal, ordinal, interval and ratio levels,
//! with missing data, and a seeded bootstrap interval.
//!
//! Definitions follow Krippendorff (2011), "Computing Krippendorff's
//! Alpha-Reliability" (coincidence-matrix form): with n_uc the number of
//! values c in unit u, m_u the number of values in u, n_c the pairable values
//! of category c and n = Σ n_c (units with fewer than two values are not
//! pairable and drop out),
//!
//! α = 1 − (n − 1) · Σ_u [Σ_{c,k} n_uc n_uk δ²_ck / (m_u − 1)] / Σ_{c,k} n_c n_k δ²_ck.
//!
//! Metrics: nominal δ² = [c ≠ k]; interval δ² = (v_c − v_k)²; ratio
//! δ² = ((v_c − v_k)/(v_c + v_k))²; ordinal δ²_ck = (Σ_{g=c..k} n_g −
//! (n_c + n_k)/2)², which equals (t_k − t_c)² for the mid-rank positions
//! t_c = Σ_{g<c} n_g + n_c/2. So the nominal, ordinal and interval sums
//! separate into per-unit moments (O(d) for a unit with d distinct values);
//! ratio sums over pairs of a unit's distinct values and, for the expected
//! disagreement, over pairs of used categories (O(q²)). Nothing is ever
//! O(ratings × q²).
//!
//! Units with the same counts contribute identically, so alpha sums over the
//! distinct unit patterns of [`CategoryCounts`] (built once per matrix in
//! O(ratings)): after that, every level costs O(patterns · d + q), or
//! O(patterns · d² + q²) for ratio — microseconds for 100,000 units.
//!
//! The bootstrap resamples units (Hayes & Krippendorff 2007 resample pairable
//! values instead; resampling units keeps the dependence between a unit's
//! values and is the scheme studied by Zapf et al. 2016, BMC Med. Res.
//! Methodol. 16:93). A replicate is a multinomial draw over the patterns, in
//! an order fixed by the data alone: the interval depends only on the data
//! and the seed, not on row, unit or rater order, and costs O(patterns), not
//! O(units), per replicate. Ordinal replicates recompute the mid-ranks from
//! the replicate's own marginals.
//!
//! [`CategoryCounts`]: crate::matrix::CategoryCounts

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::matrix::{total, CategoryCount, CategorySet, RatingMatrix};
use crate::par;
use crate::rng::{count_as_f64, Rng};

/// Level of measurement of a scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Nominal,
    Ordinal,
    Interval,
    Ratio,
}

impl Level {
    /// All four levels, coarsest first.
    pub const ALL: [Level; 4] = [
        Level::Nominal,
        Level::Ordinal,
        Level::Interval,
        Level::Ratio,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Nominal => "nominal",
            Level::Ordinal => "ordinal",
            Level::Interval => "interval",
            Level::Ratio => "ratio",
        }
    }

    /// Whether values must be numbers at this level.
    pub fn needs_numbers(self) -> bool {
        matches!(self, Level::Interval | Level::Ratio)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown level name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseLevelError(pub String);

impl fmt::Display for ParseLevelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown level of measurement {:?}: expected nominal, ordinal, interval or ratio",
            self.0
        )
    }
}

impl std::error::Error for ParseLevelError {}

impl FromStr for Level {
    type Err = ParseLevelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "nominal" => Ok(Level::Nominal),
            "ordinal" => Ok(Level::Ordinal),
            "interval" => Ok(Level::Interval),
            "ratio" => Ok(Level::Ratio),
            _ => Err(ParseLevelError(s.to_string())),
        }
    }
}

/// A disagreement function δ² made ready for one set of marginals.
#[derive(Debug, Clone)]
enum Prepared {
    Nominal,
    /// Interval on the given per-category values (ordinal uses mid-ranks).
    Interval(Vec<f64>),
    Ratio(Vec<f64>),
    /// A q × q δ² matrix, row-major.
    Matrix(Vec<f64>, usize),
}

/// Which δ² to use, before marginals are known.
#[derive(Debug, Clone, Copy)]
enum Metric<'a> {
    Level(Level),
    Matrix(&'a [f64]),
}

/// Mid-rank positions t_c = Σ_{g<c} n_g + n_c / 2 (Krippendorff's ordinal metric).
fn ordinal_positions(marginals: &[f64]) -> Vec<f64> {
    let mut positions = vec![0.0; marginals.len()];
    ordinal_positions_into(marginals, &mut positions);
    positions
}

/// [`ordinal_positions`] written into `out`.
fn ordinal_positions_into(marginals: &[f64], out: &mut [f64]) {
    let mut below = 0.0;
    for (t, &n) in out.iter_mut().zip(marginals) {
        *t = below + n / 2.0;
        below += n;
    }
}

/// Σ_{c,k} n_c n_k (v_c − v_k)² over marginals n (= 2 n Σ n_c (v_c − v̄)²);
/// 0 with fewer than two categories in use.
fn interval_expected_sum(marginals: &[f64], v: &[f64]) -> f64 {
    if marginals.iter().filter(|&&x| x > 0.0).count() < 2 {
        return 0.0;
    }
    let n: f64 = marginals.iter().sum();
    let mean = marginals
        .iter()
        .zip(v)
        .map(|(n_c, v_c)| n_c * v_c)
        .sum::<f64>()
        / n;
    let ss: f64 = marginals
        .iter()
        .zip(v)
        .map(|(n_c, v_c)| n_c * (v_c - mean) * (v_c - mean))
        .sum();
    2.0 * n * ss
}

impl Prepared {
    fn new(metric: Metric<'_>, categories: &CategorySet, marginals: &[f64]) -> Option<Prepared> {
        match metric {
            Metric::Level(Level::Nominal) => Some(Prepared::Nominal),
            Metric::Level(Level::Ordinal) => categories
                .is_ordered()
                .then(|| Prepared::Interval(ordinal_positions(marginals))),
            Metric::Level(Level::Interval) => categories
                .numeric_values()
                .map(|v| Prepared::Interval(v.to_vec())),
            Metric::Level(Level::Ratio) => {
                let v = categories.numeric_values()?;
                // The ratio metric needs a natural zero: no negative values.
                v.iter()
                    .all(|&x| x >= 0.0)
                    .then(|| Prepared::Ratio(v.to_vec()))
            }
            Metric::Matrix(d) => {
                let q = categories.len();
                (d.len() == q * q && d.iter().all(|x| x.is_finite()))
                    .then(|| Prepared::Matrix(d.to_vec(), q))
            }
        }
    }

    /// Σ_{c,k} n_uc n_uk δ²_ck within one unit.
    fn unit_sum(&self, unit: &[CategoryCount]) -> f64 {
        // A unit with one distinct value has no disagreement: exactly zero,
        // whatever rounding the general formulas would leave.
        if unit.len() < 2 {
            return 0.0;
        }
        match self {
            Prepared::Nominal => {
                let m = total(unit) as f64;
                m * m
                    - unit
                        .iter()
                        .map(|c| f64::from(c.count) * f64::from(c.count))
                        .sum::<f64>()
            }
            Prepared::Interval(v) => {
                // Σ n_c n_k (v_c − v_k)² = 2 m Σ n_c (v_c − v̄)²
                let m = total(unit) as f64;
                let mean = unit
                    .iter()
                    .map(|c| f64::from(c.count) * v[c.category as usize])
                    .sum::<f64>()
                    / m;
                let ss: f64 = unit
                    .iter()
                    .map(|c| {
                        let d = v[c.category as usize] - mean;
                        f64::from(c.count) * d * d
                    })
                    .sum();
                2.0 * m * ss
            }
            Prepared::Ratio(v) => {
                let mut s = 0.0;
                for (i, a) in unit.iter().enumerate() {
                    for b in &unit[i + 1..] {
                        s += f64::from(a.count)
                            * f64::from(b.count)
                            * ratio_delta2(v[a.category as usize], v[b.category as usize]);
                    }
                }
                2.0 * s
            }
            Prepared::Matrix(d, q) => {
                let mut s = 0.0;
                for a in unit {
                    for b in unit {
                        s += f64::from(a.count)
                            * f64::from(b.count)
                            * d[a.category as usize * q + b.category as usize];
                    }
                }
                s
            }
        }
    }

    /// Σ_{c,k} n_c n_k δ²_ck over the pairable marginals.
    fn expected_sum(&self, marginals: &[f64]) -> f64 {
        if marginals.iter().filter(|&&x| x > 0.0).count() < 2 {
            return 0.0;
        }
        let n: f64 = marginals.iter().sum();
        match self {
            Prepared::Nominal => n * n - marginals.iter().map(|x| x * x).sum::<f64>(),
            Prepared::Interval(v) => interval_expected_sum(marginals, v),
            Prepared::Ratio(v) => {
                let used: Vec<(f64, f64)> = marginals
                    .iter()
                    .zip(v)
                    .filter(|(n_c, _)| **n_c > 0.0)
                    .map(|(&n_c, &v_c)| (n_c, v_c))
                    .collect();
                let mut s = 0.0;
                for (i, &(na, va)) in used.iter().enumerate() {
                    for &(nb, vb) in &used[i + 1..] {
                        s += na * nb * ratio_delta2(va, vb);
                    }
                }
                2.0 * s
            }
            Prepared::Matrix(d, q) => {
                let used: Vec<usize> = (0..marginals.len())
                    .filter(|&c| marginals[c] > 0.0)
                    .collect();
                let mut s = 0.0;
                for &a in &used {
                    for &b in &used {
                        s += marginals[a] * marginals[b] * d[a * q + b];
                    }
                }
                s
            }
        }
    }
}

/// Krippendorff's ratio metric; 0/0 (both values zero) is no disagreement.
fn ratio_delta2(a: f64, b: f64) -> f64 {
    let s = a + b;
    if s == 0.0 {
        0.0
    } else {
        let r = (a - b) / s;
        r * r
    }
}

/// The pieces of one alpha computation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AlphaParts {
    /// Observed disagreement D_o.
    pub observed: f64,
    /// Expected disagreement D_e.
    pub expected: f64,
    /// Pairable values n.
    pub pairable_values: f64,
    /// Units with at least two values.
    pub pairable_units: usize,
    /// 1 − D_o / D_e, `None` when D_e = 0 or n < 2.
    pub alpha: Option<f64>,
}

/// Pairable units' category totals n_c, and the number of pairable units.
fn pairable_marginals(m: &RatingMatrix) -> (Vec<f64>, usize) {
    let counts = m.counts();
    let mut marginals = vec![0.0; counts.n_categories()];
    let mut units = 0;
    for (pattern, n_units) in counts.patterns().filter(|(p, _)| total(p) >= 2) {
        units += n_units as usize;
        for c in pattern {
            marginals[c.category as usize] += n_units as f64 * f64::from(c.count);
        }
    }
    (marginals, units)
}

fn alpha_parts(m: &RatingMatrix, metric: Metric<'_>) -> Option<AlphaParts> {
    let (marginals, pairable_units) = pairable_marginals(m);
    let prepared = Prepared::new(metric, m.categories(), &marginals)?;
    let n: f64 = marginals.iter().sum();
    let mut within = 0.0;
    for (pattern, n_units) in m.counts().patterns() {
        let m_u = total(pattern);
        if m_u >= 2 {
            within += n_units as f64 * prepared.unit_sum(pattern) / (m_u as f64 - 1.0);
        }
    }
    let expected_sum = prepared.expected_sum(&marginals);
    let observed = if n > 0.0 { within / n } else { f64::NAN };
    let expected = if n > 1.0 {
        expected_sum / (n * (n - 1.0))
    } else {
        f64::NAN
    };
    let alpha = (n >= 2.0 && expected_sum > 0.0).then(|| 1.0 - (n - 1.0) * within / expected_sum);
    Some(AlphaParts {
        observed,
        expected,
        pairable_values: n,
        pairable_units,
        alpha: alpha.filter(|a| a.is_finite()),
    })
}

/// Krippendorff's alpha at `level`; `None` where undefined: no variation
/// among pairable values, fewer than two pairable values, unordered
/// categories at the ordinal level, non-numeric categories at the interval
/// or ratio level, negative values at the ratio level.
pub fn krippendorff_alpha(m: &RatingMatrix, level: Level) -> Option<f64> {
    alpha_parts(m, Metric::Level(level))?.alpha
}

/// D_o, D_e and alpha at `level` (`None` when the level does not apply to
/// the categories).
pub fn krippendorff_alpha_parts(m: &RatingMatrix, level: Level) -> Option<AlphaParts> {
    alpha_parts(m, Metric::Level(level))
}

/// Alpha with a custom q × q disagreement matrix δ² (row-major, symmetric,
/// zero diagonal), e.g. 1 − w for Gwet's agreement weights.
pub fn krippendorff_alpha_with_metric(m: &RatingMatrix, delta2: &[f64]) -> Option<f64> {
    alpha_parts(m, Metric::Matrix(delta2))?.alpha
}

/// Bootstrap settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BootstrapOptions {
    /// Number of bootstrap replicates.
    pub replicates: usize,
    /// Two-sided coverage of the percentile interval, e.g. 0.95.
    pub confidence: f64,
    /// Seed of the generator; the same seed and data give the same interval.
    pub seed: u64,
}

impl Default for BootstrapOptions {
    fn default() -> Self {
        BootstrapOptions {
            replicates: 1000,
            confidence: 0.95,
            seed: 1,
        }
    }
}

/// A bootstrap percentile interval for alpha.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlphaInterval {
    pub level: Level,
    /// Alpha on the full data.
    pub alpha: f64,
    pub lower: f64,
    pub upper: f64,
    pub confidence: f64,
    /// Standard deviation of the replicates.
    pub standard_error: f64,
    pub replicates: usize,
    /// Replicates where alpha was defined (a replicate drawing only units
    /// without variation has none); the interval uses these.
    pub defined_replicates: usize,
    pub seed: u64,
}

/// Replicates drawn from one stream of the generator: stream `i` (the
/// seed's stream jumped `i` times) draws replicates
/// `i·REPLICATES_PER_STREAM ..`, so the interval is the same however many
/// threads share the chunks. Small chunks, so that the threads finish
/// together: with 125 a chunk took ~0.8 ms on the 100,000-unit benchmark,
/// and one thread often waited most of that for the other's last.
const REPLICATES_PER_STREAM: usize = 16;

/// Percentile bootstrap interval for alpha at `level`, resampling pairable
/// units with replacement. `None` when alpha itself is undefined or fewer
/// than two replicates are defined.
///
/// Units with the same counts are drawn together (one multinomial over the
/// distinct patterns per replicate), so a replicate costs O(patterns)
/// whatever the number of units. Chunks of replicates run on every core.
pub fn bootstrap_alpha(
    m: &RatingMatrix,
    level: Level,
    options: &BootstrapOptions,
) -> Option<AlphaInterval> {
    bootstrap_alpha_on(m, level, options, par::threads())
}

/// [`bootstrap_alpha`] on at most `threads` threads.
fn bootstrap_alpha_on(
    m: &RatingMatrix,
    level: Level,
    options: &BootstrapOptions,
    threads: usize,
) -> Option<AlphaInterval> {
    let bootstrap = Bootstrap::new(m, level, options)?;
    let threads = threads.clamp(1, bootstrap.chunks);
    par::map((0..threads).collect(), |_| bootstrap.help());
    bootstrap.finish()
}

/// A bootstrap under way. Its replicates are drawn in chunks, each from a
/// generator stream of its own, so any thread may draw any chunk and the
/// interval does not depend on which did: threads call [`Bootstrap::help`]
/// (the report's main thread does once its other statistics are done),
/// then [`Bootstrap::finish`] makes the interval.
pub(crate) struct Bootstrap {
    plan: Resampling,
    level: Level,
    estimate: f64,
    options: BootstrapOptions,
    chunks: usize,
    /// The next chunk no thread has taken, and its stream: the seed's
    /// jumped that many times (the taker jumps it on for the next chunk).
    next: Mutex<(usize, Rng)>,
    /// The replicates drawn so far, in no particular order (the interval
    /// sorts them).
    drawn: Mutex<Vec<f64>>,
}

impl Bootstrap {
    /// `None` where the interval is undefined (no alpha, no replicates, a
    /// confidence outside (0, 1)).
    pub(crate) fn new(
        m: &RatingMatrix,
        level: Level,
        options: &BootstrapOptions,
    ) -> Option<Bootstrap> {
        let estimate = krippendorff_alpha(m, level)?;
        if options.replicates == 0 || !(options.confidence > 0.0 && options.confidence < 1.0) {
            return None;
        }
        Some(Bootstrap {
            plan: Resampling::new(m, level)?,
            level,
            estimate,
            options: *options,
            chunks: options.replicates.div_ceil(REPLICATES_PER_STREAM),
            next: Mutex::new((0, Rng::seed_from_u64(options.seed))),
            drawn: Mutex::new(Vec::new()),
        })
    }

    /// Draws chunks of replicates until none is left.
    pub(crate) fn help(&self) {
        loop {
            let (chunk, rng) = {
                let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
                let (chunk, stream) = &mut *next;
                if *chunk >= self.chunks {
                    return;
                }
                let taken = (*chunk, stream.clone());
                *chunk += 1;
                stream.jump();
                taken
            };
            let start = chunk * REPLICATES_PER_STREAM;
            let count = REPLICATES_PER_STREAM.min(self.options.replicates - start);
            let values = self.plan.replicates(rng, count);
            // The lock is held only to append: a poisoned one still holds
            // whole chunks (and the panic reaches the caller through `par`).
            let mut drawn = self.drawn.lock().unwrap_or_else(|e| e.into_inner());
            drawn.extend(values);
        }
    }

    /// The interval, once every chunk is drawn (chunks left undrawn are
    /// drawn here).
    pub(crate) fn finish(self) -> Option<AlphaInterval> {
        self.help();
        let options = &self.options;
        let mut values = self.drawn.into_inner().unwrap_or_else(|e| e.into_inner());
        if values.len() < 2 {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let var =
            values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (values.len() - 1) as f64;
        let tail = (1.0 - options.confidence) / 2.0;
        Some(AlphaInterval {
            level: self.level,
            alpha: self.estimate,
            lower: quantile_sorted(&values, tail),
            upper: quantile_sorted(&values, 1.0 - tail),
            confidence: options.confidence,
            standard_error: var.sqrt(),
            replicates: options.replicates,
            defined_replicates: values.len(),
            seed: options.seed,
        })
    }
}

/// What one bootstrap replicate needs of the data, per distinct pairable
/// unit pattern.
struct Resampling {
    /// How many units show each pattern, in [`resampled_patterns`] order.
    weights: Vec<u64>,
    n_units: u64,
    q: usize,
    /// Per pattern (in `weights` order) a row of `stride` numbers; the sum of
    /// the rows weighted by a replicate's pattern counts is everything alpha
    /// needs of the replicate, since all of it is linear in those counts:
    /// the q category totals, then either the within-unit disagreement
    /// Σ n_c n_k δ²_ck / (m − 1) (when the metric does not depend on the
    /// marginals) or, for ordinal, one Σ 2 n_c n_k / (m − 1) per category
    /// pair of `pairs` (δ² is the replicate's own). Zero-padded to a multiple
    /// of four so the sum runs in fixed-width registers.
    rows: Vec<f64>,
    stride: usize,
    /// The metric when it does not depend on the marginals.
    fixed: Option<Prepared>,
    /// Ordinal: the category pairs c < k that occur within some unit.
    pairs: Vec<(usize, usize)>,
}

impl Resampling {
    /// The plan for `level`; ordinal needs ordered categories, which the
    /// caller has checked (alpha itself is defined).
    fn new(m: &RatingMatrix, level: Level) -> Option<Resampling> {
        let categories = m.categories();
        let q = categories.len();
        let (patterns, weights): (Vec<&[CategoryCount]>, Vec<u64>) =
            resampled_patterns(m).into_iter().unzip();
        let fixed = match level {
            Level::Ordinal => None,
            _ => {
                let (full_marginals, _) = pairable_marginals(m);
                Some(Prepared::new(
                    Metric::Level(level),
                    categories,
                    &full_marginals,
                )?)
            }
        };
        // Ordinal: number the category pairs in order of first occurrence.
        let mut pairs = Vec::new();
        let mut pair_slot = std::collections::HashMap::new();
        if fixed.is_none() {
            for pattern in &patterns {
                for (i, a) in pattern.iter().enumerate() {
                    for b in &pattern[i + 1..] {
                        let pair = (a.category as usize, b.category as usize);
                        pair_slot.entry(pair).or_insert_with(|| {
                            pairs.push(pair);
                            pairs.len() - 1
                        });
                    }
                }
            }
        }
        let width = q + if fixed.is_some() { 1 } else { pairs.len() };
        let stride = width.next_multiple_of(4);
        let mut rows = vec![0.0; patterns.len() * stride];
        for (pattern, row) in patterns.iter().zip(rows.chunks_exact_mut(stride)) {
            let size = total(pattern) as f64;
            for c in pattern.iter() {
                row[c.category as usize] = f64::from(c.count);
            }
            match &fixed {
                Some(prepared) => row[q] = prepared.unit_sum(pattern) / (size - 1.0),
                None => {
                    for (i, a) in pattern.iter().enumerate() {
                        for b in &pattern[i + 1..] {
                            let slot = pair_slot[&(a.category as usize, b.category as usize)];
                            row[q + slot] =
                                2.0 * f64::from(a.count) * f64::from(b.count) / (size - 1.0);
                        }
                    }
                }
            }
        }
        Some(Resampling {
            n_units: weights.iter().sum(),
            weights,
            q,
            rows,
            stride,
            fixed,
            pairs,
        })
    }

    /// The defined alphas of `count` replicates drawn from `rng`.
    fn replicates(&self, mut rng: Rng, count: usize) -> Vec<f64> {
        const BLOCK: usize = 8;
        let k = self.weights.len();
        let q = self.q;
        let mut draws = vec![0u64; BLOCK * k];
        let mut sums = vec![0.0; self.stride];
        let mut positions = vec![0.0; q];
        let mut values = Vec::with_capacity(count);
        let mut done = 0;
        while done < count {
            let block = BLOCK.min(count - done);
            rng.multinomials(self.n_units, &self.weights, &mut draws[..block * k]);
            done += block;
            for draw in draws[..block * k].chunks_exact(k) {
                values.extend(self.alpha(draw, &mut sums, &mut positions));
            }
        }
        values
    }

    /// Alpha of the replicate with `counts[p]` units of pattern p, if
    /// defined; `sums` (`stride` long) and `positions` (`q` long) are
    /// scratch space.
    fn alpha(&self, counts: &[u64], sums: &mut [f64], positions: &mut [f64]) -> Option<f64> {
        weighted_row_sum(&self.rows, counts, sums);
        let (marginals, rest) = sums.split_at(self.q);
        let (within, expected_sum) = match &self.fixed {
            Some(prepared) => (rest[0], prepared.expected_sum(marginals)),
            None => {
                ordinal_positions_into(marginals, positions);
                let within = self
                    .pairs
                    .iter()
                    .zip(rest)
                    .map(|(&(c, k), s)| (positions[c] - positions[k]).powi(2) * s)
                    .sum();
                (within, interval_expected_sum(marginals, positions))
            }
        };
        let n: f64 = marginals.iter().sum();
        let a = 1.0 - (n - 1.0) * within / expected_sum;
        (n >= 2.0 && expected_sum > 0.0 && a.is_finite()).then_some(a)
    }
}

/// The pairable unit patterns with how many units show each, the most
/// frequent first (the sequential binomials then leave small counts for the
/// many rare patterns), ties in canonical order: an order fixed by the data
/// alone.
fn resampled_patterns(m: &RatingMatrix) -> Vec<(&[CategoryCount], u64)> {
    let mut pairable: Vec<(&[CategoryCount], u64)> = m
        .counts()
        .patterns()
        .filter(|(p, _)| total(p) >= 2)
        .collect();
    pairable.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    pairable
}

/// `out` = Σ_p counts[p] · row p of `rows` (rows of `out.len()` numbers, a
/// multiple of four). The common widths get a loop whose running sums stay
/// in registers: this is the inner loop of every replicate.
fn weighted_row_sum(rows: &[f64], counts: &[u64], out: &mut [f64]) {
    match out.len() {
        4 => weighted_row_sum_fixed::<4>(rows, counts, out),
        8 => weighted_row_sum_fixed::<8>(rows, counts, out),
        12 => weighted_row_sum_fixed::<12>(rows, counts, out),
        16 => weighted_row_sum_fixed::<16>(rows, counts, out),
        width => {
            out.fill(0.0);
            for (row, &count) in rows.chunks_exact(width).zip(counts) {
                let w = count_as_f64(count);
                for (s, x) in out.iter_mut().zip(row) {
                    *s += w * x;
                }
            }
        }
    }
}

/// [`weighted_row_sum`] for rows of exactly `W` numbers.
fn weighted_row_sum_fixed<const W: usize>(rows: &[f64], counts: &[u64], out: &mut [f64]) {
    let mut sums = [0.0; W];
    for (row, &count) in rows.chunks_exact(W).zip(counts) {
        let w = count_as_f64(count);
        for (s, x) in sums.iter_mut().zip(row) {
            *s += w * x;
        }
    }
    out.copy_from_slice(&sums);
}

/// Linear-interpolation quantile of sorted data (Hyndman & Fan 1996 type 7,
/// the default of R and NumPy).
pub(crate) fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::BuildOptions;

    fn matrix(rows: &[(&str, &str, &str)]) -> RatingMatrix {
        RatingMatrix::from_rows(
            rows.iter()
                .map(|&(u, r, v)| (u, r, (!v.is_empty()).then_some(v))),
            BuildOptions::default(),
        )
        .unwrap()
    }

    #[test]
    fn level_parses_and_rejects_clearly() {
        assert_eq!("Ordinal".parse::<Level>(), Ok(Level::Ordinal));
        let err = "likert".parse::<Level>().unwrap_err();
        assert!(err
            .to_string()
            .contains("expected nominal, ordinal, interval or ratio"));
    }

    #[test]
    fn two_coders_binary_example() {
        // Krippendorff (2011) section A: two observers, ten units, binary data; α = 0.095.
        let a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
        let b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];
        let units: Vec<String> = (0..10).map(|i| format!("u{i}")).collect();
        let vals: Vec<String> = a.iter().chain(&b).map(|v| v.to_string()).collect();
        let mut rows = Vec::new();
        for i in 0..10 {
            rows.push((units[i].as_str(), "A", Some(vals[i].as_str())));
            rows.push((units[i].as_str(), "B", Some(vals[10 + i].as_str())));
        }
        let m = RatingMatrix::from_rows(rows, BuildOptions::default()).unwrap();
        let alpha = krippendorff_alpha(&m, Level::Nominal).unwrap();
        assert!((alpha - 0.095).abs() < 0.0005, "{alpha}");
    }

    #[test]
    fn ordinal_equals_interval_on_midranks_and_custom_matrix_agrees() {
        let m = matrix(&[
            ("1", "A", "1"),
            ("1", "B", "2"),
            ("2", "A", "3"),
            ("2", "B", "3"),
            ("2", "C", "4"),
            ("3", "A", "1"),
            ("3", "C", "4"),
        ]);
        // Build the ordinal δ² matrix by its defining sum and compare.
        let (marg, _) = pairable_marginals(&m);
        let q = marg.len();
        let mut d = vec![0.0; q * q];
        for c in 0..q {
            for k in 0..q {
                let (lo, hi) = (c.min(k), c.max(k));
                let s: f64 = marg[lo..=hi].iter().sum::<f64>() - (marg[c] + marg[k]) / 2.0;
                d[c * q + k] = if c == k { 0.0 } else { s * s };
            }
        }
        let via_matrix = krippendorff_alpha_with_metric(&m, &d).unwrap();
        let direct = krippendorff_alpha(&m, Level::Ordinal).unwrap();
        assert!((via_matrix - direct).abs() < 1e-12);
    }

    #[test]
    fn undefined_cases_are_none() {
        let constant = matrix(&[
            ("1", "A", "2"),
            ("1", "B", "2"),
            ("2", "A", "2"),
            ("2", "B", "2"),
        ]);
        assert_eq!(krippendorff_alpha(&constant, Level::Nominal), None);
        let unpairable = matrix(&[("1", "A", "1"), ("2", "B", "2")]);
        assert_eq!(krippendorff_alpha(&unpairable, Level::Interval), None);
        let text = matrix(&[
            ("1", "A", "x"),
            ("1", "B", "y"),
            ("2", "A", "y"),
            ("2", "B", "y"),
        ]);
        assert!(krippendorff_alpha(&text, Level::Nominal).is_some());
        assert_eq!(krippendorff_alpha(&text, Level::Ordinal), None);
        assert_eq!(krippendorff_alpha(&text, Level::Interval), None);
        let negative = matrix(&[
            ("1", "A", "-1"),
            ("1", "B", "2"),
            ("2", "A", "2"),
            ("2", "B", "2"),
        ]);
        assert_eq!(krippendorff_alpha(&negative, Level::Ratio), None);
    }

    /// 200 units, three raters, five ordered levels with noise around a truth.
    fn noisy_ratings() -> RatingMatrix {
        let mut rows = Vec::new();
        let mut rng = Rng::seed_from_u64(9);
        let labels: Vec<String> = (0..200).map(|i| format!("u{i}")).collect();
        let values = ["1", "2", "3", "4", "5"];
        for u in &labels {
            let truth = rng.below(5) as usize;
            for r in ["A", "B", "C"] {
                let noise = rng.below(3) as usize;
                let v = (truth + noise).saturating_sub(1).min(4);
                rows.push((u.as_str(), r, Some(values[v])));
            }
        }
        RatingMatrix::from_rows(rows, BuildOptions::default()).unwrap()
    }

    #[test]
    fn bootstrap_is_reproducible_and_brackets_the_estimate() {
        let m = noisy_ratings();
        let opts = BootstrapOptions::default();
        for level in Level::ALL {
            let a = bootstrap_alpha(&m, level, &opts).unwrap();
            let b = bootstrap_alpha(&m, level, &opts).unwrap();
            assert_eq!(a, b);
            assert!(a.lower < a.alpha && a.alpha < a.upper, "{level}: {a:?}");
            assert!(a.upper - a.lower < 0.3);
            assert_eq!(a.defined_replicates, 1000);
        }
        // Chunks of replicates have their own streams: any number of threads
        // gives the same interval.
        for threads in [1, 2, 3, 8] {
            assert_eq!(
                bootstrap_alpha_on(&m, Level::Ordinal, &opts, threads),
                bootstrap_alpha(&m, Level::Ordinal, &opts),
                "{threads} threads"
            );
        }
        let other =
            bootstrap_alpha(&m, Level::Ordinal, &BootstrapOptions { seed: 2, ..opts }).unwrap();
        assert_ne!(
            other.lower,
            bootstrap_alpha(&m, Level::Ordinal, &opts).unwrap().lower
        );
    }

    /// A replicate's alpha from the summed pattern rows equals alpha computed
    /// from scratch on the resampled units themselves, at every level.
    #[test]
    fn replicate_alpha_matches_alpha_of_the_resampled_units() {
        let m = noisy_ratings();
        let patterns = resampled_patterns(&m);
        let labels = m.categories().labels();
        let mut rng = Rng::seed_from_u64(11);
        for level in Level::ALL {
            let plan = Resampling::new(&m, level).unwrap();
            let mut sums = vec![0.0; plan.stride];
            let mut positions = vec![0.0; plan.q];
            let mut counts = vec![0; patterns.len()];
            for _ in 0..20 {
                rng.multinomial(plan.n_units, &plan.weights, &mut counts);
                let mut rows = Vec::new();
                for ((pattern, _), &copies) in patterns.iter().zip(&counts) {
                    for _ in 0..copies {
                        let unit = format!("u{}", rows.len());
                        let values = pattern.iter().flat_map(|c| {
                            std::iter::repeat_n(
                                labels[c.category as usize].clone(),
                                c.count as usize,
                            )
                        });
                        for (r, value) in values.enumerate() {
                            rows.push((unit.clone(), format!("r{r}"), value));
                        }
                    }
                }
                let resampled = RatingMatrix::from_rows(
                    rows.iter()
                        .map(|(u, r, v)| (u.as_str(), r.as_str(), Some(v.as_str()))),
                    BuildOptions {
                        categories: Some(m.categories().clone()),
                        ..BuildOptions::default()
                    },
                )
                .unwrap();
                let direct = krippendorff_alpha(&resampled, level).unwrap();
                let fast = plan.alpha(&counts, &mut sums, &mut positions).unwrap();
                assert!((direct - fast).abs() < 1e-12, "{level}: {direct} vs {fast}");
            }
        }
    }

    #[test]
    fn quantiles_interpolate_like_r_type_7() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&x, 0.25), 1.75);
        assert_eq!(quantile_sorted(&x, 0.5), 2.5);
        assert_eq!(quantile_sorted(&x, 1.0), 4.0);
    }
}
