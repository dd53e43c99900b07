//! Kendall's coefficient of concordance W with the tie correction, and the
//! equivalent Friedman test.
//!
//! Each of the m raters ranks the n units (those rated by every rater, on
//! the categories' order: list order for an explicit list, numeric order
//! otherwise), tied units sharing their mid-rank. With R_i the
//! rank sum of unit i and T_j = Σ (t³ − t) over rater j's groups of ties
//! (Kendall & Babington Smith 1939; Kendall 1948, *Rank Correlation Methods*):
//!
//! W = 12 Σ (R_i − m(n + 1)/2)² / (m²(n³ − n) − m Σ_j T_j),
//!
//! and Friedman's χ² = m(n − 1) W on n − 1 degrees of freedom. Ranks come
//! from category counts, so the cost is O(ratings + raters × q), and the sums
//! run over distinct rating profiles rather than units.

use serde::Serialize;

use crate::dist::chi_square_sf;
use crate::matrix::RatingMatrix;
use crate::profile::profiles;

/// Kendall's W and the Friedman test it implies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KendallW {
    /// Tie-corrected W.
    pub w: f64,
    /// W without the tie correction.
    pub w_uncorrected: f64,
    /// Friedman's χ² (tie-corrected) = m(n − 1)W.
    pub friedman_chi2: f64,
    pub df: f64,
    pub p_value: f64,
    /// Units ranked (rated by every rater).
    pub units: usize,
    /// Raters (m).
    pub raters: usize,
}

/// Kendall's W over the units every rater rated. `None` for unordered
/// categories, fewer than two raters or units, or when every rater ties
/// every unit.
pub fn kendall_w(m: &RatingMatrix) -> Option<KendallW> {
    if !m.categories().is_ordered() {
        return None;
    }
    let q = m.categories().len();
    let raters = m.active_raters();
    let k = raters.len();
    if k < 2 {
        return None;
    }
    let slot = m.active_slots();
    // Units are summed as rating profiles: a unit's rank sum depends only on
    // which category each rater gave it.
    let complete = || profiles(m).filter(|p| p.ratings.len() == k);
    let mut tally = vec![0u64; k * q];
    let mut n = 0usize;
    for profile in complete() {
        n += profile.units as usize;
        for r in profile.ratings {
            tally[slot[r.rater as usize] * q + r.category as usize] += profile.units;
        }
    }
    if n < 2 {
        return None;
    }
    // Mid-rank of each (rater, category), and each rater's tie term.
    let mut mid_rank = vec![0.0; k * q];
    let mut ties = 0.0;
    for g in 0..k {
        let mut below = 0.0;
        for c in 0..q {
            let t = tally[g * q + c] as f64;
            mid_rank[g * q + c] = below + (t + 1.0) / 2.0;
            ties += t * t * t - t;
            below += t;
        }
    }
    let (nf, mf) = (n as f64, k as f64);
    let mean_rank_sum = mf * (nf + 1.0) / 2.0;
    let mut s = 0.0;
    for profile in complete() {
        let r: f64 = profile
            .ratings
            .iter()
            .map(|r| mid_rank[slot[r.rater as usize] * q + r.category as usize])
            .sum();
        s += profile.units as f64 * (r - mean_rank_sum) * (r - mean_rank_sum);
    }
    let full = mf * mf * (nf * nf * nf - nf);
    let denom = full - mf * ties;
    if denom <= 0.0 {
        return None;
    }
    let w = 12.0 * s / denom;
    let chi2 = mf * (nf - 1.0) * w;
    Some(KendallW {
        w,
        w_uncorrected: 12.0 * s / full,
        friedman_chi2: chi2,
        df: nf - 1.0,
        p_value: chi_square_sf(chi2, nf - 1.0),
        units: n,
        raters: k,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::BuildOptions;

    #[test]
    fn identical_rankings_give_one_and_reversed_pairs_give_zero() {
        let rows = [
            ("a", "X", "1"),
            ("b", "X", "2"),
            ("c", "X", "3"),
            ("a", "Y", "1"),
            ("b", "Y", "2"),
            ("c", "Y", "3"),
        ];
        let m = RatingMatrix::from_rows(
            rows.iter().map(|&(u, r, v)| (u, r, Some(v))),
            BuildOptions::default(),
        )
        .unwrap();
        let k = kendall_w(&m).unwrap();
        assert!((k.w - 1.0).abs() < 1e-12);
        let rows = [
            ("a", "X", "1"),
            ("b", "X", "2"),
            ("a", "Y", "2"),
            ("b", "Y", "1"),
        ];
        let m = RatingMatrix::from_rows(
            rows.iter().map(|&(u, r, v)| (u, r, Some(v))),
            BuildOptions::default(),
        )
        .unwrap();
        assert!(kendall_w(&m).unwrap().w.abs() < 1e-12);
    }
}
