//! Large arrays on memory of their own, in huge pages where Linux offers them.
//!
//! The reader writes a few megabytes of ratings for a large file. On the
//! heap every 4 KiB page of them costs a page fault when first written:
//! about 900 faults for the 100,000-unit benchmark file, a tenth of the
//! whole run. [`PageVec`] puts an array that grows past [`MAPPED_MIN_BYTES`]
//! in an anonymous mapping of its own, aligned to 2 MiB and advised
//! (`madvise(MADV_HUGEPAGE)`) to be backed by transparent huge pages: one
//! fault per 2 MiB where the kernel has them to give, the usual pages where
//! it does not. Smaller arrays, other systems, and a mapping that fails all
//! keep to a `Vec`.
//!
//! The trade: a process that reads file after file (criterion's loop over
//! the same bytes) would have had the heap hand back pages it had already
//! faulted in, and there a fresh mapping each time is 2-10% slower. The
//! quick reader's caller is the one-shot `concord agreement`; the server
//! builds its matrices from the database, on the heap.

use std::fmt;
use std::ops::{Deref, DerefMut};

use bytemuck::Pod;

/// Arrays of at least this many bytes are mapped: below it a huge page
/// would mostly hold zeros.
#[cfg(target_os = "linux")]
const MAPPED_MIN_BYTES: usize = 512 << 10;

/// The size and alignment of a transparent huge page on x86-64 and arm64
/// with 4 KiB pages.
#[cfg(target_os = "linux")]
const HUGE_PAGE: usize = 2 << 20;

/// A growable array of plain values (see the module documentation).
pub(crate) struct PageVec<T: Pod> {
    store: Store<T>,
}

enum Store<T: Pod> {
    Heap(Vec<T>),
    #[cfg(target_os = "linux")]
    Mapped(Mapped),
}

/// `len` values held in `map[start..]`, which has room for more up to
/// the mapping's end.
#[cfg(target_os = "linux")]
struct Mapped {
    map: memmap2::MmapMut,
    start: usize,
    len: usize,
}

#[cfg(target_os = "linux")]
impl Mapped {
    /// A mapping with room for `cap` values of `size` bytes, its start
    /// aligned to a huge page; `None` if it cannot be made.
    fn with_room(cap: usize, size: usize) -> Option<Mapped> {
        let bytes = cap.checked_mul(size)?;
        let map = memmap2::MmapOptions::new()
            .len(bytes.checked_add(HUGE_PAGE)?)
            .map_anon()
            .ok()?;
        // A kernel without transparent huge pages refuses the advice; the
        // mapping is still good memory.
        let _ = map.advise(memmap2::Advice::HugePage);
        let start = (map.as_ptr() as usize).wrapping_neg() % HUGE_PAGE;
        Some(Mapped { map, start, len: 0 })
    }

    /// How many values of `size` bytes fit.
    fn capacity(&self, size: usize) -> usize {
        (self.map.len() - self.start) / size
    }
}

impl<T: Pod> PageVec<T> {
    pub(crate) fn new() -> PageVec<T> {
        PageVec {
            store: Store::Heap(Vec::new()),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match &self.store {
            Store::Heap(v) => v.len(),
            #[cfg(target_os = "linux")]
            Store::Mapped(m) => m.len,
        }
    }

    /// Makes room for at least `additional` more values.
    pub(crate) fn reserve(&mut self, additional: usize) {
        let (len, cap) = match &self.store {
            Store::Heap(v) => (v.len(), v.capacity()),
            #[cfg(target_os = "linux")]
            Store::Mapped(m) => (m.len, m.capacity(std::mem::size_of::<T>())),
        };
        // An overflow maps nothing and reaches `Vec::reserve`, which panics
        // as it always does.
        let needed = len.saturating_add(additional);
        if needed <= cap {
            return;
        }
        #[cfg(target_os = "linux")]
        {
            let size = std::mem::size_of::<T>();
            let mapped = matches!(self.store, Store::Mapped(_));
            if mapped || needed.saturating_mul(size) >= MAPPED_MIN_BYTES {
                // Doubling, as a `Vec` grows.
                let room = needed.max(cap.saturating_mul(2));
                if let Some(mut to) = Mapped::with_room(room, size) {
                    let values: &[T] = self;
                    let bytes: &[u8] = bytemuck::cast_slice(values);
                    to.map[to.start..to.start + bytes.len()].copy_from_slice(bytes);
                    to.len = len;
                    self.store = Store::Mapped(to);
                    return;
                }
            }
        }
        self.reserve_on_heap(additional);
    }

    /// [`PageVec::reserve`] on the heap, moving mapped values there first.
    fn reserve_on_heap(&mut self, additional: usize) {
        match &mut self.store {
            Store::Heap(v) => v.reserve(additional),
            #[cfg(target_os = "linux")]
            Store::Mapped(_) => {
                let mut v = Vec::with_capacity(self.len().saturating_add(additional));
                v.extend_from_slice(self);
                self.store = Store::Heap(v);
            }
        }
    }

    pub(crate) fn extend_from_slice(&mut self, values: &[T]) {
        self.reserve(values.len());
        match &mut self.store {
            Store::Heap(v) => v.extend_from_slice(values),
            #[cfg(target_os = "linux")]
            Store::Mapped(m) => {
                let size = std::mem::size_of::<T>();
                let at = m.start + m.len * size;
                let bytes: &[u8] = bytemuck::cast_slice(values);
                m.map[at..at + bytes.len()].copy_from_slice(bytes);
                m.len += values.len();
            }
        }
    }

    pub(crate) fn push(&mut self, value: T) {
        self.extend_from_slice(std::slice::from_ref(&value));
    }

    /// Whether the values are in a mapping of their own.
    #[cfg(test)]
    pub(crate) fn is_mapped(&self) -> bool {
        !matches!(self.store, Store::Heap(_))
    }
}

impl<T: Pod> Deref for PageVec<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match &self.store {
            Store::Heap(v) => v,
            #[cfg(target_os = "linux")]
            Store::Mapped(m) => {
                let end = m.start + m.len * std::mem::size_of::<T>();
                bytemuck::cast_slice(&m.map[m.start..end])
            }
        }
    }
}

impl<T: Pod> DerefMut for PageVec<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match &mut self.store {
            Store::Heap(v) => v,
            #[cfg(target_os = "linux")]
            Store::Mapped(m) => {
                let end = m.start + m.len * std::mem::size_of::<T>();
                bytemuck::cast_slice_mut(&mut m.map[m.start..end])
            }
        }
    }
}

impl<T: Pod> From<Vec<T>> for PageVec<T> {
    fn from(values: Vec<T>) -> PageVec<T> {
        PageVec {
            store: Store::Heap(values),
        }
    }
}

impl<T: Pod> Default for PageVec<T> {
    fn default() -> PageVec<T> {
        PageVec::new()
    }
}

impl<T: Pod> Clone for PageVec<T> {
    fn clone(&self) -> PageVec<T> {
        let mut copy = PageVec::new();
        copy.extend_from_slice(self);
        copy
    }
}

impl<T: Pod + fmt::Debug> fmt::Debug for PageVec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_past_the_mapping_threshold_and_keeps_every_value() {
        let mut v: PageVec<u64> = PageVec::new();
        let n = 3 * (1 << 20) / 8 + 5; // 3 MiB and a little
        for i in 0..n as u64 {
            v.push(i * 3);
        }
        assert_eq!(v.len(), n);
        assert!(v.iter().enumerate().all(|(i, &x)| x == i as u64 * 3));
        v[7] = 1;
        v.extend_from_slice(&[9, 8]);
        let copy = v.clone();
        assert_eq!(&copy[..], &v[..]);
        assert_eq!((copy[7], copy[n], copy[n + 1]), (1, 9, 8));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn large_arrays_are_mapped_on_a_huge_page_boundary() {
        let mut v: PageVec<u32> = PageVec::new();
        v.reserve(1 << 20);
        match &v.store {
            Store::Mapped(m) => {
                assert_eq!((m.map.as_ptr() as usize + m.start) % HUGE_PAGE, 0);
                assert!(m.capacity(4) >= 1 << 20);
            }
            Store::Heap(_) => panic!("4 MiB stayed on the heap"),
        }
        v.extend_from_slice(&[1, 2, 3]);
        assert_eq!(&v[..], &[1, 2, 3]);
        let small: PageVec<u32> = vec![4, 5].into();
        assert!(!small.is_mapped());
        assert_eq!(&small[..], &[4, 5]);
    }
}
