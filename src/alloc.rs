//! Allocator settings for the `kubesim` binary and the benchmarks, which use mimalloc as
//! their global allocator (the simulation allocates and frees many small objects; glibc
//! malloc spent a third of its time consolidating).

/// mimalloc `mi_option_purge_delay` and `mi_option_arena_eager_commit` (`mimalloc.h`).
const PURGE_DELAY: i32 = 15;
const ARENA_EAGER_COMMIT: i32 = 4;

/// Keeps freed memory committed instead of returning it to the OS after 10 ms: a
/// simulation frees and reallocates objects constantly, and re-faulting zeroed pages cost
/// up to 40% of a large run.
pub fn tune() {
    // SAFETY: plain option setters, called before the simulation allocates much.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, -1);
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 1);
    }
}
