//! Reading an IDX file, raw or gzip, without ever holding more than its header declares
//! (plus one byte, to detect trailing data): a small gzip that inflates to gigabytes fails
//! after the declared size, not after filling memory.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use flate2::read::GzDecoder;

use crate::error::{DataError, Result};

/// Largest IDX file (decompressed) the reader accepts: 1 GiB, 20x MNIST's largest file.
pub const MAX_IDX_BYTES: u64 = 1 << 30;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The file's (decompressed) bytes, at most the size its header declares plus one.
/// Short or malformed headers are returned as they are, for the parser to name.
pub fn read_bounded(path: &Path) -> Result<Vec<u8>> {
    let mut head = [0u8; 2];
    let gzip = {
        let mut f = File::open(path).map_err(|e| DataError::io(path, e))?;
        let n = f.read(&mut head).map_err(|e| DataError::io(path, e))?;
        n == 2 && head == GZIP_MAGIC
    };
    let file = File::open(path).map_err(|e| DataError::io(path, e))?;
    let mut reader: Box<dyn Read> = if gzip {
        Box::new(GzDecoder::new(BufReader::new(file)))
    } else {
        Box::new(file)
    };
    let err = |source: std::io::Error| {
        if gzip {
            DataError::Gzip {
                path: path.to_path_buf(),
                source,
            }
        } else {
            DataError::io(path, source)
        }
    };
    let mut out = Vec::new();
    // Magic: 00 00 <type> <number of dimensions>.
    read_up_to(&mut reader, 4, &mut out).map_err(err)?;
    let Some(&ndims) = out.get(3) else {
        return Ok(out);
    };
    read_up_to(&mut reader, 4 * ndims as u64, &mut out).map_err(err)?;
    let Some(declared) = declared_size(&out, ndims as usize) else {
        return Ok(out);
    };
    if declared > u128::from(MAX_IDX_BYTES) {
        return Err(DataError::TooLarge {
            path: path.to_path_buf(),
            declared: u64::try_from(declared).unwrap_or(u64::MAX),
            max: MAX_IDX_BYTES,
        });
    }
    // Bounded above by MAX_IDX_BYTES, so the conversion cannot fail.
    let rest = u64::try_from(declared).unwrap_or(MAX_IDX_BYTES) - out.len() as u64;
    out.reserve(usize::try_from(rest).unwrap_or(0));
    read_up_to(&mut reader, rest + 1, &mut out).map_err(err)?;
    Ok(out)
}

/// Header plus payload bytes the header declares; `None` if the header is short.
fn declared_size(header: &[u8], ndims: usize) -> Option<u128> {
    let dims = header.get(4..4 + 4 * ndims)?;
    let payload = dims.chunks_exact(4).try_fold(1u128, |acc, d| {
        let d = u32::from_be_bytes([d[0], d[1], d[2], d[3]]);
        Some(acc.saturating_mul(u128::from(d)))
    })?;
    Some(payload.saturating_add(4 + 4 * ndims as u128))
}

fn read_up_to(reader: &mut dyn Read, limit: u64, out: &mut Vec<u8>) -> std::io::Result<()> {
    reader.take(limit).read_to_end(out).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(bytes).expect("gzip");
        enc.finish().expect("gzip")
    }

    /// A fresh file path under the system's temporary directory.
    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("idx-bounded-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir.join(name)
    }

    fn label_header(count: u32) -> Vec<u8> {
        let mut h = vec![0, 0, 8, 1];
        h.extend_from_slice(&count.to_be_bytes());
        h
    }

    #[test]
    fn a_gzip_bomb_stops_one_byte_after_the_declared_size() {
        let path = scratch("labels.gz");
        // Declares 10 labels, inflates to 64 MiB of zeros (a 64 KiB gzip).
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&label_header(10)).expect("gzip");
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            enc.write_all(&zeros).expect("gzip");
        }
        std::fs::write(&path, enc.finish().expect("gzip")).expect("write");
        let bytes = read_bounded(&path).expect("read");
        assert_eq!(bytes.len(), 8 + 10 + 1);
        let e = crate::idx::read_labels(&path).expect_err("trailing data");
        assert!(e.to_string().contains("trailing data"), "{e}");
    }

    #[test]
    fn a_header_declaring_more_than_the_cap_is_refused_before_reading() {
        let path = scratch("images.gz");
        let mut h = vec![0, 0, 8, 3];
        for d in [60_000u32, 1000, 1000] {
            h.extend_from_slice(&d.to_be_bytes());
        }
        std::fs::write(&path, gzip(&h)).expect("write");
        let e = read_bounded(&path).expect_err("too large");
        assert_eq!(
            e.to_string(),
            format!(
                "{}: the IDX header declares 60000000016 bytes, more than the 1073741824 this reader accepts",
                path.display()
            )
        );
    }

    #[test]
    fn exact_files_read_whole_raw_or_gzip() {
        let mut bytes = label_header(3);
        bytes.extend_from_slice(&[3, 8, 3]);
        let raw = scratch("raw");
        std::fs::write(&raw, &bytes).expect("write");
        assert_eq!(read_bounded(&raw).expect("raw"), bytes);
        let gz = scratch("gz");
        std::fs::write(&gz, gzip(&bytes)).expect("write");
        assert_eq!(read_bounded(&gz).expect("gz"), bytes);
    }
}
