//! `peer-compare`: times the same CKKS operations in lowdepth-ckks, Microsoft SEAL (through
//! TenSEAL, `seal_peer.py`) and OpenFHE (`openfhe_peer.py`) on the same machine in one run,
//! in interleaved rounds (ours, seal, openfhe, ours, ...), and writes DIR/peers.csv
//! (wall clock), DIR/peers-cpu.csv (process CPU time), DIR/machine.txt and DIR/params.jsonl.
//!
//! ```sh
//! scripts/peers.sh results/peers        # installs the peers, builds, runs
//! ```

mod atomic_write;
mod cli;
mod machine;
mod ours;
mod peers;
mod samples;
mod stats;
mod summary;
mod targets;
mod utc;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use clap::Parser;

use crate::atomic_write::write_atomic;
use crate::cli::Args;
use crate::machine::{loadavg, RunFacts};
use crate::ours::Ours;
use crate::ours::Timed;
use crate::peers::{PeerCommand, PeerProcess};
use crate::samples::{Measure, RowKey, Samples};

/// Everything one run collects.
struct Run {
    samples: Samples,
    facts: RunFacts,
    /// (log N, levels, threads) blocks in the order run.
    blocks: Vec<(u32, usize, usize)>,
}

fn progress(msg: &str) {
    eprintln!("[{}] {msg}", utc::utc_now());
}

/// Peer commands, or the install instructions of every missing peer.
fn peer_commands(args: &Args, scripts: &Path) -> Result<Vec<(PeerCommand, String)>, String> {
    let mut ok = Vec::new();
    let mut missing = Vec::new();
    for &kind in &args.peers {
        let python = match kind {
            peers::PeerKind::Seal => args.seal_python.clone(),
            peers::PeerKind::OpenFhe => args.openfhe_python.clone(),
        }
        .unwrap_or_else(|| kind.default_python());
        let env = match (kind, &args.omp_wait_policy) {
            (peers::PeerKind::OpenFhe, Some(policy)) => {
                vec![("OMP_WAIT_POLICY".to_string(), policy.clone())]
            }
            _ => Vec::new(),
        };
        let cmd = PeerCommand {
            kind,
            python,
            scripts: scripts.to_path_buf(),
            env,
        };
        match cmd.check_installed() {
            Ok(version) => {
                let (package, pinned) = kind.pinned();
                if version != pinned {
                    progress(&format!(
                        "warning: {package} {version} installed, pinned {pinned}"
                    ));
                }
                ok.push((cmd, format!("{package} {version}")));
            }
            Err(msg) => missing.push(msg),
        }
    }
    if missing.is_empty() {
        Ok(ok)
    } else {
        Err(missing.join("\n"))
    }
}

/// One (preset, threads) block: peers started, then `rounds` interleaved rounds.
fn run_block(
    args: &Args,
    run: &mut Run,
    ours: &Ours,
    preset: &str,
    threads: usize,
    peers: &[(PeerCommand, String)],
) -> Result<()> {
    let (log_n, levels) = (ours.params.log_n(), ours.params.max_level());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let mut started: Vec<PeerProcess> = Vec::new();
    for (cmd, _) in peers.iter().filter(|(c, _)| c.kind.runs_at(threads)) {
        progress(&format!(
            "{preset} threads={threads}: starting {} (keygen)",
            cmd.kind
        ));
        let t = Instant::now();
        let peer = cmd.spawn(preset, args.reps, threads)?;
        progress(&format!(
            "{preset} threads={threads}: {} ready in {:.1} s",
            cmd.kind,
            t.elapsed().as_secs_f64()
        ));
        run.facts.metas.push(peer.meta);
        started.push(peer.process);
    }
    let mut add = |engine: &str, ops: Vec<Timed>| {
        for Timed { op, wall, cpu } in ops {
            let key = RowKey {
                log_n,
                levels,
                threads,
                engine: engine.to_string(),
                op,
            };
            run.samples.add(key, &wall, &cpu);
        }
    };
    for round in 1..=args.rounds {
        let t = Instant::now();
        add("lowdepth", ours.round(&pool, args.reps)?);
        progress(&format!(
            "{preset} threads={threads} round {round}/{}: lowdepth {:.1} s, load {}",
            args.rounds,
            t.elapsed().as_secs_f64(),
            loadavg()
        ));
        for peer in &mut started {
            let t = Instant::now();
            let ops = peer.round()?;
            add(
                peer.kind.engine(),
                ops.into_iter()
                    .map(|o| Timed {
                        op: o.op,
                        wall: o.samples_ms,
                        cpu: o.cpu_samples_ms,
                    })
                    .collect(),
            );
            progress(&format!(
                "{preset} threads={threads} round {round}/{}: {} {:.1} s, load {}",
                args.rounds,
                peer.kind,
                t.elapsed().as_secs_f64(),
                loadavg()
            ));
        }
    }
    for peer in started {
        peer.finish()?;
    }
    run.blocks.push((log_n, levels, threads));
    Ok(())
}

fn run(args: &Args) -> Result<ExitCode> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = crate_dir.ancestors().nth(2).unwrap_or(crate_dir);
    let scripts = args
        .scripts
        .clone()
        .unwrap_or_else(|| crate_dir.to_path_buf());
    for preset in &args.presets {
        ours::preset_params(preset)?; // reject a bad preset before any slow work
    }
    let peers = match peer_commands(args, &scripts) {
        Ok(p) => p,
        Err(msg) => {
            eprintln!("peer-compare: {msg}");
            return Ok(ExitCode::from(2));
        }
    };
    // The path the engine's parameters take (LOWDEPTH_CKKS_ISA forces one).
    let isa = lowdepth_ckks::KernelPath::active().name().to_string();
    let mut run = Run {
        samples: Samples::default(),
        facts: RunFacts {
            // scripts/peers.sh names itself; a direct run records its own argv.
            command: std::env::var("PEER_COMPARE_INVOKED_AS")
                .unwrap_or_else(|_| std::env::args().collect::<Vec<_>>().join(" ")),
            argv: std::env::args().collect::<Vec<_>>().join(" "),
            revision: machine::git_revision(workspace),
            started: utc::utc_now(),
            load_start: loadavg(),
            isa: isa.clone(),
            peer_versions: peers
                .iter()
                .map(|(c, v)| (c.kind.engine().to_string(), v.clone()))
                .collect(),
            settings: format!(
                "presets {} | threads {:?} | reps {} (rescale {}) | rounds {} | openfhe OMP_WAIT_POLICY {}",
                args.presets.join(","),
                args.threads,
                args.reps,
                ours::light_reps(args.reps),
                args.rounds,
                args.omp_wait_policy.as_deref().unwrap_or("unset"),
            ),
            ..Default::default()
        },
        blocks: Vec::new(),
    };
    progress(&format!(
        "peer-compare: isa {isa} | {} | load {}",
        run.facts.settings, run.facts.load_start
    ));
    if args.peers.contains(&peers::PeerKind::Seal) && !args.threads.contains(&1) {
        progress("note: SEAL is single-threaded and is timed at threads=1 only; none requested");
    }
    for preset in &args.presets {
        progress(&format!("{preset}: lowdepth keygen and check"));
        let ours = Ours::new(preset)?;
        run.facts.metas.push(ours.meta.clone());
        for &threads in &args.threads {
            run_block(args, &mut run, &ours, preset, threads, &peers)?;
        }
    }
    run.facts.finished = utc::utc_now();
    run.facts.load_end = loadavg();
    write_outputs(args, &run, &isa)?;
    Ok(ExitCode::SUCCESS)
}

fn write_outputs(args: &Args, run: &Run, isa: &str) -> Result<()> {
    let out: PathBuf = args.out.clone();
    write_atomic(
        &out.join("peers.csv"),
        &run.samples.to_csv(isa, Measure::Wall),
    )?;
    write_atomic(
        &out.join("peers-cpu.csv"),
        &run.samples.to_csv(isa, Measure::Cpu),
    )?;
    write_atomic(&out.join("machine.txt"), &machine::render(&run.facts))?;
    let params: String = run.facts.metas.iter().map(|m| format!("{m}\n")).collect();
    write_atomic(&out.join("params.jsonl"), &params)?;

    for measure in [Measure::Wall, Measure::Cpu] {
        println!("{}", summary::table(&run.samples, &run.blocks, measure));
    }
    let presets_run: Vec<(u32, usize)> = run.blocks.iter().map(|&(n, l, _)| (n, l)).collect();
    for v in targets::verdicts(&run.samples, &presets_run) {
        println!("{}", v.line());
    }
    println!(
        "\nload average: start {}, end {}",
        run.facts.load_start, run.facts.load_end
    );
    println!(
        "wrote {0}/peers.csv, {0}/peers-cpu.csv, {0}/machine.txt, {0}/params.jsonl",
        out.display()
    );
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("peer-compare: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
