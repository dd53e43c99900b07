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
    krippendorff_alpha, krippendorff_alpha_parts, AlphaInterval, Bootstrap, BootstrapOptions,
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
use crate::par;
use crate::scan;
pub use crate::scan::Source;

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

/// How a file's rows become matrix entries: the columns, and what the
/// values must be.
struct RowReader {
    columns: [usize; 3],
    build: BuildOptions,
    level: Option<Level>,
}

impl RowReader {
    /// The reader `opts` ask for, before the header names the columns;
    /// refuses a category list the level cannot use.
    fn new(opts: &AgreementOptions) -> Result<RowReader, InputError> {
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
        Ok(RowReader {
            columns: [0; 3],
            build: BuildOptions {
                categories,
                require_numeric: needs_numbers,
            },
            level: opts.level,
        })
    }

    fn error(&self, line: usize, e: BuildError) -> InputError {
        InputError::at(
            line,
            build_error(e, self.build.categories.as_ref(), self.level),
        )
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
    fn read_in_parallel(&mut self, bytes: &[u8], threads: usize) -> Option<RatingMatrix> {
        let (columns, header_end) = plain_header(bytes)?;
        self.columns = columns;
        self.read_in_parts(&bytes[header_end..], threads)
    }

    /// Reads the records of `data` (what follows the header) in parts on
    /// `threads` threads and joins the parts. `None` whenever that is not
    /// simply possible — a part that is not UTF-8 or not well-formed, a unit
    /// in two parts, rows not grouped by unit — and the caller then reads the
    /// input on one thread, which also finds and places any error.
    fn read_in_parts(&self, data: &[u8], threads: usize) -> Option<RatingMatrix> {
        let cuts = unit_aligned_cuts(data, self.columns[0], threads)?;
        let parts: Vec<&[u8]> = cuts
            .windows(2)
            .map(|w| data.get(w[0]..w[1]))
            .collect::<Option<_>>()?;
        let parts = par::map(parts, |part| {
            let text = std::str::from_utf8(part).ok()?;
            let mut builder = MatrixBuilder::new(self.build.clone());
            builder.reserve(text.len() / 16);
            self.fill(&mut Reader::continuing(text), &mut builder)
                .ok()?;
            Some(builder)
        });
        MatrixBuilder::finish_parts(parts.into_iter().collect::<Option<_>>()?)?.ok()
    }
}

/// The columns of a header that is the first line, and where the records
/// start; `None` unless `bytes` starts with one plain, complete header line.
fn plain_header(bytes: &[u8]) -> Option<([usize; 3], usize)> {
    let header_end = memchr::memchr(b'\n', bytes)? + 1;
    let mut reader = Reader::new(std::str::from_utf8(&bytes[..header_end]).ok()?);
    let mut fields = Vec::new();
    if reader.read_record(&mut fields).ok()?? != 1 {
        return None;
    }
    Some((header_positions(&fields, 1).ok()?, header_end))
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
/// The usual layout is read by the quick reader on every core (see
/// [`scan`]); anything else, and any error, by the general reader. The
/// result is the same matrix either way.
pub fn read_ratings(
    input: &(impl AsRef<[u8]> + ?Sized),
    opts: &AgreementOptions,
) -> Result<RatingMatrix, InputError> {
    read_ratings_from(input.as_ref(), opts)
}

/// [`read_ratings`] of the bytes of `source` (a file, say), read in
/// place: a large file is streamed, never held whole, when the quick reader
/// takes it.
pub fn read_ratings_from(
    source: &(impl Source + ?Sized),
    opts: &AgreementOptions,
) -> Result<RatingMatrix, InputError> {
    let size = source.size().map_err(cannot_read)?;
    read_with(source, opts, scan::Plan::for_size(size))
}

fn cannot_read(e: std::io::Error) -> InputError {
    InputError::general(format!("cannot read the file: {e}"))
}

/// The first `limit` bytes of `source` (all of it without a limit).
fn read_head(source: &(impl Source + ?Sized), limit: Option<u64>) -> std::io::Result<Vec<u8>> {
    let size = source.size()?;
    let want = limit.map_or(size, |l| l.min(size));
    let mut bytes = vec![0u8; usize::try_from(want).unwrap_or(usize::MAX)];
    let mut filled = 0;
    while filled < bytes.len() {
        match source.read_at(&mut bytes[filled..], filled as u64)? {
            0 => break,
            n => filled += n,
        }
    }
    bytes.truncate(filled);
    Ok(bytes)
}

fn read_with(
    source: &(impl Source + ?Sized),
    opts: &AgreementOptions,
    plan: scan::Plan,
) -> Result<RatingMatrix, InputError> {
    let rows = RowReader::new(opts)?;
    // The quick reader, for a header of the usual columns in the usual order.
    const HEADER_MAX: u64 = 64 << 10;
    let head = read_head(source, Some(HEADER_MAX)).map_err(cannot_read)?;
    if let Some(([0, 1, 2], data_start)) = plain_header(&head) {
        let quick =
            scan::read(source, data_start as u64, plan, &rows.build).map_err(cannot_read)?;
        if let Some(m) = quick {
            return Ok(m);
        }
    }
    // The general reader needs the whole input in memory: read it, unless
    // it is there already.
    let read;
    let bytes = match source.as_bytes() {
        Some(bytes) => bytes,
        None => {
            read = read_head(source, None).map_err(cannot_read)?;
            &read
        }
    };
    rows.read_general(bytes, plan.threads)
}

impl RowReader {
    /// The general reader: in parts on `threads` threads when the rows are
    /// plainly grouped by unit, else on one thread, which places any error.
    fn read_general(mut self, bytes: &[u8], threads: usize) -> Result<RatingMatrix, InputError> {
        if threads > 1 {
            if let Some(m) = self.read_in_parallel(bytes, threads) {
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
        self.columns = header_positions(&fields, header_line)?;
        let mut builder = MatrixBuilder::new(self.build.clone());
        self.fill(&mut reader, &mut builder)?;
        builder.finish().map_err(|e| {
            let line = match &e {
                BuildError::DuplicateRating { row, .. } => line_of_row(text, *row),
                _ => None,
            };
            InputError {
                line,
                message: build_error(e, self.build.categories.as_ref(), self.level),
            }
        })
    }
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
        // The bootstrap is the longest single part. Its chunks are drawn on
        // a second thread from the start, and on this one too once the
        // other statistics are done (both read the per-unit counts, made
        // first): one thread started, and neither idle before the end.
        let _ = m.counts();
        let options = BootstrapOptions {
            seed,
            ..BootstrapOptions::default()
        };
        let bootstrap = Bootstrap::new(m, level, &options);
        let help = || bootstrap.as_ref().map_or((), Bootstrap::help);
        let (mut report, ()) = par::join(
            || {
                let report = Self::compute_point_estimates(m, level, seed);
                help();
                report
            },
            help,
        );
        let interval = bootstrap
            .and_then(Bootstrap::finish)
            .filter(|i| i.lower.is_finite() && i.upper.is_finite());
        report.krippendorff_alpha_interval = interval;
        report
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
    agreement_report_from(input.as_ref(), opts)
}

/// [`agreement_report`] of the bytes of `source`, read in place (see
/// [`read_ratings_from`]).
pub fn agreement_report_from(
    source: &(impl Source + ?Sized),
    opts: &AgreementOptions,
) -> Result<serde_json::Value, InputError> {
    agreement_report_of(&read_ratings_from(source, opts)?, opts)
}

/// [`agreement_report_from`] for a process that ends once it has printed
/// the report: the ratings are not freed but left for the kernel to take
/// back as the process exits. Freeing them took 0.5–0.9 ms of a 13 ms run
/// on the 100,000-unit benchmark file; the exit frees the same pages in
/// bulk, so the whole process gains less, 0.1–0.3 ms.
pub fn agreement_report_before_exit(
    source: &(impl Source + ?Sized),
    opts: &AgreementOptions,
) -> Result<serde_json::Value, InputError> {
    let m = read_ratings_from(source, opts)?;
    let report = agreement_report_of(&m, opts);
    std::mem::forget(m);
    report
}

/// [`agreement_report`] of ratings already read (by [`read_ratings_from`]
/// with the same options): the level's check, then every statistic.
fn agreement_report_of(
    m: &RatingMatrix,
    opts: &AgreementOptions,
) -> Result<serde_json::Value, InputError> {
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
    serde_json::to_value(AgreementReport::compute(m, level, opts.seed))
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
        [usize; 3],
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
            (0..m.n_units()).map(|u| m.unit(u).to_vec()).collect(),
            [m.n_rows(), m.n_missing(), m.n_ratings()],
            m.ratings_per_rater().to_vec(),
        )
    }

    /// The matrix read in `threads` parts, if the parallel reader takes it.
    fn in_parts(csv: &str, opts: &AgreementOptions, threads: usize) -> Option<RatingMatrix> {
        RowReader::new(opts)
            .unwrap()
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

    /// Bytes read as a file is, through [`Source::read_at`] only.
    struct Streamed<'a>(&'a [u8]);

    impl Source for Streamed<'_> {
        fn size(&self) -> std::io::Result<u64> {
            self.0.size()
        }

        fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
            self.0.read_at(buf, offset)
        }
    }

    /// The matrix the quick reader gives, read on `threads` threads with
    /// chunks of `chunk` bytes; `None` if it gives up. Read both where the
    /// bytes are and streamed through buffers, which must agree.
    fn quick(
        csv: &str,
        opts: &AgreementOptions,
        threads: usize,
        chunk: usize,
    ) -> Option<RatingMatrix> {
        let (columns, data_start) = plain_header(csv.as_bytes())?;
        assert_eq!(columns, [0, 1, 2]);
        let plan = scan::Plan { threads, chunk };
        let build = &RowReader::new(opts).unwrap().build;
        let in_place = scan::read(csv.as_bytes(), data_start as u64, plan, build).unwrap();
        let streamed =
            scan::read(&Streamed(csv.as_bytes()), data_start as u64, plan, build).unwrap();
        assert_eq!(
            in_place.as_ref().map(snapshot),
            streamed.as_ref().map(snapshot),
            "{threads} threads, chunks of {chunk}"
        );
        in_place
    }

    /// The general reader on one thread.
    fn general(csv: &str, opts: &AgreementOptions) -> Result<RatingMatrix, InputError> {
        RowReader::new(opts)?.read_general(csv.as_bytes(), 1)
    }

    /// The usual layout: units in increasing order (`u9` before `u10`), each
    /// unit's rows together, raters in a changing order, missing values,
    /// values of one and two bytes, blank lines; the last line may lack
    /// its line end.
    fn usual_csv(units: usize, line_end: &str, final_line_end: bool) -> String {
        let mut csv = format!("unit,rater,value{line_end}");
        for u in 1..=units {
            for k in 0..(2 + u % 4) {
                let rater = (u * 3 + k * 2) % 7;
                let value = match (u * 5 + k * 11) % 13 {
                    0 => String::new(),
                    1 => "10".to_string(),
                    v => (v % 5 + 1).to_string(),
                };
                csv.push_str(&format!("u{u},rater {rater},{value}{line_end}"));
            }
            if u % 17 == 0 {
                csv.push_str(line_end);
            }
        }
        if !final_line_end {
            csv.truncate(csv.len() - line_end.len());
        }
        csv
    }

    /// Units named with a fixed width (`cell-0000001`, …), the shape the
    /// quick reader's successor check is for; `name` formats a unit number.
    fn fixed_width_csv(units: usize, name: &dyn Fn(usize) -> String) -> String {
        let mut csv = String::from("unit,rater,value\n");
        for u in 1..=units {
            for k in 0..5 {
                let value = match (u * 7 + k * 3) % 11 {
                    0 => String::new(),
                    v => (v % 5 + 1).to_string(),
                };
                csv.push_str(&format!("{},expert-{:02},{value}\n", name(u), k + 1));
            }
        }
        csv
    }

    /// A unit of 300 ratings between small ones: too many to pack counts.
    fn wide_unit_csv() -> String {
        let mut csv = String::from("unit,rater,value\n");
        for u in ["a1", "a2", "a3"] {
            let raters = if u == "a2" { 300 } else { 3 };
            for r in 0..raters {
                csv.push_str(&format!("{u},r{r},{}\n", (r * 7 + u.len()) % 4 + 1));
            }
        }
        csv
    }

    #[test]
    fn the_quick_reader_gives_the_general_readers_matrix() {
        let numbers = AgreementOptions {
            categories: Some(["1", "2", "3", "4", "5", "10"].map(String::from).to_vec()),
            ..AgreementOptions::default()
        };
        let interval = AgreementOptions {
            level: Some(Level::Interval),
            ..AgreementOptions::default()
        };
        for (csv, opts) in [
            (usual_csv(300, "\n", true), AgreementOptions::default()),
            (usual_csv(300, "\n", false), AgreementOptions::default()),
            (usual_csv(211, "\r\n", true), AgreementOptions::default()),
            (usual_csv(211, "\r\n", false), interval),
            (usual_csv(300, "\n", true), numbers),
            (
                "unit,rater,value\n".to_string(),
                AgreementOptions::default(),
            ),
            (wide_unit_csv(), AgreementOptions::default()),
            (
                fixed_width_csv(1200, &|u| format!("cell-{u:07}")),
                AgreementOptions::default(),
            ),
            // A two-byte letter before the digits, and after them (the
            // varying bytes are then not plain ASCII: read field by field).
            (
                fixed_width_csv(300, &|u| format!("ünit-{u:04}")),
                AgreementOptions::default(),
            ),
            (
                fixed_width_csv(300, &|u| format!("n-{u:05}é")),
                AgreementOptions::default(),
            ),
        ] {
            let general = general(&csv, &opts).unwrap();
            let expected = snapshot(&general);
            for threads in 1..=5 {
                for chunk in [1, 7, 64, 100_000] {
                    let m = quick(&csv, &opts, threads, chunk)
                        .expect("the usual layout is read quickly");
                    let case = format!("{threads} threads, {chunk}-byte buffers");
                    assert_eq!(snapshot(&m), expected, "{case}");
                    // The per-unit counts, packed while the parts are joined.
                    assert_eq!(m.counts(), general.counts(), "{case}");
                }
            }
            // And through the public entry point.
            assert_eq!(snapshot(&read_ratings(&csv, &opts).unwrap()), expected);
        }
    }

    /// Wherever the first chunk of a part ends (before, at or after the
    /// line its range ends in), the part reads its own lines only.
    #[test]
    fn every_chunk_size_gives_the_same_matrix() {
        let opts = AgreementOptions::default();
        for (line_end, final_line_end) in [("\n", true), ("\r\n", false)] {
            let csv = usual_csv(12, line_end, final_line_end);
            let expected = snapshot(&general(&csv, &opts).unwrap());
            for threads in [2, 3] {
                for chunk in 1..=csv.len() + 1 {
                    let m = quick(&csv, &opts, threads, chunk)
                        .expect("the usual layout is read quickly");
                    assert_eq!(
                        snapshot(&m),
                        expected,
                        "{threads} threads, chunks of {chunk}"
                    );
                }
            }
        }
    }

    /// A file large enough that each part's ratings are mapped (see
    /// `pages.rs`) reads as the general reader reads it.
    #[test]
    fn mapped_ratings_give_the_general_readers_matrix() {
        let opts = AgreementOptions::default();
        let csv = fixed_width_csv(60_000, &|u| format!("cell-{u:07}"));
        let general = general(&csv, &opts).unwrap();
        let expected = snapshot(&general);
        for threads in [1, 2] {
            let m = quick(&csv, &opts, threads, 256 << 10).expect("the usual layout");
            if cfg!(target_os = "linux") {
                assert_eq!(m.mapped_blocks(), threads, "{threads} threads");
            }
            assert_eq!(snapshot(&m), expected, "{threads} threads");
            assert_eq!(m.counts(), general.counts(), "{threads} threads");
        }
    }

    #[test]
    fn the_quick_reader_leaves_anything_unusual_to_the_general_one() {
        let usual = usual_csv(120, "\n", true);
        let opts = AgreementOptions::default();
        let explicit = AgreementOptions {
            categories: Some(["1", "2", "3", "4", "5"].map(String::from).to_vec()),
            ..AgreementOptions::default()
        };
        let interval = AgreementOptions {
            level: Some(Level::Interval),
            ..AgreementOptions::default()
        };
        let cases: Vec<(&str, String, &AgreementOptions)> = vec![
            ("units out of order", usual.replace("u10,", "u99x,"), &opts),
            (
                "fixed-width units out of order",
                fixed_width_csv(60, &|u| format!("cell-{:07}", if u == 30 { 7 } else { u })),
                &opts,
            ),
            (
                "a quote inside a fixed-width unit",
                fixed_width_csv(60, &|u| {
                    format!("cell-{u:06}{}", if u == 30 { '"' } else { 'x' })
                }),
                &opts,
            ),
            (
                "a unit repeated later",
                format!("{usual}u3,rater 0,1\n"),
                &opts,
            ),
            ("quoted", usual.replace("u50,", "\"u50\","), &opts),
            (
                "blank before a field",
                usual.replace("u50,", " u50,"),
                &opts,
            ),
            (
                "blank after a value",
                usual.replacen(",3\n", ",3 \n", 1),
                &opts,
            ),
            (
                "a lone carriage return",
                usual.replacen(",3\n", ",3\r", 1),
                &opts,
            ),
            (
                "duplicate rater",
                usual.replacen("u7,rater 0,", "u7,rater 0,1\nu7,rater 0,", 1),
                &opts,
            ),
            (
                // The predicted rater (the first follows the last), twice.
                "duplicate rater where raters come in a fixed order",
                fixed_width_csv(60, &|u| format!("cell-{u:07}")).replacen(
                    "cell-0000031,expert-01,",
                    "cell-0000030,expert-01,1\ncell-0000031,expert-01,",
                    1,
                ),
                &opts,
            ),
            ("four fields", usual.replacen(",3\n", ",3,x\n", 1), &opts),
            (
                "two fields",
                usual.replacen("u8,rater 3,", "u8,rater 3\nu8,rater 9,", 1),
                &opts,
            ),
            ("empty unit", usual.replacen("u9,", ",", 1), &opts),
            ("value outside the list", usual.clone(), &explicit),
            (
                "text at the interval level",
                usual.replacen(",3\n", ",x\n", 1),
                &interval,
            ),
        ];
        for (name, csv, opts) in &cases {
            let changed = csv != &usual || opts.categories.is_some();
            assert!(changed, "{name}: the case changes the file or the options");
            for threads in 1..=4 {
                for chunk in [5, 4096] {
                    if let Some(m) = quick(csv, opts, threads, chunk) {
                        // Taken only if it is the general reader's matrix.
                        let expected = general(csv, opts).map(|m| snapshot(&m));
                        assert_eq!(Ok(snapshot(&m)), expected, "{name}, {threads} threads");
                    }
                }
            }
            // The public reader agrees with the general one, error or not.
            let public = read_ratings(csv, opts).map(|m| snapshot(&m));
            assert_eq!(public, general(csv, opts).map(|m| snapshot(&m)), "{name}");
        }
        // A rater twice in a unit that straddles two parts is caught at the join.
        let straddle = "unit,rater,value\nu1,A,1\nu1,B,2\nu1,A,3\nu2,A,1\n";
        for threads in 1..=4 {
            assert!(
                quick(straddle, &opts, threads, 3).is_none(),
                "{threads} threads"
            );
        }
        assert_eq!(read_ratings(straddle, &opts).unwrap_err().line, Some(4));
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
        // The quick reader checks names as it meets them: a bad byte in a
        // unit's, a rater's or a value's place, deep in a usual file, still
        // sends the file to the general reader, which names the line.
        let usual = fixed_width_csv(400, &|u| format!("cell-{u:07}"));
        // The last digit of a unit, of a rater, and a one-byte value.
        let value_row = (300..400)
            .map(|u| format!("cell-{u:07},expert-04,"))
            .find(|row| !usual.contains(&format!("{row}\n")))
            .unwrap();
        for (place, at, offset) in [
            ("unit", "cell-0000300,".to_string(), 11),
            ("rater", "cell-0000300,expert-03,".to_string(), 21),
            ("value", value_row, 23),
        ] {
            let start = usual.find(&at).unwrap() + offset;
            let line = usual[..start].matches('\n').count() + 1;
            let mut bytes = usual.clone().into_bytes();
            bytes[start] = 0xff;
            for threads in 1..=3 {
                let (columns, data_start) = plain_header(&bytes).unwrap();
                assert_eq!(columns, [0, 1, 2]);
                let plan = scan::Plan {
                    threads,
                    chunk: 4096,
                };
                let build = &RowReader::new(&AgreementOptions::default()).unwrap().build;
                let quick = scan::read(&bytes[..], data_start as u64, plan, build).unwrap();
                assert!(quick.is_none(), "{place}: {threads} threads");
            }
            let e = agreement_report(&bytes, &AgreementOptions::default()).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("line {line}: the file is not UTF-8 text"),
                "{place}"
            );
        }
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
        // The command line's variant, which does not free the ratings, reports the same.
        let before_exit =
            agreement_report_before_exit(csv.as_bytes(), &AgreementOptions::default()).unwrap();
        assert_eq!(r, before_exit);
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
