//! Rebuilds `datasets/fixture/` from the full MNIST in `datasets/mnist/` (see
//! `lowdepth_data::fixture`). Usage: `cargo run -p lowdepth-data --example make_fixture
//! [-- <mnist dir> <out dir>]`. Prints the sha256 of each written file.

use std::path::{Path, PathBuf};

use lowdepth_data::fetch::{sha256_hex, MnistFiles, MNIST_FILE_NAMES};
use lowdepth_data::fixture::{DIGITS, TEST_PER_DIGIT, TRAIN_PER_DIGIT};
use lowdepth_data::idx::{self, Images, LabelledImages};
use lowdepth_data::DataError;

fn subset(set: &LabelledImages, per_digit: usize) -> (Images, Vec<u8>) {
    let mut taken = [0usize; 2];
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    for (i, &l) in set.labels.iter().enumerate() {
        let Some(k) = DIGITS.iter().position(|&d| d == l) else {
            continue;
        };
        if taken[k] == per_digit {
            continue;
        }
        if let Some(img) = set.images.image(i) {
            taken[k] += 1;
            pixels.extend_from_slice(img);
            labels.push(l);
        }
    }
    let images = Images {
        count: labels.len(),
        rows: set.images.rows,
        cols: set.images.cols,
        pixels,
    };
    (images, labels)
}

fn main() -> Result<(), DataError> {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let args: Vec<String> = std::env::args().skip(1).collect();
    let src = args
        .first()
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("datasets/mnist"));
    let out = args
        .get(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("datasets/fixture"));
    let split = MnistFiles::locate(&src)?.load_verified()?;
    std::fs::create_dir_all(&out).map_err(|e| DataError::Io {
        path: out.clone(),
        source: e,
    })?;
    let (tri, trl) = subset(&split.train, TRAIN_PER_DIGIT);
    let (tei, tel) = subset(&split.test, TEST_PER_DIGIT);
    let path = |i: usize| out.join(format!("{}.gz", MNIST_FILE_NAMES[i]));
    idx::write_images(&path(0), &tri)?;
    idx::write_labels(&path(1), &trl)?;
    idx::write_images(&path(2), &tei)?;
    idx::write_labels(&path(3), &tel)?;
    for i in 0..4 {
        let p: &Path = &path(i);
        let file = std::fs::read(p).map_err(|e| DataError::Io {
            path: p.to_path_buf(),
            source: e,
        })?;
        let content = idx::read_decoded(p)?;
        println!(
            "{}  file sha256 {}  content sha256 {}  ({} bytes)",
            p.display(),
            sha256_hex(&file),
            sha256_hex(&content),
            file.len()
        );
    }
    Ok(())
}
