//! Within-cell statistics: how one (organization, criterion) cell's
//! ratings on an ordinal scale sit together, and the cell's disagreement type
//! under a pre-registered [`ConsensusRule`] (SPEC §4).
//!
//! Sources: rWG with a uniform null σ²_EU = (A² − 1)/12 (James, Demaree &
//! Wolf 1984, J. Appl. Psychol. 69:85-98; values below 0 are reported as 0,
//! as they recommend); the average deviation around the median AD_Md (Burke,
//! Finkelstein & Dusig 1999); van der Eijk's (2001) agreement A (Quality &
//! Quantity 35:325-341); quartiles by linear interpolation (Hyndman & Fan
//! type 7); a percentile bootstrap interval for the median.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::alpha::BootstrapOptions;
use crate::rng::Rng;

/// An ordinal scale of `levels` consecutive integer levels starting at `lowest`
/// (e.g. 0–4 is `{ lowest: 0, levels: 5 }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OrdinalScale {
    pub lowest: i64,
    pub levels: u32,
}

impl OrdinalScale {
    pub fn highest(&self) -> i64 {
        self.lowest + i64::from(self.levels) - 1
    }

    /// The level's index 0..levels, if the value is on the scale.
    fn index(&self, value: i64) -> Option<usize> {
        (value >= self.lowest && value <= self.highest()).then(|| (value - self.lowest) as usize)
    }
}

/// One rating in a cell ("don't know" answers are counted separately).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CellRating {
    pub value: i64,
    /// The rater's confidence (Concord uses 0–100); ratings without one are
    /// left out of the confidence-weighted mean.
    pub confidence: Option<f64>,
}

/// The thresholds that turn a cell's ratings into a [`DisagreementType`].
/// A study pre-registers one; `ConsensusRule::default()` is SPEC §4's rule.
/// Missing fields deserialize to their defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsensusRule {
    /// Consensus needs an interquartile range of at most this many levels (1).
    pub max_iqr: f64,
    /// … and at least this share of ratings (0.75) …
    pub min_share_near_median: f64,
    /// … within this many levels of the median (1).
    pub near_median_levels: f64,
    /// Polarized: two groups separated by an empty gap of at least this many levels (1) …
    pub min_gap_levels: u32,
    /// … each holding at least this share of the ratings (0.25).
    pub min_group_share: f64,
    /// Polarized also when van der Eijk's agreement A is below this (0);
    /// `None` switches that test off.
    pub polarized_below_agreement: Option<f64>,
    /// Outlier-driven: removing up to this many ratings, each the one
    /// furthest from the median, would give consensus (1).
    pub max_outliers: u32,
}

impl Default for ConsensusRule {
    fn default() -> Self {
        ConsensusRule {
            max_iqr: 1.0,
            min_share_near_median: 0.75,
            near_median_levels: 1.0,
            min_gap_levels: 1,
            min_group_share: 0.25,
            polarized_below_agreement: Some(0.0),
            max_outliers: 1,
        }
    }
}

/// How a cell's ratings disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DisagreementType {
    Consensus,
    Weak,
    Polarized,
    OutlierDriven,
    Insufficient,
}

impl DisagreementType {
    pub fn as_str(self) -> &'static str {
        match self {
            DisagreementType::Consensus => "consensus",
            DisagreementType::Weak => "weak",
            DisagreementType::Polarized => "polarized",
            DisagreementType::OutlierDriven => "outlier-driven",
            DisagreementType::Insufficient => "insufficient",
        }
    }
}

impl fmt::Display for DisagreementType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything a cell computation needs besides the ratings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellSettings {
    pub scale: OrdinalScale,
    pub rule: ConsensusRule,
    /// The study's minimum raters per cell (m).
    pub min_raters: usize,
    /// Bootstrap for the median's interval.
    pub bootstrap: BootstrapOptions,
}

/// A rating the cell computation cannot use.
#[derive(Debug, Clone, PartialEq)]
pub enum CellError {
    /// A value that is not a level of the scale.
    OffScale { value: i64, scale: OrdinalScale },
    /// A negative or non-finite confidence.
    BadConfidence(f64),
    /// A scale without levels.
    EmptyScale,
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CellError::OffScale { value, scale } => {
                write!(
                    f,
                    "rating {value} is not on the scale {}–{}",
                    scale.lowest,
                    scale.highest()
                )
            }
            CellError::BadConfidence(c) => write!(f, "confidence {c} is not a non-negative number"),
            CellError::EmptyScale => write!(f, "the scale has no levels"),
        }
    }
}

impl std::error::Error for CellError {}

/// How many ratings fell on one level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelCount {
    pub level: i64,
    pub count: usize,
}

/// A bootstrap percentile interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub lower: f64,
    pub upper: f64,
    pub confidence: f64,
    pub replicates: usize,
}

/// The statistics of one cell (SPEC §4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellStats {
    /// Ratings other than "don't know".
    pub n: usize,
    pub n_dont_know: usize,
    pub mean: Option<f64>,
    pub confidence_weighted_mean: Option<f64>,
    pub median: Option<f64>,
    /// Sample standard deviation (n − 1).
    pub sd: Option<f64>,
    pub q1: Option<f64>,
    pub q3: Option<f64>,
    pub iqr: Option<f64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// One entry per level of the scale, lowest first.
    pub counts: Vec<LevelCount>,
    /// rWG against the uniform null, truncated at 0.
    pub rwg: Option<f64>,
    /// Mean absolute deviation from the median.
    pub ad_md: Option<f64>,
    /// Share of ratings within ±1 level of the median.
    pub share_within_one: Option<f64>,
    /// Bootstrap interval for the median (the cell's central value).
    pub median_interval: Option<Interval>,
    /// Van der Eijk's agreement A (−1 polarized … 0 uniform … 1 unanimous).
    pub agreement_a: Option<f64>,
    pub disagreement: DisagreementType,
}

/// Per-level tallies, the form every rule below works on.
#[derive(Debug, Clone, PartialEq)]
struct Tally {
    counts: Vec<u64>,
    n: u64,
}

impl Tally {
    fn new(values: impl IntoIterator<Item = i64>, scale: OrdinalScale) -> Result<Tally, CellError> {
        if scale.levels == 0 {
            return Err(CellError::EmptyScale);
        }
        let mut counts = vec![0u64; scale.levels as usize];
        let mut n = 0;
        for v in values {
            let i = scale
                .index(v)
                .ok_or(CellError::OffScale { value: v, scale })?;
            counts[i] += 1;
            n += 1;
        }
        Ok(Tally { counts, n })
    }

    /// The level index of the `k`-th smallest rating (0-based).
    fn nth(&self, k: u64) -> usize {
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if k < seen {
                return i;
            }
        }
        self.counts.len().saturating_sub(1)
    }

    /// Type-7 quantile in level-index units.
    fn quantile(&self, p: f64) -> Option<f64> {
        if self.n == 0 {
            return None;
        }
        let h = (self.n - 1) as f64 * p;
        let lo = h.floor() as u64;
        let a = self.nth(lo) as f64;
        let b = self.nth((lo + 1).min(self.n - 1)) as f64;
        Some(a + (h - lo as f64) * (b - a))
    }

    fn iqr(&self) -> Option<f64> {
        Some(self.quantile(0.75)? - self.quantile(0.25)?)
    }

    /// Share of ratings within `levels` of the median.
    fn share_near_median(&self, levels: f64) -> Option<f64> {
        let med = self.quantile(0.5)?;
        let near: u64 = self
            .counts
            .iter()
            .enumerate()
            .filter(|&(i, _)| (i as f64 - med).abs() <= levels + 1e-9)
            .map(|(_, &c)| c)
            .sum();
        Some(near as f64 / self.n as f64)
    }

    fn is_consensus(&self, rule: &ConsensusRule) -> bool {
        match (self.iqr(), self.share_near_median(rule.near_median_levels)) {
            (Some(iqr), Some(share)) => {
                iqr <= rule.max_iqr + 1e-9 && share >= rule.min_share_near_median - 1e-12
            }
            _ => false,
        }
    }

    /// Two groups split by a run of at least `min_gap_levels` empty levels,
    /// each with at least `min_group_share` of the ratings.
    fn has_separated_groups(&self, rule: &ConsensusRule) -> bool {
        let occupied: Vec<usize> = (0..self.counts.len())
            .filter(|&i| self.counts[i] > 0)
            .collect();
        let n = self.n as f64;
        let mut below = 0u64;
        for pair in occupied.windows(2) {
            below += self.counts[pair[0]];
            let gap = (pair[1] - pair[0] - 1) as u64;
            if gap >= u64::from(rule.min_gap_levels.max(1)) {
                let (lo, hi) = (below as f64 / n, (self.n - below) as f64 / n);
                if lo >= rule.min_group_share - 1e-12 && hi >= rule.min_group_share - 1e-12 {
                    return true;
                }
            }
        }
        false
    }

    fn is_polarized(&self, rule: &ConsensusRule) -> bool {
        if self.has_separated_groups(rule) {
            return true;
        }
        let freq: Vec<f64> = self.counts.iter().map(|&c| c as f64).collect();
        match (
            rule.polarized_below_agreement,
            van_der_eijk_agreement(&freq),
        ) {
            (Some(threshold), Some(a)) => a < threshold - 1e-12,
            _ => false,
        }
    }

    /// Whether removing up to `budget` ratings, each furthest from the
    /// current median (either side on a tie), reaches consensus.
    fn consensus_after_removing(&mut self, rule: &ConsensusRule, budget: u32) -> bool {
        if budget == 0 || self.n <= 1 {
            return false;
        }
        let Some(med) = self.quantile(0.5) else {
            return false;
        };
        let lo = self.counts.iter().position(|&c| c > 0);
        let hi = self.counts.iter().rposition(|&c| c > 0);
        let (Some(lo), Some(hi)) = (lo, hi) else {
            return false;
        };
        let (d_lo, d_hi) = (med - lo as f64, hi as f64 - med);
        let mut candidates = Vec::with_capacity(2);
        if d_lo >= d_hi - 1e-12 {
            candidates.push(lo);
        }
        if d_hi >= d_lo - 1e-12 && hi != lo {
            candidates.push(hi);
        }
        for c in candidates {
            self.counts[c] -= 1;
            self.n -= 1;
            let ok = self.is_consensus(rule) || self.consensus_after_removing(rule, budget - 1);
            self.counts[c] += 1;
            self.n += 1;
            if ok {
                return true;
            }
        }
        false
    }

    fn classify(&self, rule: &ConsensusRule, min_raters: usize) -> DisagreementType {
        if self.n == 0 || self.n < min_raters as u64 {
            return DisagreementType::Insufficient;
        }
        if self.is_consensus(rule) {
            return DisagreementType::Consensus;
        }
        if self.is_polarized(rule) {
            return DisagreementType::Polarized;
        }
        if self
            .clone()
            .consensus_after_removing(rule, rule.max_outliers)
        {
            return DisagreementType::OutlierDriven;
        }
        DisagreementType::Weak
    }
}

/// The disagreement type of a cell's ratings (excluding "don't know") under
/// `rule`, with `min_raters` the study's minimum raters per cell:
///
/// - `insufficient`: n < m (or no ratings);
/// - `consensus`: IQR ≤ 1 level and ≥ 75% of ratings within ±1 level of the median;
/// - `polarized`: not consensus, and two groups separated by an empty gap of
///   ≥ 1 level each hold ≥ 25% of the ratings, or van der Eijk's A < 0;
/// - `outlier-driven`: neither, but removing the rating furthest from the
///   median gives consensus;
/// - `weak`: everything else.
///
/// (Thresholds as in the default rule.)
pub fn disagreement_type(
    values: &[i64],
    scale: OrdinalScale,
    rule: &ConsensusRule,
    min_raters: usize,
) -> Result<DisagreementType, CellError> {
    Ok(Tally::new(values.iter().copied(), scale)?.classify(rule, min_raters))
}

/// Van der Eijk's (2001) agreement A of a frequency vector over K ordered
/// categories: the distribution is peeled into layers (each the minimum
/// non-zero frequency across the still non-empty categories); a layer with
/// S non-empty categories has A = U (1 − (S − 1)/(K − 1)), with unimodality
/// U = ((K − 2) TU − (K − 1) TDU) / ((K − 2)(TU + TDU)) from the counts of
/// unimodal (110, 011) and bimodal (101) triples of categories (U = 1 when
/// there are none); A is the layers' average weighted by their share of
/// observations. `None` for an empty or all-zero vector.
pub fn van_der_eijk_agreement(frequencies: &[f64]) -> Option<f64> {
    let k = frequencies.len();
    let total: f64 = frequencies.iter().sum();
    let valid = frequencies.iter().all(|f| f.is_finite() && *f >= 0.0);
    if k == 0 || !valid || total <= 0.0 {
        return None;
    }
    let mut rest = frequencies.to_vec();
    let mut pattern = vec![false; k];
    let mut a = 0.0;
    loop {
        let mut min = f64::INFINITY;
        for (p, &f) in pattern.iter_mut().zip(&rest) {
            *p = f > 0.0;
            if *p {
                min = min.min(f);
            }
        }
        if !min.is_finite() {
            break;
        }
        let s = pattern.iter().filter(|&&p| p).count();
        a += (min * s as f64 / total) * pattern_agreement(&pattern);
        for (f, &p) in rest.iter_mut().zip(&pattern) {
            if p {
                *f = if *f - min <= 1e-12 * total {
                    0.0
                } else {
                    *f - min
                };
            }
        }
    }
    Some(a)
}

/// Agreement of one layer's 0/1 pattern, counting triples in O(K).
fn pattern_agreement(pattern: &[bool]) -> f64 {
    let k = pattern.len();
    let s = pattern.iter().filter(|&&p| p).count();
    if s <= 1 || k <= 1 {
        return 1.0;
    }
    let choose2 = |x: f64| x * (x - 1.0) / 2.0;
    let (mut tu, mut tdu) = (0.0, 0.0);
    let mut ones_left = 0.0;
    for &p in pattern {
        if p {
            ones_left += 1.0;
        } else {
            let ones_right = s as f64 - ones_left;
            tdu += ones_left * ones_right; // 1 0 1
            tu += choose2(ones_left) + choose2(ones_right); // 1 1 0 and 0 1 1
        }
    }
    let kf = k as f64;
    let u = if tu + tdu == 0.0 {
        1.0
    } else {
        ((kf - 2.0) * tu - (kf - 1.0) * tdu) / ((kf - 2.0) * (tu + tdu))
    };
    u * (1.0 - (s as f64 - 1.0) / (kf - 1.0))
}

/// All within-cell statistics of SPEC §4 for one cell.
pub fn cell_stats(
    ratings: &[CellRating],
    n_dont_know: usize,
    settings: &CellSettings,
) -> Result<CellStats, CellError> {
    let scale = settings.scale;
    let tally = Tally::new(ratings.iter().map(|r| r.value), scale)?;
    let mut weighted = (0.0, 0.0);
    for r in ratings {
        if let Some(c) = r.confidence {
            if !(c.is_finite() && c >= 0.0) {
                return Err(CellError::BadConfidence(c));
            }
            weighted.0 += c * r.value as f64;
            weighted.1 += c;
        }
    }
    let n = ratings.len();
    let nf = n as f64;
    let level = |idx: f64| idx + scale.lowest as f64;
    let mean = (n > 0).then(|| ratings.iter().map(|r| r.value as f64).sum::<f64>() / nf);
    let sd = match mean {
        Some(m) if n >= 2 => Some(
            (ratings
                .iter()
                .map(|r| (r.value as f64 - m).powi(2))
                .sum::<f64>()
                / (nf - 1.0))
                .sqrt(),
        ),
        _ => None,
    };
    let median = tally.quantile(0.5).map(level);
    let a = f64::from(scale.levels);
    let rwg = match sd {
        Some(s) if scale.levels >= 2 => Some((1.0 - s * s / ((a * a - 1.0) / 12.0)).max(0.0)),
        _ => None,
    };
    let ad_md = median.map(|md| {
        ratings
            .iter()
            .map(|r| (r.value as f64 - md).abs())
            .sum::<f64>()
            / nf
    });
    let freq: Vec<f64> = tally.counts.iter().map(|&c| c as f64).collect();
    Ok(CellStats {
        n,
        n_dont_know,
        mean,
        confidence_weighted_mean: (weighted.1 > 0.0).then(|| weighted.0 / weighted.1),
        median,
        sd,
        q1: tally.quantile(0.25).map(level),
        q3: tally.quantile(0.75).map(level),
        iqr: tally.iqr(),
        min: ratings.iter().map(|r| r.value).min(),
        max: ratings.iter().map(|r| r.value).max(),
        counts: tally
            .counts
            .iter()
            .enumerate()
            .map(|(i, &c)| LevelCount {
                level: scale.lowest + i as i64,
                count: c as usize,
            })
            .collect(),
        rwg,
        ad_md,
        share_within_one: tally.share_near_median(1.0),
        median_interval: median_interval(&tally, scale, &settings.bootstrap),
        agreement_a: if n > 0 {
            van_der_eijk_agreement(&freq)
        } else {
            None
        },
        disagreement: tally.classify(&settings.rule, settings.min_raters),
    })
}

/// Percentile bootstrap interval of the median (n ≥ 2), resampling the
/// ratings in sorted order so the result does not depend on input order.
fn median_interval(
    tally: &Tally,
    scale: OrdinalScale,
    options: &BootstrapOptions,
) -> Option<Interval> {
    if tally.n < 2
        || options.replicates == 0
        || !(options.confidence > 0.0 && options.confidence < 1.0)
    {
        return None;
    }
    let sorted: Vec<usize> = (0..tally.n).map(|k| tally.nth(k)).collect();
    let mut rng = Rng::seed_from_u64(options.seed);
    let mut sample = Tally {
        counts: vec![0; tally.counts.len()],
        n: tally.n,
    };
    let mut medians = Vec::with_capacity(options.replicates);
    for _ in 0..options.replicates {
        sample.counts.iter_mut().for_each(|c| *c = 0);
        for _ in 0..tally.n {
            sample.counts[sorted[rng.below(tally.n) as usize]] += 1;
        }
        if let Some(m) = sample.quantile(0.5) {
            medians.push(m + scale.lowest as f64);
        }
    }
    medians.sort_by(f64::total_cmp);
    let tail = (1.0 - options.confidence) / 2.0;
    Some(Interval {
        lower: crate::alpha::quantile_sorted(&medians, tail),
        upper: crate::alpha::quantile_sorted(&medians, 1.0 - tail),
        confidence: options.confidence,
        replicates: options.replicates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE: OrdinalScale = OrdinalScale {
        lowest: 0,
        levels: 5,
    };

    fn kind(values: &[i64]) -> DisagreementType {
        disagreement_type(values, FIVE, &ConsensusRule::default(), 3).unwrap()
    }

    #[test]
    fn van_der_eijk_published_examples() {
        // van der Eijk (2001) p.331 as reproduced by R agrmt: A = 0.6113333.
        let a = van_der_eijk_agreement(&[30.0, 40.0, 210.0, 130.0, 530.0, 50.0, 10.0]).unwrap();
        assert!((a - 0.611_333_3).abs() < 5e-8, "{a}");
        // agrmt vignette: unanimity 1, uniform 0, two extremes −1, (1,1,3,4) on 1..4 ≈ 0.08.
        assert_eq!(van_der_eijk_agreement(&[0.0, 4.0, 0.0, 0.0]), Some(1.0));
        assert!(van_der_eijk_agreement(&[1.0, 1.0, 1.0, 1.0]).unwrap().abs() < 1e-12);
        assert!((van_der_eijk_agreement(&[2.0, 0.0, 0.0, 2.0]).unwrap() + 1.0).abs() < 1e-12);
        assert!(
            (van_der_eijk_agreement(&[2.0, 0.0, 1.0, 1.0]).unwrap() - 1.0 / 12.0).abs() < 1e-12
        );
    }

    #[test]
    fn insufficient_below_the_minimum_raters() {
        assert_eq!(kind(&[2, 2]), DisagreementType::Insufficient);
        assert_eq!(kind(&[]), DisagreementType::Insufficient);
        // Exactly m raters is enough.
        assert_eq!(kind(&[2, 2, 2]), DisagreementType::Consensus);
    }

    #[test]
    fn consensus_boundaries() {
        // Exactly 75% within ±1 of the median (3 of 4), IQR 0.75: consensus.
        assert_eq!(kind(&[0, 2, 2, 3]), DisagreementType::Consensus);
        // IQR exactly 1 (q1 = 2, q3 = 3), everything near the median: consensus.
        assert_eq!(kind(&[1, 2, 2, 3, 3]), DisagreementType::Consensus);
        // 60% near the median is below 75%: not consensus.
        assert_ne!(kind(&[0, 2, 2, 3, 4]), DisagreementType::Consensus);
        // IQR 1.5 (> 1) even though no gap and no outlier: weak.
        assert_eq!(kind(&[1, 1, 2, 2, 3, 3, 4, 4]), DisagreementType::Weak);
    }

    #[test]
    fn polarized_by_separated_groups_at_the_25_percent_boundary() {
        assert_eq!(kind(&[0, 0, 0, 0, 4, 4, 4, 4]), DisagreementType::Polarized);
        // The smaller group holds exactly 25% (2 of 8) beyond one empty level.
        assert_eq!(kind(&[0, 0, 2, 2, 3, 3, 3, 3]), DisagreementType::Polarized);
        // 20% (1 of 5) beyond an empty level is not a group.
        assert_eq!(kind(&[0, 2, 2, 3, 4]), DisagreementType::OutlierDriven);
        // Requiring a two-level gap, the 25% group is no longer separate; dropping
        // one of its ratings then leaves a consensus.
        let rule = ConsensusRule {
            min_gap_levels: 2,
            ..ConsensusRule::default()
        };
        assert_eq!(
            disagreement_type(&[0, 0, 2, 2, 3, 3, 3, 3], FIVE, &rule, 3).unwrap(),
            DisagreementType::OutlierDriven
        );
    }

    #[test]
    fn polarized_by_negative_agreement_without_a_gap() {
        // Every level occupied, mass at both ends: van der Eijk's A < 0.
        let v = [0, 0, 0, 1, 2, 3, 4, 4, 4];
        let a = van_der_eijk_agreement(&[3.0, 1.0, 1.0, 1.0, 3.0]).unwrap();
        assert!((a + 4.0 / 9.0).abs() < 1e-12, "{a}");
        assert_eq!(kind(&v), DisagreementType::Polarized);
        let rule = ConsensusRule {
            polarized_below_agreement: None,
            ..ConsensusRule::default()
        };
        assert_eq!(
            disagreement_type(&v, FIVE, &rule, 3).unwrap(),
            DisagreementType::Weak
        );
    }

    #[test]
    fn outlier_driven_and_weak() {
        // Removing the rating furthest from the median (4; tied with 0, either
        // side is tried) leaves [0,2,2,3], a consensus.
        assert_eq!(kind(&[0, 2, 2, 3, 4]), DisagreementType::OutlierDriven);
        // Uniform spread: no single removal helps.
        assert_eq!(kind(&[0, 1, 2, 3, 4]), DisagreementType::Weak);
        // Two stragglers on each side: one removal is not enough, two are.
        let v = [0, 0, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2];
        assert_eq!(kind(&v), DisagreementType::Weak);
        let rule = ConsensusRule {
            max_outliers: 2,
            ..ConsensusRule::default()
        };
        assert_eq!(
            disagreement_type(&v, FIVE, &rule, 3).unwrap(),
            DisagreementType::OutlierDriven
        );
    }

    #[test]
    fn rule_round_trips_through_json_with_defaults() {
        let rule: ConsensusRule = serde_json::from_str(r#"{"max_iqr": 0.5}"#).unwrap();
        assert_eq!(rule.max_iqr, 0.5);
        assert_eq!(rule.min_group_share, 0.25);
        let json = serde_json::to_string(&ConsensusRule::default()).unwrap();
        assert_eq!(
            serde_json::from_str::<ConsensusRule>(&json).unwrap(),
            ConsensusRule::default()
        );
        assert!(serde_json::from_str::<ConsensusRule>(r#"{"max_iq": 1}"#).is_err());
        assert_eq!(
            serde_json::to_string(&DisagreementType::OutlierDriven).unwrap(),
            "\"outlier-driven\""
        );
        assert_eq!(
            serde_json::to_string(&DisagreementType::Insufficient).unwrap(),
            "\"insufficient\""
        );
    }

    #[test]
    fn descriptive_statistics() {
        let ratings: Vec<CellRating> = [
            (1, Some(100.0)),
            (2, Some(50.0)),
            (2, None),
            (3, Some(50.0)),
            (4, Some(0.0)),
        ]
        .iter()
        .map(|&(value, confidence)| CellRating { value, confidence })
        .collect();
        let settings = CellSettings {
            scale: FIVE,
            rule: ConsensusRule::default(),
            min_raters: 3,
            bootstrap: BootstrapOptions::default(),
        };
        let s = cell_stats(&ratings, 2, &settings).unwrap();
        assert_eq!((s.n, s.n_dont_know, s.min, s.max), (5, 2, Some(1), Some(4)));
        assert_eq!(s.mean, Some(2.4));
        assert_eq!(
            s.confidence_weighted_mean,
            Some((100.0 + 100.0 + 150.0) / 200.0)
        );
        assert_eq!(s.median, Some(2.0));
        assert_eq!((s.q1, s.q3, s.iqr), (Some(2.0), Some(3.0), Some(1.0)));
        let var = (1.96 + 0.16 + 0.16 + 0.36 + 2.56) / 4.0;
        assert!((s.sd.unwrap() - f64::sqrt(var)).abs() < 1e-12);
        assert!((s.rwg.unwrap() - (1.0 - var / 2.0)).abs() < 1e-12);
        assert_eq!(s.ad_md, Some((1.0 + 0.0 + 0.0 + 1.0 + 2.0) / 5.0));
        assert_eq!(s.share_within_one, Some(0.8));
        assert_eq!(
            s.counts.iter().map(|c| c.count).collect::<Vec<_>>(),
            vec![0, 1, 2, 1, 1]
        );
        let ci = s.median_interval.unwrap();
        assert!(ci.lower <= 2.0 && 2.0 <= ci.upper && ci.lower >= 1.0 && ci.upper <= 4.0);
        assert_eq!(s.disagreement, DisagreementType::Consensus);
        let shuffled: Vec<CellRating> = ratings.iter().rev().copied().collect();
        assert_eq!(
            cell_stats(&shuffled, 2, &settings).unwrap().median_interval,
            s.median_interval
        );
        assert!(matches!(
            cell_stats(
                &[CellRating {
                    value: 7,
                    confidence: None
                }],
                0,
                &settings
            ),
            Err(CellError::OffScale { value: 7, .. })
        ));
    }
}
