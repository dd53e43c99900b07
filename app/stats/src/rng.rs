//! A small, self-contained pseudo-random number generator.
//!
//! Bootstrap intervals are part of published results, so they must be
//! reproducible from the seed alone, independent of any crate's version.
//! The generator is xoshiro256++ (Blackman & Vigna 2018, "Scrambled linear
//! pseudorandom number generators"), seeded through SplitMix64 (Steele, Lea &
//! Flood 2014). Binomial variates use inversion for small means and BTRD
//! (Hörmann 1993, "The generation of binomial random variates", J. Statist.
//! Comput. Simul. 46:101-110) otherwise, so a multinomial bootstrap over a few
//! hundred distinct unit patterns costs the same for 100 or 100,000 units.

/// xoshiro256++ seeded with SplitMix64.
#[derive(Debug, Clone)]
pub struct Rng {
    state: [u64; 4],
}

/// One SplitMix64 step: advances `state` and returns the mixed output.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator whose whole output stream is determined by `seed`.
    pub fn seed_from_u64(seed: u64) -> Self {
        let mut sm = seed;
        let state = [
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
        ];
        Rng { state }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Advances the state by 2^128 steps (the xoshiro256 jump polynomial):
    /// a seed's stream jumped 0, 1, 2, … times gives non-overlapping
    /// streams for work split across threads.
    pub fn jump(&mut self) {
        const JUMP: [u64; 4] = [
            0x180e_c6d3_3cfd_0aba,
            0xd5a6_1266_f0c9_392c,
            0xa958_2618_e03f_c9aa,
            0x39ab_dc45_29b1_661c,
        ];
        let mut s = [0u64; 4];
        for word in JUMP {
            for bit in 0..64 {
                if word & (1u64 << bit) != 0 {
                    for (acc, x) in s.iter_mut().zip(self.state) {
                        *acc ^= x;
                    }
                }
                self.next_u64();
            }
        }
        self.state = s;
    }

    /// A uniform draw from [0, 1) with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform integer in `0..n` without modulo bias (Lemire 2019,
    /// "Fast random integer generation in an interval"). `n` must be > 0;
    /// `below(0)` returns 0.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        let mut low = m as u64;
        if low < n {
            let threshold = n.wrapping_neg() % n;
            while low < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
                low = m as u64;
            }
        }
        (m >> 64) as u64
    }

    /// A Binomial(n, p) variate. `p` outside [0, 1] is clamped.
    pub fn binomial(&mut self, n: u64, p: f64) -> u64 {
        Binomial::new(p).sample(self, n)
    }

    /// Sequential-search inversion (Kachitvichyanukul & Schmeiser 1988,
    /// algorithm BINV); expected cost O(np), used for np < 10.
    fn binomial_inversion(&mut self, n: u64, p: f64) -> u64 {
        let q = 1.0 - p;
        let s = p / q;
        let a = (count_as_f64(n) + 1.0) * s;
        // (1 − p)^n: repeated squaring is exact enough and much cheaper than
        // exp ∘ ln_1p for the moderate n of a multinomial's later draws.
        let r0 = match i32::try_from(n) {
            Ok(k) if k <= 1 << 20 => q.powi(k),
            _ => ((n as f64) * (-p).ln_1p()).exp(),
        };
        loop {
            let mut u = self.next_f64();
            let mut r = r0;
            let mut x: u64 = 0;
            loop {
                if u < r {
                    return x;
                }
                u -= r;
                x += 1;
                if x > n {
                    // Rounding left a sliver of mass unassigned: draw again.
                    break;
                }
                r *= a / count_as_f64(x) - s;
            }
        }
    }

    /// Fills `out` (row-major, `out.len() / weights.len()` rows) with
    /// independent Multinomial(n, weights / Σweights) draws. The rows are
    /// drawn in lockstep, category by category, so their independent
    /// binomial draws overlap in the processor instead of waiting on each
    /// other as one row's sequential draws must.
    pub fn multinomials(&mut self, n: u64, weights: &[u64], out: &mut [u64]) {
        let k = weights.len();
        if k == 0 {
            return;
        }
        let rows = out.len() / k;
        let mut remaining_n = vec![n; rows];
        let mut remaining_w: u64 = weights.iter().sum();
        for (j, &w) in weights.iter().enumerate() {
            if w >= remaining_w {
                // The last category with weight takes whatever is left.
                for (row, left) in remaining_n.iter_mut().enumerate() {
                    out[row * k + j] = std::mem::take(left);
                }
                remaining_w = 0;
                continue;
            }
            // Every row draws with the same p: its constants are shared.
            let binomial = Binomial::new(w as f64 / remaining_w as f64);
            for (row, left) in remaining_n.iter_mut().enumerate() {
                let x = binomial.sample(self, *left);
                out[row * k + j] = x;
                *left -= x;
            }
            remaining_w -= w;
        }
    }

    /// Fills `out` with a Multinomial(n, weights / Σweights) draw by
    /// sequential conditional binomials: [`Rng::multinomials`] for one row.
    /// `out.len()` must equal `weights.len()`. With no weight at all, the
    /// first category takes all `n` (the total is always kept).
    pub fn multinomial(&mut self, n: u64, weights: &[u64], out: &mut [u64]) {
        self.multinomials(n, weights, out);
    }
}

/// A count as f64 through i64: one instruction on baseline x86-64, where
/// u64 → f64 takes a branchy sequence (counts of units or ratings stay far
/// below 2^63; a larger one still converts, the slow way).
#[inline]
pub(crate) fn count_as_f64(x: u64) -> f64 {
    i64::try_from(x).map_or(x as f64, |x| x as f64)
}

/// Binomial(·, p) for one p and any n: what the samplers need of p alone,
/// worked out once for a column of multinomial rows that share p but not n.
#[derive(Debug, Clone, Copy)]
struct Binomial {
    /// min(p, 1 − p), or 0 when p is 0, 1 or not a number: the samplers
    /// count the rarer outcome.
    p: f64,
    /// Whether the variate is n minus the count of the rarer outcome.
    flip: bool,
    /// p / (1 − p), the factor of the pmf ratio f(k + 1) / f(k) = (n − k) r / (k + 1).
    r: f64,
    pq: f64,
}

impl Binomial {
    /// `p` outside [0, 1] is clamped.
    fn new(p: f64) -> Self {
        let (p, flip) = if p.is_nan() || p <= 0.0 {
            (0.0, false)
        } else if p >= 1.0 {
            (0.0, true)
        } else if p > 0.5 {
            (1.0 - p, true)
        } else {
            (p, false)
        };
        let q = 1.0 - p;
        Binomial {
            p,
            flip,
            r: p / q,
            pq: p * q,
        }
    }

    /// A Binomial(n, p) variate: inversion for np < 10, BTRD otherwise.
    /// Always inlined: a column of multinomial draws calls it in its inner
    /// loop, where a call costs as much as the common path itself.
    #[inline(always)]
    fn sample(&self, rng: &mut Rng, n: u64) -> u64 {
        let x = if n == 0 || self.p == 0.0 {
            0
        } else {
            let nf = count_as_f64(n);
            if nf * self.p < 10.0 {
                rng.binomial_inversion(n, self.p)
            } else {
                self.btrd(rng, nf)
            }
        };
        if self.flip {
            n - x
        } else {
            x
        }
    }

    /// BTRD, "transformed rejection with decomposition" (Hörmann 1993),
    /// for n·p ≥ 10 and p ≤ 0.5: its first step, which accepts most draws
    /// outright, inline; the rest in [`Binomial::btrd_rejection`].
    #[inline]
    fn btrd(&self, rng: &mut Rng, nf: f64) -> u64 {
        let spq = (nf * self.pq).sqrt();
        let b = 1.15 + 2.53 * spq;
        let a = -0.0873 + 0.0248 * b + 0.01 * self.p;
        let c = nf * self.p + 0.5;
        let inv_b = 1.0 / b;
        let vr = 0.92 - 4.2 * inv_b;
        let inv_vr = 1.0 / vr;
        // Step 1: the cheap central region.
        let v = rng.next_f64();
        if v <= 0.86 * vr {
            let u = v * inv_vr - 0.43;
            // Always ≥ 0 here (Hörmann 1993, step 1).
            return ((2.0 * a / (0.5 - u.abs()) + b) * u + c).max(0.0) as i64 as u64;
        }
        let hat = Hat {
            spq,
            a,
            b,
            c,
            inv_b,
            vr,
            inv_vr,
        };
        self.btrd_rejection(rng, nf, &hat, v)
    }

    /// BTRD steps 2 and 3 for a first uniform `v` that step 1 did not accept,
    /// then the whole loop again until a draw is accepted.
    #[inline(never)]
    fn btrd_rejection(&self, rng: &mut Rng, nf: f64, hat: &Hat, mut v: f64) -> u64 {
        let Hat {
            spq,
            a,
            b,
            c,
            inv_b,
            vr,
            inv_vr,
        } = *hat;
        let r = self.r;
        let npq = nf * self.pq;
        // Truncating casts stand in for floor() (a libm call on baseline
        // x86-64) wherever the argument is known to be non-negative.
        let m = ((nf + 1.0) * self.p) as i64 as f64;
        let nr = (nf + 1.0) * r;
        let alpha = (2.83 + 5.1 * inv_b) * spq;
        let urvr = 0.86 * vr;
        let mut first = true;
        loop {
            if !first {
                v = rng.next_f64();
                if v <= urvr {
                    let u = v * inv_vr - 0.43;
                    return ((2.0 * a / (0.5 - u.abs()) + b) * u + c).max(0.0) as i64 as u64;
                }
            }
            first = false;
            // Step 2: choose a point in the tails or the border region.
            let u = if v >= vr {
                rng.next_f64() - 0.5
            } else {
                let u0 = v * inv_vr - 0.93;
                v = rng.next_f64() * vr;
                0.5f64.copysign(u0) - u0
            };
            // Step 3.0
            let us = 0.5 - u.abs();
            let x = (2.0 * a / us + b) * u + c;
            if x < 0.0 {
                continue;
            }
            let k = x as i64 as f64;
            if k > nf {
                continue;
            }
            v = v * alpha / (a / (us * us) + b);
            let km = (k - m).abs();
            if km <= 15.0 {
                // Step 3.1: recursive evaluation of f(k) / f(m).
                let mut f = 1.0;
                if m < k {
                    let mut i = m;
                    while i < k {
                        i += 1.0;
                        f *= nr / i - r;
                    }
                } else if m > k {
                    let mut i = k;
                    while i < m {
                        i += 1.0;
                        v *= nr / i - r;
                    }
                }
                if v <= f {
                    return k as u64;
                }
                continue;
            }
            // Step 3.2: squeeze acceptance and rejection.
            let lv = v.ln();
            let rho = (km / npq) * (((km / 3.0 + 0.625) * km + 1.0 / 6.0) / npq + 0.5);
            let t = -km * km / (2.0 * npq);
            if lv < t - rho {
                return k as u64;
            }
            if lv > t + rho {
                continue;
            }
            // Steps 3.3 and 3.4: the final comparison with Stirling corrections.
            if lv <= final_bound(nf, r, m, k) {
                return k as u64;
            }
        }
    }
}

/// BTRD steps 3.3 and 3.4: ln f(k) / f(m) by Stirling's formula with
/// corrections, the exact test for draws the squeeze could not decide.
/// Out of line so its five logarithms run only when needed: inlined, the
/// compiler hoists the ones that do not depend on k out of the rejection loop
/// and computes them on every rejection.
#[inline(never)]
fn final_bound(nf: f64, r: f64, m: f64, k: f64) -> f64 {
    let nm = nf - m + 1.0;
    let h = (m + 0.5) * ((m + 1.0) / (r * nm)).ln()
        + stirling_correction(m)
        + stirling_correction(nf - m);
    let nk = nf - k + 1.0;
    h + (nf + 1.0) * (nm / nk).ln() + (k + 0.5) * (nk * r / (k + 1.0)).ln()
        - stirling_correction(k)
        - stirling_correction(nf - k)
}

/// BTRD's hat for one (n, p), as step 1 computed it.
#[derive(Debug, Clone, Copy)]
struct Hat {
    spq: f64,
    a: f64,
    b: f64,
    c: f64,
    inv_b: f64,
    vr: f64,
    inv_vr: f64,
}

/// fc(k) = ln k! − [(k + ½) ln(k + 1) − (k + 1) + ½ ln 2π], the error of
/// Stirling's approximation, as used by BTRD.
fn stirling_correction(k: f64) -> f64 {
    if k < 10.0 {
        let mut ln_fact = 0.0;
        let mut i = 2.0;
        while i <= k {
            ln_fact += f64::ln(i);
            i += 1.0;
        }
        let half_ln_2pi = 0.918_938_533_204_672_8;
        ln_fact - ((k + 0.5) * (k + 1.0).ln() - (k + 1.0) + half_ln_2pi)
    } else {
        let z = k + 1.0;
        let z2 = z * z;
        (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / 1260.0 / z2) / z2) / z
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::ln_gamma;

    #[test]
    fn same_seed_same_stream_and_different_seeds_differ() {
        let mut a = Rng::seed_from_u64(7);
        let mut b = Rng::seed_from_u64(7);
        let mut c = Rng::seed_from_u64(8);
        let xs: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn splitmix_matches_reference_output() {
        // First outputs of SplitMix64 seeded with 0 (Vigna's reference C code).
        let mut s = 0u64;
        assert_eq!(splitmix64(&mut s), 0xe220_a839_7b1d_cdaf);
        assert_eq!(splitmix64(&mut s), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn below_is_in_range_and_roughly_uniform() {
        let mut rng = Rng::seed_from_u64(1);
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            let x = rng.below(6);
            assert!(x < 6);
            counts[x as usize] += 1;
        }
        for c in counts {
            assert!((9_500..10_500).contains(&c), "{c}");
        }
    }

    #[test]
    fn stirling_correction_is_continuous_at_the_switch() {
        let exact = |k: f64| {
            ln_gamma(k + 1.0) - ((k + 0.5) * (k + 1.0).ln() - (k + 1.0) + 0.918_938_533_204_672_8)
        };
        // Below 10 it is exact; the three-term series errs by < 1/(1680 (k+1)^7) ≈ 3e-11 at k = 10.
        for k in [0.0, 1.0, 5.0, 9.0, 10.0, 11.0, 30.0] {
            assert!((stirling_correction(k) - exact(k)).abs() < 5e-11, "{k}");
        }
    }

    #[test]
    fn jumped_streams_are_reproducible_and_distinct() {
        let mut a = Rng::seed_from_u64(5);
        let mut b = Rng::seed_from_u64(5);
        a.jump();
        b.jump();
        let jumped: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        assert_eq!(jumped, (0..4).map(|_| b.next_u64()).collect::<Vec<_>>());
        let mut plain = Rng::seed_from_u64(5);
        assert_ne!(jumped, (0..4).map(|_| plain.next_u64()).collect::<Vec<_>>());
    }

    /// Pearson chi-square goodness of fit of binomial draws against the exact
    /// probability mass function, for both the inversion and the BTRD branch.
    #[test]
    fn binomial_matches_exact_pmf() {
        let mut rng = Rng::seed_from_u64(42);
        for &(n, p) in &[
            (5u64, 0.3),
            (40, 0.1),
            (50, 0.5),
            (200, 0.3),
            (1000, 0.02),
            (100_000, 0.37),
            (30, 0.9),
        ] {
            let draws = 200_000u32;
            let mut counts = std::collections::BTreeMap::<u64, u32>::new();
            let mut sum = 0.0;
            for _ in 0..draws {
                let x = rng.binomial(n, p);
                assert!(x <= n);
                sum += x as f64;
                *counts.entry(x).or_default() += 1;
            }
            let mean = sum / f64::from(draws);
            let sd = (n as f64 * p * (1.0 - p)).sqrt();
            assert!(
                (mean - n as f64 * p).abs() < 5.0 * sd / f64::from(draws).sqrt(),
                "mean n={n} p={p}"
            );
            // Chi-square over cells with expected count >= 20, lumping the rest.
            let ln_pmf = |k: u64| {
                let (nf, kf) = (n as f64, k as f64);
                ln_gamma(nf + 1.0) - ln_gamma(kf + 1.0) - ln_gamma(nf - kf + 1.0)
                    + kf * p.ln()
                    + (nf - kf) * (1.0 - p).ln()
            };
            let mut chi2 = 0.0;
            let mut cells = 0;
            let (mut rest_obs, mut rest_exp) = (0.0, 0.0);
            for k in 0..=n {
                let e = f64::from(draws) * ln_pmf(k).exp();
                let o = f64::from(counts.get(&k).copied().unwrap_or(0));
                if e >= 20.0 {
                    chi2 += (o - e) * (o - e) / e;
                    cells += 1;
                } else {
                    rest_obs += o;
                    rest_exp += e;
                }
            }
            if rest_exp >= 20.0 {
                chi2 += (rest_obs - rest_exp) * (rest_obs - rest_exp) / rest_exp;
                cells += 1;
            }
            let df = f64::from(cells - 1);
            let p_value = crate::dist::chi_square_sf(chi2, df);
            assert!(
                p_value > 1e-4,
                "n={n} p={p}: chi2={chi2} df={df} p={p_value}"
            );
        }
    }

    #[test]
    fn multinomial_conserves_the_total() {
        let mut rng = Rng::seed_from_u64(3);
        let weights = [5u64, 0, 1, 100, 7];
        let mut out = [0u64; 5];
        for _ in 0..1000 {
            rng.multinomial(113, &weights, &mut out);
            assert_eq!(out.iter().sum::<u64>(), 113);
            assert_eq!(out[1], 0);
        }
        // Several rows at once (the bootstrap's way): each keeps its total.
        let mut rows = [0u64; 15];
        rng.multinomials(40, &weights, &mut rows);
        for row in rows.chunks_exact(5) {
            assert_eq!(row.iter().sum::<u64>(), 40);
            assert_eq!(row[1], 0);
        }
        // No weight at all: the total is still kept, in the first category.
        rng.multinomial(7, &[0, 0, 0], &mut out[..3]);
        assert_eq!(out[..3], [7, 0, 0]);
    }
}
