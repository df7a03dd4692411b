//! A bounded pool of word buffers shared by all polynomials of one parameter set.
//!
//! Multi-megabyte polynomial buffers are above glibc's mmap threshold, so without reuse
//! every operation pays page faults for fresh memory (measured: 20-30% of an operation's
//! time). Evaluator polynomials take their buffers from this pool and give them back when
//! dropped; secret-key material is never pooled (and `Zeroizing` temporaries are wiped
//! before their buffer returns).

use std::sync::Mutex;

/// Default bound on the words kept in a pool (256 MiB).
pub(crate) const DEFAULT_POOL_WORDS: usize = 32 << 20;

#[derive(Default)]
struct State {
    bufs: Vec<Vec<u64>>,
    words: usize,
}

/// Reusable `Vec<u64>` buffers, bounded in total capacity.
pub(crate) struct BufferPool {
    state: Mutex<State>,
    max_words: usize,
}

impl std::fmt::Debug for BufferPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (count, words) = self
            .state
            .lock()
            .map(|s| (s.bufs.len(), s.words))
            .unwrap_or((0, 0));
        f.debug_struct("BufferPool")
            .field("buffers", &count)
            .field("words", &words)
            .field("max_words", &self.max_words)
            .finish()
    }
}

impl BufferPool {
    pub(crate) fn new(max_words: usize) -> Self {
        Self {
            state: Mutex::new(State::default()),
            max_words,
        }
    }

    /// A buffer of exactly `len` words with unspecified contents.
    pub(crate) fn take(&self, len: usize) -> Vec<u64> {
        let found = self.state.lock().ok().and_then(|mut s| {
            let best = s
                .bufs
                .iter()
                .enumerate()
                .filter(|(_, b)| b.capacity() >= len)
                .min_by_key(|(_, b)| b.capacity())
                .map(|(i, _)| i)?;
            let b = s.bufs.swap_remove(best);
            s.words -= b.capacity();
            Some(b)
        });
        match found {
            Some(mut b) => {
                b.resize(len, 0);
                b
            }
            None => vec![0u64; len],
        }
    }

    /// Keeps `buf` for reuse if the bound allows, otherwise frees it.
    pub(crate) fn give(&self, buf: Vec<u64>) {
        let cap = buf.capacity();
        if cap == 0 {
            return;
        }
        if let Ok(mut s) = self.state.lock() {
            if s.words + cap <= self.max_words {
                s.words += cap;
                s.bufs.push(buf);
            }
        }
    }
}
