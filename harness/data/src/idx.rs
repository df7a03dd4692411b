//! Reading and writing IDX files (the MNIST container format), raw or gzip-compressed.
//!
//! An IDX file is a big-endian header (`00 00 08 nd`: unsigned bytes, `nd` dimensions, then
//! `nd` u32 sizes) followed by the data. Images use `nd = 3` (count, rows, cols), labels
//! `nd = 1`. A file whose first two bytes are `1f 8b` is gunzipped first, whatever its name.
//! The reader is strict: bad magic, a short file and trailing bytes are all errors that name
//! the file.
//!
//! ```
//! use lowdepth_data::idx::{self, Images};
//! # fn main() -> Result<(), lowdepth_data::DataError> {
//! let dir = std::env::temp_dir().join(format!("idx-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).map_err(|e| lowdepth_data::DataError::Io { path: dir.clone(), source: e })?;
//! let images = Images { count: 2, rows: 2, cols: 2, pixels: vec![0, 1, 2, 3, 4, 5, 6, 7] };
//! idx::write_images(&dir.join("x.idx3.gz"), &images)?;
//! idx::write_labels(&dir.join("y.idx1"), &[3, 8])?;
//! let back = idx::read_labelled(&dir.join("x.idx3.gz"), &dir.join("y.idx1"))?;
//! assert_eq!(back.images, images);
//! assert_eq!(back.labels, vec![3, 8]);
//! # Ok(()) }
//! ```

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::error::{DataError, Result};

/// IDX magic of an image file: unsigned bytes, 3 dimensions.
pub const IMAGE_MAGIC: u32 = 0x0000_0803;
/// IDX magic of a label file: unsigned bytes, 1 dimension.
pub const LABEL_MAGIC: u32 = 0x0000_0801;

/// A stack of greyscale images, row-major, one byte per pixel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Images {
    /// Number of images.
    pub count: usize,
    /// Rows per image.
    pub rows: usize,
    /// Columns per image.
    pub cols: usize,
    /// `count * rows * cols` pixels, image after image, each row-major.
    pub pixels: Vec<u8>,
}

impl Images {
    /// Pixels per image.
    pub fn image_len(&self) -> usize {
        self.rows * self.cols
    }

    /// The pixels of image `i` (row-major), or `None` if out of range.
    pub fn image(&self, i: usize) -> Option<&[u8]> {
        let len = self.image_len();
        let start = i.checked_mul(len)?;
        self.pixels.get(start..start.checked_add(len)?)
    }
}

/// Images with their labels, read from a pair of files (the paths are kept for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledImages {
    /// The images.
    pub images: Images,
    /// One label per image.
    pub labels: Vec<u8>,
    /// Where the images came from.
    pub images_path: PathBuf,
    /// Where the labels came from.
    pub labels_path: PathBuf,
}

/// Reads a file and gunzips it if it starts with the gzip magic `1f 8b`, never more than
/// its IDX header declares plus one byte (see `idx_bounded.rs`).
pub fn read_decoded(path: &Path) -> Result<Vec<u8>> {
    crate::idx_bounded::read_bounded(path)
}

/// Parses IDX header `magic` with `dims.len()` dimensions; returns the dimensions and payload.
fn parse<'a>(
    path: &Path,
    bytes: &'a [u8],
    magic: u32,
    what: &'static str,
    ndims: usize,
) -> Result<(Vec<usize>, &'a [u8])> {
    let be32 = |at: usize| -> Option<u32> {
        let b = bytes.get(at..at + 4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let found = be32(0).unwrap_or(0);
    if bytes.len() < 4 || found != magic {
        return Err(DataError::BadMagic {
            path: path.to_path_buf(),
            expected: magic,
            found,
            what,
        });
    }
    let header = 4 + 4 * ndims;
    let mut dims = Vec::with_capacity(ndims);
    for d in 0..ndims {
        match be32(4 + 4 * d) {
            Some(v) => dims.push(v as usize),
            None => {
                return Err(DataError::Truncated {
                    path: path.to_path_buf(),
                    expected: header as u64,
                    found: bytes.len() as u64,
                })
            }
        }
    }
    // u32 dimensions: the product of three fits in u128 without overflow.
    let payload: u128 = dims.iter().map(|&d| d as u128).product();
    let expected = payload + header as u128;
    let found = bytes.len() as u128;
    let to_u64 = |v: u128| u64::try_from(v).unwrap_or(u64::MAX);
    if found < expected {
        return Err(DataError::Truncated {
            path: path.to_path_buf(),
            expected: to_u64(expected),
            found: to_u64(found),
        });
    }
    if found > expected {
        return Err(DataError::TrailingData {
            path: path.to_path_buf(),
            expected: to_u64(expected),
            found: to_u64(found),
        });
    }
    Ok((dims, &bytes[header..]))
}

/// Parses the bytes of an (uncompressed) image IDX file; `path` is only used in errors.
pub fn parse_images(path: &Path, bytes: &[u8]) -> Result<Images> {
    let (dims, payload) = parse(path, bytes, IMAGE_MAGIC, "image file: ubyte, 3 dims", 3)?;
    Ok(Images {
        count: dims[0],
        rows: dims[1],
        cols: dims[2],
        pixels: payload.to_vec(),
    })
}

/// Parses the bytes of an (uncompressed) label IDX file; `path` is only used in errors.
pub fn parse_labels(path: &Path, bytes: &[u8]) -> Result<Vec<u8>> {
    let (_, payload) = parse(path, bytes, LABEL_MAGIC, "label file: ubyte, 1 dim", 1)?;
    Ok(payload.to_vec())
}

/// Reads an image IDX file (raw or gzip).
pub fn read_images(path: &Path) -> Result<Images> {
    parse_images(path, &read_decoded(path)?)
}

/// Reads a label IDX file (raw or gzip).
pub fn read_labels(path: &Path) -> Result<Vec<u8>> {
    parse_labels(path, &read_decoded(path)?)
}

/// Reads an image file and a label file and checks that their counts agree.
pub fn read_labelled(images_path: &Path, labels_path: &Path) -> Result<LabelledImages> {
    let images = read_images(images_path)?;
    let labels = read_labels(labels_path)?;
    LabelledImages::try_new(images, labels, images_path, labels_path)
}

impl LabelledImages {
    /// Pairs images with labels; errors if the counts differ.
    pub fn try_new(
        images: Images,
        labels: Vec<u8>,
        images_path: &Path,
        labels_path: &Path,
    ) -> Result<Self> {
        if images.count != labels.len() {
            return Err(DataError::CountMismatch {
                images_path: images_path.to_path_buf(),
                labels_path: labels_path.to_path_buf(),
                images: images.count,
                labels: labels.len(),
            });
        }
        Ok(Self {
            images,
            labels,
            images_path: images_path.to_path_buf(),
            labels_path: labels_path.to_path_buf(),
        })
    }
}

/// Encodes images as IDX bytes (uncompressed). Errors if a dimension exceeds u32 or the
/// pixel count does not match.
pub fn encode_images(path: &Path, images: &Images) -> Result<Vec<u8>> {
    let dim = |field: &'static str, v: usize| {
        u32::try_from(v).map_err(|_| DataError::InvalidConfig {
            field,
            reason: format!("{v} does not fit an IDX u32 dimension ({})", path.display()),
        })
    };
    let (c, r, k) = (
        dim("images.count", images.count)?,
        dim("images.rows", images.rows)?,
        dim("images.cols", images.cols)?,
    );
    let expected = images.count.saturating_mul(images.image_len());
    if images.pixels.len() != expected {
        return Err(DataError::InvalidConfig {
            field: "images.pixels",
            reason: format!(
                "{} pixels for {}x{}x{} images ({})",
                images.pixels.len(),
                images.count,
                images.rows,
                images.cols,
                path.display()
            ),
        });
    }
    let mut out = Vec::with_capacity(16 + images.pixels.len());
    for v in [IMAGE_MAGIC, c, r, k] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(&images.pixels);
    Ok(out)
}

/// Encodes labels as IDX bytes (uncompressed).
pub fn encode_labels(path: &Path, labels: &[u8]) -> Result<Vec<u8>> {
    let n = u32::try_from(labels.len()).map_err(|_| DataError::InvalidConfig {
        field: "labels.len",
        reason: format!("{} labels exceed u32 ({})", labels.len(), path.display()),
    })?;
    let mut out = Vec::with_capacity(8 + labels.len());
    out.extend_from_slice(&LABEL_MAGIC.to_be_bytes());
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(labels);
    Ok(out)
}

/// Writes images as IDX; gzip-compressed if `path` ends in `.gz`. Atomic (temp file + rename).
pub fn write_images(path: &Path, images: &Images) -> Result<()> {
    write_idx(path, &encode_images(path, images)?)
}

/// Writes labels as IDX; gzip-compressed if `path` ends in `.gz`. Atomic (temp file + rename).
pub fn write_labels(path: &Path, labels: &[u8]) -> Result<()> {
    write_idx(path, &encode_labels(path, labels)?)
}

fn write_idx(path: &Path, data: &[u8]) -> Result<()> {
    let gz = path.extension().is_some_and(|e| e == "gz");
    let bytes = if gz {
        // GzEncoder writes mtime 0 and no file name, so the output is reproducible.
        let mut enc = GzEncoder::new(Vec::new(), Compression::best());
        enc.write_all(data).map_err(|e| DataError::io(path, e))?;
        enc.finish().map_err(|e| DataError::io(path, e))?
    } else {
        data.to_vec()
    };
    write_atomic(path, &bytes)
}

/// Writes `bytes` to `path` via a temporary file in the same directory and a rename, so a
/// reader never sees a half-written file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let file_name = path.file_name().ok_or_else(|| {
        DataError::io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path"),
        )
    })?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(file_name);
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(DataError::io(path, e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("mem.idx")
    }

    fn sample() -> Images {
        Images {
            count: 3,
            rows: 2,
            cols: 3,
            pixels: (0..18).collect(),
        }
    }

    #[test]
    fn round_trip_raw_bytes() -> Result<()> {
        let bytes = encode_images(p(), &sample())?;
        assert_eq!(&bytes[..4], &[0, 0, 8, 3]);
        assert_eq!(parse_images(p(), &bytes)?, sample());
        let lb = encode_labels(p(), &[1, 2, 3])?;
        assert_eq!(parse_labels(p(), &lb)?, vec![1, 2, 3]);
        Ok(())
    }

    #[test]
    fn truncated_names_file_and_sizes() -> Result<()> {
        let bytes = encode_images(p(), &sample())?;
        let err = parse_images(p(), &bytes[..bytes.len() - 5]);
        match err {
            Err(DataError::Truncated {
                expected, found, ..
            }) => {
                assert_eq!(expected, 34);
                assert_eq!(found, 29);
            }
            other => panic!("expected Truncated, got {other:?}"),
        }
        let msg = parse_images(p(), &bytes[..10])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(msg, "mem.idx: truncated: expected 16 bytes, found 10");
        Ok(())
    }

    #[test]
    fn bad_magic_and_trailing() -> Result<()> {
        let lb = encode_labels(p(), &[1, 2, 3])?;
        assert!(matches!(
            parse_images(p(), &lb),
            Err(DataError::BadMagic { found: 0x801, .. })
        ));
        assert!(matches!(
            parse_labels(p(), &[]),
            Err(DataError::BadMagic { found: 0, .. })
        ));
        let mut long = lb.clone();
        long.push(0);
        assert!(matches!(
            parse_labels(p(), &long),
            Err(DataError::TrailingData {
                expected: 11,
                found: 12,
                ..
            })
        ));
        Ok(())
    }

    #[test]
    fn huge_header_is_truncated_not_overflow() {
        let mut b = IMAGE_MAGIC.to_be_bytes().to_vec();
        for _ in 0..3 {
            b.extend_from_slice(&u32::MAX.to_be_bytes());
        }
        assert!(matches!(
            parse_images(p(), &b),
            Err(DataError::Truncated {
                expected: u64::MAX,
                ..
            })
        ));
    }

    #[test]
    fn image_accessor() {
        let s = sample();
        assert_eq!(s.image(2), Some(&[12u8, 13, 14, 15, 16, 17][..]));
        assert_eq!(s.image(3), None);
    }
}
