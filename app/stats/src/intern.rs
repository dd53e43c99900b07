//! Compact interning of unit ids, rater ids, category labels and unit
//! patterns.
//!
//! A ratings file with a million rows names a few hundred thousand units; a
//! `HashMap<String, u32>` would allocate per name and roughly double the
//! memory the file itself takes. Here all names live in one `String`, and an
//! open-addressing table holds only 32-bit ids with 32 bits of their hash, so
//! interning costs about 16 bytes per distinct name plus the name's text.

/// A fast, non-cryptographic hash of a byte string (word-at-a-time FxHash
/// mixing with a murmur3 finalizer so the low bits index the table well).
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    // Ids and values are short: fold the tail byte by byte (no memcpy call).
    let tail = chunks
        .remainder()
        .iter()
        .enumerate()
        .fold(0u64, |t, (i, &b)| t | u64::from(b) << (8 * i));
    h = (h.rotate_left(5) ^ tail).wrapping_mul(K);
    fmix64(h)
}

/// Hash of a packed 128-bit key (unit patterns).
pub(crate) fn hash_u128(key: u128) -> u64 {
    fmix64(key as u64 ^ fmix64((key >> 64) as u64).rotate_left(17))
}

/// Hash of a slice of small integers (unit patterns).
pub(crate) fn hash_u32s(values: &[u32]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = values.len() as u64;
    for &v in values {
        h = (h.rotate_left(5) ^ u64::from(v)).wrapping_mul(K);
    }
    fmix64(h)
}

fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Byte equality of two slices, for the few bytes of an id: two
/// overlapping words or a plain loop beat a libc call.
#[inline]
pub(crate) fn eq_short(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[at..at + 8]);
        u64::from_le_bytes(w)
    };
    match n {
        0..8 => a.iter().zip(b).all(|(x, y)| x == y),
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
}

const EMPTY: u32 = u32::MAX;

/// Open-addressing table mapping a hash to candidate ids; the caller
/// confirms equality. Stores the low 32 bits of each hash so it can grow
/// without rehashing keys.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdTable {
    slots: Vec<(u32, u32)>,
    len: usize,
}

impl IdTable {
    pub(crate) fn with_capacity(n: usize) -> Self {
        let cap = (n.max(8) * 2).next_power_of_two();
        IdTable {
            slots: vec![(EMPTY, 0); cap],
            len: 0,
        }
    }

    /// Finds the id whose key equals, or inserts `new_id`. Returns the id and
    /// whether it was inserted.
    pub(crate) fn find_or_insert(
        &mut self,
        hash: u64,
        new_id: u32,
        mut eq: impl FnMut(u32) -> bool,
    ) -> (u32, bool) {
        if self.slots.is_empty() || (self.len + 1) * 8 > self.slots.len() * 7 {
            self.grow();
        }
        let h32 = hash as u32;
        let mask = self.slots.len() - 1;
        let mut i = (h32 as usize) & mask;
        loop {
            let (id, h) = self.slots[i];
            if id == EMPTY {
                self.slots[i] = (new_id, h32);
                self.len += 1;
                return (new_id, true);
            }
            if h == h32 && eq(id) {
                return (id, false);
            }
            i = (i + 1) & mask;
        }
    }

    /// The id whose key equals, if any.
    pub(crate) fn find(&self, hash: u64, mut eq: impl FnMut(u32) -> bool) -> Option<u32> {
        let h32 = hash as u32;
        let mask = self.slots.len().checked_sub(1)?;
        let mut i = (h32 as usize) & mask;
        loop {
            let (id, h) = self.slots[i];
            if id == EMPTY {
                return None;
            }
            if h == h32 && eq(id) {
                return Some(id);
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let new_cap = (self.slots.len() * 2).max(16);
        let old = std::mem::replace(&mut self.slots, vec![(EMPTY, 0); new_cap]);
        let mask = new_cap - 1;
        for (id, h) in old.into_iter().filter(|&(id, _)| id != EMPTY) {
            let mut i = (h as usize) & mask;
            while self.slots[i].0 != EMPTY {
                i = (i + 1) & mask;
            }
            self.slots[i] = (id, h);
        }
    }
}

/// Where each of a list of names stored back to back ends: every `width`
/// bytes while the names are all as wide (unit names often are: a
/// million of them then need no list), listed once they are not.
#[derive(Debug, Clone)]
pub(crate) enum Ends {
    Every { width: usize, count: usize },
    Listed(Vec<usize>),
}

impl Default for Ends {
    fn default() -> Self {
        Ends::Every { width: 0, count: 0 }
    }
}

impl Ends {
    pub(crate) fn len(&self) -> usize {
        match self {
            Ends::Every { count, .. } => *count,
            Ends::Listed(ends) => ends.len(),
        }
    }

    /// Where the `i`-th name ends.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Option<usize> {
        match self {
            Ends::Every { width, count } => (i < *count).then(|| (i + 1) * width),
            Ends::Listed(ends) => ends.get(i).copied(),
        }
    }

    /// Where the last name ends.
    fn last(&self) -> Option<usize> {
        self.get(self.len().checked_sub(1)?)
    }

    /// Where the `i`-th name starts and ends.
    #[inline]
    fn span(&self, i: usize) -> Option<(usize, usize)> {
        let end = self.get(i)?;
        let start = match self {
            Ends::Every { width, .. } => end - width,
            Ends::Listed(ends) if i > 0 => ends[i - 1],
            Ends::Listed(_) => 0,
        };
        Some((start, end))
    }

    /// The next name ends at `end` (not before the last one).
    #[inline]
    pub(crate) fn push(&mut self, end: usize) {
        match self {
            Ends::Every { width, count } if *count > 0 && end == (*count + 1) * *width => {
                *count += 1;
            }
            Ends::Listed(ends) => ends.push(end),
            Ends::Every { .. } => self.push_first_or_other(end),
        }
    }

    /// [`Ends::push`] of the first name, or of one of another width.
    #[cold]
    #[inline(never)]
    fn push_first_or_other(&mut self, end: usize) {
        *self = match self.len() {
            0 => Ends::Every {
                width: end,
                count: 1,
            },
            _ => {
                let mut listed: Vec<usize> = self.iter().collect();
                listed.push(end);
                Ends::Listed(listed)
            }
        };
    }

    /// Room for `n` more names, where they are listed.
    pub(crate) fn reserve(&mut self, n: usize) {
        if let Ends::Listed(ends) = self {
            ends.reserve(n);
        }
    }

    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

impl From<Vec<usize>> for Ends {
    fn from(listed: Vec<usize>) -> Self {
        let mut ends = Ends::default();
        for end in listed {
            ends.push(end);
        }
        ends
    }
}

/// An ordered list of names stored back to back in one string.
#[derive(Debug, Clone, Default)]
pub struct Labels {
    text: String,
    ends: Ends,
}

/// The same names in the same order, however their ends are kept.
impl PartialEq for Labels {
    fn eq(&self, other: &Labels) -> bool {
        self.text == other.text && self.ends.iter().eq(other.ends.iter())
    }
}

impl Eq for Labels {}

impl Labels {
    /// Number of names.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the `i`-th name is `s` (length first, then bytes, without a
    /// `memcmp` call for short names).
    #[inline]
    pub fn is(&self, i: usize, s: &str) -> bool {
        let Some((start, end)) = self.ends.span(i) else {
            return false;
        };
        eq_short(&self.text.as_bytes()[start..end], s.as_bytes())
    }

    /// The `i`-th name, or `None` when out of range.
    pub fn get(&self, i: usize) -> Option<&str> {
        let (start, end) = self.ends.span(i)?;
        self.text.get(start..end)
    }

    /// The names in `text` ending at `ends`; `None` when the text is not
    /// UTF-8, or the ends do not cut all of it into names in order (they
    /// must not decrease, fall inside a character, or leave text over).
    pub(crate) fn from_utf8(text: Vec<u8>, ends: Ends) -> Option<Labels> {
        let text = String::from_utf8(text).ok()?;
        let bounded = match &ends {
            Ends::Listed(listed) => {
                listed.is_sorted() && listed.iter().all(|&e| text.is_char_boundary(e))
            }
            Ends::Every { .. } => ends.iter().all(|e| text.is_char_boundary(e)),
        };
        let whole = ends.last().unwrap_or(0) == text.len();
        (bounded && whole).then_some(Labels { text, ends })
    }

    pub(crate) fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len());
    }

    /// The last name.
    pub fn last(&self) -> Option<&str> {
        self.get(self.len().checked_sub(1)?)
    }

    /// Appends `other`'s names: its `i`-th becomes number `self.len() + i`.
    pub fn append(&mut self, other: &Labels) {
        let base = self.text.len();
        self.text.push_str(&other.text);
        for end in other.ends.iter() {
            self.ends.push(end + base);
        }
    }

    /// These names but the first, moved down in place.
    pub(crate) fn without_first(mut self) -> Labels {
        let Some(cut) = self.ends.get(0) else {
            return self;
        };
        self.text.drain(..cut);
        self.ends = match self.ends {
            Ends::Every { width, count } => Ends::Every {
                width,
                count: count - 1,
            },
            Ends::Listed(mut ends) => {
                ends.remove(0);
                ends.iter_mut().for_each(|e| *e -= cut);
                Ends::Listed(ends)
            }
        };
        self
    }
}

/// Assigns dense ids 0, 1, 2, … to distinct strings in order of first sight.
#[derive(Debug, Clone, Default)]
pub struct StrInterner {
    labels: Labels,
    table: IdTable,
}

impl StrInterner {
    pub fn new() -> Self {
        StrInterner {
            labels: Labels::default(),
            table: IdTable::with_capacity(16),
        }
    }

    /// The id of `s`, inserting it if new; the flag says whether it was new.
    #[inline]
    pub fn intern(&mut self, s: &str) -> (u32, bool) {
        let new_id = self.labels.len() as u32;
        let labels = &self.labels;
        let (id, inserted) = self
            .table
            .find_or_insert(hash_bytes(s.as_bytes()), new_id, |id| {
                labels.is(id as usize, s)
            });
        if inserted {
            self.labels.push(s);
        }
        (id, inserted)
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether `id` names `s`.
    #[inline]
    pub fn is(&self, id: u32, s: &str) -> bool {
        self.labels.is(id as usize, s)
    }

    pub fn label(&self, id: u32) -> Option<&str> {
        self.labels.get(id as usize)
    }

    /// Whether `s` has an id.
    pub fn contains(&self, s: &str) -> bool {
        self.table
            .find(hash_bytes(s.as_bytes()), |id| {
                self.labels.is(id as usize, s)
            })
            .is_some()
    }

    /// Whether any of `other`'s names with ids in `range` has an id here.
    pub fn shares_any(&self, other: &StrInterner, range: std::ops::Range<usize>) -> bool {
        range
            .filter_map(|i| other.labels.get(i))
            .any(|name| self.contains(name))
    }

    pub fn into_labels(self) -> Labels {
        self.labels
    }
}

/// Assigns dense ids to distinct `u32` sequences (unit patterns).
#[derive(Debug, Clone, Default)]
pub struct SliceInterner {
    pool: Vec<u32>,
    ends: Vec<usize>,
    table: IdTable,
}

impl SliceInterner {
    pub fn new() -> Self {
        SliceInterner {
            pool: Vec::new(),
            ends: Vec::new(),
            table: IdTable::with_capacity(64),
        }
    }

    pub fn intern(&mut self, key: &[u32]) -> u32 {
        let new_id = self.ends.len() as u32;
        let (pool, ends) = (&self.pool, &self.ends);
        let get = |id: u32| {
            let i = id as usize;
            let start = if i == 0 { 0 } else { ends[i - 1] };
            &pool[start..ends[i]]
        };
        let (id, inserted) = self
            .table
            .find_or_insert(hash_u32s(key), new_id, |id| get(id) == key);
        if inserted {
            self.pool.extend_from_slice(key);
            self.ends.push(self.pool.len());
        }
        id
    }

    pub fn get(&self, id: usize) -> &[u32] {
        let start = if id == 0 { 0 } else { self.ends[id - 1] };
        &self.pool[start..self.ends[id]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_in_first_seen_order_and_survives_growth() {
        let mut interner = StrInterner::new();
        let names: Vec<String> = (0..10_000).map(|i| format!("unit-{i}")).collect();
        for (i, n) in names.iter().enumerate() {
            assert_eq!(interner.intern(n), (i as u32, true));
        }
        for (i, n) in names.iter().enumerate().rev() {
            assert_eq!(interner.intern(n), (i as u32, false));
        }
        assert_eq!(interner.len(), 10_000);
        let labels = interner.into_labels();
        assert_eq!(labels.get(9_999), Some("unit-9999"));
        assert_eq!(labels.get(10_000), None);
    }

    #[test]
    fn shared_names_are_found_appended_ids_shift_and_a_first_name_drops() {
        let mut a = StrInterner::new();
        let mut b = StrInterner::new();
        for n in ["u1", "u2"] {
            a.intern(n);
        }
        for n in ["u3", "u4", "u2", "u5"] {
            b.intern(n);
        }
        assert!(a.contains("u2") && !a.contains("u3"));
        assert!(!a.shares_any(&b, 0..2));
        assert!(a.shares_any(&b, 1..3));
        assert!(!StrInterner::default().contains("u1"));
        let mut labels = a.into_labels();
        labels.append(&b.into_labels());
        assert_eq!(labels.len(), 6);
        assert_eq!((labels.get(1), labels.get(3)), (Some("u2"), Some("u4")));
        assert_eq!(labels.get(5), Some("u5"));
        let cut = |text: &str, ends: &[usize]| Labels::from_utf8(text.into(), ends.to_vec().into());
        let ok = cut("u1ünit", &[2, 7]).expect("two names");
        assert_eq!((ok.get(0), ok.get(1)), (Some("u1"), Some("ünit")));
        assert!(cut("", &[]).is_some_and(|l| l.len() == 0));
        assert!(cut("u1ünit", &[2, 4]).is_none(), "inside a character");
        assert!(cut("u1ünit", &[2]).is_none(), "text left over");
        assert!(cut("u1ünit", &[7, 2, 7]).is_none(), "ends out of order");
        assert!(
            Labels::from_utf8(vec![0xff], vec![1].into()).is_none(),
            "not UTF-8"
        );
        let rest = labels.without_first();
        assert_eq!(rest.len(), 5);
        assert_eq!((rest.get(0), rest.get(4)), (Some("u2"), Some("u5")));
        assert_eq!(rest.get(5), None);
    }

    #[test]
    fn names_of_one_width_need_no_list_of_ends() {
        let mut wide = Labels::default();
        for n in ["u01", "u02", "u03"] {
            wide.push(n);
        }
        assert!(matches!(wide.ends, Ends::Every { width: 3, count: 3 }));
        wide.push("u100");
        assert!(matches!(&wide.ends, Ends::Listed(l) if l == &[3, 6, 9, 13]));
        assert_eq!(
            (wide.get(2), wide.get(3), wide.get(4)),
            (Some("u03"), Some("u100"), None)
        );
        assert!(wide.is(3, "u100") && !wide.is(0, "u02"));
        // The same names, their ends kept either way, are equal.
        let listed = Labels {
            text: "u02u03".into(),
            ends: Ends::Listed(vec![3, 6]),
        };
        let every = Labels::from_utf8(b"u01u02u03".to_vec(), vec![3, 6, 9].into()).unwrap();
        assert_eq!(every.without_first(), listed);
        assert_ne!(wide, listed);
    }

    #[test]
    fn empty_and_unicode_names() {
        let mut interner = StrInterner::new();
        assert_eq!(interner.intern("").0, 0);
        assert_eq!(interner.intern("Zürich – ÖSZE").0, 1);
        assert_eq!(interner.intern("").0, 0);
        assert_eq!(interner.label(1), Some("Zürich – ÖSZE"));
    }

    #[test]
    fn slice_interner_distinguishes_prefixes() {
        let mut s = SliceInterner::new();
        let a = s.intern(&[1, 2]);
        let b = s.intern(&[1, 2, 0]);
        let c = s.intern(&[]);
        assert_eq!((a, b, c), (0, 1, 2));
        assert_eq!(s.intern(&[1, 2]), 0);
        assert_eq!(s.get(1), &[1, 2, 0]);
    }
}
