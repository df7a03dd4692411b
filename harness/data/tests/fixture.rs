//! Tests on the committed fixture (`datasets/fixture`): never touch the network.

use lowdepth_data::batches::Minibatches;
use lowdepth_data::fetch::MnistFiles;
use lowdepth_data::preprocess::{binary_task, PreprocessConfig};
use lowdepth_data::{fixture, idx, DataError};

type R = Result<(), DataError>;

#[test]
fn fixture_hashes_counts_and_locate() -> R {
    let split = fixture::load_verified()?;
    assert_eq!(split.train.images.count, 600);
    assert_eq!((split.train.images.rows, split.train.images.cols), (28, 28));
    assert_eq!(split.test.labels.len(), 200);
    for d in fixture::DIGITS {
        assert_eq!(split.train.labels.iter().filter(|&&l| l == d).count(), 300);
        assert_eq!(split.test.labels.iter().filter(|&&l| l == d).count(), 100);
    }
    // locate() finds the .gz variants under the standard names
    assert_eq!(MnistFiles::locate(&fixture::dir())?, fixture::files());
    Ok(())
}

#[test]
fn fixture_preprocess_and_batches() -> R {
    let split = fixture::files().load()?;
    let task = binary_task(&split.train, &split.test, &PreprocessConfig::default())?;
    assert_eq!(task.train.n, 600);
    assert_eq!(task.test.n, 200);
    assert_eq!(task.train.n_features, 196);
    assert_eq!(task.train.class_counts(), (300, 300));
    // every training column is within [0, 1] and reaches 1 unless it is all zero
    for (j, &m) in task.column_max.iter().enumerate() {
        let col_max = (0..task.train.n)
            .map(|i| task.train.x_row(i)[j])
            .fold(0.0f64, f64::max);
        assert!(col_max == 0.0 || (col_max - 1.0).abs() < 1e-12, "col {j}");
        assert!(m >= 0.0);
    }
    // z = y' (1, x), zero padding
    for i in 0..task.train.n {
        let z = task.train.z_row(i);
        let s = if task.train.y[i] == 1 { 1.0 } else { -1.0 };
        assert_eq!(z[0], s);
        assert_eq!(z[1] * s, task.train.x_row(i)[0]);
        assert!(z[197..].iter().all(|&v| v == 0.0));
    }
    let mb = Minibatches::new(&task.train, 128, 7)?;
    assert_eq!(mb.n_batches(), 5);
    assert_eq!(mb.batch(4).data.len(), 128 * 256);
    Ok(())
}

#[test]
fn corrupt_files_give_clear_errors() -> R {
    let dir = std::env::temp_dir().join(format!("lowdepth-data-corrupt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| DataError::Io {
        path: dir.clone(),
        source: e,
    })?;
    let io = |p: &std::path::Path, e| DataError::Io {
        path: p.to_path_buf(),
        source: e,
    };
    // truncated gzip
    let gz = std::fs::read(fixture::files().test_images).map_err(|e| io(&dir, e))?;
    let bad = dir.join("short.gz");
    std::fs::write(&bad, &gz[..gz.len() / 2]).map_err(|e| io(&bad, e))?;
    let err = idx::read_images(&bad).err();
    assert!(matches!(err, Some(DataError::Gzip { .. })), "{err:?}");
    assert!(err
        .map(|e| e.to_string())
        .unwrap_or_default()
        .contains("short.gz"));
    // truncated raw file
    let raw = idx::read_decoded(&fixture::files().test_images)?;
    let bad = dir.join("short-raw");
    std::fs::write(&bad, &raw[..1000]).map_err(|e| io(&bad, e))?;
    let msg = idx::read_images(&bad)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        msg.ends_with("short-raw: truncated: expected 156816 bytes, found 1000"),
        "{msg}"
    );
    // count mismatch between images and labels
    let err = idx::read_labelled(
        &fixture::files().train_images,
        &fixture::files().test_labels,
    );
    assert!(matches!(
        err,
        Err(DataError::CountMismatch {
            images: 600,
            labels: 200,
            ..
        })
    ));
    // labels where images are expected
    let err = idx::read_images(&fixture::files().test_labels);
    assert!(matches!(err, Err(DataError::BadMagic { found: 0x801, .. })));
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn write_script(dir: &std::path::Path, body: &str) -> Result<std::path::PathBuf, DataError> {
    let p = dir.join("fake_fetch.py");
    std::fs::write(&p, body).map_err(|e| DataError::Io {
        path: p.clone(),
        source: e,
    })?;
    Ok(p)
}

/// `ensure_mnist` with stand-in scripts (needs `python3`, as the real fetch does).
#[test]
fn ensure_mnist_runs_script_and_verifies() -> R {
    use lowdepth_data::fetch::ensure_mnist;
    let base = std::env::temp_dir().join(format!("lowdepth-ensure-{}", std::process::id()));
    let out = base.join("out");
    std::fs::create_dir_all(&base).map_err(|e| DataError::Io {
        path: base.clone(),
        source: e,
    })?;
    // a failing script: its stderr is in the error
    let fail = write_script(
        &base,
        "import sys\nsys.stderr.write('no network here\\n')\nsys.exit(3)\n",
    )?;
    let msg = ensure_mnist(&out, &fail)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        msg.contains("fake_fetch.py: fetch failed") && msg.contains("no network here"),
        "{msg}"
    );
    // a script that copies the fixture: files appear, but the pinned MNIST hashes reject them
    let copy = format!(
        "import shutil, sys, os\nout = sys.argv[2]\nos.makedirs(out, exist_ok=True)\n\
         for n in os.listdir({src:?}):\n    shutil.copy(os.path.join({src:?}, n), out)\n",
        src = fixture::dir().display().to_string()
    );
    let copy = write_script(&base, &copy)?;
    let err = ensure_mnist(&out, &copy);
    assert!(
        matches!(err, Err(DataError::ChecksumMismatch { .. })),
        "{err:?}"
    );
    let _ = std::fs::remove_dir_all(&base);
    Ok(())
}
