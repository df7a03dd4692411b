//! NTT forward / inverse per kernel path at N = 2^15 and 2^16 with a 50-bit prime, next to
//! `tfhe-ntt` with the same prime (its IFMA code on IFMA CPUs) and with a 61-bit prime
//! (its AVX-512 code without IFMA on AVX-512 CPUs, its AVX2 code on AVX2 CPUs).
//! Run: `cargo bench -p lowdepth-ckks --bench ntt [-- <filter>]`, e.g. `-- 2^15`.

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use lowdepth_ckks::{KernelPath, Ntt};
use tfhe_ntt::prime::largest_prime_in_arithmetic_progression64;
use tfhe_ntt::prime64::Plan;

fn prime_below(bits: u32, n: usize) -> Option<u64> {
    largest_prime_in_arithmetic_progression64(2 * n as u64, 1, 0, (1u64 << bits) - 1)
}

fn bench_ntt(c: &mut Criterion) {
    for log_n in [15u32, 16] {
        let n = 1usize << log_n;
        let Some(p) = prime_below(50, n) else {
            continue;
        };
        let input: Vec<u64> = (0..n as u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) % p)
            .collect();
        let mut g = c.benchmark_group(format!("ntt_2^{log_n}"));
        g.sample_size(20)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(2));
        let mut buf = input.clone();
        for path in KernelPath::ALL {
            let Ok(ntt) = Ntt::try_new(n, p, path) else {
                eprintln!("skipping kernel path {path}: this CPU lacks its instructions");
                continue;
            };
            g.bench_function(format!("{}/fwd", path.name()), |b| {
                b.iter(|| ntt.forward(black_box(&mut buf)))
            });
            g.bench_function(format!("{}/inv", path.name()), |b| {
                b.iter(|| ntt.inverse(black_box(&mut buf)))
            });
        }
        let plans = [
            ("tfhe-ntt-50bit", Some(p)),
            ("tfhe-ntt-61bit", prime_below(61, n)),
        ];
        for (name, prime) in plans {
            let Some(plan) = prime.and_then(|q| Plan::try_new(n, q)) else {
                continue;
            };
            let mut buf: Vec<u64> = input.iter().map(|&x| x % plan.modulus()).collect();
            g.bench_function(format!("{name}/fwd"), |b| {
                b.iter(|| plan.fwd(black_box(&mut buf)))
            });
            g.bench_function(format!("{name}/inv"), |b| {
                b.iter(|| {
                    plan.inv(black_box(&mut buf));
                    plan.normalize(&mut buf);
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench_ntt);
criterion_main!(benches);
