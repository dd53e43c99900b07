//! The quick reader for the usual shape of a ratings file: a one-line header
//! `unit,rater,value`, no quotes, no blanks around fields, each unit's rows
//! together and the units in increasing order (by length, then bytes, so
//! `9` comes before `10` and zero-padded names sort as written).
//!
//! Such a file is read by prediction: a row usually names the unit of the
//! row before it, the rater who followed the previous rater last time, and
//! a one-byte value, so most rows cost three short comparisons and no hash
//! lookup. Units in increasing order cannot repeat, so they need no table
//! either; a new unit's name is usually as long as the last and differs
//! from it only in its last bytes, which is all that is checked. Bytes are
//! not checked as UTF-8 up front: a row is taken only when its bytes equal
//! a name or value already checked, or are a new name, and names are
//! checked when first read (units' names once per part, together).
//!
//! The file is read in equal byte ranges on every core, each streamed
//! through a small reused buffer (a fresh buffer the size of the file costs
//! more in page faults than the reading itself); a unit whose rows
//! straddle two ranges is joined up afterwards. The parts' ratings and unit
//! names become blocks of the matrix where they are.
//!
//! Anything else — a quote, a blank around a field, units out of order, a
//! duplicate, a value the options refuse — makes [`read`] give up with
//! `None`; the general reader then reads the file and explains any error.
//! The two readers give the same matrix for every file this one takes
//! (tested in `report`).

use std::io;

use crate::csv::next_special;
use crate::intern::{eq_short, Labels, StrInterner};
use crate::matrix::{
    categories_of, Block, BuildOptions, CategoryCounts, PackedRange, Packer, Rating, RatingMatrix,
    ValueTable, NOT_CACHED,
};
use crate::par;

/// Bytes that can be read at any offset: a file, or bytes in memory. The
/// statistics core reads its input through this and does no IO of its own.
pub trait Source: Sync {
    /// Length in bytes.
    fn size(&self) -> io::Result<u64>;
    /// Reads up to `buf.len()` bytes at `offset`; 0 only at the end.
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize>;
    /// All the bytes, when they are in memory already.
    fn as_bytes(&self) -> Option<&[u8]> {
        None
    }
}

impl Source for [u8] {
    fn as_bytes(&self) -> Option<&[u8]> {
        Some(self)
    }

    fn size(&self) -> io::Result<u64> {
        Ok(self.len() as u64)
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let rest = usize::try_from(offset)
            .ok()
            .and_then(|o| self.get(o..))
            .unwrap_or_default();
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        Ok(n)
    }
}

#[cfg(unix)]
impl Source for std::fs::File {
    fn size(&self) -> io::Result<u64> {
        Ok(self.metadata()?.len())
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        loop {
            match std::os::unix::fs::FileExt::read_at(self, buf, offset) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }
}

/// How the quick reader reads: on how many threads, with what buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    pub threads: usize,
    /// Starting size of each thread's buffer (it grows for a longer line).
    pub chunk: usize,
}

impl Plan {
    /// Files under this size are read on one thread: below it, starting
    /// threads costs about what it saves.
    const PARALLEL_MIN_BYTES: u64 = 1 << 20;

    pub(crate) fn for_size(size: u64) -> Plan {
        let threads = match size {
            n if n < Self::PARALLEL_MIN_BYTES => 1,
            _ => par::threads().min(8),
        };
        Plan {
            threads,
            chunk: 256 << 10,
        }
    }
}

/// `a` comes before `b`: shorter first, then byte order (eight bytes at a
/// time: names are short, and a library call costs more than the compare).
fn shortlex_less(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return a.len() < b.len();
    }
    let (mut a8, mut b8) = (a.chunks_exact(8), b.chunks_exact(8));
    for (x, y) in (&mut a8).zip(&mut b8) {
        let word = |s: &[u8]| u64::from_be_bytes(s.try_into().unwrap_or_default());
        let (x, y) = (word(x), word(y));
        if x != y {
            return x < y;
        }
    }
    a8.remainder() < b8.remainder()
}

/// The field starting at `from` up to the next comma (`last == false`) or
/// line end (`last == true`), and where the next field or line starts.
/// `None` for anything the quick reader leaves to the general one: a quote,
/// a carriage return not ending the line, the wrong delimiter, a blank
/// around the field, or bytes that are not UTF-8.
fn field(data: &[u8], from: usize, last: bool) -> Option<(&str, usize)> {
    let (end, byte) = next_special(data, from).unwrap_or((data.len(), b'\n'));
    let next = match byte {
        b',' if !last => end + 1,
        b'\n' if last => end + 1,
        b'\r' if last && data.get(end + 1) == Some(&b'\n') => end + 2,
        _ => return None,
    };
    let field = data.get(from..end)?;
    let blank = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t'));
    if blank(field.first()) || blank(field.last()) {
        return None;
    }
    Some((std::str::from_utf8(field).ok()?, next))
}

/// Where two names of the same length first differ; `None` when they are
/// equal or their lengths differ. Two overlapping words for the usual
/// lengths, a loop otherwise.
#[inline]
fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    let n = a.len();
    if n != b.len() {
        return None;
    }
    if !(8..=16).contains(&n) {
        return a.iter().zip(b).position(|(x, y)| x != y);
    }
    let word =
        |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap_or_default());
    let head = word(a, 0) ^ word(b, 0);
    if head != 0 {
        return Some(head.trailing_zeros() as usize / 8);
    }
    let tail = word(a, n - 8) ^ word(b, n - 8);
    (tail != 0).then(|| n - 8 + tail.trailing_zeros() as usize / 8)
}

/// A part's record of the units it has read, borrowed from it while
/// [`Part::usual_rows`] runs.
struct UnitsRead<'p> {
    field: &'p mut Vec<u8>,
    names: &'p mut Vec<u8>,
    ends: &'p mut Vec<usize>,
    offsets: &'p mut Vec<usize>,
    first_unit_raters: &'p mut Option<Vec<u32>>,
}

impl UnitsRead<'_> {
    /// Begins the unit named by `field` (its name and a comma) after the
    /// last one, whose ratings ended at `entries`, if it is the usual
    /// successor (see [`successor`]); `false`, changing nothing, if not.
    /// Out of line: the row loop keeps its registers for the usual row.
    #[inline(never)]
    fn begin_successor(self, field: &[u8], stamp: &[usize], entries: usize) -> bool {
        let Some(from) = successor(self.field, field) else {
            return false;
        };
        self.begin(&field[..field.len() - 1], from, stamp, entries);
        true
    }

    /// Records the start of unit `name` after the last one, whose ratings
    /// ended at `entries`, and makes it the last unit's field; the field's
    /// bytes before `from` are already the name's.
    fn begin(self, name: &[u8], from: usize, stamp: &[usize], entries: usize) {
        if self.ends.len() == 1 {
            *self.first_unit_raters = Some(stamped(stamp, 0));
        }
        self.names.extend_from_slice(name);
        self.ends.push(self.names.len());
        self.offsets.push(entries);
        if self.field.len() == name.len() + 1 {
            self.field[from..name.len()].copy_from_slice(&name[from..]);
        } else {
            self.field.clear();
            self.field.extend_from_slice(name);
            self.field.push(b',');
        }
    }
}

/// The raters whose `stamp` is `unit`.
fn stamped(stamp: &[usize], unit: usize) -> Vec<u32> {
    (0..stamp.len() as u32)
        .filter(|&r| stamp[r as usize] == unit)
        .collect()
}

/// Where the unit named by `field` (its name and a comma) first differs
/// from the last unit's `last` (the same, as long), if it is the usual
/// successor: greater at that byte, and printable ASCII other than a comma
/// or quote from there on. Any other name is left to [`field`].
#[inline]
fn successor(last: &[u8], field: &[u8]) -> Option<usize> {
    let (&b',', name) = field.split_last()? else {
        return None;
    };
    let last = last.split_last()?.1;
    let from = first_difference(last, name)?;
    let plain = |b: &u8| matches!(b, b'!'..=b'~') && !matches!(b, b',' | b'"');
    (name[from] > last[from] && name[from..].iter().all(plain)).then_some(from)
}

/// Whether `data[at..]` starts with `field` (a name and its comma).
#[inline]
fn is_at(data: &[u8], at: usize, field: &[u8]) -> bool {
    !field.is_empty()
        && data
            .get(at..at + field.len())
            .is_some_and(|b| eq_short(b, field))
}

/// One byte range of a file, read.
struct Part {
    /// The units' names, filled from `unit_names` when the part is read.
    units: Labels,
    /// The units' names back to back as read, and where each ends: checked
    /// as UTF-8 once, at the end, rather than name by name.
    unit_names: Vec<u8>,
    unit_ends: Vec<usize>,
    raters: StrInterner,
    values: ValueTable,
    /// Where each unit's ratings start in `entries`.
    offsets: Vec<usize>,
    /// Non-missing ratings: part-local rater ids, and value codes as the
    /// part's [`ValueTable`] gives them.
    entries: Vec<Rating>,
    rows: usize,
    missing: usize,
    /// Per rater: the number of the unit it last rated (missing or not).
    stamp: Vec<usize>,
    /// Per rater: the rater that followed it last time.
    next_rater: Vec<u32>,
    /// Per rater: its name and a comma, as a row has it.
    rater_fields: Vec<Vec<u8>>,
    /// The last unit's name and a comma (empty before the first unit).
    unit_field: Vec<u8>,
    last_rater: u32,
    byte_codes: [u32; 256],
    /// The raters of the first unit, missing ratings included, once the
    /// second begins (a unit straddling two parts must not repeat a rater).
    first_unit_raters: Option<Vec<u32>>,
}

impl Part {
    fn new(options: &BuildOptions) -> Part {
        Part {
            units: Labels::default(),
            unit_names: Vec::new(),
            unit_ends: Vec::new(),
            raters: StrInterner::new(),
            values: ValueTable::new(options),
            offsets: Vec::new(),
            entries: Vec::new(),
            rows: 0,
            missing: 0,
            stamp: Vec::new(),
            next_rater: Vec::new(),
            rater_fields: Vec::new(),
            unit_field: Vec::new(),
            last_rater: u32::MAX,
            byte_codes: [NOT_CACHED; 256],
            first_unit_raters: None,
        }
    }

    /// Raters stamped with unit number `unit`.
    fn raters_of(&self, unit: usize) -> Vec<u32> {
        stamped(&self.stamp, unit)
    }

    /// Reserves room for about `rows` more rows in `units` more units, so
    /// the vectors are not moved (and their pages touched twice) as they grow.
    fn reserve(&mut self, rows: usize, units: usize) {
        self.entries.reserve(rows);
        self.offsets.reserve(units);
        self.unit_ends.reserve(units);
        self.unit_names.reserve(units * self.unit_field.len());
    }

    /// Reads the lines of `data` (whole lines) that start before byte
    /// `stop`; the position it stopped at, or `None` to give up.
    fn feed(&mut self, data: &[u8], stop: usize) -> Option<usize> {
        let end = data.len().min(stop);
        let mut p = 0;
        while p < end {
            p = self.usual_rows(data, p, end);
            if p < end {
                p = self.row(data, p)?;
            }
        }
        Some(p)
    }

    /// Reads usual rows from `p` on, with a few word compares each: a row
    /// that names the last unit or its successor (see [`successor`]), the
    /// rater predicted to come next, and a value that is empty or one byte
    /// seen before, ending with a line feed. Where it stopped: `end`, or the
    /// first other row, which [`Part::row`] then reads (or refuses).
    ///
    /// The state lives in locals while the loop runs: this is the loop
    /// nearly every row of a large file goes through.
    #[inline(never)]
    fn usual_rows(&mut self, data: &[u8], mut p: usize, end: usize) -> usize {
        let Part {
            unit_field,
            rater_fields,
            next_rater,
            stamp,
            entries,
            byte_codes,
            unit_names,
            unit_ends,
            offsets,
            first_unit_raters,
            rows,
            missing,
            last_rater,
            ..
        } = self;
        let Some(mut unit_no) = unit_ends.len().checked_sub(1) else {
            return p;
        };
        let mut last = *last_rater;
        let (mut n_rows, mut n_missing) = (0, 0);
        let unit_len = unit_field.len();
        while p < end {
            let Some(&guess) = next_rater.get(last as usize) else {
                break;
            };
            let Some(rater) = rater_fields.get(guess as usize) else {
                break;
            };
            let value = unit_len + rater.len();
            // The row with the byte after the value (the file's last line,
            // which may lack its line feed, is left to `row`).
            let Some(row) = data.get(p..p + value + 2) else {
                break;
            };
            if !eq_short(&row[unit_len..value], rater) {
                break;
            }
            let (code, len) = match (row[value], row[value + 1]) {
                (b'\n', _) => (None, value + 1),
                (byte, b'\n') => match byte_codes[usize::from(byte)] {
                    NOT_CACHED => break,
                    code => (Some(code), value + 2),
                },
                _ => break,
            };
            let unit = &row[..unit_len];
            if !eq_short(unit, unit_field) {
                let units = UnitsRead {
                    field: unit_field,
                    names: unit_names,
                    ends: unit_ends,
                    offsets,
                    first_unit_raters,
                };
                if !units.begin_successor(unit, stamp, entries.len()) {
                    break;
                }
                unit_no += 1;
            }
            // A new unit has no rater stamped with its number yet.
            let seen = &mut stamp[guess as usize];
            if *seen == unit_no {
                break;
            }
            *seen = unit_no;
            last = guess;
            n_rows += 1;
            match code {
                Some(category) => entries.push(Rating {
                    rater: guess,
                    category,
                }),
                None => n_missing += 1,
            }
            p += len;
        }
        *last_rater = last;
        *rows += n_rows;
        *missing += n_missing;
        p
    }

    /// The part's record of its units, with the stamps and the number of
    /// ratings read so far, borrowed apart.
    fn units_read(&mut self) -> (UnitsRead<'_>, &[usize], usize) {
        let units = UnitsRead {
            field: &mut self.unit_field,
            names: &mut self.unit_names,
            ends: &mut self.unit_ends,
            offsets: &mut self.offsets,
            first_unit_raters: &mut self.first_unit_raters,
        };
        (units, &self.stamp, self.entries.len())
    }

    /// Sets `units` from the names read; `None` if they are not UTF-8.
    fn finish(mut self) -> Option<Part> {
        let names = std::mem::take(&mut self.unit_names);
        let ends = std::mem::take(&mut self.unit_ends);
        self.units = Labels::from_utf8(names, ends)?;
        Some(self)
    }

    /// Reads the line starting at `p`, whatever its fields: a blank line, a
    /// new unit, a rater other than the predicted one, a value not seen
    /// before. Where the next line starts, or `None` to give up.
    #[inline(never)]
    fn row(&mut self, data: &[u8], mut p: usize) -> Option<usize> {
        // A blank line, skipped as the general reader skips it.
        match data[p] {
            b'\n' => return Some(p + 1),
            b'\r' if data.get(p + 1) == Some(&b'\n') => return Some(p + 2),
            _ => {}
        }
        if is_at(data, p, &self.unit_field) {
            p += self.unit_field.len();
        } else {
            let (name, next) = field(data, p, false)?;
            let last = self
                .unit_field
                .split_last()
                .map_or(&[][..], |(_, name)| name);
            if name.is_empty() || !shortlex_less(last, name.as_bytes()) {
                return None;
            }
            let (units, stamp, entries) = self.units_read();
            units.begin(name.as_bytes(), 0, stamp, entries);
            p = next;
        }
        let unit_no = self.unit_ends.len() - 1;

        let guess = self
            .next_rater
            .get(self.last_rater as usize)
            .copied()
            .unwrap_or(u32::MAX);
        let rater = match self.rater_fields.get(guess as usize) {
            Some(field) if is_at(data, p, field) => {
                p += field.len();
                guess
            }
            _ => {
                let (name, next) = field(data, p, false)?;
                if name.is_empty() {
                    return None;
                }
                let (id, new) = self.raters.intern(name);
                if new {
                    self.stamp.push(usize::MAX);
                    self.next_rater.push(u32::MAX);
                    self.rater_fields.push([name.as_bytes(), b","].concat());
                }
                if let Some(n) = self.next_rater.get_mut(self.last_rater as usize) {
                    *n = id;
                }
                p = next;
                id
            }
        };
        self.last_rater = rater;
        let seen = &mut self.stamp[rater as usize];
        if *seen == unit_no {
            return None;
        }
        *seen = unit_no;

        let byte = data.get(p).copied().unwrap_or(b'\n');
        let cached = self.byte_codes[usize::from(byte)];
        let one_byte = match data.get(p + 1) {
            None | Some(b'\n') => Some(p + 2),
            Some(b'\r') if data.get(p + 2) == Some(&b'\n') => Some(p + 3),
            _ => None,
        };
        let code = match one_byte {
            Some(next) if cached != NOT_CACHED => {
                p = next;
                Some(cached)
            }
            // An empty value: a missing rating.
            _ if byte == b'\n' => {
                p += 1;
                None
            }
            _ => {
                let (value, next) = field(data, p, true)?;
                p = next;
                if value.is_empty() {
                    None
                } else {
                    let code = self.values.code(value).ok()?;
                    if let &[b] = value.as_bytes() {
                        self.byte_codes[usize::from(b)] = code;
                    }
                    Some(code)
                }
            }
        };
        self.rows += 1;
        match code {
            Some(category) => self.entries.push(Rating { rater, category }),
            None => self.missing += 1,
        }
        Some(p)
    }
}

/// Reads the lines starting in `[from, to)` of `source`; a line starts at 0
/// or after a line feed. `Ok(None)` when the quick reader gives up.
fn read_range(
    source: &(impl Source + ?Sized),
    from: u64,
    to: u64,
    chunk: usize,
    options: &BuildOptions,
) -> io::Result<Option<Part>> {
    let mut part = Part::new(options);
    // Room for a row every 16 bytes until the first buffer tells the real
    // density: growing from nothing would copy (and fault in) the ratings
    // several times over. Pages reserved and not written cost nothing.
    let span = usize::try_from(to.saturating_sub(from)).unwrap_or(usize::MAX);
    part.reserve(span / 16, span / 64);
    let mut buf = vec![0u8; chunk.max(1)];
    let mut filled = 0;
    // File offset of buf[0], and of the next read.
    let (mut base, mut pos) = (from, from);
    // After the first range, the line under way at `from` is the previous
    // range's: start after the first line feed at or after `from - 1`.
    let mut at_line_start = from == 0;
    let mut reserved = false;
    if !at_line_start {
        (base, pos) = (from - 1, from - 1);
    }
    loop {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        let n = source.read_at(&mut buf[filled..], pos)?;
        pos += n as u64;
        filled += n;
        let at_end = n == 0;
        if !at_line_start {
            match memchr::memchr(b'\n', &buf[..filled]) {
                Some(i) => {
                    buf.copy_within(i + 1..filled, 0);
                    filled -= i + 1;
                    base += i as u64 + 1;
                    at_line_start = true;
                }
                None if at_end => return Ok(part.finish()),
                None => continue,
            }
        }
        if base >= to {
            return Ok(part.finish());
        }
        // Whole lines only, except the file's last line.
        let whole = match memchr::memrchr(b'\n', &buf[..filled]) {
            _ if at_end => filled,
            Some(i) => i + 1,
            None => continue,
        };
        let stop = usize::try_from(to - base).unwrap_or(usize::MAX);
        let Some(stopped) = part.feed(&buf[..whole], stop) else {
            return Ok(None);
        };
        if !reserved && stopped > 0 {
            // The rest of the range, at the density of its first buffer
            // and a little more.
            reserved = true;
            let rest = (to - base).saturating_sub(stopped as u64) as f64;
            let per_byte = |n: usize| (n as f64 / stopped as f64 * rest * 1.1) as usize + 16;
            part.reserve(per_byte(part.rows), per_byte(part.unit_ends.len()));
        }
        if at_end || stopped < whole {
            return Ok(part.finish());
        }
        buf.copy_within(whole..filled, 0);
        filled -= whole;
        base += whole as u64;
    }
}

/// Reads `source`'s records, which start at byte `data_start` (after the
/// header), with the quick reader; `Ok(None)` when it gives up.
pub(crate) fn read(
    source: &(impl Source + ?Sized),
    data_start: u64,
    plan: Plan,
    options: &BuildOptions,
) -> io::Result<Option<RatingMatrix>> {
    let size = source.size()?;
    let span = size.saturating_sub(data_start);
    let threads = plan.threads.max(1) as u64;
    let bound = |k: u64| data_start + span * k / threads;
    let parts: Option<Vec<Part>> = par::map((0..threads).collect(), |k| {
        read_range(source, bound(k), bound(k + 1), plan.chunk, options)
    })
    .into_iter()
    .collect::<io::Result<_>>()?;
    Ok(parts.and_then(join))
}

/// Joins the parts of one file, read in order, into its matrix; `None` when
/// a part's units do not follow the previous part's in order, or a unit
/// straddling two parts names a rater twice.
///
/// The name tables are merged first (they are small); then every part's
/// ratings are recoded to the matrix's rater ids and categories on its own
/// thread, where they are, and become a block of the matrix.
fn join(parts: Vec<Part>) -> Option<RatingMatrix> {
    let mut parts = parts.into_iter();
    let mut whole = parts.next()?;
    // Every part but the first, with its maps to the whole's rater ids and
    // value codes, and whether its first unit continues the last one before.
    let mut rest: Vec<Joined> = Vec::new();
    // The matrix's units so far: how many, and the last one's name.
    let mut n_units = whole.units.len();
    let mut last_name = whole.units.last().map(str::to_string);
    for part in parts {
        let Some(first) = part.units.get(0) else {
            // Only blank lines: nothing to add.
            continue;
        };
        let raters: Vec<u32> = (0..part.raters.len() as u32)
            .map(|r| {
                whole
                    .raters
                    .intern(part.raters.label(r).unwrap_or_default())
                    .0
            })
            .collect();
        whole.stamp.resize(whole.raters.len(), usize::MAX);
        // The part's first unit may be the rest of the whole's last.
        let continues = match &last_name {
            Some(last) if last == first => {
                let before = whole.raters_of(n_units - 1);
                let first_raters = match &part.first_unit_raters {
                    Some(list) => list.clone(),
                    None => part.raters_of(0),
                };
                if first_raters
                    .iter()
                    .any(|&r| before.contains(&raters[r as usize]))
                {
                    return None;
                }
                true
            }
            None => false,
            Some(last) if shortlex_less(last.as_bytes(), first.as_bytes()) => false,
            Some(_) => return None,
        };
        let codes = whole.values.codes_of(&part.values)?;
        let skip = usize::from(continues);
        // Stamps follow the whole's unit numbers, for the next join's check.
        let shift = n_units - skip;
        for (r, &unit) in part.stamp.iter().enumerate() {
            if unit != usize::MAX {
                whole.stamp[raters[r] as usize] = unit + shift;
            }
        }
        n_units += part.units.len() - skip;
        last_name = part.units.last().map(str::to_string);
        whole.rows += part.rows;
        whole.missing += part.missing;
        rest.push(Joined {
            part,
            raters,
            codes,
            continues,
        });
    }
    let n_raters = whole.raters.len();
    let (categories, to_category) = categories_of(whole.values);
    // Per-unit counts are packed while recoding, when categories fit.
    let pack = categories.len() <= 16;
    // A part's value code → its category, and that category's one in a
    // packed key (see `packed_key`), in one step.
    let category_map = |codes: Option<&[u32]>| -> Vec<(u32, u128)> {
        // The whole's own codes are categories or value ids.
        let own = to_category.as_ref().map_or(categories.len(), Vec::len);
        let n = codes.map_or(own, <[u32]>::len);
        (0..n as u32)
            .map(|c| {
                let c = codes.map_or(c, |codes| codes[c as usize]);
                let category = match &to_category {
                    Some(map) => map.get(c as usize).copied().unwrap_or(NOT_CACHED),
                    None => c,
                };
                (category, 1u128.wrapping_shl(8 * category))
            })
            .collect()
    };
    let recode = |(entries, starts, raters, categories): Recoding<'_>| {
        let mut counts = vec![0usize; n_raters];
        let mut packer = pack.then(Packer::default);
        for (u, &start) in starts.iter().enumerate() {
            let end = starts.get(u + 1).copied().unwrap_or(entries.len());
            let unit = &mut entries[start..end];
            let mut key = 0u128;
            for e in unit.iter_mut() {
                if let Some(map) = raters {
                    e.rater = map[e.rater as usize];
                }
                let (category, one) = categories[e.category as usize];
                e.category = category;
                counts[e.rater as usize] += 1;
                key = key.wrapping_add(one);
            }
            if unit.len() > 255 {
                packer = None;
            }
            if let Some(packer) = &mut packer {
                packer.push(key);
            }
        }
        (counts, packer.map(Packer::finish))
    };
    let continues: Vec<bool> = rest.iter().map(|j| j.continues).collect();
    let mut work: Vec<Recoding<'_>> =
        vec![(&mut whole.entries, &whole.offsets, None, category_map(None))];
    work.extend(rest.iter_mut().map(|j| -> Recoding<'_> {
        (
            &mut j.part.entries,
            &j.part.offsets,
            Some(&j.raters),
            category_map(Some(&j.codes)),
        )
    }));
    let mut counts = vec![0usize; n_raters];
    let mut ranges = Vec::with_capacity(work.len());
    for (part_counts, range) in par::map(work, recode) {
        counts
            .iter_mut()
            .zip(part_counts)
            .for_each(|(a, b)| *a += b);
        ranges.push(range);
    }
    let unit_counts =
        join_packed(ranges, &continues).map(|r| CategoryCounts::from_packed(categories.len(), r));
    // Each part's ratings stay where they were read, as a block of the
    // matrix; a unit continued from one part to the next is completed in
    // the earlier block.
    whole.offsets.push(whole.entries.len());
    let mut blocks = vec![Block {
        names: whole.units,
        offsets: whole.offsets,
        entries: whole.entries,
    }];
    for j in rest {
        let Part {
            units,
            mut offsets,
            entries,
            ..
        } = j.part;
        offsets.push(entries.len());
        let mut block = Block {
            names: units,
            offsets,
            entries,
        };
        if j.continues {
            let head = &block.entries[block.offsets[0]..block.offsets[1]];
            let last = blocks.iter_mut().rev().find(|b| b.n_units() > 0)?;
            last.entries.extend_from_slice(head);
            *last.offsets.last_mut()? = last.entries.len();
            block.offsets.remove(0);
            block.names = block.names.without_first();
        }
        blocks.push(block);
    }
    Some(
        RatingMatrix::from_blocks(
            whole.raters.into_labels(),
            categories,
            blocks,
            (whole.rows, whole.missing),
            counts,
        )
        .with_counts(unit_counts),
    )
}

/// A part joined after the first: its maps to the whole's rater ids and
/// value codes, and whether its first unit continues the previous part's
/// last.
struct Joined {
    part: Part,
    raters: Vec<u32>,
    codes: Vec<u32>,
    continues: bool,
}

/// One part's ratings to recode: the ratings, where its units start, its
/// map of rater ids (`None`: already the whole's), and its map from value
/// code to category and the category's one in a packed key.
type Recoding<'a> = (
    &'a mut [Rating],
    &'a [usize],
    Option<&'a [u32]>,
    Vec<(u32, u128)>,
);

/// The number of ratings a packed key counts.
fn packed_total(key: u128) -> u32 {
    (0..16).map(|c| ((key >> (8 * c)) & 0xff) as u32).sum()
}

/// The packed ranges of the parts as ranges of the matrix's units: where a
/// part's first unit continues the previous part's last (`continues[j - 1]`
/// for part `j`), the two halves' counts become one unit's. `None` when a
/// part could not pack, or a joined unit has more than 255 ratings.
fn join_packed(ranges: Vec<Option<PackedRange>>, continues: &[bool]) -> Option<Vec<PackedRange>> {
    let mut joined: Vec<PackedRange> = Vec::with_capacity(ranges.len());
    for (j, range) in ranges.into_iter().enumerate() {
        let (mut units, keys) = range?;
        if j > 0 && continues[j - 1] && !units.is_empty() {
            let head = keys[units.remove(0) as usize];
            // The joined unit is the last unit of the last range with one.
            let (last_units, last_keys) = joined.iter_mut().rev().find(|(u, _)| !u.is_empty())?;
            let last = last_units.last_mut()?;
            let tail = last_keys[*last as usize];
            // At most 255 ratings in all: no category's byte can overflow.
            if packed_total(tail) + packed_total(head) > 255 {
                return None;
            }
            last_keys.push(tail + head);
            *last = (last_keys.len() - 1) as u32;
        }
        joined.push((units, keys));
    }
    Some(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortlex_orders_by_length_then_bytes() {
        let ordered = [
            "",
            "9",
            "a",
            "10",
            "99",
            "u10",
            "ünit",
            "cell-0000001",
            "cell-0000002",
            "cell-0000010",
            "cell-0000100",
            "cell-00000001",
            "unit-long-name-1",
            "unit-long-name-2",
        ];
        for (i, a) in ordered.iter().enumerate() {
            for (j, b) in ordered.iter().enumerate() {
                assert_eq!(
                    shortlex_less(a.as_bytes(), b.as_bytes()),
                    i < j,
                    "{a} < {b}"
                );
            }
        }
    }
}
