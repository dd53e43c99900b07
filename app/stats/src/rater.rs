//! Per-rater diagnostics: leniency or severity and consistency with the
//! panel, each measured against the leave-one-out cell median (the median
//! of the *other* raters' values in the cell), so a rater is never compared
//! with a consensus they helped form.

use std::collections::BTreeMap;

use serde::Serialize;

/// One rater's summary over the cells they rated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaterStats<R> {
    pub rater: R,
    /// Cells the rater rated.
    pub n_rated: usize,
    /// Cells that also had another rater (the ones compared below).
    pub n_compared: usize,
    /// Mean of (own value − leave-one-out median): positive is lenient
    /// (rates higher than the panel), negative severe.
    pub mean_signed_deviation: Option<f64>,
    /// Mean of |own value − leave-one-out median|.
    pub mean_absolute_deviation: Option<f64>,
    /// Spearman correlation between the rater's values and the leave-one-out
    /// medians across the compared cells; `None` with fewer than two cells or
    /// no variation on either side.
    pub rank_correlation: Option<f64>,
}

/// Median of `sorted` with the element at `skip` removed (`None` if nothing remains).
fn median_without(sorted: &[f64], skip: usize) -> Option<f64> {
    let t = sorted.len().checked_sub(1).filter(|&t| t > 0)?;
    let at = |i: usize| sorted[if i < skip { i } else { i + 1 }];
    Some(if t % 2 == 1 {
        at(t / 2)
    } else {
        (at(t / 2 - 1) + at(t / 2)) / 2.0
    })
}

/// Mid-ranks (1-based, ties averaged).
fn mid_ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut ranks = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            ranks[k] = r;
        }
        i = j + 1;
    }
    ranks
}

/// Pearson correlation; `None` for fewer than two pairs or zero variance.
fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 2 || y.len() != n {
        return None;
    }
    let mx = x.iter().sum::<f64>() / n as f64;
    let my = y.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    let r = sxy / (sxx * syy).sqrt();
    (sxx > 0.0 && syy > 0.0 && r.is_finite()).then(|| r.clamp(-1.0, 1.0))
}

/// Spearman's rank correlation (Pearson on mid-ranks).
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() {
        return None;
    }
    pearson(&mid_ranks(x), &mid_ranks(y))
}

#[derive(Default)]
struct Acc {
    n_rated: usize,
    own: Vec<f64>,
    others: Vec<f64>,
}

/// Per-rater statistics over `cells`, each a list of `(rater, value)`
/// (a rater should appear at most once per cell). Results are sorted by rater.
pub fn rater_stats<R, C>(cells: &[C]) -> Vec<RaterStats<R>>
where
    R: Ord + Clone,
    C: AsRef<[(R, f64)]>,
{
    let mut acc: BTreeMap<R, Acc> = BTreeMap::new();
    let mut order: Vec<usize> = Vec::new();
    let mut sorted: Vec<f64> = Vec::new();
    for cell in cells {
        let cell = cell.as_ref();
        order.clear();
        order.extend(0..cell.len());
        order.sort_by(|&a, &b| cell[a].1.total_cmp(&cell[b].1));
        sorted.clear();
        sorted.extend(order.iter().map(|&i| cell[i].1));
        for (pos, &i) in order.iter().enumerate() {
            let (rater, value) = &cell[i];
            let entry = acc.entry(rater.clone()).or_default();
            entry.n_rated += 1;
            if let Some(median) = median_without(&sorted, pos) {
                entry.own.push(*value);
                entry.others.push(median);
            }
        }
    }
    acc.into_iter()
        .map(|(rater, a)| {
            let n = a.own.len();
            let mean = |f: &dyn Fn(f64) -> f64| {
                (n > 0).then(|| {
                    a.own
                        .iter()
                        .zip(&a.others)
                        .map(|(x, m)| f(x - m))
                        .sum::<f64>()
                        / n as f64
                })
            };
            RaterStats {
                rater,
                n_rated: a.n_rated,
                n_compared: n,
                mean_signed_deviation: mean(&|d| d),
                mean_absolute_deviation: mean(&|d: f64| d.abs()),
                rank_correlation: spearman(&a.own, &a.others),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leave_one_out_median() {
        let s = [1.0, 2.0, 4.0, 8.0];
        assert_eq!(median_without(&s, 0), Some(4.0));
        assert_eq!(median_without(&s, 3), Some(2.0));
        assert_eq!(median_without(&[1.0, 5.0, 9.0], 1), Some(5.0));
        assert_eq!(median_without(&[3.0], 0), None);
    }

    #[test]
    fn lenient_rater_and_rank_correlation() {
        let cells = vec![
            vec![("ann", 3.0), ("bob", 2.0), ("cy", 2.0)],
            vec![("ann", 4.0), ("bob", 3.0), ("cy", 3.0)],
            vec![("ann", 1.0), ("bob", 0.0), ("cy", 0.0)],
            vec![("ann", 2.0)],
        ];
        let stats = rater_stats(&cells);
        let ann = &stats[0];
        assert_eq!((ann.rater, ann.n_rated, ann.n_compared), ("ann", 4, 3));
        assert_eq!(ann.mean_signed_deviation, Some(1.0));
        assert_eq!(ann.mean_absolute_deviation, Some(1.0));
        assert!((ann.rank_correlation.unwrap() - 1.0).abs() < 1e-12);
        let bob = &stats[1];
        // Bob's leave-one-out medians are mean(ann, cy): 2.5, 3.5, 0.5.
        assert_eq!(bob.mean_signed_deviation, Some(-0.5));
    }

    #[test]
    fn spearman_handles_ties_and_constants() {
        assert!(
            (spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 2.0, 3.0, 4.0]).unwrap()
                - 0.948_683_298_050_513_8)
                .abs()
                < 1e-12
        );
        assert_eq!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(spearman(&[1.0], &[1.0]), None);
    }
}
