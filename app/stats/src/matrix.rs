//! The reliability-data matrix: ratings in long format (unit, rater,
//! value-or-missing) become a units × raters table over a category set.
//!
//! Storage is sparse (per unit, the raters who rated it and the category they
//! chose), so a crowd of thousands of raters each rating a few units costs
//! what the ratings cost, not units × raters.
//!
//! Categories: with an explicit ordered list, labels take positions 1..q in
//! list order (text labels allowed, so ordinal and weighted measures are
//! defined); when every label is a number, those numbers are the values used
//! by interval and ratio measures. Without a list, the categories are the
//! distinct values seen, sorted numerically when all are numbers (and then
//! ordered and numeric), otherwise sorted by text and treated as unordered
//! (nominal only).

use std::fmt;
use std::sync::OnceLock;

use crate::intern::{hash_u128, IdTable, Labels, SliceInterner, StrInterner};
use crate::pages::PageVec;
use crate::par;
use crate::profile::ProfileTable;

/// Marks a blank (missing) rating while building.
const MISSING: u32 = u32::MAX;
const NO_UNIT: u32 = u32::MAX;
/// A one-byte value whose code is not cached yet.
pub(crate) const NOT_CACHED: u32 = u32::MAX - 1;

/// One non-missing rating inside a unit: who rated, and which category
/// (an index into the matrix's [`CategorySet`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
pub struct Rating {
    pub rater: u32,
    pub category: u32,
}

/// `s` without leading and trailing spaces and tabs.
#[inline]
pub(crate) fn trim_blank(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if !matches!(f, b' ' | b'\t') && !matches!(l, b' ' | b'\t') => return s,
        _ => {}
    }
    let start = b
        .iter()
        .position(|&c| c != b' ' && c != b'\t')
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|&c| c != b' ' && c != b'\t')
        .map_or(start, |i| i + 1);
    s.get(start..end).unwrap_or_default()
}

/// Parses a category label as a finite number.
pub(crate) fn parse_number(label: &str) -> Option<f64> {
    let t = label.trim();
    // Rust accepts "inf" and "NaN"; a rating scale has neither.
    let first = t.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The ordered (or unordered) set of categories a matrix uses.
#[derive(Debug, Clone, PartialEq)]
pub struct CategorySet {
    labels: Vec<String>,
    values: Option<Vec<f64>>,
    ordered: bool,
}

impl CategorySet {
    /// An explicit, ordered category list. Labels must be distinct (two
    /// labels naming the same number, like "1" and "1.0", count as equal).
    pub fn ordered(labels: &[String]) -> Result<Self, CategoryError> {
        if labels.is_empty() {
            return Err(CategoryError::Empty);
        }
        let mut seen = StrInterner::new();
        for label in labels {
            if label.trim().is_empty() {
                return Err(CategoryError::Blank);
            }
            if !seen.intern(label.trim()).1 {
                return Err(CategoryError::Duplicate(label.clone()));
            }
        }
        let numbers: Option<Vec<f64>> = labels.iter().map(|l| parse_number(l)).collect();
        if let Some(values) = &numbers {
            for (i, v) in values.iter().enumerate() {
                if values[..i].contains(v) {
                    return Err(CategoryError::Duplicate(labels[i].clone()));
                }
            }
        }
        Ok(CategorySet {
            labels: labels.iter().map(|l| l.trim().to_string()).collect(),
            values: numbers,
            ordered: true,
        })
    }

    /// Number of categories q.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Category labels in category order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Whether the categories have an order (explicit list or numbers).
    pub fn is_ordered(&self) -> bool {
        self.ordered
    }

    /// The numeric value of each category when every label is a number.
    pub fn numeric_values(&self) -> Option<&[f64]> {
        self.values.as_deref()
    }

    /// Scores for ordinal and weighted measures: the numbers themselves when
    /// numeric, positions 1..q when ordered text, `None` when unordered.
    pub fn scores(&self) -> Option<Vec<f64>> {
        match (&self.values, self.ordered) {
            (Some(v), _) => Some(v.clone()),
            (None, true) => Some((1..=self.labels.len()).map(|i| i as f64).collect()),
            (None, false) => None,
        }
    }

    /// The index of a label, matching exactly or, for numbers, numerically.
    pub fn index_of(&self, label: &str) -> Option<u32> {
        let label = label.trim();
        if let Some(i) = self.labels.iter().position(|l| l == label) {
            return Some(i as u32);
        }
        let (values, x) = (self.values.as_ref()?, parse_number(label)?);
        values.iter().position(|&v| v == x).map(|i| i as u32)
    }
}

/// Why an explicit category list was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum CategoryError {
    Empty,
    Blank,
    Duplicate(String),
}

impl fmt::Display for CategoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CategoryError::Empty => write!(f, "the category list is empty"),
            CategoryError::Blank => write!(f, "the category list contains a blank label"),
            CategoryError::Duplicate(l) => write!(f, "category {l:?} is listed twice"),
        }
    }
}

impl std::error::Error for CategoryError {}

/// Why a rating could not be added, or the matrix not finished.
#[derive(Debug, Clone, PartialEq)]
pub enum BuildError {
    /// The same unit × rater cell appears twice; `row` is the 0-based index
    /// (in `add` order) of the second occurrence.
    DuplicateRating {
        unit: String,
        rater: String,
        row: usize,
    },
    /// A value outside the explicit category list.
    UnknownCategory { value: String },
    /// A non-numeric value where numbers are required.
    NotNumeric { value: String },
    /// A blank unit or rater id.
    BlankId { what: &'static str },
    /// More than 2³² − 2 distinct units, raters or values.
    TooLarge,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::DuplicateRating { unit, rater, .. } => {
                write!(f, "duplicate rating for unit {unit} by rater {rater}")
            }
            BuildError::UnknownCategory { value } => {
                write!(f, "value {value:?} is not one of the categories")
            }
            BuildError::NotNumeric { value } => write!(f, "value {value:?} is not a number"),
            BuildError::BlankId { what } => write!(f, "blank {what} id"),
            BuildError::TooLarge => write!(f, "too many distinct units, raters or values"),
        }
    }
}

impl std::error::Error for BuildError {}

/// Options for turning long-format rows into a matrix.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// An explicit ordered category list (see the module docs).
    pub categories: Option<CategorySet>,
    /// Refuse values that are not numbers (interval / ratio analyses).
    pub require_numeric: bool,
}

/// Per-value bookkeeping while building.
#[derive(Debug, Clone)]
pub(crate) struct ValueTable {
    interner: StrInterner,
    /// Value id → the code stored in entries (its category index with an
    /// explicit list, its value id otherwise); `NOT_CACHED` while the value
    /// has not been accepted (a refused value stays refused).
    codes: Vec<u32>,
    explicit: Option<CategorySet>,
    require_numeric: bool,
}

impl ValueTable {
    pub(crate) fn new(options: &BuildOptions) -> Self {
        ValueTable {
            interner: StrInterner::new(),
            codes: Vec::new(),
            explicit: options.categories.clone(),
            require_numeric: options.require_numeric,
        }
    }

    /// The code stored for a value, validating it the first time.
    pub(crate) fn code(&mut self, value: &str) -> Result<u32, BuildError> {
        let (id, _) = self.interner.intern(value);
        if id >= NOT_CACHED {
            return Err(BuildError::TooLarge);
        }
        let slot = id as usize;
        if let Some(&code) = self.codes.get(slot).filter(|&&c| c != NOT_CACHED) {
            return Ok(code);
        }
        if self.require_numeric && parse_number(value).is_none() {
            return Err(BuildError::NotNumeric {
                value: value.to_string(),
            });
        }
        let code = match &self.explicit {
            Some(categories) => {
                categories
                    .index_of(value)
                    .ok_or_else(|| BuildError::UnknownCategory {
                        value: value.to_string(),
                    })?
            }
            None => id,
        };
        if self.codes.len() <= slot {
            self.codes.resize(slot + 1, NOT_CACHED);
        }
        self.codes[slot] = code;
        Ok(code)
    }

    /// Whether value id `id` was accepted.
    fn accepted(&self, id: u32) -> bool {
        self.codes
            .get(id as usize)
            .is_some_and(|&c| c != NOT_CACHED)
    }

    /// For a table that coded the values of a later part of the same input:
    /// the code here of each of its codes. With an explicit list a code is
    /// the category's index, the same in every part; otherwise it is a
    /// part's own value id, and unaccepted ids map to `NOT_CACHED`. `None`
    /// if this table refuses a value the other accepted (it cannot: both
    /// apply the same options).
    pub(crate) fn codes_of(&mut self, other: &ValueTable) -> Option<Vec<u32>> {
        if let Some(categories) = &self.explicit {
            return Some((0..categories.len() as u32).collect());
        }
        (0..other.interner.len() as u32)
            .map(|v| match other.interner.label(v) {
                Some(label) if other.accepted(v) => self.code(label).ok(),
                _ => Some(NOT_CACHED),
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy)]
struct Triple {
    unit: u32,
    rater: u32,
    code: u32,
    row: u32,
}

/// Builds a [`RatingMatrix`] one long-format row at a time.
///
/// Rows grouped by unit (the usual layout) go straight into the compact
/// per-unit storage and duplicates are caught as they arrive; if a unit
/// reappears later the builder falls back to collecting rows and sorting
/// them by unit at the end.
#[derive(Debug, Clone)]
pub struct MatrixBuilder {
    units: StrInterner,
    raters: StrInterner,
    values: ValueTable,
    rows: usize,
    missing: usize,
    current_unit: u32,
    /// The unit of the last successful `add`.
    last_unit: u32,
    rater_stamp: Vec<u32>,
    /// The rater that followed each rater last time: long-format files
    /// repeat the same rater order unit after unit, so this guess usually
    /// saves a hash lookup.
    rater_next: Vec<u32>,
    last_rater: u32,
    /// Codes of one-byte values (the usual 1–5 or 0–9 scale), by byte.
    byte_codes: Box<[u32; 256]>,
    offsets: Vec<usize>,
    entries: Vec<Rating>,
    scattered: Option<Vec<Triple>>,
    /// Names of the units of parts joined after this one's (their unit ids
    /// follow this builder's), added to the matrix's labels at the end.
    joined_units: Vec<Labels>,
}

impl MatrixBuilder {
    pub fn new(options: BuildOptions) -> Self {
        MatrixBuilder {
            units: StrInterner::new(),
            raters: StrInterner::new(),
            values: ValueTable::new(&options),
            rows: 0,
            missing: 0,
            current_unit: NO_UNIT,
            last_unit: NO_UNIT,
            rater_stamp: Vec::new(),
            rater_next: Vec::new(),
            last_rater: NO_UNIT,
            byte_codes: Box::new([NOT_CACHED; 256]),
            offsets: Vec::new(),
            entries: Vec::new(),
            scattered: None,
            joined_units: Vec::new(),
        }
    }

    /// Reserves room for about `rows` more rows.
    pub fn reserve(&mut self, rows: usize) {
        if self.scattered.is_none() {
            self.entries.reserve(rows);
        }
    }

    /// Adds one row; `value` `None` (or blank) is a missing rating, which
    /// still occupies its unit × rater cell.
    pub fn add(&mut self, unit: &str, rater: &str, value: Option<&str>) -> Result<(), BuildError> {
        let unit = trim_blank(unit);
        if unit.is_empty() {
            return Err(BuildError::BlankId { what: "unit" });
        }
        // Validate everything before touching the unit table, so a refused
        // row leaves no trace.
        let (rater, code) = self.check(rater, value)?;
        let (unit_id, new_unit) =
            if self.current_unit != NO_UNIT && self.units.is(self.current_unit, unit) {
                (self.current_unit, false)
            } else {
                self.units.intern(unit)
            };
        if unit_id == NO_UNIT {
            return Err(BuildError::TooLarge);
        }
        self.place(unit_id, new_unit, rater, code)
    }

    /// `add` for a row whose unit is the one of the previous successful
    /// `add` (the caller vouches for it, e.g. the same slice of a file):
    /// skips looking the unit up.
    pub(crate) fn add_same_unit(
        &mut self,
        rater: &str,
        value: Option<&str>,
    ) -> Result<(), BuildError> {
        if self.last_unit == NO_UNIT {
            return Err(BuildError::BlankId { what: "unit" });
        }
        let (rater, code) = self.check(rater, value)?;
        self.place(self.last_unit, false, rater, code)
    }

    /// The trimmed rater id and the value's code.
    fn check<'s>(
        &mut self,
        rater: &'s str,
        value: Option<&str>,
    ) -> Result<(&'s str, u32), BuildError> {
        let rater = trim_blank(rater);
        if rater.is_empty() {
            return Err(BuildError::BlankId { what: "rater" });
        }
        let code = match value.map(trim_blank) {
            None | Some("") => MISSING,
            Some(v) => self.value_code(v)?,
        };
        Ok((rater, code))
    }

    /// Stores a validated row.
    fn place(
        &mut self,
        unit_id: u32,
        new_unit: bool,
        rater: &str,
        code: u32,
    ) -> Result<(), BuildError> {
        let row = self.rows;
        let rater_id = self.rater_id(rater);
        if rater_id == NO_UNIT {
            return Err(BuildError::TooLarge);
        }
        if let Some(triples) = &mut self.scattered {
            triples.push(Triple {
                unit: unit_id,
                rater: rater_id,
                code,
                row: u32::try_from(row).map_err(|_| BuildError::TooLarge)?,
            });
        } else {
            if unit_id != self.current_unit {
                if new_unit {
                    self.offsets.push(self.entries.len());
                    self.current_unit = unit_id;
                } else {
                    self.scatter();
                    return self.add_scattered(unit_id, rater_id, code, row);
                }
            }
            let stamp = &mut self.rater_stamp[rater_id as usize];
            if *stamp == unit_id {
                return Err(self.duplicate(unit_id, rater_id, row));
            }
            *stamp = unit_id;
            self.entries.push(Rating {
                rater: rater_id,
                category: code,
            });
        }
        self.rows += 1;
        self.last_unit = unit_id;
        if code == MISSING {
            self.missing += 1;
        }
        Ok(())
    }

    #[inline]
    fn value_code(&mut self, v: &str) -> Result<u32, BuildError> {
        if let &[b] = v.as_bytes() {
            let cached = self.byte_codes[usize::from(b)];
            if cached != NOT_CACHED {
                return Ok(cached);
            }
            let code = self.values.code(v)?;
            self.byte_codes[usize::from(b)] = code;
            return Ok(code);
        }
        self.values.code(v)
    }

    #[inline]
    fn rater_id(&mut self, rater: &str) -> u32 {
        let guess = self
            .rater_next
            .get(self.last_rater as usize)
            .copied()
            .unwrap_or(NO_UNIT);
        if guess != NO_UNIT && self.raters.is(guess, rater) {
            self.last_rater = guess;
            return guess;
        }
        let (id, new) = self.raters.intern(rater);
        if new {
            self.rater_stamp.push(NO_UNIT);
            self.rater_next.push(NO_UNIT);
        }
        if let Some(next) = self.rater_next.get_mut(self.last_rater as usize) {
            *next = id;
        }
        self.last_rater = id;
        id
    }

    fn add_scattered(
        &mut self,
        unit: u32,
        rater: u32,
        code: u32,
        row: usize,
    ) -> Result<(), BuildError> {
        let row32 = u32::try_from(row).map_err(|_| BuildError::TooLarge)?;
        if let Some(triples) = &mut self.scattered {
            triples.push(Triple {
                unit,
                rater,
                code,
                row: row32,
            });
        }
        self.rows += 1;
        self.last_unit = unit;
        if code == MISSING {
            self.missing += 1;
        }
        Ok(())
    }

    /// Switches from grouped to scattered collection.
    fn scatter(&mut self) {
        let mut triples = Vec::with_capacity(self.entries.len() * 2);
        for (unit, window) in self.offsets.iter().enumerate() {
            let end = self
                .offsets
                .get(unit + 1)
                .copied()
                .unwrap_or(self.entries.len());
            for r in &self.entries[*window..end] {
                triples.push(Triple {
                    unit: unit as u32,
                    rater: r.rater,
                    code: r.category,
                    row: 0,
                });
            }
        }
        self.entries = Vec::new();
        self.offsets = Vec::new();
        self.scattered = Some(triples);
    }

    /// Finishes builders that read consecutive parts of one input (each on
    /// its own thread) into the matrix one builder reading it all would
    /// give. `None` when the parts cannot simply be joined — one collected
    /// scattered rows, or a unit appears in two parts — and the caller then
    /// reads the input as one part.
    pub(crate) fn finish_parts(
        parts: Vec<MatrixBuilder>,
    ) -> Option<Result<RatingMatrix, BuildError>> {
        if parts.iter().any(|p| p.scattered.is_some()) {
            return None;
        }
        // No unit in two parts: each part's names looked up in every earlier
        // part, a few thousand names per thread.
        const NAMES_PER_CHECK: usize = 16_384;
        let checks: Vec<(usize, std::ops::Range<usize>)> = (1..parts.len())
            .flat_map(|j| {
                let n = parts[j].units.len();
                (0..n)
                    .step_by(NAMES_PER_CHECK)
                    .map(move |start| (j, start..(start + NAMES_PER_CHECK).min(n)))
            })
            .collect();
        let shared = par::map(checks, |(j, range)| {
            parts[..j]
                .iter()
                .any(|earlier| earlier.units.shares_any(&parts[j].units, range.clone()))
        })
        .into_iter()
        .any(|shared| shared);
        if shared {
            return None;
        }
        let mut parts = parts.into_iter();
        let mut whole = parts.next()?;
        for part in parts {
            whole.join(part);
        }
        Some(whole.finish())
    }

    /// Appends the rows of a builder that read the rows following this
    /// one's, naming no unit this one names (see [`Self::finish_parts`]).
    fn join(&mut self, other: MatrixBuilder) {
        let raters: Vec<u32> = (0..other.raters.len() as u32)
            .map(|r| self.rater_id(other.raters.label(r).unwrap_or_default()))
            .collect();
        let codes = self.values.codes_of(&other.values).unwrap_or_default();
        let same = |map: &[u32]| map.iter().enumerate().all(|(i, &m)| m == i as u32);
        let base = self.entries.len();
        self.offsets.extend(other.offsets.iter().map(|o| o + base));
        if same(&raters) && same(&codes) {
            self.entries.extend_from_slice(&other.entries);
        } else {
            let code = |c: u32| match c {
                MISSING => MISSING,
                c => codes.get(c as usize).copied().unwrap_or(c),
            };
            self.entries.extend(other.entries.iter().map(|e| Rating {
                rater: raters[e.rater as usize],
                category: code(e.category),
            }));
        }
        self.joined_units.push(other.units.into_labels());
        self.rows += other.rows;
        self.missing += other.missing;
    }

    fn duplicate(&self, unit: u32, rater: u32, row: usize) -> BuildError {
        BuildError::DuplicateRating {
            unit: self.units.label(unit).unwrap_or_default().to_string(),
            rater: self.raters.label(rater).unwrap_or_default().to_string(),
            row,
        }
    }

    /// Finishes the matrix: checks for duplicates left by scattered input,
    /// drops missing cells and fixes the category set.
    pub fn finish(mut self) -> Result<RatingMatrix, BuildError> {
        let n_units = self.units.len();
        let (mut offsets, mut entries) = match self.scattered.take() {
            None => (
                std::mem::take(&mut self.offsets),
                std::mem::take(&mut self.entries),
            ),
            Some(triples) => self.group_scattered(triples, n_units)?,
        };
        // Drop missing cells in place, rewriting offsets.
        let mut write = 0;
        for u in 0..offsets.len() {
            let start = offsets[u];
            let end = offsets.get(u + 1).copied().unwrap_or(entries.len());
            offsets[u] = write;
            for i in start..end {
                if entries[i].category != MISSING {
                    entries[write] = entries[i];
                    write += 1;
                }
            }
        }
        entries.truncate(write);
        offsets.push(write);
        let mut units = self.units.into_labels();
        for joined in &self.joined_units {
            units.append(joined);
        }
        Ok(RatingMatrix::assemble(
            units,
            self.raters.into_labels(),
            self.values,
            offsets,
            entries,
            self.rows,
            self.missing,
        ))
    }

    /// Counting sort of scattered rows by unit, catching duplicates.
    fn group_scattered(
        &self,
        triples: Vec<Triple>,
        n_units: usize,
    ) -> Result<(Vec<usize>, Vec<Rating>), BuildError> {
        let mut offsets = vec![0usize; n_units + 1];
        for t in &triples {
            offsets[t.unit as usize + 1] += 1;
        }
        for u in 0..n_units {
            offsets[u + 1] += offsets[u];
        }
        let mut cursor = offsets.clone();
        let mut placed = vec![
            (
                Rating {
                    rater: 0,
                    category: 0
                },
                0u32
            );
            triples.len()
        ];
        for t in &triples {
            let slot = &mut cursor[t.unit as usize];
            placed[*slot] = (
                Rating {
                    rater: t.rater,
                    category: t.code,
                },
                t.row,
            );
            *slot += 1;
        }
        drop(triples);
        // Stable placement keeps add order within a unit, so the later of two
        // equal raters is the duplicate; report the earliest such row.
        let mut stamp = vec![NO_UNIT; self.raters.len()];
        let mut first_dup: Option<(u32, u32, u32)> = None;
        for u in 0..n_units {
            for &(r, row) in &placed[offsets[u]..offsets[u + 1]] {
                let s = &mut stamp[r.rater as usize];
                if *s == u as u32 {
                    if first_dup.is_none_or(|(_, _, best)| row < best) {
                        first_dup = Some((u as u32, r.rater, row));
                    }
                } else {
                    *s = u as u32;
                }
            }
        }
        if let Some((u, r, row)) = first_dup {
            return Err(self.duplicate(u, r, row as usize));
        }
        offsets.pop();
        Ok((offsets, placed.into_iter().map(|(r, _)| r).collect()))
    }
}

/// The category set of coded values, and the map from their codes to
/// category indices (`None` when the codes already are: an explicit list).
pub(crate) fn categories_of(mut values: ValueTable) -> (CategorySet, Option<Vec<u32>>) {
    match values.explicit.take() {
        Some(categories) => (categories, None),
        None => {
            let (categories, remap) = collected_categories(&values);
            (categories, Some(remap))
        }
    }
}

/// Builds the category set from the distinct accepted values, and the map
/// from value id to category index.
fn collected_categories(values: &ValueTable) -> (CategorySet, Vec<u32>) {
    let all = values.interner.len() as u32;
    let ids: Vec<u32> = (0..all).filter(|&i| values.accepted(i)).collect();
    let labels: Vec<&str> = ids
        .iter()
        .map(|&i| values.interner.label(i).unwrap_or_default())
        .collect();
    let numbers: Option<Vec<f64>> = labels.iter().map(|l| parse_number(l)).collect();
    let mut order: Vec<usize> = (0..labels.len()).collect();
    // Indexed by position in `ids`; turned into a map by value id below.
    let mut remap = vec![0u32; labels.len()];
    let (set, remap) = match numbers {
        Some(nums) => {
            order.sort_by(|&a, &b| nums[a].total_cmp(&nums[b]).then(a.cmp(&b)));
            let mut out_labels = Vec::new();
            let mut out_values: Vec<f64> = Vec::new();
            for &i in &order {
                // "1" and "1.0" are one category, labelled as first seen.
                if out_values.last() != Some(&nums[i]) {
                    out_values.push(nums[i]);
                    out_labels.push(labels[i].to_string());
                }
                remap[i] = (out_values.len() - 1) as u32;
            }
            let set = CategorySet {
                labels: out_labels,
                values: Some(out_values),
                ordered: true,
            };
            (set, remap)
        }
        None => {
            order.sort_by(|&a, &b| labels[a].cmp(labels[b]));
            for (pos, &i) in order.iter().enumerate() {
                remap[i] = pos as u32;
            }
            let set = CategorySet {
                labels: order.iter().map(|&i| labels[i].to_string()).collect(),
                values: None,
                ordered: false,
            };
            (set, remap)
        }
    };
    let mut by_id = vec![0u32; all as usize];
    for (&id, &category) in ids.iter().zip(&remap) {
        by_id[id as usize] = category;
    }
    (set, by_id)
}

/// Consecutive units: their names, and their ratings, where `offsets` (one
/// per unit, then the end) index `entries`. The first offset need not be 0.
#[derive(Debug, Clone, Default)]
pub(crate) struct Block {
    pub(crate) names: Labels,
    pub(crate) offsets: Vec<usize>,
    pub(crate) entries: PageVec<Rating>,
}

impl Block {
    pub(crate) fn n_units(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    fn n_ratings(&self) -> usize {
        match (self.offsets.first(), self.offsets.last()) {
            (Some(&first), Some(&last)) => last - first,
            _ => 0,
        }
    }

    fn unit(&self, i: usize) -> &[Rating] {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&s), Some(&e)) => &self.entries[s..e],
            _ => &[],
        }
    }

    fn units(&self) -> impl Iterator<Item = &[Rating]> + '_ {
        self.offsets
            .windows(2)
            .map(move |w| &self.entries[w[0]..w[1]])
    }
}

/// Ratings arranged by unit: the input every coefficient reads.
///
/// The units' ratings are kept in blocks of consecutive units, so that
/// parts of a file read on several threads become the matrix where they
/// are, without being copied into one vector.
#[derive(Debug, Clone)]
pub struct RatingMatrix {
    raters: Labels,
    categories: CategorySet,
    /// Blocks with at least one unit each, in unit order.
    blocks: Vec<Block>,
    /// The number of the first unit of each block.
    block_starts: Vec<usize>,
    n_units: usize,
    n_ratings: usize,
    rows: usize,
    missing: usize,
    rater_counts: Vec<usize>,
    counts: OnceLock<CategoryCounts>,
    profiles: OnceLock<ProfileTable>,
}

impl RatingMatrix {
    /// The matrix of read ratings: `offsets` (one per unit, then the end)
    /// index `entries`, which hold only non-missing ratings coded by
    /// `values`.
    pub(crate) fn assemble(
        units: Labels,
        raters: Labels,
        values: ValueTable,
        offsets: Vec<usize>,
        mut entries: Vec<Rating>,
        rows: usize,
        missing: usize,
    ) -> RatingMatrix {
        let mut rater_counts = vec![0usize; raters.len()];
        let (categories, to_category) = categories_of(values);
        for e in &mut entries {
            rater_counts[e.rater as usize] += 1;
            if let Some(map) = &to_category {
                e.category = map.get(e.category as usize).copied().unwrap_or(0);
            }
        }
        RatingMatrix::from_coded(
            units,
            raters,
            categories,
            offsets,
            entries,
            (rows, missing),
            rater_counts,
        )
    }

    /// The matrix of ratings already coded by category, with each rater's
    /// number of ratings.
    pub(crate) fn from_coded(
        units: Labels,
        raters: Labels,
        categories: CategorySet,
        offsets: Vec<usize>,
        entries: Vec<Rating>,
        rows_missing: (usize, usize),
        rater_counts: Vec<usize>,
    ) -> RatingMatrix {
        let blocks = vec![Block {
            names: units,
            offsets,
            entries: entries.into(),
        }];
        RatingMatrix::from_blocks(raters, categories, blocks, rows_missing, rater_counts)
    }

    /// [`RatingMatrix::from_coded`] for ratings in blocks of consecutive
    /// units, in unit order.
    pub(crate) fn from_blocks(
        raters: Labels,
        categories: CategorySet,
        blocks: Vec<Block>,
        (rows, missing): (usize, usize),
        rater_counts: Vec<usize>,
    ) -> RatingMatrix {
        let blocks: Vec<Block> = blocks.into_iter().filter(|b| b.n_units() > 0).collect();
        let block_starts = blocks
            .iter()
            .scan(0, |next, b| {
                let start = *next;
                *next += b.n_units();
                Some(start)
            })
            .collect();
        RatingMatrix {
            raters,
            categories,
            n_units: blocks.iter().map(Block::n_units).sum(),
            n_ratings: blocks.iter().map(Block::n_ratings).sum(),
            blocks,
            block_starts,
            rows,
            missing,
            rater_counts,
            counts: OnceLock::new(),
            profiles: OnceLock::new(),
        }
    }

    /// The matrix with its per-unit counts, when they are already known.
    pub(crate) fn with_counts(self, counts: Option<CategoryCounts>) -> RatingMatrix {
        if let Some(counts) = counts {
            let _ = self.counts.set(counts);
        }
        self
    }

    /// Builds a matrix from long-format rows `(unit, rater, value)`, where a
    /// `None` or blank value is missing.
    pub fn from_rows<'s, I>(rows: I, options: BuildOptions) -> Result<Self, BuildError>
    where
        I: IntoIterator<Item = (&'s str, &'s str, Option<&'s str>)>,
    {
        let mut builder = MatrixBuilder::new(options);
        for (unit, rater, value) in rows {
            builder.add(unit, rater, value)?;
        }
        builder.finish()
    }

    /// Distinct units named in the input (including units with only blanks).
    pub fn n_units(&self) -> usize {
        self.n_units
    }

    /// Distinct raters named in the input.
    pub fn n_raters(&self) -> usize {
        self.raters.len()
    }

    /// Non-missing ratings.
    pub fn n_ratings(&self) -> usize {
        self.n_ratings
    }

    /// Rows read, including missing ones.
    pub fn n_rows(&self) -> usize {
        self.rows
    }

    /// Rows with a blank value.
    pub fn n_missing(&self) -> usize {
        self.missing
    }

    /// The non-missing ratings of unit `u` (empty when out of range).
    pub fn unit(&self, u: usize) -> &[Rating] {
        self.locate(u).map_or(&[], |(block, i)| block.unit(i))
    }

    /// How many blocks keep their ratings in a mapping of their own.
    #[cfg(test)]
    pub(crate) fn mapped_blocks(&self) -> usize {
        self.blocks.iter().filter(|b| b.entries.is_mapped()).count()
    }

    /// The block holding unit `u`, and the unit's place in it.
    fn locate(&self, u: usize) -> Option<(&Block, usize)> {
        let b = self
            .block_starts
            .partition_point(|&s| s <= u)
            .checked_sub(1)?;
        Some((&self.blocks[b], u - self.block_starts[b]))
    }

    /// Every unit's ratings, in unit order.
    pub fn units(&self) -> impl Iterator<Item = &[Rating]> + '_ {
        self.blocks.iter().flat_map(Block::units)
    }

    pub fn unit_label(&self, u: usize) -> Option<&str> {
        self.locate(u).and_then(|(block, i)| block.names.get(i))
    }

    pub fn rater_label(&self, r: usize) -> Option<&str> {
        self.raters.get(r)
    }

    /// The index of the unit with this label.
    pub fn unit_index(&self, label: &str) -> Option<usize> {
        (0..self.n_units()).find(|&u| self.unit_label(u) == Some(label))
    }

    /// The index of the rater with this label.
    pub fn rater_index(&self, label: &str) -> Option<u32> {
        (0..self.n_raters())
            .find(|&r| self.raters.get(r) == Some(label))
            .map(|r| r as u32)
    }

    pub fn categories(&self) -> &CategorySet {
        &self.categories
    }

    /// How many units each rater rated (non-missing).
    pub fn ratings_per_rater(&self) -> &[usize] {
        &self.rater_counts
    }

    /// Raters with at least one non-missing rating, in rater order.
    pub fn active_raters(&self) -> Vec<u32> {
        self.rater_counts
            .iter()
            .enumerate()
            .filter(|&(_, &n)| n > 0)
            .map(|(r, _)| r as u32)
            .collect()
    }

    /// Each rater's place among [`Self::active_raters`], by rater id
    /// (`usize::MAX` for a rater without ratings): how coefficients over the
    /// active raters index their per-rater tables.
    pub(crate) fn active_slots(&self) -> Vec<usize> {
        let mut slot = vec![usize::MAX; self.n_raters()];
        for (i, g) in self.active_raters().into_iter().enumerate() {
            slot[g as usize] = i;
        }
        slot
    }

    /// Per-unit category counts, computed once and cached.
    pub fn counts(&self) -> &CategoryCounts {
        self.counts.get_or_init(|| CategoryCounts::new(self))
    }

    /// The units' distinct rater → category profiles (see
    /// [`crate::profile`]), computed once and cached.
    pub(crate) fn profile_table(&self) -> &ProfileTable {
        self.profiles.get_or_init(|| ProfileTable::new(self))
    }
}

/// One category's count within a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CategoryCount {
    pub category: u32,
    pub count: u32,
}

/// For every unit, how many of its ratings fell in each category (only
/// categories that occur, sorted by category): the n_uc of Krippendorff and
/// the r_ik of Fleiss and Gwet.
///
/// Units with the same counts are stored once, as a *pattern* with its
/// multiplicity, and every coefficient that depends only on counts sums over
/// patterns: 100,000 units on a 5-point scale have a few hundred patterns.
/// Patterns are kept in a canonical (sorted) order, so such sums do not
/// depend on the order of rows, units or raters, not even in the last bit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryCounts {
    unit_pattern: Vec<u32>,
    offsets: Vec<usize>,
    cells: Vec<CategoryCount>,
    multiplicity: Vec<u64>,
    q: usize,
}

impl CategoryCounts {
    fn new(m: &RatingMatrix) -> Self {
        let q = m.categories.len();
        let widest = m.units().map(<[Rating]>::len).max().unwrap_or(0);
        let (unit_pattern, patterns) = if q <= 16 && widest <= 255 {
            Self::packed_patterns(m)
        } else {
            Self::general_patterns(m, q)
        };
        Self::canonical(q, unit_pattern, patterns)
    }

    /// The counts of units read in consecutive ranges, each as its units'
    /// ids into its own table of packed keys (see [`Self::packed_patterns`]).
    pub(crate) fn from_packed(q: usize, ranges: Vec<PackedRange>) -> Self {
        let (unit_pattern, keys) = Self::merge_packed(ranges);
        Self::canonical(q, unit_pattern, Self::unpack(&keys))
    }

    /// Patterns in canonical order (sorted by their cells), with each
    /// unit's index into them and their multiplicities. Patterns no unit
    /// shows (a unit joined from two ranges leaves its halves' behind) are
    /// left out.
    fn canonical(q: usize, unit_pattern: Vec<u32>, patterns: Vec<Vec<CategoryCount>>) -> Self {
        let mut units_of = vec![0u64; patterns.len()];
        for &p in &unit_pattern {
            units_of[p as usize] += 1;
        }
        let mut order: Vec<usize> = (0..patterns.len()).filter(|&p| units_of[p] > 0).collect();
        order.sort_by(|&a, &b| patterns[a].cmp(&patterns[b]));
        let mut rank = vec![0u32; patterns.len()];
        for (r, &p) in order.iter().enumerate() {
            rank[p] = r as u32;
        }
        let mut offsets = Vec::with_capacity(order.len() + 1);
        let mut cells = Vec::new();
        offsets.push(0);
        for &p in &order {
            cells.extend_from_slice(&patterns[p]);
            offsets.push(cells.len());
        }
        CategoryCounts {
            unit_pattern: unit_pattern.into_iter().map(|p| rank[p as usize]).collect(),
            offsets,
            cells,
            multiplicity: order.iter().map(|&p| units_of[p]).collect(),
            q,
        }
    }

    /// Up to 16 categories and 255 ratings per unit: a unit's counts pack
    /// into one `u128` (8 bits per category), built without sorting. Many
    /// units are split into ranges read on every core, whose pattern tables
    /// are then merged.
    fn packed_patterns(m: &RatingMatrix) -> (Vec<u32>, Vec<Vec<CategoryCount>>) {
        const UNITS_PER_THREAD: usize = 16_384;
        let n = m.n_units();
        let threads = par::threads().clamp(1, n.div_ceil(UNITS_PER_THREAD).max(1));
        let bound = |t: usize| n * t / threads;
        let ranges = par::map((0..threads).collect(), |t| {
            Self::packed_range(m, bound(t)..bound(t + 1))
        });
        let (unit_pattern, keys) = Self::merge_packed(ranges);
        (unit_pattern, Self::unpack(&keys))
    }

    /// One table of packed keys for ranges of units with tables of their
    /// own, and every unit's id into it.
    fn merge_packed(ranges: Vec<PackedRange>) -> (Vec<u32>, Vec<u128>) {
        let mut merged = Packer::default();
        for (units, range_keys) in ranges {
            let ids: Vec<u32> = range_keys.iter().map(|&key| merged.intern(key)).collect();
            if merged.units.is_empty() && ids.iter().enumerate().all(|(i, &id)| id == i as u32) {
                // The first range keeps its ids: take its list as it is.
                merged.units = units;
            } else {
                merged.units.extend(units.iter().map(|&p| ids[p as usize]));
            }
        }
        merged.finish()
    }

    /// The counts a packed key holds.
    fn unpack(keys: &[u128]) -> Vec<Vec<CategoryCount>> {
        keys.iter()
            .map(|&key| {
                (0..16u32)
                    .filter_map(|c| {
                        let count = ((key >> (8 * c)) & 0xff) as u32;
                        (count > 0).then_some(CategoryCount { category: c, count })
                    })
                    .collect()
            })
            .collect()
    }

    /// The packed patterns of units `range`: each unit's pattern id, and the
    /// patterns' keys.
    fn packed_range(m: &RatingMatrix, range: std::ops::Range<usize>) -> PackedRange {
        let mut packer = Packer::default();
        for u in range {
            packer.push(packed_key(m.unit(u)));
        }
        packer.finish()
    }

    /// Any number of categories: gather, sort and intern each unit's counts.
    fn general_patterns(m: &RatingMatrix, q: usize) -> (Vec<u32>, Vec<Vec<CategoryCount>>) {
        let mut count = vec![0u32; q];
        let mut touched: Vec<u32> = Vec::new();
        let mut key: Vec<u32> = Vec::new();
        let mut interner = SliceInterner::new();
        let mut n_patterns = 0u32;
        let mut unit_pattern = Vec::with_capacity(m.n_units());
        for unit in m.units() {
            for r in unit {
                let c = &mut count[r.category as usize];
                if *c == 0 {
                    touched.push(r.category);
                }
                *c += 1;
            }
            touched.sort_unstable();
            key.clear();
            for &c in &touched {
                key.push(c);
                key.push(count[c as usize]);
                count[c as usize] = 0;
            }
            touched.clear();
            let id = interner.intern(&key);
            n_patterns = n_patterns.max(id + 1);
            unit_pattern.push(id);
        }
        let patterns = (0..n_patterns as usize)
            .map(|p| {
                interner
                    .get(p)
                    .chunks_exact(2)
                    .map(|kv| CategoryCount {
                        category: kv[0],
                        count: kv[1],
                    })
                    .collect()
            })
            .collect();
        (unit_pattern, patterns)
    }

    /// Number of categories q.
    pub fn n_categories(&self) -> usize {
        self.q
    }

    /// The counts of unit `u` (empty when out of range).
    pub fn unit(&self, u: usize) -> &[CategoryCount] {
        match self.unit_pattern.get(u) {
            Some(&p) => self.pattern(p as usize),
            None => &[],
        }
    }

    /// Every unit's counts, in unit order.
    pub fn units(&self) -> impl Iterator<Item = &[CategoryCount]> + '_ {
        self.unit_pattern
            .iter()
            .map(move |&p| self.pattern(p as usize))
    }

    /// The pattern index of unit `u` (an index into [`Self::patterns`]).
    pub fn pattern_of(&self, u: usize) -> Option<usize> {
        self.unit_pattern.get(u).map(|&p| p as usize)
    }

    fn pattern(&self, p: usize) -> &[CategoryCount] {
        &self.cells[self.offsets[p]..self.offsets[p + 1]]
    }

    /// The distinct count patterns, in canonical order, each with the number
    /// of units that show it.
    pub fn patterns(&self) -> impl Iterator<Item = (&[CategoryCount], u64)> + '_ {
        self.multiplicity
            .iter()
            .enumerate()
            .map(move |(p, &n)| (self.pattern(p), n))
    }

    /// Number of distinct patterns.
    pub fn n_patterns(&self) -> usize {
        self.multiplicity.len()
    }
}

/// A range of units as their ids into a table of packed keys, and the keys.
pub(crate) type PackedRange = (Vec<u32>, Vec<u128>);

/// A unit's counts packed into one `u128`, 8 bits per category (for up to
/// 16 categories and 255 ratings).
#[inline]
pub(crate) fn packed_key(unit: &[Rating]) -> u128 {
    unit.iter()
        .fold(0u128, |k, r| k + (1u128 << (8 * r.category)))
}

/// Collects the packed keys of consecutive units into a [`PackedRange`].
#[derive(Default)]
pub(crate) struct Packer {
    units: Vec<u32>,
    keys: Vec<u128>,
    table: IdTable,
    /// Keys seen, with their ids, by a few bits of a cheap hash: a unit's
    /// key is nearly always one seen before, and this finds it without
    /// the table's full hash.
    recent: Vec<(u128, u32)>,
}

impl Packer {
    const RECENT_BITS: u32 = 10;

    /// A table with room for `units` units' ids.
    pub(crate) fn with_room(units: usize) -> Packer {
        Packer {
            units: Vec::with_capacity(units),
            ..Packer::default()
        }
    }

    /// The next unit's key.
    pub(crate) fn push(&mut self, key: u128) {
        if self.recent.is_empty() {
            self.recent = vec![(0, u32::MAX); 1 << Self::RECENT_BITS];
        }
        let folded = (key as u64).wrapping_add((key >> 64) as u64);
        let slot =
            (folded.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - Self::RECENT_BITS)) as usize;
        let id = match self.recent[slot] {
            (seen, id) if seen == key && id != u32::MAX => id,
            _ => {
                let id = self.intern(key);
                self.recent[slot] = (key, id);
                id
            }
        };
        self.units.push(id);
    }

    /// The id of `key` in this table, added if new.
    fn intern(&mut self, key: u128) -> u32 {
        let keys = &mut self.keys;
        let (id, inserted) = self
            .table
            .find_or_insert(hash_u128(key), keys.len() as u32, |id| {
                keys[id as usize] == key
            });
        if inserted {
            keys.push(key);
        }
        id
    }

    pub(crate) fn finish(self) -> PackedRange {
        (self.units, self.keys)
    }
}

/// Total ratings in a unit's counts.
pub(crate) fn total(unit: &[CategoryCount]) -> u64 {
    unit.iter().map(|c| u64::from(c.count)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matrix_in_blocks_reads_as_one() {
        let r = |rater, category| Rating { rater, category };
        let (a, b, c, d) = (r(0, 0), r(1, 2), r(0, 1), r(1, 1));
        let names = |list: &[&str]| {
            let mut labels = Labels::default();
            list.iter().for_each(|name| labels.push(name));
            labels
        };
        let blocks = vec![
            Block {
                names: names(&["u1", "u2"]),
                offsets: vec![0, 2, 3],
                entries: vec![a, b, c].into(),
            },
            // No units: left out.
            Block {
                names: names(&[]),
                offsets: vec![1],
                entries: vec![d].into(),
            },
            // Its first rating belongs to no unit (it was moved to the
            // block before); one unit without ratings.
            Block {
                names: names(&["u3", "u4"]),
                offsets: vec![1, 3, 3],
                entries: vec![a, c, d].into(),
            },
        ];
        let categories = CategorySet::ordered(&["1", "2", "3"].map(String::from)).unwrap();
        let raters = names(&["A", "B"]);
        let m = RatingMatrix::from_blocks(raters, categories, blocks, (6, 1), vec![2, 3]);
        let expected = vec![vec![a, b], vec![c], vec![c, d], vec![]];
        let units: Vec<Vec<Rating>> = m.units().map(<[_]>::to_vec).collect();
        assert_eq!(units, expected);
        let by_number: Vec<Vec<Rating>> = (0..5).map(|u| m.unit(u).to_vec()).collect();
        assert_eq!(by_number[..4], expected[..]);
        assert!(by_number[4].is_empty(), "out of range");
        let labels: Vec<Option<&str>> = (0..5).map(|u| m.unit_label(u)).collect();
        assert_eq!(
            labels,
            [Some("u1"), Some("u2"), Some("u3"), Some("u4"), None]
        );
        assert_eq!(m.unit_index("u3"), Some(2));
        assert_eq!((m.n_units(), m.n_ratings()), (4, 5));
    }

    fn rows(
        data: &[(&'static str, &'static str, &'static str)],
    ) -> Vec<(&'static str, &'static str, Option<&'static str>)> {
        data.iter()
            .map(|&(u, r, v)| (u, r, if v.is_empty() { None } else { Some(v) }))
            .collect()
    }

    #[test]
    fn numeric_values_sort_numerically_and_merge_equal_numbers() {
        let m = RatingMatrix::from_rows(
            rows(&[
                ("u1", "A", "10"),
                ("u1", "B", "9"),
                ("u2", "A", "1.0"),
                ("u2", "B", "1"),
                ("u3", "A", ""),
            ]),
            BuildOptions::default(),
        )
        .unwrap();
        assert_eq!(m.categories().labels(), ["1.0", "9", "10"]);
        assert_eq!(m.categories().numeric_values(), Some(&[1.0, 9.0, 10.0][..]));
        assert!(m.categories().is_ordered());
        assert_eq!(
            (m.n_units(), m.n_raters(), m.n_ratings(), m.n_missing()),
            (3, 2, 4, 1)
        );
        assert_eq!(
            m.unit(1),
            &[
                Rating {
                    rater: 0,
                    category: 0
                },
                Rating {
                    rater: 1,
                    category: 0
                }
            ]
        );
        assert!(m.unit(2).is_empty());
    }

    #[test]
    fn text_values_without_a_list_are_unordered() {
        let m = RatingMatrix::from_rows(
            rows(&[("u1", "A", "low"), ("u1", "B", "high")]),
            BuildOptions::default(),
        )
        .unwrap();
        assert_eq!(m.categories().labels(), ["high", "low"]);
        assert!(!m.categories().is_ordered());
        assert_eq!(m.categories().scores(), None);
    }

    #[test]
    fn explicit_list_orders_text_and_matches_numbers_numerically() {
        let cats = CategorySet::ordered(&["low".into(), "mid".into(), "high".into()]).unwrap();
        assert_eq!(cats.scores(), Some(vec![1.0, 2.0, 3.0]));
        let options = BuildOptions {
            categories: Some(cats),
            require_numeric: false,
        };
        let m = RatingMatrix::from_rows(
            rows(&[("u1", "A", "high"), ("u1", "B", "mid")]),
            options.clone(),
        )
        .unwrap();
        assert_eq!(m.unit(0)[0].category, 2);
        let err = RatingMatrix::from_rows(rows(&[("u1", "A", "huge")]), options).unwrap_err();
        assert_eq!(
            err,
            BuildError::UnknownCategory {
                value: "huge".into()
            }
        );

        let numeric = CategorySet::ordered(&["1".into(), "2".into()]).unwrap();
        assert_eq!(numeric.index_of("2.0"), Some(1));
        assert!(matches!(
            CategorySet::ordered(&["1".into(), "1.0".into()]),
            Err(CategoryError::Duplicate(_))
        ));
    }

    #[test]
    fn duplicates_are_caught_grouped_and_scattered() {
        let grouped = RatingMatrix::from_rows(
            rows(&[("u1", "A", "1"), ("u1", "B", "2"), ("u1", "A", "")]),
            BuildOptions::default(),
        );
        assert_eq!(
            grouped.unwrap_err(),
            BuildError::DuplicateRating {
                unit: "u1".into(),
                rater: "A".into(),
                row: 2
            }
        );
        let scattered = RatingMatrix::from_rows(
            rows(&[
                ("u1", "A", ""),
                ("u2", "A", "1"),
                ("u2", "B", "1"),
                ("u1", "B", "1"),
                ("u2", "A", "2"),
                ("u1", "A", "3"),
            ]),
            BuildOptions::default(),
        );
        assert_eq!(
            scattered.unwrap_err(),
            BuildError::DuplicateRating {
                unit: "u2".into(),
                rater: "A".into(),
                row: 4
            }
        );
    }

    #[test]
    fn scattered_input_gives_the_same_matrix_as_grouped() {
        let grouped = RatingMatrix::from_rows(
            rows(&[
                ("u1", "A", "1"),
                ("u1", "B", "2"),
                ("u2", "A", "2"),
                ("u2", "B", ""),
                ("u3", "B", "3"),
            ]),
            BuildOptions::default(),
        )
        .unwrap();
        let scattered = RatingMatrix::from_rows(
            rows(&[
                ("u1", "A", "1"),
                ("u2", "A", "2"),
                ("u1", "B", "2"),
                ("u2", "B", ""),
                ("u3", "B", "3"),
            ]),
            BuildOptions::default(),
        )
        .unwrap();
        let a: Vec<Vec<Rating>> = grouped.units().map(|u| u.to_vec()).collect();
        let mut b: Vec<Vec<Rating>> = scattered.units().map(|u| u.to_vec()).collect();
        for u in &mut b {
            u.sort_by_key(|r| r.rater);
        }
        assert_eq!(a, b);
        assert_eq!(scattered.n_missing(), 1);
        assert_eq!(
            scattered.counts().unit(0),
            &[
                CategoryCount {
                    category: 0,
                    count: 1
                },
                CategoryCount {
                    category: 1,
                    count: 1
                }
            ]
        );
    }

    #[test]
    fn refused_values_stay_refused_and_leave_no_category() {
        let mut b = MatrixBuilder::new(BuildOptions {
            categories: None,
            require_numeric: true,
        });
        b.add("u1", "A", Some("2")).unwrap();
        assert!(b.add("u1", "B", Some("x")).is_err());
        assert!(b.add("u2", "B", Some("x")).is_err());
        b.add("u2", "A", Some("1")).unwrap();
        let m = b.finish().unwrap();
        assert_eq!(m.categories().labels(), ["1", "2"]);
        assert_eq!(m.categories().numeric_values(), Some(&[1.0, 2.0][..]));
        assert_eq!(m.unit(1)[0].category, 0);

        let cats = CategorySet::ordered(&["lo".into(), "hi".into()]).unwrap();
        let mut b = MatrixBuilder::new(BuildOptions {
            categories: Some(cats),
            require_numeric: false,
        });
        assert!(b.add("u1", "A", Some("mid")).is_err());
        assert!(b.add("u1", "A", Some("mid")).is_err());
        b.add("u1", "A", Some("hi")).unwrap();
        assert_eq!(b.finish().unwrap().unit(0)[0].category, 1);
    }

    #[test]
    fn require_numeric_refuses_text() {
        let options = BuildOptions {
            categories: None,
            require_numeric: true,
        };
        let err = RatingMatrix::from_rows(rows(&[("u1", "A", "3"), ("u1", "B", "three")]), options)
            .unwrap_err();
        assert_eq!(
            err,
            BuildError::NotNumeric {
                value: "three".into()
            }
        );
    }
}
