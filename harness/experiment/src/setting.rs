//! Execution settings of the encrypted circuits: how much of the machine one op may use.
//!
//! The paper (SEAL/HIT) ran each op on one thread and parallelised only across ciphertexts
//! and independent ops; our engine can also parallelise inside an op. Both are measured
//! and predicted, so the paper's many-core claim is checked under its own conditions.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How a circuit's ops use the run's thread pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExecutionSetting {
    /// Each op single-threaded; parallel only across ciphertexts and independent ops.
    Paper,
    /// Ops also parallel inside (NTTs, key switching).
    Full,
}

impl ExecutionSetting {
    /// Every setting, in report order.
    pub const ALL: [ExecutionSetting; 2] = [ExecutionSetting::Paper, ExecutionSetting::Full];

    pub fn name(self) -> &'static str {
        match self {
            ExecutionSetting::Paper => "paper",
            ExecutionSetting::Full => "full",
        }
    }

    /// One line for reports.
    pub fn description(self) -> &'static str {
        match self {
            ExecutionSetting::Paper => {
                "each op single-threaded, parallel only across ciphertexts and independent ops (as SEAL/HIT in the paper)"
            }
            ExecutionSetting::Full => "ops also parallel inside (this engine's default)",
        }
    }
}

impl fmt::Display for ExecutionSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_lowercase_and_matches_its_name() {
        for s in ExecutionSetting::ALL {
            let json = serde_json::to_string(&s).expect("serialize");
            assert_eq!(json, format!("\"{}\"", s.name()));
            let back: ExecutionSetting = serde_json::from_str(&json).expect("parse");
            assert_eq!(back, s);
        }
        assert!(serde_json::from_str::<ExecutionSetting>("\"Paper\"").is_err());
    }
}
