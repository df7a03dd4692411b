//! The process allocator: mimalloc, told to keep the memory it frees for reuse instead of
//! handing it back to the OS.
//!
//! Why: encrypted training frees and reallocates megabyte-sized polynomials thousands of
//! times a second. With glibc's allocator (or mimalloc's default one-second purge) freed
//! pages go back to the kernel and return zero-filled on the next use; on this project's VM
//! that zeroing (`clear_page_erms`) was a quarter of the samples of a training profile.
//! Measured side by side (`configs/paper.yaml` at k = 6, one thread, both circuits in one
//! process, 2-core VM, 2026-11-25): glibc 30.8 s baseline and 28.3 s low-depth; this
//! allocator 26.7 to 27.1 s and 16.3 to 17.3 s. The cost: the process keeps its peak memory
//! until it exits, and the first run in a process still pays for first touching it.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc v3's `mi_option_e` (`mimalloc.h`). libmimalloc-sys
/// exports no constant for it; the versions are pinned and a test checks the index.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Never purge freed memory. Call first thing in `main`.
pub fn keep_freed_memory() {
    // SAFETY: `mi_option_set` stores one integer option value; mimalloc allows options to
    // be set at any time from any thread, and the index is checked by a test below.
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(unsafe_code)]
    fn option(index: libmimalloc_sys::mi_option_t) -> std::os::raw::c_long {
        // SAFETY: reading an option value has no preconditions.
        unsafe { libmimalloc_sys::mi_option_get(index) }
    }

    #[test]
    fn the_purge_delay_index_names_that_option() {
        // mimalloc v3's defaults around it: eager_commit_delay 1, purge_delay 1000 ms,
        // use_numa_nodes 0, os_tag 100 (unless MIMALLOC_* variables override them).
        if std::env::vars().any(|(k, _)| k.to_ascii_lowercase().starts_with("mimalloc_")) {
            return;
        }
        let defaults = (
            option(MI_OPTION_PURGE_DELAY - 1),
            option(MI_OPTION_PURGE_DELAY),
            option(MI_OPTION_PURGE_DELAY + 1),
            option(MI_OPTION_PURGE_DELAY + 3),
        );
        assert_eq!(defaults, (1, 1000, 0, 100));
        keep_freed_memory();
        assert_eq!(option(MI_OPTION_PURGE_DELAY), -1);
    }
}
