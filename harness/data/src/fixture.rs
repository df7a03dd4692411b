//! A small MNIST subset committed under `datasets/fixture/`, so tests never need the network.
//!
//! Made by `cargo run -p lowdepth-data --example make_fixture` from the verified full MNIST:
//! the first 300 images of digit 3 and the first 300 of digit 8 of the training file, and
//! the first 100 of each of the test file, in file order, original digit labels, gzip IDX.
//! Standard MNIST names, so [`crate::fetch::MnistFiles::locate`] finds them.
//!
//! ```
//! # fn main() -> Result<(), lowdepth_data::DataError> {
//! let split = lowdepth_data::fixture::load_verified()?;
//! assert_eq!((split.train.labels.len(), split.test.labels.len()), (600, 200));
//! # Ok(()) }
//! ```

use std::path::PathBuf;

use crate::error::Result;
use crate::fetch::{verify_sha256, MnistFiles, MnistSplit};
use crate::idx;
use crate::preprocess::{binary_task, PreprocessConfig};

/// Images per digit taken from the training file.
pub const TRAIN_PER_DIGIT: usize = 300;
/// Images per digit taken from the test file.
pub const TEST_PER_DIGIT: usize = 100;
/// The two digits in the fixture.
pub const DIGITS: [u8; 2] = [3, 8];

/// sha256 of the *uncompressed* fixture IDX content, in the order of
/// [`crate::fetch::MNIST_FILE_NAMES`].
pub const FIXTURE_SHA256: [&str; 4] = [
    "0aff9cf7d7dd860a78e3ca9b8e755198d6427577b3ff310f35ca3dbdb8510b3f",
    "55f35abfde88ee4707f9851ae01aed553da787972dbe4c16856cdedd7309cb98",
    "1032966a71f2968cbff2fd15a9090ba4a9f70b9aada97372cdf14a17af47e685",
    "ae6cc297b08f0d0d56ded8db5576d1b2beb78083aa7e03b99b2741d735ad609a",
];

/// `datasets/fixture` of this checkout (located at compile time from this crate's manifest).
pub fn dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../datasets/fixture"
    ))
}

/// The fixture's four `.gz` files.
pub fn files() -> MnistFiles {
    let d = dir();
    MnistFiles {
        train_images: d.join("train-images-idx3-ubyte.gz"),
        train_labels: d.join("train-labels-idx1-ubyte.gz"),
        test_images: d.join("t10k-images-idx3-ubyte.gz"),
        test_labels: d.join("t10k-labels-idx1-ubyte.gz"),
    }
}

/// `k` minibatches of `rows` rows of the fixture's preprocessed training set (3 vs 8,
/// `z = y'(1, x)` padded to 256, docs/design.md section 2), each flattened row-major. Rows are
/// drawn cyclically in a fixed scrambled order (row `(t·rows + i)·7919 mod n`), so any
/// minibatch size gets values with the real data's range (examples, benchmarks).
pub fn scrambled_minibatches(k: usize, rows: usize) -> Result<Vec<Vec<f64>>> {
    let split = load_verified()?;
    let task = binary_task(&split.train, &split.test, &PreprocessConfig::default())?;
    let (n, width, z) = (task.train.n, task.train.width, &task.train.z);
    Ok((0..k)
        .map(|t| {
            let mut batch = Vec::with_capacity(rows * width);
            for i in 0..rows {
                let r = ((t * rows + i) * 7919) % n;
                batch.extend_from_slice(&z[r * width..(r + 1) * width]);
            }
            batch
        })
        .collect())
}

/// Loads the fixture and checks it against [`FIXTURE_SHA256`].
pub fn load_verified() -> Result<MnistSplit> {
    let f = files();
    for (path, want) in f.paths().into_iter().zip(FIXTURE_SHA256) {
        verify_sha256(path, &idx::read_decoded(path)?, want)?;
    }
    f.load()
}
