//! HELR's preprocessing: two digits, 2x2 mean pooling, column scaling, `z = y'(1, x)`, padding.
//!
//! For MNIST 3 vs 8 with the defaults this gives 11,982 training and 1,984 test rows of
//! `f0 = 196` features, and `z` rows of width 256 (197 used, the rest zero).
//!
//! Steps, in order:
//! 1. keep images labelled `negative_digit` (label 0) or `positive_digit` (label 1), in file
//!    order;
//! 2. each feature is the mean of a `pool x pool` block of pixels read as `byte / 255.0`
//!    (the `/255` is immaterial: step 3 divides it out, up to rounding);
//! 3. divide each feature column by its maximum absolute value over the *training* rows; the
//!    test rows use the same divisors. A column whose training maximum is 0 is set to 0 in
//!    both sets (its weight never moves during training, so this changes no prediction);
//! 4. `z_i = y'_i (1, x_i)` with `y'_i = 2 y_i - 1`, zero-padded to `pad_to` columns.
//!
//! ```
//! use lowdepth_data::idx::{Images, LabelledImages};
//! use lowdepth_data::preprocess::{binary_task, PreprocessConfig};
//! # fn main() -> Result<(), lowdepth_data::DataError> {
//! let images = Images { count: 2, rows: 2, cols: 2, pixels: vec![0, 255, 255, 255, 255, 0, 0, 0] };
//! let set = LabelledImages::try_new(images, vec![8, 3], "x".as_ref(), "y".as_ref())?;
//! let cfg = PreprocessConfig { pool: 2, pad_to: 4, ..PreprocessConfig::default() };
//! let task = binary_task(&set, &set, &cfg)?;
//! assert_eq!(task.train.y, vec![1, 0]);
//! // pooled features 0.75 and 0.25; the column maximum (0.75) scales them to 1 and 1/3
//! assert_eq!(task.train.x[0], 1.0);
//! assert!((task.train.z_row(1)[1] + 1.0 / 3.0).abs() < 1e-15); // y' = -1 for digit 3
//! assert_eq!(task.train.z_row(1)[0], -1.0);
//! # Ok(()) }
//! ```

use std::path::Path;

use crate::error::{DataError, Result};
use crate::idx::LabelledImages;

/// Parameters of [`binary_task`]. The default is HELR's: 8 (label 1) vs 3 (label 0), 2x2
/// pooling, padding to 256.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreprocessConfig {
    /// Digit mapped to label 1.
    pub positive_digit: u8,
    /// Digit mapped to label 0.
    pub negative_digit: u8,
    /// Side of the square pooling block; must divide the image rows and columns.
    pub pool: usize,
    /// Width of a `z` row: at least 1 + number of features.
    pub pad_to: usize,
}

impl Default for PreprocessConfig {
    fn default() -> Self {
        Self {
            positive_digit: 8,
            negative_digit: 3,
            pool: 2,
            pad_to: 256,
        }
    }
}

/// One preprocessed split.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Number of rows.
    pub n: usize,
    /// Features per row (`f0`, 196 for MNIST with 2x2 pooling).
    pub n_features: usize,
    /// Width of a `z` row (`f`, 256).
    pub width: usize,
    /// Scaled features, row-major `n x n_features`.
    pub x: Vec<f64>,
    /// Labels in {0, 1}.
    pub y: Vec<u8>,
    /// `y'_i (1, x_i)` zero-padded, row-major `n x width`.
    pub z: Vec<f64>,
}

impl Dataset {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.n
    }

    /// True if there are no rows.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Features of row `i`. Panics if `i >= n` (like slice indexing).
    pub fn x_row(&self, i: usize) -> &[f64] {
        &self.x[i * self.n_features..(i + 1) * self.n_features]
    }

    /// `z` row `i`. Panics if `i >= n` (like slice indexing).
    pub fn z_row(&self, i: usize) -> &[f64] {
        &self.z[i * self.width..(i + 1) * self.width]
    }

    /// Count of rows with label 1 and with label 0.
    pub fn class_counts(&self) -> (usize, usize) {
        let pos = self.y.iter().filter(|&&v| v == 1).count();
        (pos, self.n - pos)
    }
}

/// Training and test sets preprocessed together (test scaled with the training divisors).
#[derive(Debug, Clone, PartialEq)]
pub struct BinaryTask {
    /// Training set.
    pub train: Dataset,
    /// Test set.
    pub test: Dataset,
    /// Per-feature divisor: max |feature| over the training rows (0 for an all-zero column).
    pub column_max: Vec<f64>,
    /// The configuration used.
    pub config: PreprocessConfig,
}

impl PreprocessConfig {
    /// Checks the digits and sizes against images of `rows x cols` pixels from `path`.
    pub fn validate(&self, path: &Path, rows: usize, cols: usize) -> Result<usize> {
        if self.positive_digit == self.negative_digit {
            return Err(DataError::InvalidConfig {
                field: "preprocess.positive_digit",
                reason: format!(
                    "equals negative_digit ({}); the two classes must differ",
                    self.negative_digit
                ),
            });
        }
        if self.pool == 0
            || !rows.is_multiple_of(self.pool)
            || !cols.is_multiple_of(self.pool)
            || rows == 0
        {
            return Err(DataError::BadShape {
                path: path.to_path_buf(),
                rows,
                cols,
                reason: format!("pool {} must be > 0 and divide both sides", self.pool),
            });
        }
        let features = (rows / self.pool) * (cols / self.pool);
        if self.pad_to < features + 1 {
            return Err(DataError::InvalidConfig {
                field: "preprocess.pad_to",
                reason: format!("{} is less than 1 + {features} features", self.pad_to),
            });
        }
        Ok(features)
    }
}

/// Selected, pooled (unscaled) features and labels of one split.
fn select_and_pool(set: &LabelledImages, cfg: &PreprocessConfig) -> Result<(Vec<f64>, Vec<u8>)> {
    let im = &set.images;
    let features = cfg.validate(&set.images_path, im.rows, im.cols)?;
    let (pr, pc) = (im.rows / cfg.pool, im.cols / cfg.pool);
    let norm = 1.0 / (255.0 * (cfg.pool * cfg.pool) as f64);
    let mut x = Vec::new();
    let mut y = Vec::new();
    for (i, &label) in set.labels.iter().enumerate() {
        let class = if label == cfg.positive_digit {
            1
        } else if label == cfg.negative_digit {
            0
        } else {
            continue;
        };
        let Some(pixels) = im.image(i) else {
            // LabelledImages guarantees count == labels.len(); a short pixel buffer is a bug
            // in whoever built the struct by hand.
            return Err(DataError::Truncated {
                path: set.images_path.clone(),
                expected: (im.count * im.image_len()) as u64,
                found: im.pixels.len() as u64,
            });
        };
        y.push(class);
        for br in 0..pr {
            for bc in 0..pc {
                let mut sum = 0u32;
                for r in br * cfg.pool..(br + 1) * cfg.pool {
                    let row = &pixels[r * im.cols..(r + 1) * im.cols];
                    sum += row[bc * cfg.pool..(bc + 1) * cfg.pool]
                        .iter()
                        .map(|&p| u32::from(p))
                        .sum::<u32>();
                }
                x.push(f64::from(sum) * norm);
            }
        }
        debug_assert_eq!(x.len(), y.len() * features);
    }
    if y.is_empty() {
        return Err(DataError::Empty {
            path: set.images_path.clone(),
            digits: [cfg.negative_digit, cfg.positive_digit],
        });
    }
    Ok((x, y))
}

/// Max |value| per column of a row-major `n x f` matrix.
pub fn column_max_abs(x: &[f64], f: usize) -> Vec<f64> {
    let mut m = vec![0.0f64; f];
    for row in x.chunks_exact(f) {
        for (mj, v) in m.iter_mut().zip(row) {
            *mj = mj.max(v.abs());
        }
    }
    m
}

fn build(x: Vec<f64>, y: Vec<u8>, column_max: &[f64], width: usize) -> Dataset {
    let f = column_max.len();
    let n = y.len();
    let mut x = x;
    for row in x.chunks_exact_mut(f) {
        for (v, &m) in row.iter_mut().zip(column_max) {
            *v = if m > 0.0 { *v / m } else { 0.0 };
        }
    }
    let mut z = vec![0.0; n * width];
    for (i, (zr, &yi)) in z.chunks_exact_mut(width).zip(&y).enumerate() {
        let s = 2.0 * f64::from(yi) - 1.0;
        zr[0] = s;
        for (zj, &xj) in zr[1..=f].iter_mut().zip(&x[i * f..(i + 1) * f]) {
            *zj = s * xj;
        }
    }
    Dataset {
        n,
        n_features: f,
        width,
        x,
        y,
        z,
    }
}

/// Preprocesses a training and a test split as HELR does (see the module docs).
pub fn binary_task(
    train: &LabelledImages,
    test: &LabelledImages,
    cfg: &PreprocessConfig,
) -> Result<BinaryTask> {
    let features = cfg.validate(&train.images_path, train.images.rows, train.images.cols)?;
    let test_features = cfg.validate(&test.images_path, test.images.rows, test.images.cols)?;
    if test_features != features {
        return Err(DataError::BadShape {
            path: test.images_path.clone(),
            rows: test.images.rows,
            cols: test.images.cols,
            reason: format!(
                "shape differs from the training images ({}x{})",
                train.images.rows, train.images.cols
            ),
        });
    }
    let (xtr, ytr) = select_and_pool(train, cfg)?;
    let (xte, yte) = select_and_pool(test, cfg)?;
    let column_max = column_max_abs(&xtr, features);
    Ok(BinaryTask {
        train: build(xtr, ytr, &column_max, cfg.pad_to),
        test: build(xte, yte, &column_max, cfg.pad_to),
        column_max,
        config: *cfg,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idx::Images;

    fn set(pixels: Vec<u8>, labels: Vec<u8>, side: usize) -> Result<LabelledImages> {
        let count = labels.len();
        LabelledImages::try_new(
            Images {
                count,
                rows: side,
                cols: side,
                pixels,
            },
            labels,
            Path::new("mem"),
            Path::new("mem-labels"),
        )
    }

    #[test]
    fn pooling_scaling_and_sign() -> Result<()> {
        // 4x4 images -> 2x2 features. Digit 5 must be dropped.
        #[rustfmt::skip]
        let a = vec![
            255, 255,   0, 0,
            255, 255,   0, 0,
              0,   0, 102, 0,
              0,   0,   0, 0u8,
        ];
        let b = vec![51u8; 16];
        let c = vec![7u8; 16];
        let pixels = [a, c, b].concat();
        let train = set(pixels, vec![3, 5, 8], 4)?;
        let cfg = PreprocessConfig {
            pad_to: 8,
            ..Default::default()
        };
        let t = binary_task(&train, &train, &cfg)?;
        assert_eq!(t.train.n, 2);
        assert_eq!(t.train.y, vec![0, 1]);
        // raw features: a = [1, 0, 0, 0.1], b = [0.2; 4]; column max = [1, .2, .2, .2]
        let expect = [1.0, 0.0, 0.0, 0.5, 0.2, 1.0, 1.0, 1.0];
        for (got, want) in t.train.x.iter().zip(expect) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
        assert_eq!(t.train.z_row(0)[0], -1.0);
        assert_eq!(t.train.z_row(0)[1], -1.0);
        assert_eq!(t.train.z_row(1)[0], 1.0);
        assert_eq!(&t.train.z_row(1)[5..], &[0.0, 0.0, 0.0]);
        assert_eq!(t.train.class_counts(), (1, 1));
        Ok(())
    }

    #[test]
    fn zero_column_stays_zero_on_test() -> Result<()> {
        let train = set(vec![0, 0, 0, 0, 0, 0, 0, 0], vec![3, 8], 2)?;
        let test = set(vec![9, 9, 9, 9], vec![8], 2)?;
        let cfg = PreprocessConfig {
            pad_to: 2,
            ..Default::default()
        };
        let t = binary_task(&train, &test, &cfg)?;
        assert_eq!(t.column_max, vec![0.0]);
        assert_eq!(t.test.x, vec![0.0]);
        assert_eq!(t.test.z, vec![1.0, 0.0]);
        Ok(())
    }

    #[test]
    fn config_errors() -> Result<()> {
        let s = set(vec![0; 9], vec![3], 3)?;
        let e = binary_task(&s, &s, &PreprocessConfig::default());
        assert!(matches!(e, Err(DataError::BadShape { .. })), "{e:?}");
        let s = set(vec![0; 16], vec![3], 4)?;
        let cfg = PreprocessConfig {
            pad_to: 4,
            ..Default::default()
        };
        let e = binary_task(&s, &s, &cfg);
        assert!(matches!(e, Err(DataError::InvalidConfig { .. })), "{e:?}");
        let cfg = PreprocessConfig {
            pad_to: 5,
            positive_digit: 1,
            negative_digit: 2,
            pool: 2,
        };
        let e = binary_task(&s, &s, &cfg);
        assert!(matches!(e, Err(DataError::Empty { .. })), "{e:?}");
        Ok(())
    }
}
