//! Atomic file writes: write a temporary file in the target's directory, then rename it.
//!
//! A reader (or an interrupted sweep) therefore sees either the old file or the whole new
//! one, never half of it.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Writes `bytes` to `path` atomically, creating parent directories.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating directory {}", dir.display()))?;
    let tmp = temp_path(path);
    let result = (|| -> Result<()> {
        let mut file =
            std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        file.write_all(bytes)
            .with_context(|| format!("writing {}", tmp.display()))?;
        file.sync_all()
            .with_context(|| format!("syncing {}", tmp.display()))?;
        std::fs::rename(&tmp, path)
            .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))
    })();
    if result.is_err() {
        // Best effort: never leave the temporary behind.
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Produces the file through a closure writing to a temporary path, then renames it into
/// place; for libraries (plotters) that insist on writing a path themselves.
pub fn produce_atomic(path: &Path, produce: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating directory {}", dir.display()))?;
    let tmp = temp_path(path);
    let result = produce(&tmp).and_then(|()| {
        std::fs::rename(&tmp, path)
            .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// `dir/.name.<pid>.tmp`, keeping the real extension last so format sniffing by extension
/// (plotters picks PNG vs SVG by it) still works: `dir/.name.<pid>.tmp.png`.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path.extension().map(|e| e.to_string_lossy().into_owned());
    let tmp_name = match ext {
        Some(ext) => format!(".{name}.{}.tmp.{ext}", std::process::id()),
        None => format!(".{name}.{}.tmp", std::process::id()),
    };
    path.with_file_name(tmp_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a/b/out.csv");
        write_atomic(&path, b"x,y\n1,2\n").expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"x,y\n1,2\n");
        let names: Vec<_> = std::fs::read_dir(path.parent().expect("parent"))
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn failed_production_leaves_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("fig.png");
        let r = produce_atomic(&path, |tmp| {
            std::fs::write(tmp, b"partial")?;
            anyhow::bail!("drawing failed")
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
    }
}
