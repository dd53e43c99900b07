//! Rating profiles: each unit's ratings as *who chose what* — the category
//! of every rater who rated it — with units of the same profile stored once.
//!
//! [`CategoryCounts`] keeps how many ratings fell in each category, which
//! is all the Fleiss/Gwet/Krippendorff family needs; Conger's standard
//! error, Kendall's rank sums and the ICC's rater means also need to know
//! which rater gave which rating. Read unit by unit, those three made five
//! passes over every rating, each looking every rater up; summed over
//! profiles instead, each is a few thousand terms. On the usual shapes (a
//! handful of raters, a short scale) a unit's profile is one mixed-radix
//! number, tallied in a dense table without hashing or sorting; other
//! shapes intern each unit's sorted ratings.
//!
//! Profiles are kept in one canonical order (that of the mixed-radix number,
//! rater 0 most significant), so sums over them depend neither on the order
//! of units nor on which of the two ways built them.
//!
//! [`CategoryCounts`]: crate::matrix::CategoryCounts

use std::cmp::Ordering;

use crate::intern::SliceInterner;
use crate::matrix::{Rating, RatingMatrix};

/// The distinct profiles of a matrix's units, each with the number of units
/// that show it (units without ratings have the empty profile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Profiles {
    /// Profile p is `ratings[offsets[p]..offsets[p + 1]]`, sorted by rater.
    offsets: Vec<usize>,
    ratings: Vec<Rating>,
    multiplicity: Vec<u64>,
}

/// The dense table may have about this many slots per unit (and always
/// this many): scanning it then costs no more than reading the units.
const DENSE_SLOTS_PER_UNIT: usize = 2;
const DENSE_SLOTS_MIN: usize = 4096;

impl Profiles {
    pub(crate) fn new(m: &RatingMatrix) -> Self {
        match dense_size(m) {
            Some(size) => Self::dense(m, size),
            None => Self::general(m),
        }
    }

    /// Every unit's profile as the number Σ_g (c_g + 1)·(q + 1)^(R−1−g),
    /// with c_g + 1 = 0 when rater g did not rate it, counted in a table of
    /// all (q + 1)^R such numbers.
    fn dense(m: &RatingMatrix, size: usize) -> Self {
        let n_raters = m.n_raters();
        let q = m.categories().len();
        let base = q + 1;
        // place[g] = (q + 1)^(R−1−g); digit[g·q + c] = (c + 1)·place[g].
        let mut place = vec![1usize; n_raters];
        for g in (0..n_raters.saturating_sub(1)).rev() {
            place[g] = place[g + 1] * base;
        }
        let digit: Vec<u32> = place
            .iter()
            .flat_map(|&p| (1..=q).map(move |c| (c * p) as u32))
            .collect();
        let mut tally = vec![0u32; size];
        for unit in m.units() {
            let key: u32 = unit
                .iter()
                .map(|r| digit[r.rater as usize * q + r.category as usize])
                .sum();
            tally[key as usize] += 1;
        }
        let mut profiles = Profiles::with_capacity(0);
        for (key, &n) in tally.iter().enumerate().filter(|(_, &n)| n > 0) {
            for (g, &p) in place.iter().enumerate() {
                let d = key / p % base;
                if d > 0 {
                    profiles.ratings.push(Rating {
                        rater: g as u32,
                        category: (d - 1) as u32,
                    });
                }
            }
            profiles.close(u64::from(n));
        }
        profiles
    }

    /// Any shape: each unit's ratings sorted by rater, interned, then put
    /// in the dense order (see [`canonical_order`]).
    fn general(m: &RatingMatrix) -> Self {
        let mut interner = SliceInterner::new();
        let mut multiplicity: Vec<u64> = Vec::new();
        let mut sorted: Vec<Rating> = Vec::new();
        let mut key: Vec<u32> = Vec::new();
        for unit in m.units() {
            sorted.clear();
            sorted.extend_from_slice(unit);
            sorted.sort_unstable_by_key(|r| r.rater);
            key.clear();
            key.extend(sorted.iter().flat_map(|r| [r.rater, r.category]));
            let id = interner.intern(&key) as usize;
            if id == multiplicity.len() {
                multiplicity.push(0);
            }
            multiplicity[id] += 1;
        }
        let ratings_of = |id: usize| -> Vec<Rating> {
            interner
                .get(id)
                .chunks_exact(2)
                .map(|rc| Rating {
                    rater: rc[0],
                    category: rc[1],
                })
                .collect()
        };
        let mut all: Vec<(Vec<Rating>, u64)> = multiplicity
            .iter()
            .enumerate()
            .map(|(id, &n)| (ratings_of(id), n))
            .collect();
        all.sort_by(|a, b| canonical_order(&a.0, &b.0));
        let mut profiles = Profiles::with_capacity(all.len());
        for (ratings, n) in all {
            profiles.ratings.extend_from_slice(&ratings);
            profiles.close(n);
        }
        profiles
    }

    fn with_capacity(n: usize) -> Self {
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0);
        Profiles {
            offsets,
            ratings: Vec::new(),
            multiplicity: Vec::with_capacity(n),
        }
    }

    /// Ends the profile whose ratings were just pushed.
    fn close(&mut self, units: u64) {
        self.offsets.push(self.ratings.len());
        self.multiplicity.push(units);
    }

    /// The distinct profiles, in canonical order, each with its number of
    /// units.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&[Rating], u64)> + '_ {
        self.offsets
            .windows(2)
            .zip(&self.multiplicity)
            .map(move |(w, &n)| (&self.ratings[w[0]..w[1]], n))
    }
}

/// The size of the dense table, when it is small enough to use: (q + 1)^R
/// within a few slots per unit.
fn dense_size(m: &RatingMatrix) -> Option<usize> {
    let limit = m
        .n_units()
        .saturating_mul(DENSE_SLOTS_PER_UNIT)
        .max(DENSE_SLOTS_MIN)
        .min(u32::MAX as usize);
    let base = m.categories().len() + 1;
    let mut size = 1usize;
    for _ in 0..m.n_raters() {
        size = size.checked_mul(base).filter(|&s| s <= limit)?;
    }
    Some(size)
}

/// The order of the dense numbers on sorted rating lists: at the first
/// rater where two profiles differ, having rated beats not having rated,
/// and a higher category beats a lower one.
fn canonical_order(a: &[Rating], b: &[Rating]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        if x.rater != y.rater {
            // `a` has rater x.rater, which `b` lacks (or the reverse).
            return y.rater.cmp(&x.rater);
        }
        if x.category != y.category {
            return x.category.cmp(&y.category);
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::BuildOptions;
    use crate::rng::Rng;
    use std::collections::BTreeMap;

    fn random_matrix(rng: &mut Rng, units: usize, raters: usize, missing: f64) -> RatingMatrix {
        let labels: Vec<(String, String, Option<String>)> = (0..units)
            .flat_map(|u| (0..raters).map(move |r| (u, r)))
            .map(|(u, r)| {
                let value = (rng.next_f64() >= missing).then(|| (1 + rng.below(5)).to_string());
                (format!("u{u}"), format!("r{r}"), value)
            })
            .collect();
        RatingMatrix::from_rows(
            labels
                .iter()
                .map(|(u, r, v)| (u.as_str(), r.as_str(), v.as_deref())),
            BuildOptions::default(),
        )
        .unwrap()
    }

    type Listed = BTreeMap<Vec<(u32, u32)>, u64>;

    fn pairs(ratings: &[Rating]) -> Vec<(u32, u32)> {
        ratings.iter().map(|r| (r.rater, r.category)).collect()
    }

    /// Each unit's ratings sorted by rater, counted in a map.
    fn recount(m: &RatingMatrix) -> Listed {
        let mut map = BTreeMap::new();
        for unit in m.units() {
            let mut sorted = pairs(unit);
            sorted.sort();
            *map.entry(sorted).or_insert(0) += 1;
        }
        map
    }

    fn listed(profiles: &Profiles) -> Listed {
        profiles.iter().map(|(p, n)| (pairs(p), n)).collect()
    }

    #[test]
    fn dense_and_general_profiles_are_the_units_recounted_in_one_order() {
        let mut rng = Rng::seed_from_u64(7);
        for (units, raters, missing) in [(300, 3, 0.2), (50, 5, 0.5), (1, 2, 0.0), (40, 1, 0.3)] {
            let m = random_matrix(&mut rng, units, raters, missing);
            // The dense table whether or not it would be chosen.
            let size = (m.categories().len() + 1).pow(raters as u32);
            let (dense, general) = (Profiles::dense(&m, size), Profiles::general(&m));
            assert_eq!(dense, general, "{units} units, {raters} raters");
            assert_eq!(listed(&dense), recount(&m));
            assert_eq!(dense.iter().count(), recount(&m).len());
            let order: Vec<&[Rating]> = dense.iter().map(|(p, _)| p).collect();
            assert!(order
                .windows(2)
                .all(|w| canonical_order(w[0], w[1]) == Ordering::Less));
        }
        // Too many raters for the dense table.
        let m = random_matrix(&mut rng, 20, 12, 0.3);
        assert_eq!(dense_size(&m), None);
        assert_eq!(listed(&Profiles::new(&m)), recount(&m));
    }
}
