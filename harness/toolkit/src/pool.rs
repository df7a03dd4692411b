//! Rayon pools of a given size, for the code that must choose how many threads an op gets
//! (the dataflow executor's settings, the cost calibration's thread counts).

use crate::error::{Result, ToolkitError};

/// A pool of `threads` threads named `<name>-<i>`.
pub(crate) fn thread_pool(threads: usize, name: &'static str) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(move |i| format!("{name}-{i}"))
        .build()
        .map_err(|e| ToolkitError::Backend(format!("{name}: a pool of {threads} threads: {e}")))
}
