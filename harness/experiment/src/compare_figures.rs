//! The figures `lowdepth compare` checks on one pair of finished runs. Every figure must be
//! present on both sides: a reference that lacks one is a failure that says to regenerate
//! it, never a silent pass.

use std::fmt::Debug;

use crate::manifest::RunManifest;

/// Largest accepted change of accuracy or AUC (absolute).
pub const METRIC_TOLERANCE: f64 = 0.005;

/// Collects the failures of one run pair, each one line starting with the pair's id.
#[derive(Debug)]
pub struct PairCheck<'a> {
    pub id: &'a str,
    pub failures: &'a mut Vec<String>,
}

impl PairCheck<'_> {
    fn fail(&mut self, what: String) {
        self.failures.push(format!("{}: {what}", self.id));
    }

    /// Both present, or the side that lacks it is named; `None` when either lacks it.
    fn both<T>(&mut self, what: &str, now: Option<T>, was: Option<T>) -> Option<(T, T)> {
        match (now, was) {
            (Some(a), Some(b)) => Some((a, b)),
            (_, None) => {
                self.fail(format!(
                    "{what} is missing from the reference run (written by an older lowdepth?): \
                     regenerate the reference"
                ));
                None
            }
            (None, Some(_)) => {
                self.fail(format!("{what} is missing from the current run"));
                None
            }
        }
    }

    /// A deterministic figure: present on both sides and equal.
    fn exact<T: PartialEq + Debug>(&mut self, what: &str, now: Option<T>, was: Option<T>) {
        if let Some((a, b)) = self.both(what, now, was) {
            if a != b {
                self.fail(format!("{what} is {a:?}, reference {b:?}"));
            }
        }
    }

    /// The security label (`security.rs`): present on both sides and equal.
    pub fn security(&mut self, now: &RunManifest, was: &RunManifest) {
        self.exact("security", now.security.as_ref(), was.security.as_ref());
    }

    /// Test metrics: present on both sides, within [`METRIC_TOLERANCE`].
    pub fn metrics(&mut self, now: &RunManifest, was: &RunManifest) {
        let Some((a, b)) = self.both("final_metrics", now.final_metrics, was.final_metrics) else {
            return;
        };
        for (name, now, was) in [("accuracy", a.accuracy, b.accuracy), ("auc", a.auc, b.auc)] {
            // NaN (an undefined AUC) never matches.
            let diff = (now - was).abs();
            if diff.is_nan() || diff > METRIC_TOLERANCE {
                self.fail(format!(
                    "{name} {now:.4} differs from reference {was:.4} by more than {METRIC_TOLERANCE}"
                ));
            }
        }
    }

    /// What only encrypted runs have: depth, op counts, bytes, every CKKS parameter, the
    /// upload's ciphertext count and the agreement with the f64 model.
    pub fn encrypted(&mut self, now: &RunManifest, was: &RunManifest) {
        self.exact("depth", now.circuit.depth, was.circuit.depth);
        let counts = |m: &RunManifest| {
            let c = &m.circuit.op_counts;
            (!c.is_empty()).then(|| c.clone())
        };
        self.exact("op counts", counts(now), counts(was));
        let (bn, bw) = (&now.bandwidth, &was.bandwidth);
        self.exact(
            "upload_data_bytes",
            bn.upload_data_bytes,
            bw.upload_data_bytes,
        );
        self.exact(
            "upload_keys_bytes",
            bn.upload_keys_bytes,
            bw.upload_keys_bytes,
        );
        self.exact(
            "download_model_bytes",
            bn.download_model_bytes,
            bw.download_model_bytes,
        );
        if let Some((a, b)) = self.both("ckks", now.ckks.as_ref(), was.ckks.as_ref()) {
            self.exact("ckks.security", Some(&a.security), Some(&b.security));
            self.exact("ckks.log_n", Some(a.log_n), Some(b.log_n));
            self.exact("ckks.levels", Some(a.levels), Some(b.levels));
            self.exact("ckks.dnum", Some(a.dnum), Some(b.dnum));
            self.exact("ckks.log_scale", Some(a.log_scale), Some(b.log_scale));
            self.exact(
                "ckks.first_prime_bits",
                Some(a.first_prime_bits),
                Some(b.first_prime_bits),
            );
            self.exact("ckks.log_qp", Some(a.log_qp), Some(b.log_qp));
            self.exact("ckks.galois_keys", Some(a.galois_keys), Some(b.galois_keys));
            self.exact("ckks.rounds", Some(a.rounds), Some(b.rounds));
            self.exact(
                "ckks.minibatches_per_round",
                Some(a.minibatches_per_round),
                Some(b.minibatches_per_round),
            );
            self.exact(
                "ckks.upload_ciphertexts",
                Some(a.upload_ciphertexts),
                Some(b.upload_ciphertexts),
            );
        }
        let w_error = |m: &RunManifest| m.reference.as_ref().map(|r| r.max_abs_w_error);
        if let Some((a, b)) = self.both("reference.max_abs_w_error", w_error(now), w_error(was)) {
            // CKKS noise may move, but not by orders of magnitude.
            let bound = (b * 4.0).max(1e-6);
            if a.is_nan() || a > bound {
                self.fail(format!(
                    "max |w_enc - w_f64| {a:.3e} exceeds 4x the reference {b:.3e}"
                ));
            }
        }
    }
}
