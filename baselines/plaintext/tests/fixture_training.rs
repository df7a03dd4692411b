//! Training on the committed fixture: the cubic model learns.

use lowdepth_data::{batches::Minibatches, fixture, preprocess};
use lowdepth_plaintext::{metrics, nesterov, NesterovConfig, Sigmoid};

#[test]
fn cubic_and_exact_improve_on_fixture() -> Result<(), Box<dyn std::error::Error>> {
    let split = fixture::load_verified()?;
    let task = preprocess::binary_task(&split.train, &split.test, &Default::default())?;
    let batches = Minibatches::new(&task.train, 128, 1)?;
    let cfg = NesterovConfig::default();
    for sigmoid in [Sigmoid::Cubic, Sigmoid::Exact] {
        let traj = nesterov::train(&batches, sigmoid, &cfg);
        let evals = metrics::evaluate_trajectory(&traj, &task.test);
        assert_eq!(evals.len(), 33);
        let first = evals[1];
        let last = evals[32];
        eprintln!(
            "{}: after 1 {:?}, after 32 {:?}",
            sigmoid.name(),
            first,
            last
        );
        assert!(last.accuracy > first.accuracy, "{sigmoid:?}");
        assert!(last.accuracy >= 0.9, "{sigmoid:?}: {last:?}");
        assert!(last.auc.unwrap_or(0.0) >= 0.95, "{sigmoid:?}: {last:?}");
        assert!(last.log_loss < evals[0].log_loss, "{sigmoid:?}");
    }
    Ok(())
}
