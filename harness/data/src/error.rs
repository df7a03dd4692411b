//! The crate's error type: every variant names the file (or the parameter) and what is wrong.

use std::path::PathBuf;

/// Errors of `lowdepth-data`. Display is one line and starts with the file it is about.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file starts with the gzip magic but does not decompress.
    #[error("{}: corrupt or truncated gzip stream: {source}", path.display())]
    Gzip {
        /// The file.
        path: PathBuf,
        /// The decoder's error.
        #[source]
        source: std::io::Error,
    },
    /// The IDX magic number is not the one expected for this kind of file.
    #[error("{}: bad IDX magic {found:#010x}, expected {expected:#010x} ({what})", path.display())]
    BadMagic {
        /// The file.
        path: PathBuf,
        /// The expected magic (0x00000803 images, 0x00000801 labels).
        expected: u32,
        /// The magic found (0 if the file is shorter than 4 bytes).
        found: u32,
        /// What was expected, in words.
        what: &'static str,
    },
    /// The file (after decompression) is shorter than its header says.
    #[error("{}: truncated: expected {expected} bytes, found {found}", path.display())]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Bytes the header announces (header included).
        expected: u64,
        /// Bytes present.
        found: u64,
    },
    /// The IDX header declares more bytes than the reader accepts.
    #[error("{}: the IDX header declares {declared} bytes, more than the {max} this reader accepts", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Bytes the header announces (header included).
        declared: u64,
        /// The reader's limit.
        max: u64,
    },
    /// The file (after decompression) is longer than its header says.
    #[error("{}: {found} bytes, but the header announces {expected}: trailing data", path.display())]
    TrailingData {
        /// The file.
        path: PathBuf,
        /// Bytes the header announces.
        expected: u64,
        /// Bytes present.
        found: u64,
    },
    /// Image and label files disagree on the number of items.
    #[error("{}: {images} images, but {} has {labels} labels", images_path.display(), labels_path.display())]
    CountMismatch {
        /// The image file.
        images_path: PathBuf,
        /// The label file.
        labels_path: PathBuf,
        /// Images in the image file.
        images: usize,
        /// Labels in the label file.
        labels: usize,
    },
    /// A file's sha256 differs from the pinned value.
    #[error("{}: sha256 {found}, expected {expected}", path.display())]
    ChecksumMismatch {
        /// The file.
        path: PathBuf,
        /// Pinned sha256 (of the uncompressed IDX content).
        expected: String,
        /// sha256 found.
        found: String,
    },
    /// Some of the four MNIST files are missing from a directory.
    #[error("{}: missing MNIST files: {}", dir.display(), missing.join(", "))]
    MissingFiles {
        /// The directory.
        dir: PathBuf,
        /// File names (without .gz) not found.
        missing: Vec<String>,
    },
    /// The fetch script failed or could not be started.
    #[error("{}: fetch failed ({status}): {message}", script.display())]
    FetchFailed {
        /// The script.
        script: PathBuf,
        /// Exit status, or "not started".
        status: String,
        /// The script's last error lines (or the spawn error).
        message: String,
    },
    /// Images have a shape the preprocessing cannot handle.
    #[error("{}: images are {rows}x{cols}, {reason}", path.display())]
    BadShape {
        /// The file the images came from (or `<memory>`).
        path: PathBuf,
        /// Image rows.
        rows: usize,
        /// Image columns.
        cols: usize,
        /// What is wrong.
        reason: String,
    },
    /// A configuration value is invalid.
    #[error("invalid {field}: {reason}")]
    InvalidConfig {
        /// The parameter, e.g. `preprocess.pad_to`.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A selection produced no rows.
    #[error("{}: no images of digits {digits:?}", path.display())]
    Empty {
        /// The file the images came from.
        path: PathBuf,
        /// The digits looked for.
        digits: [u8; 2],
    },
}

impl DataError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DataError::Io {
            path: path.into(),
            source,
        }
    }
}

/// `Result` with [`DataError`].
pub type Result<T, E = DataError> = std::result::Result<T, E>;
