//! Chance-corrected agreement for categorical ratings: percent agreement,
//! Cohen's kappa (unweighted, linear, quadratic, custom weights), Scott's pi
//! and its many-rater form, Conger's kappa, Brennan–Prediger, Gwet's AC1 and
//! AC2, Fleiss' kappa (1971), Light's kappa, and Krippendorff's alpha in
//! Gwet's weighted formulation, with Gwet's standard errors.
//!
//! All coefficients have the form (p_a − p_e) / (1 − p_e). With missing
//! ratings they follow Gwet (2014), *Handbook of Inter-Rater Reliability*,
//! 4th ed., ch. 2–3 and the formulas of his irrCAC package: observed
//! agreement over the units rated by at least two raters,
//!
//! p_a = (1/n₂) Σ_{i: r_i ≥ 2} Σ_k r_ik (r*_ik − 1) / (r_i (r_i − 1)), r*_ik = Σ_l w_kl r_il,
//!
//! and chance agreement from classification probabilities over all units
//! each rater rated (π_k = (1/n) Σ_i r_ik / r_i for the Scott/Fleiss/Gwet
//! family; rater g's own marginals p_gk over the n_g units g rated for
//! Cohen/Conger). That is not listwise deletion: a unit rated once still
//! informs the marginals. Standard errors are Gwet's linearization (Gwet
//! 2008, Br. J. Math. Stat. Psychol. 61:29-48) with no finite-population
//! correction.
//!
//! Weighted forms compute r*_ik per unit in O(distinct categories) for
//! quadratic weights (a closed form) and O(d log d) for linear weights
//! (prefix sums), so no coefficient is O(ratings × q²).

use serde::Serialize;

use crate::matrix::{total, CategoryCount, CategorySet, RatingMatrix};
use crate::profile::profiles;

/// Agreement weights w_kl ∈ [0, 1] with w_kk = 1.
#[derive(Debug, Clone, PartialEq)]
pub enum Weights {
    /// w_kl = [k = l]: unweighted coefficients.
    Identity,
    /// w_kl = 1 − |x_k − x_l| / (x_max − x_min) on category scores x.
    Linear(Vec<f64>),
    /// w_kl = 1 − (x_k − x_l)² / (x_max − x_min)² on category scores x.
    Quadratic(Vec<f64>),
    /// An explicit q × q matrix (row-major, rows = first rater for Cohen).
    Matrix(Vec<f64>),
}

impl Weights {
    /// Linear weights on the categories' scores (numbers, or positions for an
    /// ordered text list); `None` for unordered categories.
    pub fn linear(categories: &CategorySet) -> Option<Weights> {
        categories.scores().map(Weights::Linear)
    }

    /// Quadratic weights on the categories' scores; `None` when unordered.
    pub fn quadratic(categories: &CategorySet) -> Option<Weights> {
        categories.scores().map(Weights::Quadratic)
    }

    /// Agreement weights from Cohen's (1968) disagreement weights v:
    /// w = 1 − v / max v, which leaves κ_w = 1 − Σ v p_o / Σ v p_e unchanged.
    /// Rows are the first rater. `None` unless the matrix is square, finite,
    /// non-negative and has some positive entry.
    pub fn from_disagreement(v: &[Vec<f64>]) -> Option<Weights> {
        let q = v.len();
        if q == 0 || v.iter().any(|row| row.len() != q) {
            return None;
        }
        let flat: Vec<f64> = v.iter().flatten().copied().collect();
        let max = flat.iter().copied().fold(0.0f64, f64::max);
        if flat.iter().any(|x| !x.is_finite() || *x < 0.0) || max <= 0.0 {
            return None;
        }
        Some(Weights::Matrix(
            flat.iter().map(|x| 1.0 - x / max).collect(),
        ))
    }

    fn range(scores: &[f64]) -> f64 {
        let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let min = scores.iter().copied().fold(f64::INFINITY, f64::min);
        max - min
    }

    /// w_kl.
    pub fn weight(&self, k: usize, l: usize, q: usize) -> f64 {
        match self {
            Weights::Identity => f64::from(u8::from(k == l)),
            Weights::Linear(x) => {
                let r = Self::range(x);
                if r > 0.0 {
                    1.0 - (x[k] - x[l]).abs() / r
                } else {
                    f64::from(u8::from(k == l))
                }
            }
            Weights::Quadratic(x) => {
                let r = Self::range(x);
                if r > 0.0 {
                    1.0 - (x[k] - x[l]) * (x[k] - x[l]) / (r * r)
                } else {
                    f64::from(u8::from(k == l))
                }
            }
            Weights::Matrix(w) => w.get(k * q + l).copied().unwrap_or(0.0),
        }
    }

    /// Whether this weighting fits q categories.
    fn fits(&self, q: usize) -> bool {
        match self {
            Weights::Identity => true,
            Weights::Linear(x) | Weights::Quadratic(x) => {
                x.len() == q && x.iter().all(|v| v.is_finite())
            }
            Weights::Matrix(w) => w.len() == q * q && w.iter().all(|v| v.is_finite()),
        }
    }

    /// Σ_kl w_kl.
    fn sum(&self, q: usize) -> f64 {
        match self {
            Weights::Identity => q as f64,
            _ => (0..q)
                .flat_map(|k| (0..q).map(move |l| (k, l)))
                .map(|(k, l)| self.weight(k, l, q))
                .sum(),
        }
    }

    /// Σ_kl w_kl x_k y_l.
    fn bilinear(&self, x: &[f64], y: &[f64]) -> f64 {
        let q = x.len();
        match self {
            Weights::Identity => x.iter().zip(y).map(|(a, b)| a * b).sum(),
            _ => {
                let mut s = 0.0;
                for (k, &xk) in x.iter().enumerate().filter(|(_, v)| **v != 0.0) {
                    for (l, &yl) in y.iter().enumerate().filter(|(_, v)| **v != 0.0) {
                        s += self.weight(k, l, q) * xk * yl;
                    }
                }
                s
            }
        }
    }

    /// Σ_k r_ik (r*_ik − 1) for one unit: the numerator of its agreement.
    fn unit_agreement(
        &self,
        unit: &[CategoryCount],
        q: usize,
        scratch: &mut Vec<(f64, f64)>,
    ) -> f64 {
        let r = |c: &CategoryCount| f64::from(c.count);
        match self {
            Weights::Identity => unit.iter().map(|c| r(c) * (r(c) - 1.0)).sum(),
            Weights::Quadratic(x) => {
                let range = Self::range(x);
                if range <= 0.0 {
                    return Weights::Identity.unit_agreement(unit, q, scratch);
                }
                // Σ_l r_l (x_k − x_l)² = m x_k² − 2 x_k S1 + S2
                let m = total(unit) as f64;
                let s1: f64 = unit.iter().map(|c| r(c) * x[c.category as usize]).sum();
                let s2: f64 = unit
                    .iter()
                    .map(|c| r(c) * x[c.category as usize].powi(2))
                    .sum();
                unit.iter()
                    .map(|c| {
                        let xk = x[c.category as usize];
                        let star = m - (m * xk * xk - 2.0 * xk * s1 + s2) / (range * range);
                        r(c) * (star - 1.0)
                    })
                    .sum()
            }
            Weights::Linear(x) => {
                let range = Self::range(x);
                if range <= 0.0 {
                    return Weights::Identity.unit_agreement(unit, q, scratch);
                }
                // Sort by score, then Σ_l r_l |x_k − x_l| from prefix sums.
                scratch.clear();
                scratch.extend(unit.iter().map(|c| (x[c.category as usize], r(c))));
                scratch.sort_by(|a, b| a.0.total_cmp(&b.0));
                let m: f64 = scratch.iter().map(|p| p.1).sum();
                let s_all: f64 = scratch.iter().map(|p| p.0 * p.1).sum();
                let (mut n_below, mut s_below) = (0.0, 0.0);
                let mut out = 0.0;
                for &(xk, rk) in scratch.iter() {
                    // Ties at xk contribute zero distance either way.
                    let n_above = m - n_below - rk;
                    let s_above = s_all - s_below - rk * xk;
                    let dist = xk * n_below - s_below + s_above - xk * n_above;
                    let star = m - dist / range;
                    out += rk * (star - 1.0);
                    n_below += rk;
                    s_below += rk * xk;
                }
                out
            }
            Weights::Matrix(w) => unit
                .iter()
                .map(|a| {
                    let star: f64 = unit
                        .iter()
                        .map(|b| w[a.category as usize * q + b.category as usize] * r(b))
                        .sum();
                    r(a) * (star - 1.0)
                })
                .sum(),
        }
    }

    /// (W + Wᵀ)/2 applied to a vector: Σ_l ½(w_kl + w_lk) π_l for each k.
    fn symmetric_apply(&self, pi: &[f64]) -> Vec<f64> {
        let q = pi.len();
        (0..q)
            .map(|k| {
                (0..q)
                    .map(|l| 0.5 * (self.weight(k, l, q) + self.weight(l, k, q)) * pi[l])
                    .sum()
            })
            .collect()
    }
}

/// A chance-corrected coefficient with its ingredients.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Coefficient {
    /// (p_a − p_e) / (1 − p_e).
    pub value: f64,
    /// Observed (weighted) agreement p_a.
    pub percent_agreement: f64,
    /// Chance agreement p_e.
    pub chance_agreement: f64,
    /// Gwet's linearization standard error, where implemented.
    pub standard_error: Option<f64>,
}

/// Per-unit agreement summary shared by the many-rater coefficients.
struct Frame {
    /// Units with at least one rating.
    n: f64,
    /// Units with at least two ratings.
    n2: f64,
    /// Observed agreement p_a.
    pa: f64,
    /// π_k = (1/n) Σ_i r_ik / r_i.
    pi: Vec<f64>,
    q: usize,
}

fn frame(m: &RatingMatrix, weights: &Weights) -> Option<Frame> {
    let counts = m.counts();
    let q = counts.n_categories();
    if q == 0 || !weights.fits(q) {
        return None;
    }
    let mut scratch = Vec::new();
    let (mut n, mut n2, mut pa_sum) = (0.0, 0.0, 0.0);
    let mut pi = vec![0.0; q];
    for (unit, n_units) in counts.patterns() {
        let (r, w) = (total(unit) as f64, n_units as f64);
        if r < 1.0 {
            continue;
        }
        n += w;
        for c in unit {
            pi[c.category as usize] += w * f64::from(c.count) / r;
        }
        if r >= 2.0 {
            n2 += w;
            pa_sum += w * weights.unit_agreement(unit, q, &mut scratch) / (r * (r - 1.0));
        }
    }
    if n2 == 0.0 {
        return None;
    }
    pi.iter_mut().for_each(|p| *p /= n);
    Some(Frame {
        n,
        n2,
        pa: pa_sum / n2,
        pi,
        q,
    })
}

/// (p_a − p_e)/(1 − p_e), `None` when 1 − p_e is 0 or the result is not finite.
fn corrected(pa: f64, pe: f64) -> Option<f64> {
    let v = (pa - pe) / (1.0 - pe);
    (pe < 1.0 && v.is_finite()).then_some(v)
}

/// One unit's term x_i of Gwet's variance (see [`gwet_standard_error`]).
fn gwet_term(
    weights: &Weights,
    f: &Frame,
    unit: &[CategoryCount],
    kappa: f64,
    pe: f64,
    pe_i: f64,
    scratch: &mut Vec<(f64, f64)>,
) -> f64 {
    let r = total(unit) as f64;
    let (pa_i, pe_r2) = if r >= 2.0 {
        (
            weights.unit_agreement(unit, f.q, scratch) / (r * (r - 1.0)),
            pe,
        )
    } else {
        (0.0, 0.0)
    };
    let k_i = (f.n / f.n2) * (pa_i - pe_r2) / (1.0 - pe);
    k_i - 2.0 * (1.0 - kappa) * (pe_i - pe) / (1.0 - pe)
}

/// Gwet's variance: with x_i = (n/n₂)(p_a|i − p_e·[r_i ≥ 2])/(1 − p_e)
/// − 2(1 − κ)(p_e|i − p_e)/(1 − p_e), var = Σ (x_i − κ)² / (n(n − 1)),
/// summed over count patterns when p_e|i depends only on the unit's counts.
fn gwet_standard_error(
    m: &RatingMatrix,
    weights: &Weights,
    f: &Frame,
    kappa: f64,
    pe: f64,
    unit_pe: impl Fn(&[CategoryCount], f64) -> f64,
) -> Option<f64> {
    if f.n < 2.0 {
        return None;
    }
    let mut scratch = Vec::new();
    let mut ss = 0.0;
    for (unit, n_units) in m.counts().patterns() {
        let r = total(unit) as f64;
        if r < 1.0 {
            continue;
        }
        let x_i = gwet_term(weights, f, unit, kappa, pe, unit_pe(unit, r), &mut scratch);
        ss += n_units as f64 * (x_i - kappa) * (x_i - kappa);
    }
    let se = (ss / (f.n * (f.n - 1.0))).sqrt();
    se.is_finite().then_some(se)
}

/// Percent agreement p_a (weighted when `weights` is not the identity):
/// Gwet's average over units with two or more ratings of the share of
/// agreeing rater pairs. `None` when no unit has two ratings.
pub fn percent_agreement(m: &RatingMatrix, weights: &Weights) -> Option<Coefficient> {
    let f = frame(m, weights)?;
    let se = gwet_standard_error(m, weights, &f, f.pa, 0.0, |_, _| 0.0);
    Some(Coefficient {
        value: f.pa,
        percent_agreement: f.pa,
        chance_agreement: 0.0,
        standard_error: se,
    })
}

/// Gwet's AC1 (identity weights) or AC2 (linear or quadratic weights),
/// Gwet (2008; 2014 ch. 4): p_e = T_w Σ_k π_k (1 − π_k) / (q(q − 1)),
/// T_w = Σ_kl w_kl.
pub fn gwet_ac(m: &RatingMatrix, weights: &Weights) -> Option<Coefficient> {
    let f = frame(m, weights)?;
    let q = f.q as f64;
    let tw = weights.sum(f.q);
    let scale = if f.q >= 2 { tw / (q * (q - 1.0)) } else { 0.0 };
    let pe = scale * f.pi.iter().map(|p| p * (1.0 - p)).sum::<f64>();
    let value = corrected(f.pa, pe)?;
    let pi = f.pi.clone();
    let se = gwet_standard_error(m, weights, &f, value, pe, |unit, r| {
        scale
            * unit
                .iter()
                .map(|c| f64::from(c.count) * (1.0 - pi[c.category as usize]))
                .sum::<f64>()
            / r
    });
    Some(Coefficient {
        value,
        percent_agreement: f.pa,
        chance_agreement: pe,
        standard_error: se,
    })
}

/// Scott's pi for two raters and its generalization to any number of
/// raters with missing data, which is Fleiss' kappa as Gwet (2014) extends
/// it (irrCAC `fleiss.kappa.raw`): p_e = Σ_kl w_kl π_k π_l. Equals Fleiss
/// (1971) when every unit has the same number of ratings.
pub fn scott_pi(m: &RatingMatrix, weights: &Weights) -> Option<Coefficient> {
    let f = frame(m, weights)?;
    let pe = weights.bilinear(&f.pi, &f.pi);
    let value = corrected(f.pa, pe)?;
    let pi_w = weights.symmetric_apply(&f.pi);
    let se = gwet_standard_error(m, weights, &f, value, pe, |unit, r| {
        unit.iter()
            .map(|c| f64::from(c.count) * pi_w[c.category as usize])
            .sum::<f64>()
            / r
    });
    Some(Coefficient {
        value,
        percent_agreement: f.pa,
        chance_agreement: pe,
        standard_error: se,
    })
}

/// Brennan & Prediger (1981): p_e = T_w / q², chance as uniform choice
/// among the q categories.
pub fn brennan_prediger(m: &RatingMatrix, weights: &Weights) -> Option<Coefficient> {
    let f = frame(m, weights)?;
    let q = f.q as f64;
    let pe = weights.sum(f.q) / (q * q);
    let value = corrected(f.pa, pe)?;
    let se = gwet_standard_error(m, weights, &f, value, pe, |_, _| pe);
    Some(Coefficient {
        value,
        percent_agreement: f.pa,
        chance_agreement: pe,
        standard_error: se,
    })
}

/// Conger's (1980) kappa, the many-rater generalization of Cohen's kappa:
/// p_e = Σ_kl w_kl (p̄_k p̄_l − s²_kl / r), with p_gk rater g's share of
/// category k over the units g rated, p̄_k their mean over the r raters and
/// s²_kl their covariance (Gwet 2014; irrCAC `conger.kappa.raw`). Raters
/// with no ratings are left out; needs at least two raters.
pub fn conger_kappa(m: &RatingMatrix, weights: &Weights) -> Option<Coefficient> {
    let f = frame(m, weights)?;
    let q = f.q;
    let raters = m.active_raters();
    let r = raters.len();
    if r < 2 {
        return None;
    }
    let rf = r as f64;
    // p_gk, dense r × q (row g at g·q), indexed by position in `raters`.
    let slot = m.active_slots();
    let mut tally = vec![0u64; r * q];
    for profile in profiles(m) {
        for rating in profile.ratings {
            tally[slot[rating.rater as usize] * q + rating.category as usize] += profile.units;
        }
    }
    let mut p: Vec<f64> = tally.iter().map(|&x| x as f64).collect();
    let n_g: Vec<f64> = p.chunks_exact(q).map(|row| row.iter().sum()).collect();
    for (row, &n) in p.chunks_exact_mut(q).zip(&n_g) {
        row.iter_mut().for_each(|x| *x /= n);
    }
    let rows = || p.chunks_exact(q);
    let p_bar: Vec<f64> = (0..q)
        .map(|k| rows().map(|row| row[k]).sum::<f64>() / rf)
        .collect();
    let between = weights.bilinear(&p_bar, &p_bar);
    let within: f64 = rows().map(|row| weights.bilinear(row, row)).sum();
    let s2 = (within - rf * between) / (rf - 1.0);
    let pe = between - s2 / rf;
    let value = corrected(f.pa, pe)?;

    // Linearization terms: a_gl = (n/n_g) Σ_k w_kl (r p̄_k − p_gk),
    // b_g = Σ_l a_gl p_gl, and p_e|i = [Σ_{g rated i}(a_{g,c} − b_g) + Σ_g (n_g/n) b_g] / (r(r − 1)).
    let mut a_minus_b = vec![0.0; r * q];
    let mut constant = 0.0;
    for (g, row) in rows().enumerate() {
        let a: Vec<f64> = (0..q)
            .map(|l| {
                (f.n / n_g[g])
                    * (0..q)
                        .map(|k| weights.weight(k, l, q) * (rf * p_bar[k] - row[k]))
                        .sum::<f64>()
            })
            .collect();
        let b: f64 = a.iter().zip(row).map(|(x, y)| x * y).sum();
        constant += n_g[g] / f.n * b;
        for (slot, x) in a_minus_b[g * q..(g + 1) * q].iter_mut().zip(&a) {
            *slot = x - b;
        }
    }
    // The pattern part of each unit's term, once per count pattern; p_e|i
    // depends on who rated the unit, so the sum itself runs over rating
    // profiles (units with the same raters' categories).
    let counts = m.counts();
    let mut scratch = Vec::new();
    let pattern_part: Vec<f64> = counts
        .patterns()
        .map(|(unit, _)| gwet_term(weights, &f, unit, value, pe, pe, &mut scratch))
        .collect();
    let slope = 2.0 * (1.0 - value) / (1.0 - pe);
    let mut ss = 0.0;
    for profile in profiles(m) {
        let Some(pattern) = counts
            .pattern_of(profile.unit)
            .filter(|_| !profile.ratings.is_empty())
        else {
            continue;
        };
        let s: f64 = profile
            .ratings
            .iter()
            .map(|x| a_minus_b[slot[x.rater as usize] * q + x.category as usize])
            .sum();
        // x_i = pattern part − 2(1 − κ)(p_e|i − p_e)/(1 − p_e)
        let pe_i = (s + constant) / (rf * (rf - 1.0));
        let x_i = pattern_part[pattern] - slope * (pe_i - pe);
        ss += profile.units as f64 * (x_i - value) * (x_i - value);
    }
    let se = (f.n >= 2.0)
        .then(|| (ss / (f.n * (f.n - 1.0))).sqrt())
        .filter(|s| s.is_finite());
    Some(Coefficient {
        value,
        percent_agreement: f.pa,
        chance_agreement: pe,
        standard_error: se,
    })
}

/// Krippendorff's alpha in Gwet's (2014, ch. 5) weighted formulation with
/// his standard error (irrCAC `krippen.alpha.raw`): over units with r_i ≥ 2,
/// p_a = (1 − ε) p'_a + ε with ε = 1/Σ r_i, p'_a = (1/n) Σ_i Σ_k r_ik(r*_ik − 1)/(r̄(r_i − 1)),
/// p_e = Σ_kl w_kl π_k π_l with π_k = (1/n) Σ_i r_ik / r̄. With identity
/// weights this is the nominal alpha; with weights w = 1 − δ² it is alpha
/// for that metric.
pub fn krippendorff_alpha_gwet(m: &RatingMatrix, weights: &Weights) -> Option<Coefficient> {
    let counts = m.counts();
    let q = counts.n_categories();
    if q == 0 || !weights.fits(q) {
        return None;
    }
    let pairable = || counts.patterns().filter(|(u, _)| total(u) >= 2);
    let n = pairable().map(|(_, w)| w as f64).sum::<f64>();
    if n == 0.0 {
        return None;
    }
    let total_values: f64 = pairable().map(|(u, w)| w as f64 * total(u) as f64).sum();
    let r_bar = total_values / n;
    let eps = 1.0 / total_values;
    let mut scratch = Vec::new();
    let mut pa_prime = 0.0;
    let mut pi = vec![0.0; q];
    for (unit, w) in pairable() {
        let (r, w) = (total(unit) as f64, w as f64);
        pa_prime += w * weights.unit_agreement(unit, q, &mut scratch) / (r_bar * (r - 1.0));
        for c in unit {
            pi[c.category as usize] += w * f64::from(c.count) / r_bar;
        }
    }
    pa_prime /= n;
    pi.iter_mut().for_each(|p| *p /= n);
    let pa = (1.0 - eps) * pa_prime + eps;
    let pe = weights.bilinear(&pi, &pi);
    let value = corrected(pa, pe)?;
    let alpha_prime = (pa_prime - pe) / (1.0 - pe);
    let pi_w = weights.symmetric_apply(&pi);
    let mut ss = 0.0;
    for (unit, w) in pairable() {
        let r = total(unit) as f64;
        let pa_i = weights.unit_agreement(unit, q, &mut scratch) / (r_bar * (r - 1.0))
            - pa_prime * (r - r_bar) / r_bar;
        let alpha_i = (pa_i - pe) / (1.0 - pe);
        let pe_i = unit
            .iter()
            .map(|c| f64::from(c.count) * pi_w[c.category as usize])
            .sum::<f64>()
            / r_bar
            - pe * (r - r_bar) / r_bar;
        let x_i = alpha_i - 2.0 * (1.0 - alpha_prime) * (pe_i - pe) / (1.0 - pe);
        ss += w as f64 * (x_i - alpha_prime) * (x_i - alpha_prime);
    }
    let se = (n >= 2.0)
        .then(|| (ss / (n * (n - 1.0))).sqrt())
        .filter(|s| s.is_finite());
    Some(Coefficient {
        value,
        percent_agreement: pa,
        chance_agreement: pe,
        standard_error: se,
    })
}

/// Cohen's kappa between raters `a` (rows) and `b` (columns), weighted by
/// `weights` (Cohen 1960; 1968): p_a = Σ_kl w_kl p_kl over units both rated,
/// p_e = Σ_kl w_kl p_a,k p_b,l with each rater's marginals over all units
/// that rater rated (Gwet 2014 §2.5 for missing ratings). `None` when the
/// raters share no unit or p_e = 1.
pub fn cohen_kappa_pair(
    m: &RatingMatrix,
    a: u32,
    b: u32,
    weights: &Weights,
) -> Option<Coefficient> {
    let q = m.categories().len();
    if a == b || q == 0 || !weights.fits(q) {
        return None;
    }
    let mut pa_marg = vec![0.0; q];
    let mut pb_marg = vec![0.0; q];
    let (mut n_a, mut n_b, mut n_ab, mut agree) = (0.0, 0.0, 0.0, 0.0);
    // Over rating profiles: units where a and b chose alike count together.
    for profile in profiles(m) {
        let units = profile.units as f64;
        let category_of = |g: u32| {
            profile
                .ratings
                .iter()
                .find(|r| r.rater == g)
                .map(|r| r.category as usize)
        };
        let (ca, cb) = (category_of(a), category_of(b));
        if let Some(k) = ca {
            pa_marg[k] += units;
            n_a += units;
        }
        if let Some(l) = cb {
            pb_marg[l] += units;
            n_b += units;
        }
        if let (Some(k), Some(l)) = (ca, cb) {
            n_ab += units;
            agree += units * weights.weight(k, l, q);
        }
    }
    if n_ab == 0.0 {
        return None;
    }
    pa_marg.iter_mut().for_each(|x| *x /= n_a);
    pb_marg.iter_mut().for_each(|x| *x /= n_b);
    let pa = agree / n_ab;
    let pe = weights.bilinear(&pa_marg, &pb_marg);
    Some(Coefficient {
        value: corrected(pa, pe)?,
        percent_agreement: pa,
        chance_agreement: pe,
        standard_error: None,
    })
}

/// Cohen's kappa when the matrix has exactly two raters with ratings
/// (the first-named is the row rater); `None` otherwise.
pub fn cohen_kappa(m: &RatingMatrix, weights: &Weights) -> Option<Coefficient> {
    match m.active_raters().as_slice() {
        &[a, b] => cohen_kappa_pair(m, a, b, weights),
        _ => None,
    }
}

/// Light's (1971) kappa: the mean of Cohen's kappa over all rater pairs
/// (pairs where kappa is undefined are skipped).
pub fn light_kappa(m: &RatingMatrix) -> Option<f64> {
    let raters = m.active_raters();
    let mut values = Vec::new();
    for (i, &a) in raters.iter().enumerate() {
        for &b in &raters[i + 1..] {
            if let Some(c) = cohen_kappa_pair(m, a, b, &Weights::Identity) {
                values.push(c.value);
            }
        }
    }
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Fleiss' (1971) kappa and its by-products.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FleissKappa {
    pub kappa: f64,
    /// Mean observed agreement P̄.
    pub p_bar: f64,
    /// Chance agreement P̄_e = Σ_j p_j².
    pub p_bar_e: f64,
    /// Agreement P_i of each unit with ratings, in unit order.
    pub p_i: Vec<f64>,
    /// Category proportions p_j.
    pub p_j: Vec<f64>,
    /// Kappa for each category (Fleiss 1971, eq. 13), `None` for unused categories.
    pub category_kappas: Vec<Option<f64>>,
    /// Standard error under the null hypothesis of no agreement (Fleiss,
    /// Nee & Landis 1979).
    pub standard_error_null: Option<f64>,
    /// z = κ / SE₀.
    pub z: Option<f64>,
}

/// Fleiss' (1971) kappa. Requires the same number (≥ 2) of ratings on every
/// unit that has ratings; `None` otherwise.
pub fn fleiss_kappa(m: &RatingMatrix) -> Option<FleissKappa> {
    let counts = m.counts();
    let q = counts.n_categories();
    let mut per_unit: Option<u64> = None;
    let mut n_units = 0.0;
    for (unit, w) in counts.patterns() {
        let r = total(unit);
        if r == 0 {
            continue;
        }
        if *per_unit.get_or_insert(r) != r {
            return None;
        }
        n_units += w as f64;
    }
    let n = per_unit? as f64;
    if n < 2.0 {
        return None;
    }
    let agreement = |unit: &[CategoryCount]| {
        (unit.iter().map(|c| f64::from(c.count).powi(2)).sum::<f64>() - n) / (n * (n - 1.0))
    };
    let p_i: Vec<f64> = counts
        .units()
        .filter(|u| !u.is_empty())
        .map(agreement)
        .collect();
    let mut p_j = vec![0.0; q];
    let mut disagreement_j = vec![0.0; q];
    let mut p_sum = 0.0;
    for (unit, w) in counts.patterns().filter(|(u, _)| !u.is_empty()) {
        let w = w as f64;
        p_sum += w * agreement(unit);
        for c in unit {
            let x = f64::from(c.count);
            p_j[c.category as usize] += w * x;
            disagreement_j[c.category as usize] += w * x * (n - x);
        }
    }
    p_j.iter_mut().for_each(|x| *x /= n_units * n);
    let p_bar = p_sum / n_units;
    let p_bar_e: f64 = p_j.iter().map(|p| p * p).sum();
    let kappa = corrected(p_bar, p_bar_e)?;
    let category_kappas = p_j
        .iter()
        .zip(&disagreement_j)
        .map(|(&p, &d)| {
            let denom = n_units * n * (n - 1.0) * p * (1.0 - p);
            (denom > 0.0).then(|| 1.0 - d / denom)
        })
        .collect();
    let pq: f64 = p_j.iter().map(|p| p * (1.0 - p)).sum();
    let pq_qp: f64 = p_j.iter().map(|p| p * (1.0 - p) * (1.0 - 2.0 * p)).sum();
    let var0 = 2.0 / (pq * pq * n_units * n * (n - 1.0)) * (pq * pq - pq_qp);
    let se0 = (var0 > 0.0 && var0.is_finite()).then(|| var0.sqrt());
    Some(FleissKappa {
        kappa,
        p_bar,
        p_bar_e,
        p_i,
        p_j,
        category_kappas,
        standard_error_null: se0,
        z: se0.map(|s| kappa / s),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::BuildOptions;

    fn two_raters(pairs: &[(u32, u32)]) -> RatingMatrix {
        let labels: Vec<(String, String, String)> = pairs
            .iter()
            .enumerate()
            .map(|(i, (a, b))| (format!("u{i}"), a.to_string(), b.to_string()))
            .collect();
        let mut rows = Vec::new();
        for (u, a, b) in &labels {
            rows.push((u.as_str(), "A", Some(a.as_str())));
            rows.push((u.as_str(), "B", Some(b.as_str())));
        }
        RatingMatrix::from_rows(rows, BuildOptions::default()).unwrap()
    }

    #[test]
    fn weighted_unit_agreement_closed_forms_match_the_matrix() {
        let m = two_raters(&[(1, 2), (3, 3), (1, 4), (2, 2), (4, 1), (5, 3)]);
        let scores = m.categories().scores().unwrap();
        let q = scores.len();
        for w in [
            Weights::Linear(scores.clone()),
            Weights::Quadratic(scores.clone()),
        ] {
            let dense = Weights::Matrix((0..q * q).map(|i| w.weight(i / q, i % q, q)).collect());
            let unit = [
                CategoryCount {
                    category: 0,
                    count: 3,
                },
                CategoryCount {
                    category: 2,
                    count: 1,
                },
                CategoryCount {
                    category: 3,
                    count: 2,
                },
            ];
            let mut s = Vec::new();
            assert!(
                (w.unit_agreement(&unit, q, &mut s) - dense.unit_agreement(&unit, q, &mut s)).abs()
                    < 1e-12
            );
            for f in [
                gwet_ac,
                scott_pi,
                conger_kappa,
                brennan_prediger,
                percent_agreement,
            ] {
                let (x, y) = (f(&m, &w).unwrap(), f(&m, &dense).unwrap());
                assert!((x.value - y.value).abs() < 1e-12);
                assert!((x.standard_error.unwrap() - y.standard_error.unwrap()).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn two_complete_raters_cohen_equals_conger_and_scott_equals_fleiss() {
        let m = two_raters(&[
            (1, 1),
            (1, 2),
            (2, 2),
            (3, 3),
            (2, 3),
            (1, 1),
            (3, 3),
            (2, 1),
        ]);
        let cohen = cohen_kappa(&m, &Weights::Identity).unwrap().value;
        let conger = conger_kappa(&m, &Weights::Identity).unwrap().value;
        assert!((cohen - conger).abs() < 1e-12);
        let scott = scott_pi(&m, &Weights::Identity).unwrap().value;
        let fleiss = fleiss_kappa(&m).unwrap().kappa;
        assert!((scott - fleiss).abs() < 1e-12);
        let alpha = crate::alpha::krippendorff_alpha(&m, crate::alpha::Level::Nominal).unwrap();
        let alpha_gwet = krippendorff_alpha_gwet(&m, &Weights::Identity)
            .unwrap()
            .value;
        assert!((alpha - alpha_gwet).abs() < 1e-12);
    }

    #[test]
    fn cohen_1960_textbook_value() {
        // 50 units: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no -> kappa = 0.4.
        let mut pairs = vec![(1, 1); 20];
        pairs.extend(vec![(1, 0); 5]);
        pairs.extend(vec![(0, 1); 10]);
        pairs.extend(vec![(0, 0); 15]);
        let m = two_raters(&pairs);
        assert!((cohen_kappa(&m, &Weights::Identity).unwrap().value - 0.4).abs() < 1e-12);
    }

    #[test]
    fn fleiss_needs_equal_counts() {
        let rows = [
            ("u1", "A", "1"),
            ("u1", "B", "1"),
            ("u2", "A", "2"),
            ("u2", "B", "1"),
            ("u2", "C", "2"),
        ];
        let m = RatingMatrix::from_rows(
            rows.iter().map(|&(u, r, v)| (u, r, Some(v))),
            BuildOptions::default(),
        )
        .unwrap();
        assert_eq!(fleiss_kappa(&m), None);
        assert!(scott_pi(&m, &Weights::Identity).is_some());
        assert_eq!(cohen_kappa(&m, &Weights::Identity), None);
    }
}
