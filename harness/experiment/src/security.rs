//! Security labels: what a run's keys and parameters can honestly claim. Runs with
//! insecure settings keep working (tests, CI) but say so everywhere: a warning on stderr
//! at every invocation, a `security` field in each manifest and column in `summary.csv`,
//! and a banner at the top of `REPORT.md`.

use crate::config::{CkksConfig, ExperimentConfig, ModelKind, SecurityChoice};

/// The label of runs trained in the clear.
pub const PLAINTEXT: &str = "plaintext";
/// The label of encrypted runs at 128-bit security with keys from the OS CSPRNG.
pub const BITS128: &str = "bits128";
/// Every insecure label starts with this.
pub const INSECURE_PREFIX: &str = "INSECURE";

/// The security label of a run of `model` under `ckks`.
pub fn security_label(model: ModelKind, ckks: &CkksConfig) -> &'static str {
    if !model.is_encrypted() {
        return PLAINTEXT;
    }
    let seeded = ckks.insecure_reproducible_keys_seed.is_some();
    match (ckks.security, seeded) {
        (SecurityChoice::Bits128, false) => BITS128,
        (SecurityChoice::Bits128, true) => "INSECURE: reproducible keys",
        (SecurityChoice::InsecureTestOnly, false) => "INSECURE: test-size ring",
        (SecurityChoice::InsecureTestOnly, true) => "INSECURE: test-size ring + reproducible keys",
    }
}

/// True for the labels of insecure runs.
pub fn is_insecure(label: &str) -> bool {
    label.starts_with(INSECURE_PREFIX)
}

/// The warning an invocation prints when the config's encrypted runs are insecure.
pub fn insecure_warning(config: &ExperimentConfig) -> Option<String> {
    let model = config.models.iter().copied().find(|m| m.is_encrypted())?;
    let label = security_label(model, &config.ckks);
    is_insecure(label).then(|| {
        format!(
            "warning: the encrypted runs of experiment {} are {label}: their keys or ring give \
             no security; the results are labelled so (manifests, summary.csv, REPORT.md)",
            config.experiment
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ckks(security: SecurityChoice, seed: Option<u64>) -> CkksConfig {
        CkksConfig {
            security,
            log_n: None,
            insecure_reproducible_keys_seed: seed,
            ..CkksConfig::default()
        }
    }

    #[test]
    fn only_unseeded_128_bit_runs_are_secure() {
        use SecurityChoice::{Bits128, InsecureTestOnly};
        let enc = ModelKind::HelrCkks;
        assert_eq!(security_label(enc, &ckks(Bits128, None)), "bits128");
        for (c, label) in [
            (ckks(Bits128, Some(7)), "INSECURE: reproducible keys"),
            (ckks(InsecureTestOnly, None), "INSECURE: test-size ring"),
            (
                ckks(InsecureTestOnly, Some(7)),
                "INSECURE: test-size ring + reproducible keys",
            ),
        ] {
            assert_eq!(security_label(enc, &c), label);
            assert!(is_insecure(label));
        }
        let plain = ckks(InsecureTestOnly, Some(7));
        assert_eq!(
            security_label(ModelKind::PlaintextCubic, &plain),
            "plaintext"
        );
        assert!(!is_insecure("bits128") && !is_insecure("plaintext"));
    }
}
