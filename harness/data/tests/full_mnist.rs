//! Tests on the full MNIST, gated on `datasets/mnist` existing (run
//! `python3 scripts/fetch_mnist.py --out datasets/mnist` first). They skip with a message
//! otherwise and never touch the network.

use std::path::PathBuf;

use lowdepth_data::batches::Minibatches;
use lowdepth_data::fetch::MnistFiles;
use lowdepth_data::preprocess::{binary_task, PreprocessConfig};
use lowdepth_data::DataError;

fn mnist_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../datasets/mnist"))
}

#[test]
fn full_mnist_counts_match_helr() -> Result<(), DataError> {
    let files = match MnistFiles::locate(&mnist_dir()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("SKIP full_mnist_counts_match_helr: {e}");
            return Ok(());
        }
    };
    let split = files.load_verified()?;
    assert_eq!(split.train.labels.len(), 60_000);
    assert_eq!(split.test.labels.len(), 10_000);
    let task = binary_task(&split.train, &split.test, &PreprocessConfig::default())?;
    // docs/design.md section 2: 6,131 threes + 5,851 eights / 1,010 + 974
    assert_eq!(task.train.class_counts(), (5_851, 6_131));
    assert_eq!(task.test.class_counts(), (974, 1_010));
    assert_eq!((task.train.n, task.test.n), (11_982, 1_984));
    let mb = Minibatches::new(&task.train, 1024, 1)?;
    assert_eq!(mb.n_batches(), 12);
    Ok(())
}

/// With the files present, `ensure_mnist` only verifies them (no script run, no network).
#[test]
fn ensure_mnist_accepts_present_files() -> Result<(), DataError> {
    if MnistFiles::locate(&mnist_dir()).is_err() {
        eprintln!("SKIP ensure_mnist_accepts_present_files: datasets/mnist absent");
        return Ok(());
    }
    let script = PathBuf::from("/nonexistent/never-run.py");
    let files = lowdepth_data::fetch::ensure_mnist(&mnist_dir(), &script)?;
    assert!(files.train_images.ends_with("train-images-idx3-ubyte"));
    Ok(())
}
