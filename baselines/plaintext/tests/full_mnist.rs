//! HELR's reference point on the full data, gated on `datasets/mnist` existing (run
//! `python3 scripts/fetch_mnist.py --out datasets/mnist`); skips with a message otherwise.

use std::path::PathBuf;

use lowdepth_data::{batches::Minibatches, fetch::MnistFiles, preprocess};
use lowdepth_plaintext::{metrics, nesterov, NesterovConfig, Sigmoid};

#[test]
fn cubic_reaches_helr_accuracy_after_32_iterations() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../datasets/mnist"));
    let files = match MnistFiles::locate(&dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("SKIP cubic_reaches_helr_accuracy_after_32_iterations: {e}");
            return Ok(());
        }
    };
    let split = files.load_verified()?;
    let task = preprocess::binary_task(&split.train, &split.test, &Default::default())?;
    let batches = Minibatches::new(&task.train, 1024, 1)?;
    let cfg = NesterovConfig::default();
    for sigmoid in [Sigmoid::Cubic, Sigmoid::Exact] {
        let traj = nesterov::train(&batches, sigmoid, &cfg);
        let e = metrics::evaluate(traj.final_w(), &task.test);
        eprintln!("{} seed 1, 32 iterations: {e:?}", sigmoid.name());
        // HELR reports 96.2% / 0.99; we measured 96.3% / 0.992 (cubic), 96.6% / 0.993 (exact).
        assert!(e.accuracy > 0.955, "{sigmoid:?}: {e:?}");
        assert!(e.auc.unwrap_or(0.0) > 0.99, "{sigmoid:?}: {e:?}");
    }
    Ok(())
}
