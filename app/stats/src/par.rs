//! Work split across threads. The calling thread does the first piece and
//! every other piece gets a scoped thread of its own; results come back in
//! order, and a panic in any piece is resumed in the caller (a bug is not
//! quietly turned into a fallback or a shorter result). Every parallel step
//! of the core goes through here.

use std::panic::resume_unwind;

/// How many threads the machine offers (asked once: the answer costs
/// system calls and reads of the cgroup's CPU quota).
pub(crate) fn threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// `work` applied to every item, in item order.
pub(crate) fn map<T: Send, R: Send>(items: Vec<T>, work: impl Fn(T) -> R + Sync) -> Vec<R> {
    let work = &work;
    let mut items = items.into_iter();
    let Some(first) = items.next() else {
        return Vec::new();
    };
    std::thread::scope(|s| {
        let others: Vec<_> = items.map(|item| s.spawn(move || work(item))).collect();
        let mut all = vec![work(first)];
        all.extend(
            others
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|panic| resume_unwind(panic))),
        );
        all
    })
}

/// `here()` on this thread beside `there()` on another, both results.
pub(crate) fn join<A: Send, B: Send>(
    here: impl FnOnce() -> A,
    there: impl FnOnce() -> B + Send,
) -> (A, B) {
    std::thread::scope(|s| {
        let other = s.spawn(there);
        let a = here();
        (a, other.join().unwrap_or_else(|panic| resume_unwind(panic)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_item_order() {
        let items: Vec<u64> = (0..9).collect();
        assert_eq!(map(items, |x| x * x), [0, 1, 4, 9, 16, 25, 36, 49, 64]);
        assert!(map(Vec::<u8>::new(), |x| x).is_empty());
        assert_eq!(join(|| 1, || "two"), (1, "two"));
    }

    #[test]
    #[should_panic(expected = "piece 3")]
    fn a_panic_in_a_piece_reaches_the_caller() {
        map((0..5).collect(), |x: i32| {
            if x == 3 {
                panic!("piece 3");
            }
            x
        });
    }
}
