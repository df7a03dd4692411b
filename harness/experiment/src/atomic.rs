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

/// True for the names [`temp_path`] gives: `.name.<pid>.tmp` or `.name.<pid>.tmp.<ext>`.
pub fn is_temp_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.') else {
        return false;
    };
    let parts: Vec<&str> = rest.split('.').collect();
    let n = parts.len();
    let pid_then_tmp = |i: usize| {
        i >= 1
            && parts[i] == "tmp"
            && !parts[i - 1].is_empty()
            && parts[i - 1].bytes().all(|b| b.is_ascii_digit())
    };
    // `.tmp` last, or `.tmp.<ext>` with the extension last.
    (n >= 3 && pid_then_tmp(n - 1)) || (n >= 4 && pid_then_tmp(n - 2))
}

/// Removes the temporaries that writers killed mid-write (kill -9) left under `dir`, at any
/// depth; call it only while holding the directory's lock (no writer is running then).
/// Returns how many it removed.
pub fn remove_leftover_temps(dir: &Path) -> Result<usize> {
    let mut removed = 0;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(0);
    };
    for entry in entries {
        let entry = entry.with_context(|| format!("listing {}", dir.display()))?;
        let path = entry.path();
        let kind = entry
            .file_type()
            .with_context(|| format!("reading {}", path.display()))?;
        if kind.is_dir() {
            removed += remove_leftover_temps(&path)?;
        } else if kind.is_file() && is_temp_name(&entry.file_name().to_string_lossy()) {
            std::fs::remove_file(&path)
                .with_context(|| format!("removing the leftover {}", path.display()))?;
            removed += 1;
        }
    }
    Ok(removed)
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
    fn leftover_temporaries_are_recognised_and_removed_at_any_depth() {
        for (name, temp) in [
            (".summary.csv.4242.tmp.csv", true),
            (".manifest.json.7.tmp.json", true),
            (".config.yaml.12.tmp.yaml", true),
            (".README.1.tmp", true),
            ("summary.csv", false),
            (".lock", false),
            (".x.tmp", false),
            (".a.b.tmp.c.d", false),
        ] {
            assert_eq!(is_temp_name(name), temp, "{name}");
        }
        let real = Path::new("dir/fig.png");
        let tmp = temp_path(real);
        let tmp_name = tmp.file_name().expect("name").to_string_lossy();
        assert!(is_temp_name(&tmp_name), "{tmp_name}");

        let dir = tempfile::tempdir().expect("tempdir");
        let run = dir.path().join("runs/r1");
        std::fs::create_dir_all(&run).expect("dirs");
        for f in [".manifest.json.99.tmp.json", "samples.csv"] {
            std::fs::write(run.join(f), b"x").expect("write");
        }
        for f in [".summary.csv.98.tmp.csv", ".lock", "summary.csv"] {
            std::fs::write(dir.path().join(f), b"x").expect("write");
        }
        assert_eq!(remove_leftover_temps(dir.path()).expect("clean"), 2);
        assert!(run.join("samples.csv").is_file());
        assert!(!run.join(".manifest.json.99.tmp.json").exists());
        assert!(dir.path().join(".lock").is_file() && dir.path().join("summary.csv").is_file());
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
