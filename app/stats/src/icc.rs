//! Intraclass correlations in the six Shrout & Fleiss (1979) forms, with
//! the F-based 95% confidence intervals of Shrout & Fleiss (1979) and
//! McGraw & Wong (1996).
//!
//! From the two-way ANOVA of the n units rated by all k raters (units
//! missing any rater drop out): BMS (between units), WMS (within units), JMS
//! (between raters), EMS (residual),
//!
//! - ICC(1,1) = (BMS − WMS) / (BMS + (k − 1) WMS)  one-way random, single rater
//! - ICC(2,1) = (BMS − EMS) / (BMS + (k − 1) EMS + k (JMS − EMS) / n)  two-way random, absolute agreement
//! - ICC(3,1) = (BMS − EMS) / (BMS + (k − 1) EMS)  two-way mixed, consistency
//! - ICC(1,k) = (BMS − WMS) / BMS
//! - ICC(2,k) = (BMS − EMS) / (BMS + (JMS − EMS) / n)
//! - ICC(3,k) = (BMS − EMS) / BMS
//!
//! Intervals: ICC(1,·) and ICC(3,·) invert F₀ = BMS/WMS resp. BMS/EMS;
//! ICC(2,1) uses Satterthwaite's degrees of freedom (Shrout & Fleiss eq. 11–13;
//! McGraw & Wong Table 7), and ICC(2,k) is its Spearman–Brown step-up, which
//! is algebraically McGraw & Wong's ICC(A,k) interval.

use serde::Serialize;

use crate::dist::{f_quantile, f_sf};
use crate::matrix::RatingMatrix;
use crate::profile::profiles;

/// The six forms, in Shrout & Fleiss order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum IccForm {
    #[serde(rename = "ICC(1,1)")]
    Single1,
    #[serde(rename = "ICC(2,1)")]
    Single2,
    #[serde(rename = "ICC(3,1)")]
    Single3,
    #[serde(rename = "ICC(1,k)")]
    Average1,
    #[serde(rename = "ICC(2,k)")]
    Average2,
    #[serde(rename = "ICC(3,k)")]
    Average3,
}

impl IccForm {
    pub const ALL: [IccForm; 6] = [
        IccForm::Single1,
        IccForm::Single2,
        IccForm::Single3,
        IccForm::Average1,
        IccForm::Average2,
        IccForm::Average3,
    ];

    /// The label used in reports: "ICC(1,1)" … "ICC(3,k)".
    pub fn label(self) -> &'static str {
        match self {
            IccForm::Single1 => "ICC(1,1)",
            IccForm::Single2 => "ICC(2,1)",
            IccForm::Single3 => "ICC(3,1)",
            IccForm::Average1 => "ICC(1,k)",
            IccForm::Average2 => "ICC(2,k)",
            IccForm::Average3 => "ICC(3,k)",
        }
    }
}

/// One ICC with its interval and F test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IccEstimate {
    pub form: IccForm,
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// F statistic for H₀: ICC = 0.
    pub f: Option<f64>,
    pub df1: f64,
    pub df2: f64,
    pub p_value: Option<f64>,
}

/// The ANOVA mean squares and all six ICCs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IccTable {
    /// Units rated by every rater (the ones analysed).
    pub units: usize,
    /// Raters (k).
    pub raters: usize,
    pub bms: f64,
    pub wms: f64,
    pub jms: f64,
    pub ems: f64,
    pub confidence: f64,
    pub estimates: Vec<IccEstimate>,
}

impl IccTable {
    /// The estimate of one form.
    pub fn get(&self, form: IccForm) -> Option<&IccEstimate> {
        self.estimates.iter().find(|e| e.form == form)
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// ICCs from complete units, on the categories' numeric values. `None` when
/// the categories are not numbers, fewer than two raters have ratings, or
/// fewer than two units were rated by every rater.
pub fn icc(m: &RatingMatrix, confidence: f64) -> Option<IccTable> {
    let values = m.categories().numeric_values()?;
    let raters = m.active_raters();
    let k = raters.len();
    if k < 2 || !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    let slot = m.active_slots();
    // One pass of sums of deviations from a provisional centre (the mean of
    // all ratings), which keeps the sums of squares free of cancellation.
    let counts = m.counts();
    let (mut centre_sum, mut centre_n) = (0.0, 0.0);
    for (pattern, w) in counts.patterns() {
        for c in pattern {
            centre_sum += w as f64 * f64::from(c.count) * values[c.category as usize];
            centre_n += w as f64 * f64::from(c.count);
        }
    }
    let centre = if centre_n > 0.0 {
        centre_sum / centre_n
    } else {
        0.0
    };
    // Complete units with the same rating profile contribute alike: sum
    // over profiles, each weighted by its number of units.
    let (mut n, mut sum, mut sum_sq, mut row_sq) = (0usize, 0.0, 0.0, 0.0);
    let mut col = vec![0.0; k];
    for profile in profiles(m).filter(|p| p.ratings.len() == k) {
        let w = profile.units as f64;
        n += profile.units as usize;
        let (mut row, mut sq) = (0.0, 0.0);
        for r in profile.ratings {
            let d = values[r.category as usize] - centre;
            sq += d * d;
            row += d;
            col[slot[r.rater as usize]] += w * d;
        }
        sum_sq += w * sq;
        sum += w * row;
        row_sq += w * row * row;
    }
    if n < 2 {
        return None;
    }
    let (nf, kf) = (n as f64, k as f64);
    let correction = sum * sum / (nf * kf);
    let sst = sum_sq - correction;
    let ssr = row_sq / kf - correction;
    // Sums of squares are differences: snap rounding residue to an exact zero
    // so that, in any row order, perfect agreement gives F = ∞ (intervals
    // [1, 1]) and raters with equal means give JMS = 0.
    let snap = |x: f64| if x.abs() <= 1e-12 * sst { 0.0 } else { x };
    let ssr = snap(ssr);
    let ssc = snap(col.iter().map(|c| c * c / nf).sum::<f64>() - correction);
    let sse = snap(sst - ssr - ssc);
    let ssw = snap(sst - ssr);
    let bms = ssr / (nf - 1.0);
    let wms = ssw / (nf * (kf - 1.0));
    let jms = ssc / (kf - 1.0);
    let ems = sse / ((nf - 1.0) * (kf - 1.0));

    let tail = (1.0 - confidence) / 2.0;
    let upper_q = 1.0 - tail;

    // One-way and consistency forms.
    let df_n = nf - 1.0;
    let df_w = nf * (kf - 1.0);
    let df_e = (nf - 1.0) * (kf - 1.0);
    let f1 = bms / wms;
    let f3 = bms / ems;
    let bounds = |f0: f64, d1: f64, d2: f64| {
        let fl = f0 / f_quantile(upper_q, d1, d2);
        let fu = f0 * f_quantile(upper_q, d2, d1);
        (fl, fu)
    };
    let (f1l, f1u) = bounds(f1, df_n, df_w);
    let (f3l, f3u) = bounds(f3, df_n, df_e);
    // (F − 1)/(F + k − 1), written so that F = ∞ gives its limit 1.
    let single = |fl: f64, fu: f64| {
        (
            finite(1.0 - kf / (fl + kf - 1.0)),
            finite(1.0 - kf / (fu + kf - 1.0)),
        )
    };
    let average = |fl: f64, fu: f64| (finite(1.0 - 1.0 / fl), finite(1.0 - 1.0 / fu));
    let (l11, u11) = single(f1l, f1u);
    let (l31, u31) = single(f3l, f3u);
    let (l1k, u1k) = average(f1l, f1u);
    let (l3k, u3k) = average(f3l, f3u);

    let icc11 = (bms - wms) / (bms + (kf - 1.0) * wms);
    let icc21 = (bms - ems) / (bms + (kf - 1.0) * ems + kf * (jms - ems) / nf);
    let icc31 = (bms - ems) / (bms + (kf - 1.0) * ems);
    let icc1k = (bms - wms) / bms;
    let icc2k = (bms - ems) / (bms + (jms - ems) / nf);
    let icc3k = (bms - ems) / bms;

    // Absolute agreement: Satterthwaite degrees of freedom.
    let fj = jms / ems;
    let rho = icc21;
    let a = kf * rho * fj + nf * (1.0 + (kf - 1.0) * rho) - kf * rho;
    let vn = (kf - 1.0) * (nf - 1.0) * a * a;
    let b = nf * (1.0 + (kf - 1.0) * rho) - kf * rho;
    let vd = (nf - 1.0) * kf * kf * rho * rho * fj * fj + b * b;
    let v = vn / vd;
    // A vanishing Satterthwaite df (e.g. BMS = 0 with two units) leaves the
    // interval undefined; the cut-off keeps rounding from deciding it.
    let (l21, u21) = if v.is_finite() && v > 1e-9 {
        let f_star = f_quantile(upper_q, nf - 1.0, v);
        let f_star2 = f_quantile(upper_q, v, nf - 1.0);
        let denom_core = kf * jms + (kf * nf - kf - nf) * ems;
        let lower = nf * (bms - f_star * ems) / (f_star * denom_core + nf * bms);
        let upper = nf * (f_star2 * bms - ems) / (denom_core + nf * f_star2 * bms);
        (finite(lower), finite(upper))
    } else {
        (None, None)
    };
    let step_up = |x: Option<f64>| x.and_then(|l| finite(l * kf / (1.0 + l * (kf - 1.0))));
    let (l2k, u2k) = (step_up(l21), step_up(u21));

    let p1 = finite(f_sf(f1, df_n, df_w));
    let p3 = finite(f_sf(f3, df_n, df_e));
    let est = |form, value: f64, lower, upper, f: f64, df1, df2, p| IccEstimate {
        form,
        value: finite(value),
        lower,
        upper,
        f: finite(f),
        df1,
        df2,
        p_value: p,
    };
    let estimates = vec![
        est(IccForm::Single1, icc11, l11, u11, f1, df_n, df_w, p1),
        est(IccForm::Single2, icc21, l21, u21, f3, df_n, df_e, p3),
        est(IccForm::Single3, icc31, l31, u31, f3, df_n, df_e, p3),
        est(IccForm::Average1, icc1k, l1k, u1k, f1, df_n, df_w, p1),
        est(IccForm::Average2, icc2k, l2k, u2k, f3, df_n, df_e, p3),
        est(IccForm::Average3, icc3k, l3k, u3k, f3, df_n, df_e, p3),
    ];
    Some(IccTable {
        units: n,
        raters: k,
        bms,
        wms,
        jms,
        ems,
        confidence,
        estimates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::BuildOptions;

    /// Shrout & Fleiss (1979) Table 2.
    fn shrout_fleiss() -> RatingMatrix {
        let data = [
            [9, 2, 5, 8],
            [6, 1, 3, 2],
            [8, 4, 6, 8],
            [7, 1, 2, 6],
            [10, 5, 6, 9],
            [6, 2, 4, 7],
        ];
        let cells: Vec<(String, String, String)> = data
            .iter()
            .enumerate()
            .flat_map(|(i, row)| {
                row.iter()
                    .enumerate()
                    .map(move |(j, v)| (format!("t{i}"), format!("J{j}"), v.to_string()))
            })
            .collect();
        RatingMatrix::from_rows(
            cells
                .iter()
                .map(|(u, r, v)| (u.as_str(), r.as_str(), Some(v.as_str()))),
            BuildOptions::default(),
        )
        .unwrap()
    }

    #[test]
    fn shrout_fleiss_table_3_mean_squares() {
        let t = icc(&shrout_fleiss(), 0.95).unwrap();
        // Table 3: BMS = 11.24, WMS = 6.26, JMS = 32.49, EMS = 1.02.
        for (got, want) in [(t.bms, 11.24), (t.wms, 6.26), (t.jms, 32.49), (t.ems, 1.02)] {
            assert!((got - want).abs() < 0.005, "{got} vs {want}");
        }
    }

    #[test]
    fn intervals_match_psych_icc_output() {
        // psych::ICC(sf) and pingouin.intraclass_corr print these bounds (2 dp),
        // F = 11.027248 and p = 1.34566516e-4 for the Shrout & Fleiss data.
        let t = icc(&shrout_fleiss(), 0.95).unwrap();
        let want = [
            (IccForm::Single1, -0.13, 0.72),
            (IccForm::Single2, 0.02, 0.76),
            (IccForm::Single3, 0.34, 0.95),
            (IccForm::Average1, -0.88, 0.91),
            (IccForm::Average2, 0.07, 0.93),
            (IccForm::Average3, 0.68, 0.99),
        ];
        for (form, lo, hi) in want {
            let e = t.get(form).unwrap();
            assert!(
                (e.lower.unwrap() - lo).abs() <= 0.005 + 1e-9,
                "{form:?} lower {:?}",
                e.lower
            );
            assert!(
                (e.upper.unwrap() - hi).abs() <= 0.005 + 1e-9,
                "{form:?} upper {:?}",
                e.upper
            );
        }
        let e = t.get(IccForm::Single3).unwrap();
        assert!((e.f.unwrap() - 11.027_247_96).abs() < 1e-7);
        assert!(
            (e.p_value.unwrap() - 0.000_134_566_516).abs() < 1e-11,
            "{:?}",
            e.p_value
        );
    }

    #[test]
    fn too_few_complete_units_is_none() {
        let rows = [
            ("u1", "A", Some("1")),
            ("u1", "B", Some("2")),
            ("u2", "A", Some("3")),
            ("u2", "B", None),
        ];
        let m = RatingMatrix::from_rows(rows, BuildOptions::default()).unwrap();
        assert_eq!(icc(&m, 0.95), None);
    }
}
