//! Every kernel path this CPU can run gives bit-identical keys and ciphertexts, and
//! decrypts correctly, for the same seeds (INSECURE small parameters).

use std::sync::Arc;

use lowdepth_ckks::*;

/// What one path computes from fixed seeds: the ciphertexts of a chain of operations and
/// the decrypted result of each.
struct Run {
    ciphertexts: Vec<Ciphertext>,
    decoded: Vec<Vec<f64>>,
}

fn run_on(path: KernelPath, spec: ParameterSpec) -> Run {
    let params = CkksParameters::with_kernel_path(spec, path).expect("params");
    assert_eq!(params.kernel_path(), path);
    let mut kg = KeyGenerator::from_seed(&params, [3u8; 32]);
    let sk = kg.secret_key();
    let pk = kg.public_key(&sk).expect("pk");
    let rlk = kg.relinearization_key(&sk).expect("rlk");
    let gk = kg.galois_keys(&sk, &[1, -3], true).expect("gk");
    let enc = Encryptor::from_seed(&params, pk, [5u8; 32]).expect("enc");
    let ecd = Encoder::new(&params);
    let ev = Evaluator::new(&params, Some(Arc::new(rlk)), Some(Arc::new(gk))).expect("ev");
    let dec = Decryptor::new(&sk);
    let top = params.max_level();
    let scale = params.canonical_scale(top).expect("scale");
    let x: Vec<f64> = (0..params.slots())
        .map(|i| (i as f64 * 0.37).sin())
        .collect();
    let y: Vec<f64> = (0..params.slots())
        .map(|i| (i as f64 * 0.11).cos())
        .collect();
    let cx = enc
        .encrypt(&ecd.encode(&x, top, scale).expect("encode"))
        .expect("encrypt");
    let cy = enc
        .encrypt(&ecd.encode(&y, top, scale).expect("encode"))
        .expect("encrypt");
    let prod = ev
        .rescale(&ev.mul(&cx, &cy).expect("mul"))
        .expect("rescale");
    let rot = ev.rotate(&prod, 1).expect("rotate");
    let back = ev.rotate(&rot, -3).expect("rotate");
    let conj = ev.conjugate(&cx).expect("conjugate");
    let ciphertexts = vec![cx, prod, rot, back, conj];
    let decoded = ciphertexts
        .iter()
        .map(|c| {
            ecd.decode(&dec.decrypt(c).expect("decrypt"))
                .expect("decode")
        })
        .collect();
    let want_prod: Vec<f64> = x.iter().zip(&y).map(|(a, b)| a * b).collect();
    let got: &Vec<Vec<f64>> = &decoded;
    let slots = x.len();
    for i in 0..slots {
        assert!(
            (got[1][i] - want_prod[i]).abs() < 1e-5,
            "{path}: product slot {i}"
        );
        let r = want_prod[(i + 1) % slots];
        assert!((got[2][i] - r).abs() < 1e-5, "{path}: rotated slot {i}");
        let b = want_prod[(i + slots - 2) % slots];
        assert!(
            (got[3][i] - b).abs() < 1e-5,
            "{path}: rotated back slot {i}"
        );
        assert!(
            (got[4][i] - x[i]).abs() < 1e-5,
            "{path}: conjugated slot {i}"
        );
    }
    Run {
        ciphertexts,
        decoded,
    }
}

fn paths_this_cpu_runs() -> Vec<KernelPath> {
    for p in KernelPath::ALL {
        if !p.is_supported() {
            eprintln!("skipping kernel path {p}: this CPU lacks its instructions");
        }
    }
    KernelPath::supported()
}

fn assert_paths_agree(spec: ParameterSpec) {
    let paths = paths_this_cpu_runs();
    let reference = run_on(KernelPath::Scalar, spec);
    for path in paths {
        let run = run_on(path, spec);
        assert!(
            run.ciphertexts == reference.ciphertexts,
            "{path}: ciphertexts differ from the scalar path's"
        );
        assert_eq!(
            run.decoded, reference.decoded,
            "{path}: decoded values differ"
        );
    }
}

#[test]
fn all_paths_give_identical_ciphertexts_n10() {
    let preset = CkksParameters::insecure_test_n10_l4().expect("preset");
    assert_paths_agree(*preset.spec());
}

#[test]
fn all_paths_give_identical_ciphertexts_n12_one_special_prime() {
    assert_paths_agree(ParameterSpec {
        log_n: 12,
        log_scale: 35,
        first_prime_bits: 49,
        levels: 5,
        dnum: 6,
        security: Security::InsecureForTests,
    });
}

#[test]
fn unsupported_path_is_refused_with_a_clear_error() {
    for path in KernelPath::ALL {
        let spec = ParameterSpec {
            log_n: 10,
            log_scale: 40,
            first_prime_bits: 50,
            levels: 2,
            dnum: 1,
            security: Security::InsecureForTests,
        };
        let got = CkksParameters::with_kernel_path(spec, path);
        if path.is_supported() {
            assert!(got.is_ok(), "{path}: {got:?}");
        } else {
            let err = got.expect_err("unsupported path");
            assert!(err.to_string().contains(path.name()), "{err}");
        }
    }
}

#[test]
fn active_path_is_supported_and_named() {
    let active = KernelPath::active();
    assert!(active.is_supported());
    assert!(["ifma", "avx512", "avx2", "scalar"].contains(&active.name()));
}
