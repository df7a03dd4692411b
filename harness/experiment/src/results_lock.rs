//! One `lowdepth run` per experiment directory at a time: an advisory lock (`flock`) on
//! `<experiment>/.lock`, which also holds the owner's pid for the message. The kernel drops
//! the lock when its process ends, however it ends (kill -9 included), so a lock is never
//! stale; the file itself may stay behind and means nothing without the lock.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};

pub const LOCK_FILE: &str = ".lock";

/// Held while an invocation writes an experiment directory; released when dropped.
#[derive(Debug)]
pub struct ResultsLock {
    _file: File,
    pub path: PathBuf,
}

impl ResultsLock {
    /// Takes the lock of `experiment_dir` (created if missing), or says who holds it.
    pub fn acquire(experiment_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(experiment_dir)
            .with_context(|| format!("creating directory {}", experiment_dir.display()))?;
        let path = experiment_dir.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("opening the lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let owner = std::fs::read_to_string(&path).unwrap_or_default();
                let owner = match owner.trim() {
                    "" => "another process".to_string(),
                    pid => format!("process {pid}"),
                };
                return Err(anyhow!(
                    "{}: another lowdepth run ({owner}) is writing this results directory; \
                     wait for it to finish (lock: {})",
                    experiment_dir.display(),
                    path.display()
                ));
            }
            Err(TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("locking {}", path.display()))
            }
        }
        file.set_len(0)
            .and_then(|()| writeln!(file, "{}", std::process::id()))
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(ResultsLock { _file: file, path })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().expect("tempdir");
        let exp = dir.path().join("e");
        let first = ResultsLock::acquire(&exp).expect("first");
        let pid = std::process::id();
        let e = ResultsLock::acquire(&exp).expect_err("held");
        assert_eq!(
            e.to_string(),
            format!(
                "{}: another lowdepth run (process {pid}) is writing this results directory; \
                 wait for it to finish (lock: {})",
                exp.display(),
                first.path.display()
            )
        );
        drop(first);
        ResultsLock::acquire(&exp).expect("free again");
    }
}
