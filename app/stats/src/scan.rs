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
use crate::intern::{eq_short, Ends, Labels, StrInterner};
use crate::matrix::{
    categories_of, Block, BuildOptions, CategoryCounts, PackedRange, Packer, Rating, RatingMatrix,
    ValueTable, NOT_CACHED,
};
use crate::pages::PageVec;
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
        // 64 KiB buffers read the benchmark file 1.5-3% faster than 256 KiB
        // ones (fewer of their pages to fault in, and the copy lands in
        // cache); smaller ones lose it again to the number of reads.
        Plan {
            threads,
            chunk: 64 << 10,
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

/// A field of at most [`Key::MAX`] bytes (a name and its comma) as two
/// little-endian words and the masks of its bytes, so that it is compared
/// at any offset of a row with two loads and no branch on its length.
#[derive(Debug, Clone, Copy, Default)]
struct Key {
    words: [u64; 2],
    masks: [u64; 2],
    len: usize,
}

impl Key {
    const MAX: usize = 16;

    /// `None` for an empty field or one longer than [`Key::MAX`].
    fn new(field: &[u8]) -> Option<Key> {
        if field.is_empty() || field.len() > Key::MAX {
            return None;
        }
        let mut bytes = [0u8; Key::MAX];
        bytes[..field.len()].copy_from_slice(field);
        let mut ones = [0u8; Key::MAX];
        ones[..field.len()].fill(0xff);
        let halves = |b: [u8; Key::MAX]| {
            let (lo, hi) = b.split_at(8);
            let word = |s: &[u8]| u64::from_le_bytes(s.try_into().unwrap_or_default());
            [word(lo), word(hi)]
        };
        Some(Key {
            words: halves(bytes),
            masks: halves(ones),
            len: field.len(),
        })
    }

    /// The bits where `words` (read at the field's offset) differ from the
    /// field, in its bytes only.
    #[inline(always)]
    fn diff(&self, words: [u64; 2]) -> [u64; 2] {
        [
            (words[0] ^ self.words[0]) & self.masks[0],
            (words[1] ^ self.words[1]) & self.masks[1],
        ]
    }

    #[inline(always)]
    fn matches(&self, words: [u64; 2]) -> bool {
        let [lo, hi] = self.diff(words);
        lo | hi == 0
    }

    /// The field's bytes.
    fn bytes(&self) -> Vec<u8> {
        let mut all = self.words[0].to_le_bytes().to_vec();
        all.extend_from_slice(&self.words[1].to_le_bytes());
        all.truncate(self.len);
        all
    }
}

/// The bytes the usual-row loop looks at from a row's start: a unit field
/// and a rater field of at most [`Key::MAX`] bytes each, read as words, then
/// the value's byte and the one after. Offsets are taken modulo
/// [`WINDOW_REACH`], which they never reach, so no read needs a bounds check.
const WINDOW_REACH: usize = 64;
type Window = [u8; WINDOW_REACH + 8];

#[inline(always)]
fn window(data: &[u8], p: usize) -> Option<&Window> {
    data.get(p..p + WINDOW_REACH + 8)?.try_into().ok()
}

#[inline(always)]
fn words_at(window: &Window, at: usize) -> [u64; 2] {
    let word = |at: usize| {
        let at = at % WINDOW_REACH;
        u64::from_le_bytes(window[at..at + 8].try_into().unwrap_or_default())
    };
    [word(at), word(at + 8)]
}

/// Printable ASCII other than a comma or a quote: a byte that can stand in
/// a plain field as it is.
fn plain(b: u8) -> bool {
    matches!(b, b'!'..=b'~') && !matches!(b, b',' | b'"')
}

/// Raters numbered below this are read by prediction; others (rare: a
/// file with more raters than this) row by row.
const FAST_RATERS: usize = 64;
/// In [`Part::guesses`]: no rater predicted.
const NO_GUESS: u8 = u8::MAX;
/// Ratings [`Part::usual_rows`] stages before it moves them to the part.
const STAGED: usize = 64;

/// The raters whose `stamp` is `unit`.
fn stamped(stamp: &[usize], unit: usize) -> Vec<u32> {
    (0..stamp.len() as u32)
        .filter(|&r| stamp[r as usize] == unit)
        .collect()
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
    unit_ends: Ends,
    raters: StrInterner,
    values: ValueTable,
    /// Where each unit's ratings start in `entries`.
    offsets: Vec<usize>,
    /// Non-missing ratings: part-local rater ids, and value codes as the
    /// part's [`ValueTable`] gives them.
    entries: PageVec<Rating>,
    rows: usize,
    missing: usize,
    /// Per rater: the number of the unit it last rated (missing or not).
    stamp: Vec<usize>,
    /// Per rater: the rater that followed it last time.
    next_rater: Vec<u32>,
    /// Per rater: its name and a comma, as a row has it.
    rater_fields: Vec<Vec<u8>>,
    /// Per rater below [`FAST_RATERS`]: its field as a [`Key`], and the
    /// rater to predict after it when that one has a key ([`NO_GUESS`]
    /// when not).
    keys: [Key; FAST_RATERS],
    guesses: [u8; FAST_RATERS],
    /// The raters below [`FAST_RATERS`] stamped with the last unit, as
    /// bits: [`Part::usual_rows`] checks these instead of the stamps, and
    /// stamps them as it stops.
    seen: u64,
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
            unit_ends: Ends::default(),
            raters: StrInterner::new(),
            values: ValueTable::new(options),
            offsets: Vec::new(),
            entries: PageVec::new(),
            rows: 0,
            missing: 0,
            stamp: Vec::new(),
            next_rater: Vec::new(),
            rater_fields: Vec::new(),
            keys: [Key::default(); FAST_RATERS],
            guesses: [NO_GUESS; FAST_RATERS],
            seen: 0,
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
        self.unit_names
            .reserve(units * self.unit_field.len() + Key::MAX);
    }

    /// Reserves room for the rest of a range, `rest` bytes, at the density
    /// of its first `read` bytes and a little more.
    fn reserve_rest(&mut self, read: usize, rest: u64) {
        let per_byte = |n: usize| (n as f64 / read as f64 * rest as f64 * 1.1) as usize + 16;
        self.reserve(per_byte(self.rows), per_byte(self.unit_ends.len()));
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
    /// that names the last unit or its usual successor, the rater predicted
    /// to come next, and a value that is empty or one byte seen before,
    /// ending with a line feed. Where it stopped: `end`, or the first other
    /// row, which [`Part::row`] then reads (or refuses).
    ///
    /// The usual successor of a unit is a name as long, greater at the
    /// first byte where they differ, and plain ASCII (see [`plain`]) from
    /// there on: the bytes before were checked with the last name.
    ///
    /// The state lives in locals while the loop runs, and the fields are
    /// compared as [`Key`]s in a [`Window`]: this is the loop nearly every
    /// row of a large file goes through.
    #[inline(never)]
    fn usual_rows(&mut self, data: &[u8], mut p: usize, end: usize) -> usize {
        let Some(mut unit_no) = self.unit_ends.len().checked_sub(1) else {
            return p;
        };
        let Some(mut unit) = Key::new(&self.unit_field) else {
            return p;
        };
        let unit_at_start = unit_no;
        let mut entries = std::mem::take(&mut self.entries);
        let mut names = std::mem::take(&mut self.unit_names);
        let mut ends = std::mem::take(&mut self.unit_ends);
        let mut offsets = std::mem::take(&mut self.offsets);
        let (keys, guesses, byte_codes) = (&self.keys, &self.guesses, &self.byte_codes);
        let mut last = self.last_rater as usize;
        let mut seen = self.seen;
        let mut n_missing = 0;
        let n_entries = entries.len();
        let unit_len = unit.len;
        // Ratings are staged here and moved to `entries` a batch at a time:
        // no capacity check per rating, and registers to spare.
        let mut staged = [Rating {
            rater: 0,
            category: 0,
        }; STAGED];
        let mut n_staged = 0;
        while p < end {
            let Some(row) = window(data, p) else {
                break;
            };
            let Some(&guess) = guesses.get(last) else {
                break;
            };
            let Some(rater) = keys.get(usize::from(guess)) else {
                break;
            };
            if !rater.matches(words_at(row, unit_len)) {
                break;
            }
            let value = unit_len + rater.len;
            let (byte, after) = (row[value % WINDOW_REACH], row[(value + 1) % WINDOW_REACH]);
            let (code, len) = match (byte, after) {
                (b'\n', _) => (None, value + 1),
                (byte, b'\n') => match byte_codes[usize::from(byte)] {
                    NOT_CACHED => break,
                    code => (Some(code), value + 2),
                },
                _ => break,
            };
            let name = words_at(row, 0);
            let bit = 1u64 << guess;
            if unit.matches(name) {
                if seen & bit != 0 {
                    break;
                }
            } else {
                // A new unit: the usual successor, after a unit whose
                // raters need no record (see `Part::start_unit`).
                let [lo, hi] = unit.diff(name);
                let from = match lo {
                    0 => 8 + hi.trailing_zeros() as usize / 8,
                    lo => lo.trailing_zeros() as usize / 8,
                };
                let comma = unit_len - 1;
                let was = unit.words[from / 8 % 2].to_le_bytes()[from % 8];
                let successor = from < comma
                    && row[from % WINDOW_REACH] > was
                    && row[comma % WINDOW_REACH] == b','
                    && row[from % WINDOW_REACH..comma % WINDOW_REACH]
                        .iter()
                        .all(|&b| plain(b));
                if !successor || unit_no == 0 {
                    break;
                }
                // Sixteen bytes at once (a fixed-size copy), cut to the name.
                let at = names.len();
                names.extend_from_slice(&row[..Key::MAX]);
                names.truncate(at + comma);
                ends.push(names.len());
                offsets.push(entries.len() + n_staged);
                unit.words = [name[0] & unit.masks[0], name[1] & unit.masks[1]];
                unit_no += 1;
                seen = 0;
            }
            seen |= bit;
            last = usize::from(guess);
            match code {
                Some(category) => {
                    staged[n_staged % STAGED] = Rating {
                        rater: u32::from(guess),
                        category,
                    };
                    n_staged += 1;
                    if n_staged == STAGED {
                        entries.extend_from_slice(&staged);
                        n_staged = 0;
                    }
                }
                None => n_missing += 1,
            }
            p += len;
        }
        entries.extend_from_slice(&staged[..n_staged]);
        self.rows += entries.len() - n_entries + n_missing;
        self.missing += n_missing;
        self.entries = entries;
        self.unit_names = names;
        self.unit_ends = ends;
        self.offsets = offsets;
        if unit_no != unit_at_start {
            self.unit_field = unit.bytes();
        }
        self.last_rater = last as u32;
        self.seen = seen;
        while seen != 0 {
            self.stamp[seen.trailing_zeros() as usize] = unit_no;
            seen &= seen - 1;
        }
        p
    }

    /// Records the start of unit `name` after the last one, and makes it
    /// the last unit's field.
    fn start_unit(&mut self, name: &[u8]) {
        if self.unit_ends.len() == 1 {
            self.first_unit_raters = Some(self.raters_of(0));
        }
        self.unit_names.extend_from_slice(name);
        self.unit_ends.push(self.unit_names.len());
        self.offsets.push(self.entries.len());
        self.unit_field.clear();
        self.unit_field.extend_from_slice(name);
        self.unit_field.push(b',');
        self.seen = 0;
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
            self.start_unit(name.as_bytes());
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
                    let field = [name.as_bytes(), b","].concat();
                    if let (Some(slot), Some(key)) =
                        (self.keys.get_mut(id as usize), Key::new(&field))
                    {
                        *slot = key;
                    }
                    self.stamp.push(usize::MAX);
                    self.next_rater.push(u32::MAX);
                    self.rater_fields.push(field);
                }
                if let Some(n) = self.next_rater.get_mut(self.last_rater as usize) {
                    *n = id;
                }
                if let Some(g) = self.guesses.get_mut(self.last_rater as usize) {
                    let fast = self.keys.get(id as usize).is_some_and(|k| k.len > 0);
                    *g = if fast { id as u8 } else { NO_GUESS };
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
        if let Some(bit) = 1u64.checked_shl(rater) {
            self.seen |= bit;
        }

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
    if let Some(bytes) = source.as_bytes() {
        return Ok(read_range_in_place(part, bytes, from, to, chunk));
    }
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
            reserved = true;
            part.reserve_rest(stopped, (to - base).saturating_sub(stopped as u64));
        }
        if at_end || stopped < whole {
            return Ok(part.finish());
        }
        buf.copy_within(whole..filled, 0);
        filled -= whole;
        base += whole as u64;
    }
}

/// [`read_range`] of bytes in memory: the lines are read where they are,
/// not copied to a buffer first.
fn read_range_in_place(
    mut part: Part,
    bytes: &[u8],
    from: u64,
    to: u64,
    chunk: usize,
) -> Option<Part> {
    let at = |offset: u64| usize::try_from(offset).map_or(bytes.len(), |o| o.min(bytes.len()));
    let (from, to) = (at(from), at(to));
    // After the first range, the line under way at `from` is the previous
    // range's: start after the first line feed at or after `from - 1`.
    let start = match from.checked_sub(1) {
        None => 0,
        Some(before) => match memchr::memchr(b'\n', &bytes[before..]) {
            Some(i) => before + i + 1,
            None => return part.finish(),
        },
    };
    if start >= to {
        return part.finish();
    }
    let data = &bytes[start..];
    let stop = to - start;
    // The whole lines of a first chunk, to learn the rows' density.
    let first = match memchr::memrchr(b'\n', &data[..chunk.clamp(1, data.len())]) {
        Some(i) => i + 1,
        None => data.len(),
    };
    let stopped = part.feed(&data[..first], stop)?;
    // Go on unless the range ended within the chunk or at its last line.
    if stopped == first && stopped < stop {
        part.reserve_rest(stopped, (stop - stopped) as u64);
        part.feed(&data[stopped..], stop - stopped)?;
    }
    part.finish()
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
    let recode = |part: Recoding<'_>| {
        let Recoding {
            entries,
            starts,
            raters,
            categories,
            room,
        } = part;
        let mut counts = vec![0usize; n_raters];
        let mut packer = pack.then(|| Packer::with_room(room));
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
    // The first part's unit list becomes the matrix's (the others' are
    // appended to it): room for all of them, so it is never moved.
    let mut work = vec![Recoding {
        entries: &mut whole.entries,
        starts: &whole.offsets,
        raters: None,
        categories: category_map(None),
        room: n_units,
    }];
    work.extend(rest.iter_mut().map(|j| Recoding {
        entries: &mut j.part.entries,
        starts: &j.part.offsets,
        raters: Some(&j.raters),
        categories: category_map(Some(&j.codes)),
        room: j.part.offsets.len(),
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

/// One part's ratings to recode.
struct Recoding<'a> {
    entries: &'a mut [Rating],
    /// Where its units start in `entries`.
    starts: &'a [usize],
    /// Its rater ids' ids in the whole (`None`: they are the whole's).
    raters: Option<&'a [u32]>,
    /// By value code: the category, and the category's one in a packed key.
    categories: Vec<(u32, u128)>,
    /// The room to make for its units' pattern ids.
    room: usize,
}

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
