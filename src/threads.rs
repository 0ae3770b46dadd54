//! Where a command's work runs: on rayon's pool, not beside it.

/// The stack of each worker of rayon's pool: as large as the main
/// thread's usual one, since the serial stages that ran there run on a
/// worker now ([`on_pool`]).
const WORKER_STACK_BYTES: usize = 8 << 20;

/// Builds rayon's pool with [`WORKER_STACK_BYTES`] stacks: first thing
/// in every command, before anything uses the pool (the first use builds
/// it with the default stacks, and then this changes nothing).
pub fn build_pool() {
    // Built already (a second command in one process, or tests): kept.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK_BYTES)
        .build_global();
}

/// Runs `work` on one of the worker threads of rayon's pool instead of
/// beside them, and gives its result.
///
/// With a worker per core plus the thread that calls, that thread's
/// serial stages shared the cores with workers spinning for work between
/// parallel stages: on the 2-core benchmark machine, 12 % of a one-page
/// build's samples were workers yielding. On a worker, the other workers
/// sleep or steal from it. A one-page build of the 2,000-page benchmark
/// took 9 % less wall time (`bench/README.md`).
///
/// Nothing run this way may block a worker waiting for a thread that
/// needs the pool (on a one-core machine that would wait for ever); the
/// build's own threads (the old site's deletion, the progress line) use
/// no rayon.
pub fn on_pool<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    // `join`, called from outside the pool, runs on a worker and waits
    // for it (a panic in `work` unwinds here); the second half is empty.
    rayon::join(work, || ()).0
}

/// `items` as rayon jobs of one item each, for work a repository at a
/// time (building its docs, loading its catalog, walking its history or
/// its files). Handed a slice, rayon cuts it into a few runs and cuts a
/// run again only when another thread steals it, so the last run's
/// repositories were built one after another on one core while the other
/// idled (at the end of a clean build's docs stage, `bench/README.md`).
pub fn one_job_each<T: Sync>(items: &[T]) -> rayon::iter::MaxLen<rayon::slice::Iter<'_, T>> {
    use rayon::prelude::*;
    items.par_iter().with_max_len(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    #[test]
    fn work_runs_on_a_worker_of_the_pool_and_gives_its_result() {
        assert_eq!(rayon::current_thread_index(), None);
        let (index, sum) = on_pool(|| {
            let sum: u64 = (1..=100u64).into_par_iter().sum();
            (rayon::current_thread_index(), sum)
        });
        assert!(index.is_some(), "the work ran beside the pool");
        assert_eq!(sum, 5050);
    }

    #[test]
    fn a_panic_in_the_work_reaches_the_caller() {
        let caught = std::panic::catch_unwind(|| on_pool(|| panic!("in the work")));
        assert!(caught.is_err());
    }
}
