//! The `threads:` key: a list of thread counts, or `all` for every power of two up to this
//! machine's core count plus the count itself.
//!
//! `all` is resolved while the config is read, so the resolved config, its hash and the run
//! ids hold the real list of the machine that ran it.

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};

/// The keyword that asks for every core count of this machine.
pub const ALL_KEYWORD: &str = "all";

/// Powers of two below `cores`, then `cores` itself: 12 -> [1, 2, 4, 8, 12], 2 -> [1, 2].
pub fn powers_of_two_up_to(cores: usize) -> Vec<usize> {
    let cores = cores.max(1);
    let mut out: Vec<usize> = std::iter::successors(Some(1usize), |&n| n.checked_mul(2))
        .take_while(|&n| n < cores)
        .collect();
    out.push(cores);
    out
}

/// Cores this process may use (affinity and cgroup limits included); 1 when unknown.
pub fn machine_cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// serde `deserialize_with` for `threads`: a sequence of counts, or the string `all`.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<usize>, D::Error> {
    d.deserialize_any(ThreadsVisitor)
}

struct ThreadsVisitor;

impl<'de> Visitor<'de> for ThreadsVisitor {
    type Value = Vec<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of thread counts or `{ALL_KEYWORD}`")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v == ALL_KEYWORD {
            Ok(powers_of_two_up_to(machine_cores()))
        } else {
            Err(E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(n) = seq.next_element::<usize>()? {
            out.push(n);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_powers_of_two_then_the_core_count() {
        assert_eq!(powers_of_two_up_to(12), [1, 2, 4, 8, 12]);
        assert_eq!(powers_of_two_up_to(2), [1, 2]);
        assert_eq!(powers_of_two_up_to(16), [1, 2, 4, 8, 16]);
        assert_eq!(powers_of_two_up_to(1), [1]);
        assert_eq!(powers_of_two_up_to(3), [1, 2, 3]);
    }
}
