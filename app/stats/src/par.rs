//! Work split across threads. The calling thread does the first piece and
//! every other piece gets a scoped thread of its own; results come back in
//! order, and a panic in any piece is resumed in the caller (a bug is not
//! quietly turned into a fallback or a shorter result). Every parallel step
//! of the core goes through here.
//!
//! A new thread is not always given an idle core: Linux may queue it on the
//! core of the thread that started it, where it waits for that thread to
//! block or for the next load balancing, milliseconds later (seen on a
//! two-core virtual machine: half the time, two threads took as long as
//! one). So each new thread first moves itself to a core of its own, and
//! the caller yields until they all have (see [`Spread`]).

use std::panic::resume_unwind;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{Scope, ScopedJoinHandle};
use std::time::{Duration, Instant};

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
    let spread = &Spread::new(items.len());
    std::thread::scope(|s| {
        let others: Vec<_> = items
            .enumerate()
            .map(|(k, item)| spread.spawn(s, k, move || work(item)))
            .collect();
        spread.wait();
        let mut all = vec![work(first)];
        all.extend(others.into_iter().map(joined));
        all
    })
}

/// `here()` on this thread beside `there()` on another, both results.
pub(crate) fn join<A: Send, B: Send>(
    here: impl FnOnce() -> A,
    there: impl FnOnce() -> B + Send,
) -> (A, B) {
    let spread = &Spread::new(1);
    std::thread::scope(|s| {
        let other = spread.spawn(s, 0, there);
        spread.wait();
        (here(), joined(other))
    })
}

/// A scoped thread's result, its panic resumed here.
fn joined<R>(handle: ScopedJoinHandle<'_, R>) -> R {
    handle.join().unwrap_or_else(|panic| resume_unwind(panic))
}

/// Puts the new threads of one parallel step on cores of their own: the
/// `k`-th new thread moves itself to the `k`-th core it may run on other
/// than the caller's (where there is one), and the caller yields its core
/// until they have started, so that one queued behind it gets to run, and
/// move. Elsewhere than on Linux it only counts them.
struct Spread {
    /// The core the caller was on, and the cores the process may use.
    #[cfg(target_os = "linux")]
    cores: Option<(usize, nix::sched::CpuSet)>,
    /// How many new threads the step starts, and how many have.
    threads: usize,
    started: AtomicUsize,
}

impl Spread {
    /// How long the caller yields at most for its new threads to start.
    const WAIT: Duration = Duration::from_millis(2);

    /// For a step that starts `threads` new threads: where none, it asks
    /// the system nothing.
    fn new(threads: usize) -> Spread {
        #[cfg(target_os = "linux")]
        let cores = (threads > 0)
            .then(|| {
                use nix::{sched, unistd::Pid};
                sched::sched_getcpu()
                    .ok()
                    .zip(sched::sched_getaffinity(Pid::from_raw(0)).ok())
            })
            .flatten();
        Spread {
            #[cfg(target_os = "linux")]
            cores,
            threads,
            started: AtomicUsize::new(0),
        }
    }

    /// Starts `work` on a new thread of `scope`, the `k`-th of the step,
    /// which settles first.
    fn spawn<'scope, R: Send + 'scope>(
        &'scope self,
        scope: &'scope Scope<'scope, '_>,
        k: usize,
        work: impl FnOnce() -> R + Send + 'scope,
    ) -> ScopedJoinHandle<'scope, R> {
        scope.spawn(move || {
            self.settle(k);
            work()
        })
    }

    /// Moves the calling (new) thread to the `k`-th core other than the
    /// caller's, if there is one, and counts it as started.
    #[cfg_attr(not(target_os = "linux"), allow(unused_variables))]
    fn settle(&self, k: usize) {
        #[cfg(target_os = "linux")]
        if let Some((caller, allowed)) = &self.cores {
            use nix::{sched, unistd::Pid};
            let core = (0..sched::CpuSet::count())
                .filter(|&c| c != *caller && allowed.is_set(c).unwrap_or(false))
                .nth(k);
            if let Some(core) = core {
                let mut only = sched::CpuSet::new();
                // Best effort: a thread that cannot move runs where it is.
                // Moved, the thread may run anywhere again: the scheduler
                // leaves a running thread where it is, and can still move it
                // should the caller come to share its core.
                if only.set(core).is_ok()
                    && sched::sched_setaffinity(Pid::from_raw(0), &only).is_ok()
                {
                    let _ = sched::sched_setaffinity(Pid::from_raw(0), allowed);
                }
            }
        }
        self.started.fetch_add(1, Ordering::Release);
    }

    /// Yields until the step's new threads have started, or for
    /// [`Spread::WAIT`].
    fn wait(&self) {
        // No clock without new threads: a step of one piece runs where
        // there is none (in the browser's wasm, say).
        if self.threads == 0 {
            return;
        }
        let since = Instant::now();
        while self.started.load(Ordering::Acquire) < self.threads && since.elapsed() < Self::WAIT {
            std::thread::yield_now();
        }
    }
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

    /// Where the process may use two cores or more, a new thread settles on
    /// one core, not the caller's, and may then run on any core again; the
    /// caller's own cores are untouched.
    #[cfg(target_os = "linux")]
    #[test]
    fn new_threads_settle_on_a_core_other_than_the_callers() {
        use nix::{sched, unistd::Pid};
        assert!(Spread::new(0).cores.is_none(), "no new thread, no question");
        let spread = Spread::new(1);
        let (caller, allowed) = spread.cores.expect("the cores are known on Linux");
        let cores = |set: &sched::CpuSet| -> Vec<usize> {
            (0..sched::CpuSet::count())
                .filter(|&c| set.is_set(c).unwrap_or(false))
                .collect()
        };
        let (settled_on, may_use) = std::thread::scope(|s| {
            s.spawn(|| {
                spread.settle(0);
                // Moving is done when the call returns: this is the core.
                let on = sched::sched_getcpu().unwrap();
                (on, sched::sched_getaffinity(Pid::from_raw(0)).unwrap())
            })
            .join()
            .unwrap()
        });
        spread.wait();
        assert_eq!(spread.started.load(Ordering::Acquire), 1);
        if cores(&allowed).len() >= 2 {
            assert_ne!(settled_on, caller);
        }
        assert!(cores(&allowed).contains(&settled_on));
        assert_eq!(cores(&may_use), cores(&allowed), "free to move again");
        let now = sched::sched_getaffinity(Pid::from_raw(0)).unwrap();
        assert_eq!(
            cores(&now),
            cores(&allowed),
            "the caller's cores are its own"
        );
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
