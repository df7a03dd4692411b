//! Every kernel path the CPU can run, checked against `tfhe-ntt` (order and values), a
//! naive negacyclic product, and its own inverse.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tfhe_ntt::prime64::Plan;

use super::Ntt;
use crate::kernel_path::KernelPath;
use crate::primes::largest_ntt_primes_below;

/// The paths to test here; says which ones this CPU cannot run.
pub(crate) fn testable_paths() -> Vec<KernelPath> {
    for p in KernelPath::ALL {
        if !p.is_supported() {
            eprintln!("skipping kernel path {p}: this CPU lacks its instructions");
        }
    }
    KernelPath::supported()
}

/// Primes of 50, 40 and 31 bits for size n, the largest first.
fn primes_for(n: usize) -> Vec<u64> {
    [50u32, 40, 31]
        .iter()
        .flat_map(|&b| largest_ntt_primes_below(1u64 << b, 2 * n as u64, 1, &[]))
        .collect()
}

fn random_residues(rng: &mut ChaCha8Rng, n: usize, p: u64) -> Vec<u64> {
    (0..n).map(|_| rng.gen_range(0..p)).collect()
}

fn naive_negacyclic_product(a: &[u64], b: &[u64], p: u64) -> Vec<u64> {
    let n = a.len();
    let p128 = u128::from(p);
    let mut out = vec![0u128; n];
    for (i, &ai) in a.iter().enumerate() {
        for (j, &bj) in b.iter().enumerate() {
            let prod = u128::from(ai) * u128::from(bj) % p128;
            let k = i + j;
            if k < n {
                out[k] = (out[k] + prod) % p128;
            } else {
                out[k - n] = (out[k - n] + p128 - prod) % p128;
            }
        }
    }
    out.into_iter().map(|x| x as u64).collect()
}

#[test]
fn forward_and_inverse_match_tfhe_ntt() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for path in testable_paths() {
        for log_n in [4u32, 5, 6, 10, 12, 13, 15] {
            let n = 1usize << log_n;
            for p in primes_for(n) {
                let ntt = Ntt::try_new(n, p, path).expect("ntt");
                let plan = Plan::try_new(n, p).expect("plan");
                let mut inputs = vec![random_residues(&mut rng, n, p), vec![p - 1; n]];
                inputs.push((0..n as u64).map(|i| i % 2 * (p - 1)).collect());
                for x in inputs {
                    let (mut ours, mut theirs) = (x.clone(), x.clone());
                    ntt.forward(&mut ours);
                    plan.fwd(&mut theirs);
                    assert_eq!(ours, theirs, "forward, path {path}, n {n}, p {p}");
                    let (mut back, mut theirs_back) = (ours.clone(), x.clone());
                    ntt.inverse(&mut back);
                    assert_eq!(back, x, "round trip, path {path}, n {n}, p {p}");
                    plan.inv(&mut theirs_back);
                    plan.normalize(&mut theirs_back);
                    let mut ours_inv = x.clone();
                    ntt.inverse(&mut ours_inv);
                    assert_eq!(ours_inv, theirs_back, "inverse, path {path}, n {n}, p {p}");
                }
            }
        }
    }
}

#[test]
fn pointwise_product_is_the_naive_negacyclic_product() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for path in testable_paths() {
        for log_n in [4u32, 6, 8] {
            let n = 1usize << log_n;
            for p in primes_for(n) {
                let ntt = Ntt::try_new(n, p, path).expect("ntt");
                let a = random_residues(&mut rng, n, p);
                let b = random_residues(&mut rng, n, p);
                let c = random_residues(&mut rng, n, p);
                let (mut fa, mut fb, mut fc) = (a.clone(), b.clone(), c.clone());
                ntt.forward(&mut fa);
                ntt.forward(&mut fb);
                ntt.forward(&mut fc);
                ntt.mul_accumulate(&mut fc, &fa, &fb);
                ntt.inverse(&mut fc);
                let ab = naive_negacyclic_product(&a, &b, p);
                let want: Vec<u64> = ab.iter().zip(&c).map(|(&x, &y)| (x + y) % p).collect();
                assert_eq!(fc, want, "path {path}, n {n}, p {p}");
            }
        }
    }
}

#[test]
fn mul_accumulate_matches_u128_arithmetic() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for path in testable_paths() {
        for p in primes_for(1024) {
            let ntt = Ntt::try_new(1024, p, path).expect("ntt");
            let mut x = random_residues(&mut rng, 1024, p);
            let mut y = random_residues(&mut rng, 1024, p);
            let mut acc = random_residues(&mut rng, 1024, p);
            // Extremes: all of p - 1, and zeros.
            x[..8].fill(p - 1);
            y[..8].fill(p - 1);
            acc[..4].fill(p - 1);
            x[8..12].fill(0);
            let want: Vec<u64> = acc
                .iter()
                .zip(&x)
                .zip(&y)
                .map(|((&o, &a), &b)| {
                    ((u128::from(o) + u128::from(a) * u128::from(b)) % u128::from(p)) as u64
                })
                .collect();
            ntt.mul_accumulate(&mut acc, &x, &y);
            assert_eq!(acc, want, "path {path}, p {p}");
        }
    }
}

#[test]
fn refuses_primes_of_50_bits_or_more() {
    let p = largest_ntt_primes_below(1u64 << 51, 2048, 1, &[])[0];
    assert!(Ntt::try_new(1024, p, KernelPath::Scalar).is_err());
}
