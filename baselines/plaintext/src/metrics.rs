//! Test-set metrics of a linear model `w` over `(1, x)`: accuracy, AUC, log-loss.
//!
//! The decision value of row `x` is `w . (1, x) = w[0] + sum_j w[1 + j] x[j]` (entries of `w`
//! beyond `1 + n_features` are padding and ignored). The predicted probability of label 1 is
//! `logistic(w . (1, x))`, so the prediction is 1 iff the decision value is `> 0`.
//!
//! ```
//! use lowdepth_plaintext::metrics::{accuracy, auc, log_loss};
//! let scores = [-2.0, -0.5, 0.5, 3.0];
//! let labels = [0, 1, 0, 1];
//! assert_eq!(accuracy(&scores, &labels), 0.5);
//! assert_eq!(auc(&scores, &labels), Some(0.75));
//! assert!(log_loss(&scores, &labels) > 0.0);
//! ```

use lowdepth_data::preprocess::Dataset;

use crate::nesterov::Trajectory;
use crate::sigmoid::logistic;

/// Probabilities are clamped to `[LOG_LOSS_EPS, 1 - LOG_LOSS_EPS]` in [`log_loss`].
pub const LOG_LOSS_EPS: f64 = 1e-15;

/// The three test metrics of one model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    /// Fraction of rows whose prediction equals the label.
    pub accuracy: f64,
    /// Area under the ROC curve; `None` if one class is absent or a score is NaN.
    pub auc: Option<f64>,
    /// Mean negative log-likelihood with clamped probabilities.
    pub log_loss: f64,
}

/// Decision values `w . (1, x_i)` for the rows of a row-major `x` with `n_features` columns.
/// Uses `w[0..=n_features]`; missing entries of a short `w` count as 0.
pub fn decision_values(w: &[f64], x: &[f64], n_features: usize) -> Vec<f64> {
    if n_features == 0 {
        return vec![w.first().copied().unwrap_or(0.0); x.len().min(1)];
    }
    let bias = w.first().copied().unwrap_or(0.0);
    let coef = w.get(1..).unwrap_or(&[]);
    x.chunks_exact(n_features)
        .map(|row| bias + row.iter().zip(coef).map(|(a, b)| a * b).sum::<f64>())
        .collect()
}

/// Fraction of rows with `(score > 0) == (label == 1)`. 0 for empty input.
pub fn accuracy(scores: &[f64], labels: &[u8]) -> f64 {
    let n = scores.len().min(labels.len());
    if n == 0 {
        return 0.0;
    }
    let right = scores
        .iter()
        .zip(labels)
        .filter(|(&s, &l)| (s > 0.0) == (l == 1))
        .count();
    right as f64 / n as f64
}

/// ROC AUC by the Mann–Whitney U statistic with average ranks for ties (a positive and a
/// negative with equal scores count 1/2), in `O(n log n)`. Labels are 1 (positive) or
/// anything else (negative). `None` if either class is empty or a score is NaN.
pub fn auc(scores: &[f64], labels: &[u8]) -> Option<f64> {
    let n = scores.len().min(labels.len());
    if scores[..n].iter().any(|s| s.is_nan()) {
        return None;
    }
    let n_pos = labels[..n].iter().filter(|&&l| l == 1).count();
    let n_neg = n - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_unstable_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Sum of (1-based, tie-averaged) ranks of the positives.
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        // -0.0 and 0.0 are one tie group: compare with ==, not total_cmp.
        while j < n && scores[idx[j]] == scores[idx[i]] {
            j += 1;
        }
        let avg_rank = (i + 1 + j) as f64 / 2.0; // mean of ranks i+1 ..= j
        let pos_in_group = idx[i..j].iter().filter(|&&k| labels[k] == 1).count();
        rank_sum_pos += avg_rank * pos_in_group as f64;
        i = j;
    }
    let (p, q) = (n_pos as f64, n_neg as f64);
    Some((rank_sum_pos - p * (p + 1.0) / 2.0) / (p * q))
}

/// Mean of `-[y ln p + (1 - y) ln(1 - p)]` with `p = logistic(score)` clamped to
/// `[LOG_LOSS_EPS, 1 - LOG_LOSS_EPS]`. 0 for empty input.
pub fn log_loss(scores: &[f64], labels: &[u8]) -> f64 {
    let n = scores.len().min(labels.len());
    if n == 0 {
        return 0.0;
    }
    let total: f64 = scores
        .iter()
        .zip(labels)
        .map(|(&s, &l)| {
            let p = logistic(s).clamp(LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS);
            if l == 1 {
                -p.ln()
            } else {
                -(1.0 - p).ln()
            }
        })
        .sum();
    total / n as f64
}

/// Accuracy, AUC and log-loss of `w` on `test` (uses `test.x` and `test.y`).
pub fn evaluate(w: &[f64], test: &Dataset) -> Evaluation {
    let scores = decision_values(w, &test.x, test.n_features);
    Evaluation {
        accuracy: accuracy(&scores, &test.y),
        auc: auc(&scores, &test.y),
        log_loss: log_loss(&scores, &test.y),
    }
}

/// [`evaluate`] of every `w_t` of a trajectory: element `t` is the model after `t`
/// iterations (element 0 the initial model).
pub fn evaluate_trajectory(traj: &Trajectory, test: &Dataset) -> Vec<Evaluation> {
    traj.w.iter().map(|w| evaluate(w, test)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn brute_auc(scores: &[f64], labels: &[u8]) -> Option<f64> {
        let (mut num, mut pairs) = (0.0, 0.0);
        for (i, &si) in scores.iter().enumerate() {
            for (j, &sj) in scores.iter().enumerate() {
                if labels[i] == 1 && labels[j] != 1 {
                    pairs += 1.0;
                    if si > sj {
                        num += 1.0;
                    } else if si == sj {
                        num += 0.5;
                    }
                }
            }
        }
        (pairs > 0.0).then(|| num / pairs)
    }

    proptest! {
        #[test]
        fn auc_matches_pairwise_count(
            data in proptest::collection::vec((-5i32..5, 0u8..2), 0..80),
        ) {
            // small integer scores force many ties
            let scores: Vec<f64> = data.iter().map(|&(s, _)| f64::from(s) / 2.0).collect();
            let labels: Vec<u8> = data.iter().map(|&(_, l)| l).collect();
            let fast = auc(&scores, &labels);
            let slow = brute_auc(&scores, &labels);
            match (fast, slow) {
                (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-12, "{} vs {}", a, b),
                (a, b) => prop_assert_eq!(a, b),
            }
        }
    }

    #[test]
    fn auc_edge_cases() {
        assert_eq!(auc(&[1.0, 2.0], &[1, 1]), None);
        assert_eq!(auc(&[1.0, f64::NAN], &[0, 1]), None);
        assert_eq!(auc(&[0.0, -0.0], &[0, 1]), Some(0.5));
        assert_eq!(auc(&[3.0, 1.0], &[1, 0]), Some(1.0));
    }

    #[test]
    fn accuracy_and_log_loss() {
        assert_eq!(accuracy(&[0.0, 1.0], &[0, 1]), 1.0); // 0 predicts label 0
        assert_eq!(accuracy(&[], &[]), 0.0);
        let l = log_loss(&[0.0], &[1]);
        assert!((l - 2f64.ln()).abs() < 1e-15);
        // clamped: a confident wrong answer costs -ln(1e-15), not infinity
        let l = log_loss(&[-1e6], &[1]);
        assert!((l + LOG_LOSS_EPS.ln()).abs() < 1e-9, "{l}");
    }

    #[test]
    fn decision_values_ignore_padding() {
        let w = [0.5, 1.0, -2.0, 99.0];
        let x = [1.0, 1.0, 0.0, 2.0];
        assert_eq!(decision_values(&w, &x, 2), vec![-0.5, -3.5]);
    }
}
