//! Allocator settings for the `kubesim` binary and the benchmarks, which use mimalloc as
//! their global allocator (the simulation allocates and frees many small objects; glibc
//! malloc spent a third of its time consolidating).

/// mimalloc (v3, the `libmimalloc-sys` default) `mi_option_purge_delay`,
/// `mi_option_arena_eager_commit` and `mi_option_allow_thp` (`mimalloc.h`).
const PURGE_DELAY: i32 = 15;
const ARENA_EAGER_COMMIT: i32 = 4;
const ALLOW_THP: i32 = 43;

/// Keeps freed memory committed instead of returning it to the OS after 10 ms: a
/// simulation frees and reallocates objects constantly, and re-faulting zeroed pages cost
/// up to 40% of a large run. No transparent huge pages: the kernel zeroing fresh 2 MiB
/// pages was a third of a 100k-pod run's time (8.3–9.9 s → 6.8–7.1 s with them off).
pub fn tune() {
    // SAFETY: plain option setters, called before the simulation allocates much.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, -1);
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 1);
        libmimalloc_sys::mi_option_set(ALLOW_THP, 0);
    }
}
