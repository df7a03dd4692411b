//! Trains both reference models on the full MNIST 3-vs-8 task and prints test metrics per
//! iteration. Usage:
//! `cargo run --release -p lowdepth-plaintext --example reference [-- SEED ITERATIONS BATCH DIR]`
//! (defaults: seed 1, 32 iterations, batch 1024, `datasets/mnist`).

use std::path::PathBuf;

use lowdepth_data::{batches::Minibatches, fetch::MnistFiles, preprocess};
use lowdepth_plaintext::{metrics, nesterov, NesterovConfig, Sigmoid};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seed: u64 = args.first().map_or(Ok(1), |s| s.parse())?;
    let iterations: usize = args.get(1).map_or(Ok(32), |s| s.parse())?;
    let batch: usize = args.get(2).map_or(Ok(1024), |s| s.parse())?;
    let dir = args.get(3).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../datasets/mnist"))
    });
    let split = MnistFiles::locate(&dir)?.load_verified()?;
    let task = preprocess::binary_task(&split.train, &split.test, &Default::default())?;
    let batches = Minibatches::new(&task.train, batch, seed)?;
    println!(
        "train {} test {} batch {} n_batches {} seed {seed}",
        task.train.n,
        task.test.n,
        batch,
        batches.n_batches()
    );
    let cfg = NesterovConfig {
        iterations,
        ..Default::default()
    };
    println!("sigmoid,iteration,accuracy,auc,log_loss");
    for sigmoid in [Sigmoid::Cubic, Sigmoid::Exact] {
        let traj = nesterov::train(&batches, sigmoid, &cfg);
        for (t, e) in metrics::evaluate_trajectory(&traj, &task.test)
            .iter()
            .enumerate()
        {
            println!(
                "{},{t},{:.4},{:.4},{:.4}",
                sigmoid.name(),
                e.accuracy,
                e.auc.unwrap_or(f64::NAN),
                e.log_loss
            );
        }
    }
    Ok(())
}
