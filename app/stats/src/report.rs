//! `concord agreement FILE.csv [--level …]`: every agreement statistic of a
//! long-format ratings file (`unit,rater,value`, empty value = missing), as
//! one JSON object whose keys are a public contract.
//!
//! Any key may be `null` where the statistic is undefined for the data (see
//! each coefficient's docs); NaN never reaches the JSON.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

pub use crate::alpha::Level;
use crate::alpha::{
    bootstrap_alpha, krippendorff_alpha, krippendorff_alpha_parts, AlphaInterval, BootstrapOptions,
};
use crate::csv::{Plain, Reader};
use crate::icc::{icc, IccForm, IccTable};
use crate::kappa::{
    brennan_prediger, cohen_kappa, conger_kappa, fleiss_kappa, gwet_ac, percent_agreement,
    scott_pi, Coefficient, Weights,
};
use crate::kendall::kendall_w;
use crate::matrix::{
    trim_blank, BuildError, BuildOptions, CategorySet, MatrixBuilder, RatingMatrix,
};

/// Options of `concord agreement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementOptions {
    /// The scale's level: selects the alpha that gets a bootstrap interval
    /// (the "primary" one) and, for interval/ratio, requires numeric values.
    /// `None`: ordinal when the categories are ordered, else nominal.
    pub level: Option<Level>,
    /// Explicit ordered category list (values outside it are errors).
    pub categories: Option<Vec<String>>,
    /// Bootstrap seed.
    pub seed: u64,
}

impl Default for AgreementOptions {
    fn default() -> Self {
        AgreementOptions {
            level: None,
            categories: None,
            seed: 1,
        }
    }
}

/// A problem with the input file or options, with the 1-based line it was
/// found on when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub line: Option<usize>,
    pub message: String,
}

impl InputError {
    fn at(line: usize, message: impl Into<String>) -> Self {
        InputError {
            line: Some(line),
            message: message.into(),
        }
    }

    fn general(message: impl Into<String>) -> Self {
        InputError {
            line: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for InputError {}

const COLUMNS: [&str; 3] = ["unit", "rater", "value"];

/// Column positions of unit, rater and value, from the header record.
fn header_positions(fields: &[Cow<'_, str>], line: usize) -> Result<[usize; 3], InputError> {
    let found = || {
        fields
            .iter()
            .map(|f| f.as_ref())
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut pos = [usize::MAX; 3];
    let names: Vec<String> = fields
        .iter()
        .map(|f| f.trim().to_ascii_lowercase())
        .collect();
    if names.len() == 3 {
        for (i, name) in names.iter().enumerate() {
            if let Some(c) = COLUMNS.iter().position(|c| c == name) {
                if pos[c] == usize::MAX {
                    pos[c] = i;
                }
            }
        }
    }
    if pos.contains(&usize::MAX) {
        return Err(InputError::at(
            line,
            format!("missing or wrong header: expected the columns unit,rater,value (in any order), found \"{}\"", found()),
        ));
    }
    Ok(pos)
}

fn build_error(e: BuildError, categories: Option<&CategorySet>, level: Option<Level>) -> String {
    match e {
        BuildError::UnknownCategory { value } => {
            let list = categories
                .map(|c| c.labels().join(", "))
                .unwrap_or_default();
            format!("value \"{value}\" is not one of the categories ({list})")
        }
        BuildError::NotNumeric { value } => {
            let level = level.map(|l| l.as_str()).unwrap_or("interval");
            format!("value \"{value}\" is not a number, but level {level} needs numeric values")
        }
        other => other.to_string(),
    }
}

/// Finds the line on which data record number `row` (0-based, after the
/// header) starts; used only to place an error found after reading.
fn line_of_row(csv_text: &str, row: usize) -> Option<usize> {
    let mut reader = Reader::new(csv_text);
    let mut fields = Vec::new();
    reader.read_record(&mut fields).ok()??;
    for _ in 0..row {
        reader.read_record(&mut fields).ok()??;
    }
    reader.read_record(&mut fields).ok()?
}

/// Files smaller than this are read on one thread: below it, starting
/// threads costs about what it saves.
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// How a file's rows become matrix entries: the columns, and what the
/// values must be.
struct RowReader<'o> {
    columns: [usize; 3],
    build: BuildOptions,
    categories: Option<&'o CategorySet>,
    level: Option<Level>,
}

impl RowReader<'_> {
    fn error(&self, line: usize, e: BuildError) -> InputError {
        InputError::at(line, build_error(e, self.categories, self.level))
    }

    /// Adds every record `reader` has left to `builder`.
    fn fill<'a>(
        &self,
        reader: &mut Reader<'a>,
        builder: &mut MatrixBuilder,
    ) -> Result<(), InputError> {
        let [ui, ri, vi] = self.columns;
        let to_input = |e: crate::csv::CsvError| InputError::at(e.line, e.kind.description());
        let mut fields: Vec<Cow<'a, str>> = Vec::with_capacity(4);
        let mut plain = [""; 3];
        // The unit of the last plain record: the reader returns the identical
        // slice when a line repeats it, so an address check finds repeats.
        let mut last_unit: Option<&str> = None;
        loop {
            // Plain records take the allocation-free path; quoted ones, and
            // records with the wrong field count (to report it), the general one.
            let (line, unit, rater, value) = match reader.read_plain(&mut plain) {
                Plain::End => return Ok(()),
                Plain::Record(line) => (line, plain[ui], plain[ri], plain[vi]),
                Plain::NotPlain => {
                    last_unit = None;
                    let Some(line) = reader.read_record(&mut fields).map_err(to_input)? else {
                        return Ok(());
                    };
                    if fields.len() != 3 {
                        return Err(InputError::at(
                            line,
                            format!(
                                "expected 3 fields (unit, rater, value), found {}",
                                fields.len()
                            ),
                        ));
                    }
                    let value = fields[vi].as_ref();
                    builder
                        .add(
                            &fields[ui],
                            &fields[ri],
                            (!value.is_empty()).then_some(value),
                        )
                        .map_err(|e| self.error(line, e))?;
                    continue;
                }
            };
            let value = (!value.is_empty()).then_some(value);
            let same_unit = last_unit.is_some_and(|u| std::ptr::eq(u, unit));
            let added = if same_unit {
                builder.add_same_unit(rater, value)
            } else {
                builder.add(unit, rater, value)
            };
            added.map_err(|e| self.error(line, e))?;
            last_unit = Some(unit);
        }
    }

    /// Reads a whole file (header first, on line 1) in parts; `None` as for
    /// [`Self::read_in_parts`], or when the header is not one plain line.
    fn read_in_parallel(mut self, bytes: &[u8], threads: usize) -> Option<RatingMatrix> {
        let header_end = memchr::memchr(b'\n', bytes).map_or(bytes.len(), |i| i + 1);
        let mut reader = Reader::new(std::str::from_utf8(&bytes[..header_end]).ok()?);
        let mut fields = Vec::new();
        if reader.read_record(&mut fields).ok()?? != 1 {
            return None;
        }
        self.columns = header_positions(&fields, 1).ok()?;
        self.read_in_parts(&bytes[header_end..], threads)
    }

    /// Reads the records of `data` (what follows the header) in parts on
    /// `threads` threads and joins the parts. `None` whenever that is not
    /// simply possible — a part that is not UTF-8 or not well-formed, a unit
    /// in two parts, rows not grouped by unit — and the caller then reads the
    /// input on one thread, which also finds and places any error.
    fn read_in_parts(&self, data: &[u8], threads: usize) -> Option<RatingMatrix> {
        let cuts = unit_aligned_cuts(data, self.columns[0], threads)?;
        let part = |range: &[usize]| -> Option<MatrixBuilder> {
            let text = std::str::from_utf8(data.get(range[0]..range[1])?).ok()?;
            let mut builder = MatrixBuilder::new(self.build.clone());
            builder.reserve(text.len() / 16);
            self.fill(&mut Reader::continuing(text), &mut builder)
                .ok()?;
            Some(builder)
        };
        let parts: Option<Vec<MatrixBuilder>> = std::thread::scope(|s| {
            let later: Vec<_> = cuts
                .windows(2)
                .skip(1)
                .map(|range| s.spawn(move || part(range)))
                .collect();
            let first = part(cuts.get(..2)?);
            let mut all = vec![first];
            all.extend(later.into_iter().map(|h| h.join().ok().flatten()));
            Some(all)
        })?
        .into_iter()
        .collect();
        MatrixBuilder::finish_parts(parts?)?.ok()
    }
}

/// The unit field of a plain line (no quotes), trimmed as the reader trims it.
fn unit_of(line: &[u8], column: usize) -> Option<&str> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.contains(&b'"') {
        return None;
    }
    let field = line.split(|&b| b == b',').nth(column)?;
    std::str::from_utf8(field).ok().map(trim_blank)
}

/// Byte offsets splitting `data` into `parts` runs of whole lines of about
/// equal size, each cut moved forward to where the unit changes so no unit's
/// rows straddle two parts: `[0, c1, …, data.len()]`. `None` for input the
/// cut search cannot read plainly (quotes near a cut, a unit's rows running
/// on for thousands of lines).
fn unit_aligned_cuts(data: &[u8], unit_column: usize, parts: usize) -> Option<Vec<usize>> {
    const MAX_LINES_SCANNED: usize = 10_000;
    let line_end = |from: usize| memchr::memchr(b'\n', data.get(from..)?).map(|i| from + i + 1);
    let mut cuts = vec![0];
    for k in 1..parts {
        let target = (data.len() * k / parts).max(*cuts.last()?);
        let Some(mut cut) = line_end(target) else {
            break;
        };
        // The line before the cut, and its unit.
        let mut previous_start = memchr::memrchr(b'\n', data.get(..cut - 1)?).map_or(0, |i| i + 1);
        let mut scanned = 0;
        loop {
            let Some(next_end) = line_end(cut) else {
                cut = data.len();
                break;
            };
            let previous = unit_of(data.get(previous_start..cut - 1)?, unit_column)?;
            let next = unit_of(data.get(cut..next_end - 1)?, unit_column)?;
            if previous != next {
                break;
            }
            scanned += 1;
            if scanned > MAX_LINES_SCANNED {
                return None;
            }
            (previous_start, cut) = (cut, next_end);
        }
        cuts.push(cut);
    }
    cuts.push(data.len());
    Some(cuts)
}

/// Parses a long-format ratings CSV into a matrix, with line-numbered errors.
///
/// A large input is read in parts on every available core when its rows are
/// plainly grouped by unit; the result is the same matrix either way.
pub fn read_ratings(
    input: &(impl AsRef<[u8]> + ?Sized),
    opts: &AgreementOptions,
) -> Result<RatingMatrix, InputError> {
    let bytes = input.as_ref();
    let categories = match &opts.categories {
        Some(list) => Some(
            CategorySet::ordered(list)
                .map_err(|e| InputError::general(format!("--categories: {e}")))?,
        ),
        None => None,
    };
    let needs_numbers = opts.level.is_some_and(Level::needs_numbers);
    if let (Some(set), true) = (&categories, needs_numbers) {
        if set.numeric_values().is_none() {
            let level = opts.level.map(|l| l.as_str()).unwrap_or_default();
            return Err(InputError::general(format!(
                "level {level} needs numeric categories, but --categories contains non-numbers ({})",
                set.labels().join(", ")
            )));
        }
    }
    let build = BuildOptions {
        categories: categories.clone(),
        require_numeric: needs_numbers,
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads > 1 && bytes.len() >= PARALLEL_MIN_BYTES {
        let rows = RowReader {
            columns: [0; 3],
            build: build.clone(),
            categories: categories.as_ref(),
            level: opts.level,
        };
        if let Some(m) = rows.read_in_parallel(bytes, threads) {
            return Ok(m);
        }
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + memchr::memchr_iter(b'\n', &bytes[..e.valid_up_to()]).count();
        InputError::at(line, "the file is not UTF-8 text")
    })?;
    let mut reader = Reader::new(text);
    let mut fields: Vec<Cow<'_, str>> = Vec::with_capacity(4);
    let Some(header_line) = reader
        .read_record(&mut fields)
        .map_err(|e| InputError::at(e.line, e.kind.description()))?
    else {
        return Err(InputError::at(
            1,
            "the file is empty: expected a header unit,rater,value",
        ));
    };
    let rows = RowReader {
        columns: header_positions(&fields, header_line)?,
        build,
        categories: categories.as_ref(),
        level: opts.level,
    };
    let mut builder = MatrixBuilder::new(rows.build.clone());
    rows.fill(&mut reader, &mut builder)?;
    builder.finish().map_err(|e| {
        let line = match &e {
            BuildError::DuplicateRating { row, .. } => line_of_row(text, *row),
            _ => None,
        };
        InputError {
            line,
            message: build_error(e, categories.as_ref(), opts.level),
        }
    })
}

/// Krippendorff's alpha at every level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AlphaByLevel {
    pub nominal: Option<f64>,
    pub ordinal: Option<f64>,
    pub interval: Option<f64>,
    pub ratio: Option<f64>,
}

/// A weighted coefficient with linear and quadratic weights.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LinearQuadratic {
    pub linear: Option<f64>,
    pub quadratic: Option<f64>,
}

/// The six intraclass correlations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IccValues {
    #[serde(rename = "ICC(1,1)")]
    pub icc_1_1: Option<f64>,
    #[serde(rename = "ICC(2,1)")]
    pub icc_2_1: Option<f64>,
    #[serde(rename = "ICC(3,1)")]
    pub icc_3_1: Option<f64>,
    #[serde(rename = "ICC(1,k)")]
    pub icc_1_k: Option<f64>,
    #[serde(rename = "ICC(2,k)")]
    pub icc_2_k: Option<f64>,
    #[serde(rename = "ICC(3,k)")]
    pub icc_3_k: Option<f64>,
}

/// Gwet's standard errors of the categorical coefficients.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StandardErrors {
    pub percent_agreement: Option<f64>,
    pub gwet_ac1: Option<f64>,
    pub scott_pi: Option<f64>,
    pub conger_kappa: Option<f64>,
    pub brennan_prediger: Option<f64>,
}

/// Kendall's W with the Friedman test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Friedman {
    pub chi2: f64,
    pub df: f64,
    pub p_value: f64,
    pub units: usize,
}

/// The `concord agreement` result. Field names are the JSON contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgreementReport {
    pub units: usize,
    pub raters: usize,
    /// Non-missing ratings.
    pub ratings: usize,
    /// Rows with an empty value.
    pub missing: usize,
    /// Units with at least two ratings (the ones alpha can pair).
    pub pairable_units: usize,
    pub categories: Vec<String>,
    /// The primary level (the one with a bootstrap interval).
    pub level: Level,
    pub seed: u64,
    pub percent_agreement: Option<f64>,
    pub krippendorff_alpha: AlphaByLevel,
    /// Bootstrap interval of alpha at the primary level.
    pub krippendorff_alpha_interval: Option<AlphaInterval>,
    pub fleiss_kappa: Option<f64>,
    pub cohen_kappa: Option<f64>,
    pub cohen_kappa_weighted: Option<LinearQuadratic>,
    pub scott_pi: Option<f64>,
    pub conger_kappa: Option<f64>,
    pub brennan_prediger: Option<f64>,
    pub gwet_ac1: Option<f64>,
    pub gwet_ac2: Option<LinearQuadratic>,
    pub icc: Option<IccValues>,
    /// 95% intervals of the ICCs, as `[lower, upper]`.
    pub icc_intervals: Option<std::collections::BTreeMap<&'static str, [Option<f64>; 2]>>,
    pub kendall_w: Option<f64>,
    pub friedman: Option<Friedman>,
    pub standard_errors: StandardErrors,
}

fn finite(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite())
}

fn value(c: Option<Coefficient>) -> Option<f64> {
    finite(c.map(|c| c.value))
}

fn se(c: Option<Coefficient>) -> Option<f64> {
    finite(c.and_then(|c| c.standard_error))
}

impl AgreementReport {
    /// Computes every statistic for a matrix; `level` is the primary level.
    pub fn compute(m: &RatingMatrix, level: Level, seed: u64) -> AgreementReport {
        // The bootstrap is the longest single part: it runs on its own thread
        // beside everything else (both read the per-unit counts, made first).
        let _ = m.counts();
        std::thread::scope(|s| {
            let interval = s.spawn(|| {
                let options = BootstrapOptions {
                    seed,
                    ..BootstrapOptions::default()
                };
                bootstrap_alpha(m, level, &options)
                    .filter(|i| i.lower.is_finite() && i.upper.is_finite())
            });
            let mut report = Self::compute_point_estimates(m, level, seed);
            report.krippendorff_alpha_interval = interval.join().ok().flatten();
            report
        })
    }

    /// Every statistic but the bootstrap interval.
    fn compute_point_estimates(m: &RatingMatrix, level: Level, seed: u64) -> AgreementReport {
        let cats = m.categories();
        let alpha = |l| finite(krippendorff_alpha(m, l));
        let ordered = cats.is_ordered();
        let linear = Weights::linear(cats);
        let quadratic = Weights::quadratic(cats);
        let pa = percent_agreement(m, &Weights::Identity);
        let ac1 = gwet_ac(m, &Weights::Identity);
        let scott = scott_pi(m, &Weights::Identity);
        let conger = conger_kappa(m, &Weights::Identity);
        let bp = brennan_prediger(m, &Weights::Identity);
        let two_raters = m.active_raters().len() == 2;
        let weighted = |f: &dyn Fn(&Weights) -> Option<f64>| {
            ordered.then(|| LinearQuadratic {
                linear: linear.as_ref().and_then(f),
                quadratic: quadratic.as_ref().and_then(f),
            })
        };
        let icc_table: Option<IccTable> = icc(m, 0.95);
        let icc_value = |t: &IccTable, f| finite(t.get(f).and_then(|e| e.value));
        let kendall = kendall_w(m);
        AgreementReport {
            units: m.n_units(),
            raters: m.n_raters(),
            ratings: m.n_ratings(),
            missing: m.n_missing(),
            pairable_units: krippendorff_alpha_parts(m, Level::Nominal)
                .map_or(0, |p| p.pairable_units),
            categories: cats.labels().to_vec(),
            level,
            seed,
            percent_agreement: value(pa),
            krippendorff_alpha: AlphaByLevel {
                nominal: alpha(Level::Nominal),
                ordinal: alpha(Level::Ordinal),
                interval: alpha(Level::Interval),
                ratio: alpha(Level::Ratio),
            },
            krippendorff_alpha_interval: None,
            fleiss_kappa: finite(fleiss_kappa(m).map(|f| f.kappa)),
            cohen_kappa: value(cohen_kappa(m, &Weights::Identity)),
            cohen_kappa_weighted: if two_raters {
                weighted(&|w| value(cohen_kappa(m, w)))
            } else {
                None
            },
            scott_pi: value(scott),
            conger_kappa: value(conger),
            brennan_prediger: value(bp),
            gwet_ac1: value(ac1),
            gwet_ac2: weighted(&|w| value(gwet_ac(m, w))),
            icc: icc_table.as_ref().map(|t| IccValues {
                icc_1_1: icc_value(t, IccForm::Single1),
                icc_2_1: icc_value(t, IccForm::Single2),
                icc_3_1: icc_value(t, IccForm::Single3),
                icc_1_k: icc_value(t, IccForm::Average1),
                icc_2_k: icc_value(t, IccForm::Average2),
                icc_3_k: icc_value(t, IccForm::Average3),
            }),
            icc_intervals: icc_table.as_ref().map(|t| {
                t.estimates
                    .iter()
                    .map(|e| (e.form.label(), [finite(e.lower), finite(e.upper)]))
                    .collect()
            }),
            kendall_w: finite(kendall.map(|k| k.w)),
            friedman: kendall
                .filter(|k| k.friedman_chi2.is_finite())
                .map(|k| Friedman {
                    chi2: k.friedman_chi2,
                    df: k.df,
                    p_value: k.p_value,
                    units: k.units,
                }),
            standard_errors: StandardErrors {
                percent_agreement: se(pa),
                gwet_ac1: se(ac1),
                scott_pi: se(scott),
                conger_kappa: se(conger),
                brennan_prediger: se(bp),
            },
        }
    }
}

/// The `concord agreement` report for a long-format ratings CSV.
///
/// Errors name the line: missing or wrong header, bad quoting, wrong number
/// of fields, duplicate unit × rater, a non-numeric value at the interval or
/// ratio level, a value outside `--categories`.
pub fn agreement_report(
    input: &(impl AsRef<[u8]> + ?Sized),
    opts: &AgreementOptions,
) -> Result<serde_json::Value, InputError> {
    let m = read_ratings(input, opts)?;
    let level = match opts.level {
        Some(Level::Ordinal) if !m.categories().is_ordered() => {
            return Err(InputError::general(
                "level ordinal needs ordered categories: the values are not all numbers, so give the order with --categories",
            ))
        }
        Some(level) => level,
        None if m.categories().is_ordered() => Level::Ordinal,
        None => Level::Nominal,
    };
    serde_json::to_value(AgreementReport::compute(&m, level, opts.seed))
        .map_err(|e| InputError::general(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(csv: &str) -> InputError {
        agreement_report(csv, &AgreementOptions::default()).unwrap_err()
    }

    /// Everything a matrix holds, comparable.
    type Snapshot = (
        Vec<String>,
        Vec<String>,
        Vec<String>,
        Vec<Vec<crate::matrix::Rating>>,
        [usize; 2],
        Vec<usize>,
    );

    fn snapshot(m: &RatingMatrix) -> Snapshot {
        let labels = |n: usize, get: &dyn Fn(usize) -> Option<String>| -> Vec<String> {
            (0..n).filter_map(get).collect()
        };
        (
            labels(m.n_units(), &|u| m.unit_label(u).map(str::to_string)),
            labels(m.n_raters(), &|r| m.rater_label(r).map(str::to_string)),
            m.categories().labels().to_vec(),
            m.units().map(<[_]>::to_vec).collect(),
            [m.n_rows(), m.n_missing()],
            m.ratings_per_rater().to_vec(),
        )
    }

    /// The matrix read in `threads` parts, if the parallel reader takes it.
    fn in_parts(csv: &str, opts: &AgreementOptions, threads: usize) -> Option<RatingMatrix> {
        let categories = opts
            .categories
            .as_ref()
            .map(|c| CategorySet::ordered(c).unwrap());
        RowReader {
            columns: [0; 3],
            build: BuildOptions {
                categories: categories.clone(),
                require_numeric: opts.level.is_some_and(Level::needs_numbers),
            },
            categories: categories.as_ref(),
            level: opts.level,
        }
        .read_in_parallel(csv.as_bytes(), threads)
    }

    /// Rows grouped by unit; raters come in a different order from unit to
    /// unit and values first appear in a different order in each part, so
    /// joining parts must map their rater and value ids.
    fn grouped_csv(units: usize, line_end: &str) -> String {
        let mut csv = format!("value,unit,rater{line_end}");
        for u in 0..units {
            for k in 0..4 {
                let rater = (u * 7 + k * 3) % 5;
                let value = match (u * 13 + k * 5) % 11 {
                    0 => String::new(),
                    v => ((v + u / 40) % 5 + 1).to_string(),
                };
                csv.push_str(&format!("{value},unit {u},r{rater}{line_end}"));
            }
        }
        csv
    }

    #[test]
    fn parts_read_on_threads_give_the_one_thread_matrix() {
        let ordered = AgreementOptions {
            categories: Some(["5", "4", "3", "2", "1"].map(String::from).to_vec()),
            ..AgreementOptions::default()
        };
        for (csv, opts) in [
            (grouped_csv(300, "\n"), AgreementOptions::default()),
            (grouped_csv(257, "\r\n"), AgreementOptions::default()),
            (grouped_csv(300, "\n"), ordered),
        ] {
            let one = snapshot(&read_ratings(&csv, &opts).unwrap());
            for threads in 2..=5 {
                let parts = in_parts(&csv, &opts, threads).expect("grouped rows are read in parts");
                assert_eq!(snapshot(&parts), one, "{threads} threads");
            }
        }
    }

    #[test]
    fn the_parallel_reader_declines_what_it_cannot_join() {
        let grouped = grouped_csv(200, "\n");
        let lines: Vec<&str> = grouped.lines().collect();
        // Rater-major order: every unit in every part.
        let mut by_rater = lines[1..].to_vec();
        by_rater.sort_by_key(|l| l.rsplit(',').next().map(str::to_string));
        let scattered = format!("{}\n{}\n", lines[0], by_rater.join("\n"));
        // A unit's rows split by a blank line and a duplicate far from a cut.
        let mut split_unit = grouped.clone();
        split_unit.insert(
            grouped.len() / 2 + grouped[grouped.len() / 2..].find('\n').unwrap() + 1,
            '\n',
        );
        let duplicate = format!("{grouped}{}\n", lines[1]);
        let quoted = grouped.replace("unit 150,", "\"unit 150\",");
        let opts = AgreementOptions::default();
        for (name, csv) in [
            ("scattered", &scattered),
            ("split unit", &split_unit),
            ("duplicate", &duplicate),
            ("quoted", &quoted),
        ] {
            for threads in 2..=4 {
                if let Some(m) = in_parts(csv, &opts, threads) {
                    // Taken only if it is the matrix one thread reads.
                    let one = read_ratings(csv, &opts).map(|m| snapshot(&m));
                    assert_eq!(Ok(snapshot(&m)), one, "{name}, {threads} threads");
                }
            }
        }
        assert!(in_parts(&scattered, &opts, 2).is_none());
        assert!(in_parts(&duplicate, &opts, 2).is_none());
        // Errors are left to the one-thread reader, which places them.
        assert!(in_parts("unit,rater,value\nu1,A,1\nu1,A,2\n", &opts, 2).is_none());
        assert!(in_parts("unit,rater\nu1,A\n", &opts, 2).is_none());
        assert!(in_parts("\nunit,rater,value\nu1,A,1\n", &opts, 2).is_none());
    }

    #[test]
    fn a_file_that_is_not_utf8_names_the_line() {
        let mut bytes = b"unit,rater,value\nu1,A,1\nu1,B,".to_vec();
        bytes.push(0xff);
        bytes.extend_from_slice(b"\n");
        let e = agreement_report(&bytes, &AgreementOptions::default()).unwrap_err();
        assert_eq!(e.to_string(), "line 3: the file is not UTF-8 text");
    }

    #[test]
    fn missing_or_wrong_header() {
        let e = err("u1,A,3\nu1,B,3\n");
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("header"), "{e}");
        assert_eq!(err("unit,rater\nu1,A\n").line, Some(1));
        assert_eq!(err("unit,rater,value,comment\n").line, Some(1));
        assert_eq!(err("unit,unit,value\n").line, Some(1));
        assert_eq!(err("").line, Some(1));
        // Any order, any case, blank lines before the header.
        let ok = agreement_report(
            "\nValue,Unit,RATER\n3,u1,A\n3,u1,B\n",
            &AgreementOptions::default(),
        )
        .unwrap();
        assert_eq!(ok["ratings"], 2);
    }

    #[test]
    fn bad_quoting() {
        let e = err("unit,rater,value\nu1,A,3\nu1,\"B\"x,3\n");
        assert_eq!(e.line, Some(3));
        assert!(e.to_string().starts_with("line 3: bad quoting"), "{e}");
        let e = err("unit,rater,value\nu1,A,3\nu1,B,\"3\nu2,A,1\n");
        assert_eq!(e.line, Some(3));
        let e = err("unit,rater,value\nu1,A,3\nu1,B,3\"\n");
        assert_eq!(e.line, Some(3));
    }

    #[test]
    fn wrong_number_of_fields() {
        let e = err("unit,rater,value\nu1,A,3\nu1,B\n");
        assert_eq!(
            e,
            InputError::at(3, "expected 3 fields (unit, rater, value), found 2")
        );
        let e = err("unit,rater,value\nu1,A,3,extra\n");
        assert_eq!(e.line, Some(2));
        // A quoted field with a line break does not shift later line numbers.
        let e = err("unit,rater,value\n\"u\n1\",A,3\nu2,A\n");
        assert_eq!(e.line, Some(4));
    }

    #[test]
    fn duplicate_unit_rater() {
        let e = err("unit,rater,value\nu1,A,1\nu2,A,2\nu3,A,1\nu3,B,2\nu3,A,\n");
        assert_eq!(
            e.to_string(),
            "line 6: duplicate rating for unit u3 by rater A"
        );
        // Rows not grouped by unit: the duplicate is found after reading and
        // still reported at its own line.
        let e = err("unit,rater,value\nu1,A,1\nu2,A,2\nu1,B,1\nu2,B,2\n\nu1,A,2\n");
        assert_eq!(
            e.to_string(),
            "line 7: duplicate rating for unit u1 by rater A"
        );
    }

    #[test]
    fn non_numeric_value_at_interval_or_ratio_level() {
        for level in [Level::Interval, Level::Ratio] {
            let opts = AgreementOptions {
                level: Some(level),
                ..AgreementOptions::default()
            };
            let e = agreement_report("unit,rater,value\nu1,A,1\nu1,B,2\nu2,A,high\n", &opts)
                .unwrap_err();
            assert_eq!(e.line, Some(4));
            assert!(e.message.contains("\"high\" is not a number"), "{e}");
        }
        // Nominal and ordinal accept text.
        let opts = AgreementOptions {
            level: Some(Level::Nominal),
            ..AgreementOptions::default()
        };
        assert!(agreement_report("unit,rater,value\nu1,A,1\nu1,B,2\nu2,A,high\n", &opts).is_ok());
    }

    #[test]
    fn value_not_in_categories() {
        let opts = AgreementOptions {
            categories: Some(vec!["low".into(), "mid".into(), "high".into()]),
            ..AgreementOptions::default()
        };
        let e = agreement_report(
            "unit,rater,value\nu1,A,low\nu1,B,mid\nu2,A,\nu2,B,huge\n",
            &opts,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 5: value \"huge\" is not one of the categories (low, mid, high)"
        );
        let bad_list = AgreementOptions {
            categories: Some(vec!["a".into(), "a".into()]),
            ..AgreementOptions::default()
        };
        assert_eq!(
            agreement_report("unit,rater,value\n", &bad_list)
                .unwrap_err()
                .line,
            None
        );
    }

    #[test]
    fn blank_ids_name_the_line() {
        let e = err("unit,rater,value\nu1,A,1\n,B,2\n");
        assert_eq!(e.to_string(), "line 3: blank unit id");
        let e = err("unit,rater,value\nu1,\"\",2\n");
        assert_eq!(e.to_string(), "line 2: blank rater id");
    }

    #[test]
    fn ordinal_level_needs_an_order() {
        let opts = AgreementOptions {
            level: Some(Level::Ordinal),
            ..AgreementOptions::default()
        };
        let e = agreement_report("unit,rater,value\nu1,A,yes\nu1,B,no\n", &opts).unwrap_err();
        assert_eq!(e.line, None);
        let with_order = AgreementOptions {
            categories: Some(vec!["no".into(), "yes".into()]),
            ..opts
        };
        assert!(agreement_report("unit,rater,value\nu1,A,yes\nu1,B,no\n", &with_order).is_ok());
    }

    #[test]
    fn report_has_the_contract_keys_and_no_nan() {
        let csv =
            "unit,rater,value\nu1,A,1\nu1,B,1\nu2,A,2\nu2,B,3\nu3,A,3\nu3,B,3\nu4,A,\nu4,B,2\n";
        let r = agreement_report(csv, &AgreementOptions::default()).unwrap();
        for key in [
            "units",
            "raters",
            "ratings",
            "categories",
            "percent_agreement",
            "krippendorff_alpha",
            "fleiss_kappa",
            "cohen_kappa",
            "cohen_kappa_weighted",
            "scott_pi",
            "conger_kappa",
            "brennan_prediger",
            "gwet_ac1",
            "gwet_ac2",
            "icc",
            "kendall_w",
        ] {
            assert!(r.get(key).is_some(), "missing {key}");
        }
        assert_eq!(
            (
                r["units"].as_u64(),
                r["raters"].as_u64(),
                r["ratings"].as_u64()
            ),
            (Some(4), Some(2), Some(7))
        );
        assert_eq!(r["categories"], serde_json::json!(["1", "2", "3"]));
        assert_eq!(r["level"], "ordinal");
        // Unequal ratings per unit: Fleiss undefined.
        assert!(r["fleiss_kappa"].is_null());
        assert!(r["cohen_kappa"].is_number());
        assert!(r["cohen_kappa_weighted"]["quadratic"].is_number());
        for level in ["nominal", "ordinal", "interval", "ratio"] {
            assert!(r["krippendorff_alpha"][level].is_number(), "{level}");
        }
        assert!(r["icc"]["ICC(2,1)"].is_number());
        assert!(!r.to_string().contains("NaN"));
    }

    #[test]
    fn header_only_and_all_blank_files_give_nulls_not_errors() {
        for csv in [
            "unit,rater,value\n",
            "unit,rater,value\nu1,A,\nu1,B,\nu2,A,\n",
        ] {
            let r = agreement_report(csv, &AgreementOptions::default()).unwrap();
            assert_eq!(r["ratings"], 0);
            assert!(r["krippendorff_alpha"]["nominal"].is_null());
            assert!(
                r["percent_agreement"].is_null() && r["icc"].is_null() && r["kendall_w"].is_null()
            );
            assert!(r["krippendorff_alpha_interval"].is_null());
        }
    }

    #[test]
    fn crlf_quoted_ids_and_numeric_category_aliases() {
        let csv = "unit,rater,value\r\n\"org, EU\",\"Expert \"\"A\"\"\",1.0\r\n\"org, EU\",B,1\r\nNATO,A,2\r\nNATO,B,2\r\n";
        let opts = AgreementOptions {
            categories: Some(vec!["1".into(), "2".into()]),
            ..AgreementOptions::default()
        };
        let r = agreement_report(csv, &opts).unwrap();
        assert_eq!(
            (r["units"].as_u64(), r["raters"].as_u64()),
            (Some(2), Some(3))
        );
        assert_eq!(r["categories"], serde_json::json!(["1", "2"]));
    }

    #[test]
    fn text_labels_give_null_numeric_measures() {
        let csv = "unit,rater,value\nu1,A,x\nu1,B,x\nu1,C,y\nu2,A,y\nu2,B,y\nu2,C,y\nu3,A,x\nu3,B,y\nu3,C,x\n";
        let r = agreement_report(csv, &AgreementOptions::default()).unwrap();
        assert_eq!(r["level"], "nominal");
        assert!(r["krippendorff_alpha"]["nominal"].is_number());
        for level in ["ordinal", "interval", "ratio"] {
            assert!(r["krippendorff_alpha"][level].is_null(), "{level}");
        }
        assert!(r["icc"].is_null() && r["gwet_ac2"].is_null() && r["kendall_w"].is_null());
        assert!(r["cohen_kappa"].is_null() && r["cohen_kappa_weighted"].is_null());
        assert!(r["fleiss_kappa"].is_number());
    }
}
