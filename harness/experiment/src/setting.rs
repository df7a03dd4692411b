//! Execution settings of the encrypted circuits: how much of the machine one op may use.
//!
//! The paper (SEAL/HIT) ran each op on one thread and parallelised only across ciphertexts
//! and independent ops; our engine can also parallelise inside an op. Both are measured
//! and predicted, so the paper's many-core claim is checked under its own conditions.

/// One type for the whole stack: the toolkit's executor and cost model use it too.
pub use lowdepth_toolkit::taskgraph::ExecutionSetting;

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
