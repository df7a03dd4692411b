//! A bounded pool of word buffers shared by all polynomials of one parameter set.
//!
//! Multi-megabyte polynomial buffers are above glibc's mmap threshold, so without reuse
//! every operation pays page faults for fresh memory (measured: 20-30% of an operation's
//! time). Evaluator polynomials take their buffers from this pool and give them back when
//! dropped; secret-key material is never pooled (and `Zeroizing` temporaries are wiped
//! before their buffer returns).
//!
//! Many threads take and give at once (ops in parallel, limbs in parallel), so the buffers
//! sit in shards, one per hardware thread: a thread uses its own shard (an uncontended
//! lock) and looks in the others only when its own has no fit. A shard files its buffers
//! by length, so finding the best fit is a `BTreeMap` range query, not a scan. Buffers are
//! only ever shortened when handed out, so `take` never writes (zero-fills) any word.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Words kept per hardware thread by default (128 MiB): each concurrent op holds its own
/// temporaries, so the bound grows with the thread count.
const DEFAULT_WORDS_PER_THREAD: usize = 16 << 20;

/// Lower bound on the default (256 MiB, the former fixed bound).
const MIN_DEFAULT_WORDS: usize = 32 << 20;

/// Environment variable overriding the bound, in MiB.
pub(crate) const POOL_MIB_ENV: &str = "LOWDEPTH_CKKS_POOL_MIB";

/// Buffers of one shard, by length (words) then LIFO.
#[derive(Default)]
struct Shard {
    by_len: BTreeMap<usize, Vec<Vec<u64>>>,
}

impl Shard {
    /// The shortest buffer of at least `len` words, if any.
    fn take_fit(&mut self, len: usize) -> Option<Vec<u64>> {
        let (&key, list) = self.by_len.range_mut(len..).next()?;
        let buf = list.pop();
        if list.is_empty() {
            self.by_len.remove(&key);
        }
        buf
    }

    fn count(&self) -> usize {
        self.by_len.values().map(Vec::len).sum()
    }
}

/// Reusable `Vec<u64>` buffers, bounded in total capacity.
pub(crate) struct BufferPool {
    shards: Box<[Mutex<Shard>]>,
    /// Capacity (words) of all kept buffers, over every shard.
    words: AtomicUsize,
    max_words: usize,
}

impl std::fmt::Debug for BufferPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count: usize = self
            .shards
            .iter()
            .filter_map(|s| s.lock().ok().map(|s| s.count()))
            .sum();
        f.debug_struct("BufferPool")
            .field("shards", &self.shards.len())
            .field("buffers", &count)
            .field("words", &self.words.load(Ordering::Relaxed))
            .field("max_words", &self.max_words)
            .finish()
    }
}

thread_local! {
    /// A per-thread number for threads outside any rayon pool.
    static THREAD_SLOT: usize = {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        NEXT.fetch_add(1, Ordering::Relaxed)
    };
}

impl BufferPool {
    /// One shard per hardware thread; bound from [`POOL_MIB_ENV`] or
    /// max(256 MiB, 128 MiB per hardware thread).
    pub(crate) fn with_default_bound() -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let from_env = std::env::var(POOL_MIB_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .map(|mib| mib.saturating_mul(1 << 17));
        let max_words =
            from_env.unwrap_or_else(|| (threads * DEFAULT_WORDS_PER_THREAD).max(MIN_DEFAULT_WORDS));
        Self::new(max_words, threads)
    }

    pub(crate) fn new(max_words: usize, shards: usize) -> Self {
        Self {
            shards: (0..shards.clamp(1, 256))
                .map(|_| Mutex::default())
                .collect(),
            words: AtomicUsize::new(0),
            max_words,
        }
    }

    /// The calling thread's shard: its rayon worker index (distinct within one pool), or
    /// else a per-thread number.
    fn home(&self) -> usize {
        let t = rayon::current_thread_index().unwrap_or_else(|| THREAD_SLOT.with(|s| *s));
        t % self.shards.len()
    }

    /// A buffer of exactly `len` words with unspecified contents.
    pub(crate) fn take(&self, len: usize) -> Vec<u64> {
        let home = self.home();
        let k = self.shards.len();
        for i in 0..k {
            let found = self.shards[(home + i) % k]
                .lock()
                .ok()
                .and_then(|mut s| s.take_fit(len));
            if let Some(mut b) = found {
                self.words.fetch_sub(b.capacity(), Ordering::Relaxed);
                b.truncate(len);
                return b;
            }
        }
        vec![0u64; len]
    }

    /// Keeps `buf` for reuse if the bound allows, otherwise frees it.
    pub(crate) fn give(&self, buf: Vec<u64>) {
        let cap = buf.capacity();
        if buf.is_empty() {
            return;
        }
        if self.words.fetch_add(cap, Ordering::Relaxed) + cap > self.max_words {
            self.words.fetch_sub(cap, Ordering::Relaxed);
            return;
        }
        match self.shards[self.home()].lock() {
            Ok(mut s) => s.by_len.entry(buf.len()).or_default().push(buf),
            Err(_) => {
                self.words.fetch_sub(cap, Ordering::Relaxed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_fit_shortens_and_bound_holds() {
        let pool = BufferPool::new(100, 2);
        pool.give(vec![1u64; 40]);
        pool.give(vec![2u64; 20]);
        // Best fit for 15 words is the 20-word buffer, shortened without writing.
        let b = pool.take(15);
        assert_eq!(b.len(), 15);
        assert!(b.iter().all(|&x| x == 2));
        // 40 + 70 would exceed the bound: the 70-word buffer is freed, not kept.
        pool.give(vec![3u64; 70]);
        assert_eq!(pool.take(50).len(), 50);
        assert!(pool.take(30).iter().all(|&x| x == 1));
    }

    #[test]
    fn threads_find_buffers_given_by_others() {
        let pool = BufferPool::new(1 << 20, 4);
        std::thread::scope(|s| {
            s.spawn(|| pool.give(vec![9u64; 64]));
        });
        assert!(pool.take(64).iter().all(|&x| x == 9));
    }
}
