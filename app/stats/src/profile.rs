//! Rating profiles: each unit's ratings as *who chose what* — the category
//! of every rater who rated it — with units of the same profile visited once.
//!
//! [`CategoryCounts`] keeps how many ratings fell in each category, which
//! is all the Fleiss/Gwet/Krippendorff family needs; Conger's standard
//! error, Cohen's pairs, Kendall's rank sums and the ICC's rater means also
//! need to know which rater gave which rating. Read unit by unit, those made
//! several passes over every rating, each looking every rater up; summed
//! over profiles, each weighted by its number of units, they make a few
//! thousand terms. On the usual shapes (a handful of raters, a short scale)
//! a unit's profile is one mixed-radix number, tallied in a dense table with
//! no hashing or sorting. Where that table would be large (many raters, a
//! long scale) every unit is its own profile, and the sums run over units
//! as they always did; that is slower where units still share few
//! profiles (many raters agreeing on a short scale), never wrong.
//!
//! A profile is represented by one unit that shows it (the last), so its
//! ratings, and its count pattern in [`CategoryCounts`], are that unit's.
//!
//! [`CategoryCounts`]: crate::matrix::CategoryCounts

use crate::matrix::{Rating, RatingMatrix};

/// The distinct rating profiles of a matrix's units; see
/// [`RatingMatrix::profile_table`] and [`profiles`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProfileTable {
    /// For each distinct profile, in the order of its mixed-radix number:
    /// the last unit that shows it and how many do. `None`: every unit is
    /// a profile of its own.
    representatives: Option<Vec<(u32, u32)>>,
}

/// One profile: the ratings of a unit that shows it (in that unit's order),
/// and how many units show it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Profile<'m> {
    pub ratings: &'m [Rating],
    pub units: u64,
    /// The representing unit (for its pattern in [`CategoryCounts`]).
    ///
    /// [`CategoryCounts`]: crate::matrix::CategoryCounts
    pub unit: usize,
}

/// The dense table may have about this many slots per unit: scanning it
/// then costs no more than reading the units.
const DENSE_SLOTS_PER_UNIT: usize = 2;
/// And always this many.
const DENSE_SLOTS_MIN: usize = 4096;

/// Every distinct profile of `m`'s units (units without ratings have the
/// empty one), each with its number of units.
pub(crate) fn profiles(m: &RatingMatrix) -> impl Iterator<Item = Profile<'_>> + '_ {
    let table = m.profile_table();
    let n = table.representatives.as_ref().map_or(m.n_units(), Vec::len);
    (0..n).map(move |i| {
        let (unit, units) = match &table.representatives {
            Some(r) => (r[i].0 as usize, u64::from(r[i].1)),
            None => (i, 1),
        };
        Profile {
            ratings: m.unit(unit),
            units,
            unit,
        }
    })
}

impl ProfileTable {
    pub(crate) fn new(m: &RatingMatrix) -> Self {
        let representatives = dense_size(m).map(|size| Self::dense(m, size));
        ProfileTable { representatives }
    }

    /// Every unit's profile as the number Σ_g (c_g + 1)·(q + 1)^(R−1−g),
    /// with c_g + 1 = 0 when rater g did not rate it, counted in a table of
    /// all (q + 1)^R such numbers.
    fn dense(m: &RatingMatrix, size: usize) -> Vec<(u32, u32)> {
        let q = m.categories().len();
        let base = q + 1;
        // Over the R raters with ratings, in their order s: place[s] =
        // (q + 1)^(R−1−s); digit[g·q + c] = (c + 1)·place[slot of g] (0 for
        // a rater without ratings, whose digits are never read).
        let slots = m.active_slots();
        let active = m.active_raters().len();
        let mut place = vec![1usize; active];
        for s in (0..active.saturating_sub(1)).rev() {
            place[s] = place[s + 1] * base;
        }
        let digit: Vec<u32> = slots
            .iter()
            .flat_map(|&s| {
                let p = place.get(s).copied().unwrap_or(0);
                (1..=q).map(move |c| (c * p) as u32)
            })
            .collect();
        let mut slots = vec![Slot::default(); size];
        tally_keys(m, &digit, q, &mut slots);
        slots
            .iter()
            .filter(|s| s.units > 0)
            .map(|s| (s.unit, s.units))
            .collect()
    }
}

/// A dense-table slot: how many units have this profile, and one of them.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    units: u32,
    unit: u32,
}

/// Counts each unit in its slot Σ digit[rater·q + category], and notes the
/// last unit there. On its own so the loop, which reads every rating, keeps
/// its few values in registers.
#[inline(never)]
fn tally_keys(m: &RatingMatrix, digit: &[u32], q: usize, slots: &mut [Slot]) {
    for (u, unit) in m.units().enumerate() {
        let key: u32 = unit
            .iter()
            .map(|r| digit[r.rater as usize * q + r.category as usize])
            .sum();
        let slot = &mut slots[key as usize];
        slot.units += 1;
        slot.unit = u as u32;
    }
}

/// The size of the dense table, when it is small enough to use: (q + 1)^R
/// for the R raters with ratings, within a few slots per unit (and slot
/// counts and unit numbers fit its `u32`s).
fn dense_size(m: &RatingMatrix) -> Option<usize> {
    if u32::try_from(m.n_units()).is_err() {
        return None;
    }
    let limit = m
        .n_units()
        .saturating_mul(DENSE_SLOTS_PER_UNIT)
        .max(DENSE_SLOTS_MIN)
        .min(u32::MAX as usize);
    let base = m.categories().len() + 1;
    let mut size = 1usize;
    for _ in 0..m.active_raters().len() {
        size = size.checked_mul(base).filter(|&s| s <= limit)?;
    }
    Some(size)
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

    fn sorted(ratings: &[Rating]) -> Vec<(u32, u32)> {
        let mut pairs: Vec<(u32, u32)> = ratings.iter().map(|r| (r.rater, r.category)).collect();
        pairs.sort();
        pairs
    }

    /// Each unit's ratings sorted by rater, counted in a map.
    fn recount(m: &RatingMatrix) -> Listed {
        let mut map = BTreeMap::new();
        for unit in m.units() {
            *map.entry(sorted(unit)).or_insert(0) += 1;
        }
        map
    }

    fn listed(m: &RatingMatrix) -> Listed {
        let mut map = BTreeMap::new();
        for p in profiles(m) {
            assert_eq!(p.ratings, m.unit(p.unit));
            *map.entry(sorted(p.ratings)).or_insert(0) += p.units;
        }
        map
    }

    #[test]
    fn profiles_are_the_units_recounted() {
        let mut rng = Rng::seed_from_u64(7);
        for (units, raters, missing) in [
            (300, 3, 0.2),
            (200, 4, 0.3),
            (4000, 5, 0.5),
            (1, 2, 0.0),
            (40, 1, 0.3),
        ] {
            let m = random_matrix(&mut rng, units, raters, missing);
            assert!(m.profile_table().representatives.is_some());
            let distinct = profiles(&m).count();
            assert_eq!(
                distinct,
                recount(&m).len(),
                "{units} units, {raters} raters"
            );
            assert_eq!(listed(&m), recount(&m));
            // The last unit of each profile represents it.
            let mut seen = std::collections::BTreeSet::new();
            let mut lasts: Vec<usize> = (0..m.n_units())
                .rev()
                .filter(|&u| seen.insert(sorted(m.unit(u))))
                .collect();
            lasts.sort();
            let mut reps: Vec<usize> = profiles(&m).map(|p| p.unit).collect();
            reps.sort();
            assert_eq!(reps, lasts);
        }
        // Too many raters for the dense table: every unit is its own profile.
        let m = random_matrix(&mut rng, 20, 12, 0.3);
        assert_eq!(m.profile_table().representatives, None);
        assert_eq!(profiles(&m).count(), 20);
        assert_eq!(listed(&m), recount(&m));
    }
}
