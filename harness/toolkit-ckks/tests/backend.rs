//! The adapter itself: scales, byte counts, the client/server split, error mapping,
//! security refusal. INSECURE small parameters.
#![allow(clippy::unwrap_used)]

use lowdepth_ckks::{CkksParameters, ParameterSpec, Security, Serializable};
use lowdepth_toolkit::planner::ParameterRequirement;
use lowdepth_toolkit::{Backend, ToolkitError};
use lowdepth_toolkit_ckks::{CkksSetup, EncryptionMode};

fn spec(log_n: u32, levels: usize, dnum: usize) -> ParameterSpec {
    ParameterSpec {
        log_n,
        log_scale: 40,
        first_prime_bits: 50,
        levels,
        dnum,
        security: Security::InsecureForTests,
    }
}

fn requirement(levels: usize, min_log_n: u32, steps: Vec<usize>) -> ParameterRequirement {
    ParameterRequirement {
        levels,
        log_scale: 40,
        first_prime_bits: 45,
        special_prime_bits: 50,
        special_primes: 1,
        dnum: levels + 1,
        log_q: 45 + 40 * levels as u32,
        log_qp: 95 + 40 * levels as u32,
        log_qp_bound: 0,
        min_log_n,
        rotation_steps: steps,
        switching_key_bytes: 0,
        evaluation_key_bytes: 0,
    }
}

#[test]
fn canonical_scales_equal_the_engines() {
    let (backend, _) = CkksSetup::from_spec(spec(10, 6, 3), &[], Some(1)).unwrap();
    let params = backend.params().clone();
    let eval = backend.into_evaluator().unwrap();
    for l in 0..=params.max_level() {
        assert_eq!(
            eval.canonical_scale(l).unwrap().to_bits(),
            params.canonical_scale(l).unwrap().to_bits(),
            "level {l}"
        );
    }
}

#[test]
fn relabel_moves_only_the_scale() {
    let (backend, _) = CkksSetup::from_spec(spec(10, 3, 2), &[], Some(3)).unwrap();
    let eval = backend.into_evaluator().unwrap();
    let x = [1.0, -2.0, 0.5, 3.0];
    let ct = eval.encrypt_canonical(&x, 2).unwrap();
    let before = eval.decrypt(&ct).unwrap();
    for c in [1e-6, 0.75, -4.0] {
        let r = eval.relabel(&ct, c).unwrap();
        assert_eq!(eval.level(&r), 2, "c = {c}: no level");
        assert!((eval.scale(&ct) / eval.scale(&r) - c.abs()).abs() <= 1e-15 * c.abs());
        // The same data under another scale: exactly c times the decryption, noise and all.
        let got = eval.decrypt(&r).unwrap();
        for (g, b) in got.iter().zip(&before) {
            // Decoding rounds relative to the largest slot (3): 1e-12 of it.
            assert!(
                (g - c * b).abs() <= 3e-12 * c.abs(),
                "c = {c}: {g} vs {}",
                c * b
            );
        }
    }
    // A relabelled operand multiplies and rescales like any other.
    let r = eval.relabel(&ct, 0.5).unwrap();
    let p = eval.decrypt(&eval.mul_rescale(&r, &ct).unwrap()).unwrap();
    for (g, v) in p.iter().zip(&x) {
        assert!((g - 0.5 * v * v).abs() < 1e-6, "{g} vs {}", 0.5 * v * v);
    }
}

#[test]
fn byte_counts_are_the_engines_serialized_sizes() {
    let (backend, report) = CkksSetup::from_spec(spec(10, 3, 2), &[1, 5, 511], Some(2)).unwrap();
    let p = backend.params().clone();
    let keys = backend.evaluation_keys();
    assert_eq!(report.galois_keys, 3);
    assert_eq!(
        report.relin_key_bytes,
        keys.relin_key().to_bytes(&p).unwrap().len() as u64
    );
    assert_eq!(
        report.galois_key_bytes,
        keys.galois_keys().to_bytes(&p).unwrap().len() as u64
    );
    assert_eq!(
        report.eval_key_bytes,
        report.relin_key_bytes + report.galois_key_bytes
    );
    for level in 0..=3 {
        let ct = backend.encrypt(&[0.5, -1.0], level, 2f64.powi(40)).unwrap();
        let full = ct.to_bytes(&p).unwrap().len() as u64;
        assert_eq!(backend.ciphertext_bytes(&ct), full);
        assert_eq!(backend.full_ciphertext_bytes(level).unwrap(), full);
        let seeded = backend
            .encrypt_seeded(&[0.5], level, 2f64.powi(40))
            .unwrap();
        let sb = seeded.to_bytes(&p).unwrap().len() as u64;
        assert_eq!(backend.seeded_ciphertext_bytes(level).unwrap(), sb);
        assert!(2 * sb < full + 200, "seeded {sb} vs full {full}");
    }
    // The tally saw the four `encrypt` calls, in seeded (upload) form.
    let tally = backend.take_encryption_tally();
    assert_eq!(tally.ciphertexts, 4);
    let want: u64 = (0..=3)
        .map(|l| backend.seeded_ciphertext_bytes(l).unwrap())
        .sum();
    assert_eq!(tally.upload_bytes, want);
    assert_eq!(backend.take_encryption_tally().ciphertexts, 0);
    assert!(backend.seeded_ciphertext_bytes(4).is_err());
}

#[test]
fn seeded_and_public_key_encryption_decrypt_alike() {
    let (mut backend, _) = CkksSetup::from_spec(spec(10, 2, 3), &[], Some(3)).unwrap();
    let x: Vec<f64> = (0..512).map(|i| f64::from(i) / 512.0 - 0.5).collect();
    let s = 2f64.powi(40);
    assert_eq!(backend.encryption_mode(), EncryptionMode::SeededSymmetric);
    let a = backend
        .decrypt(&backend.encrypt(&x, 2, s).unwrap())
        .unwrap();
    backend
        .set_encryption_mode(EncryptionMode::PublicKey)
        .unwrap();
    let b = backend
        .decrypt(&backend.encrypt(&x, 2, s).unwrap())
        .unwrap();
    for ((a, b), x) in a.iter().zip(&b).zip(&x) {
        assert!((a - x).abs() < 1e-6 && (b - x).abs() < 1e-6, "{a} {b} {x}");
    }
    // Server side: round trip of a seeded upload through serialization.
    let seeded = backend.encrypt_seeded(&x, 1, s).unwrap();
    let bytes = seeded.to_bytes(backend.params()).unwrap();
    let server = backend.server_view();
    let received =
        lowdepth_ckks::SeededCiphertext::try_from_bytes(&bytes, server.params()).unwrap();
    let ct = server.expand(&received).unwrap();
    let back = backend.decrypt(&ct).unwrap();
    assert!((back[7] - x[7]).abs() < 1e-6);
}

#[test]
fn the_server_view_holds_no_secret() {
    let (client, _) = CkksSetup::from_spec(spec(10, 2, 3), &[1], Some(4)).unwrap();
    let server = client.server_view();
    assert!(client.has_secret_key() && !server.has_secret_key());
    let ct = client.encrypt(&[1.0], 2, 2f64.powi(40)).unwrap();
    // The server evaluates ...
    let rotated = server.rotate(&server.add(&ct, &ct).unwrap(), 1).unwrap();
    // ... but cannot decrypt or encrypt with the secret key.
    assert!(matches!(
        server.decrypt(&rotated),
        Err(ToolkitError::Backend(m)) if m.contains("no secret key")
    ));
    assert!(server.encrypt_seeded(&[1.0], 2, 2f64.powi(40)).is_err());
    let mut s2 = server.clone();
    assert!(s2
        .set_encryption_mode(EncryptionMode::SeededSymmetric)
        .is_err());
    // Public-key encryption still works on the server view.
    let fresh = server.encrypt(&[0.25], 2, 2f64.powi(40)).unwrap();
    assert!((client.decrypt(&fresh).unwrap()[0] - 0.25).abs() < 1e-6);
    assert!(format!("{server:?}").contains("has_secret_key: false"));
}

#[test]
fn rotation_keys_are_exactly_the_requested_steps() {
    let (backend, report) = CkksSetup::from_spec(spec(10, 2, 3), &[3, 500], Some(5)).unwrap();
    assert_eq!(report.rotation_steps, vec![3, 500]);
    assert!(backend.has_rotation_key(3) && backend.has_rotation_key(500));
    assert!(!backend.has_rotation_key(1) && !backend.has_rotation_key(4));
    let eval = backend.into_evaluator().unwrap();
    let ct = eval.encrypt_canonical(&[1.0, 2.0, 3.0, 4.0], 2).unwrap();
    assert_eq!(
        eval.rotate(&ct, 1).err(),
        Some(ToolkitError::MissingRotationKey { step: 1 })
    );
    // -12 = 500 (mod 512): slot 0 receives slot 500; 3 left: slot 0 receives slot 3.
    let r = eval.decrypt(&eval.rotate(&ct, 3).unwrap()).unwrap();
    assert!((r[0] - 4.0).abs() < 1e-6);
    let r = eval.decrypt(&eval.rotate(&ct, -12).unwrap()).unwrap();
    assert!((r[12] - 1.0).abs() < 1e-6);
    // Engine errors raised below the evaluator map to the specific variant.
    assert_eq!(
        eval.backend().rotate(&ct, 1).err(),
        Some(ToolkitError::MissingRotationKey { step: 1 })
    );
    assert!(matches!(
        eval.backend()
            .rescale(&eval.backend().drop_to_level(&ct, 0).unwrap()),
        Err(ToolkitError::LevelExhausted { .. })
    ));
}

#[test]
fn setup_refuses_what_it_cannot_build() {
    // 128-bit: 20 levels at N = 2^11 are far above the bound.
    let req = requirement(20, 11, vec![1]);
    assert!(matches!(
        CkksSetup::for_circuit(&req, Security::Bits128, Some(1)),
        Err(ToolkitError::NoSecureParameters(_))
    ));
    // Steps must be normalised to N/2.
    assert!(matches!(
        CkksSetup::for_circuit(
            &requirement(2, 10, vec![512]),
            Security::InsecureForTests,
            Some(1)
        ),
        Err(ToolkitError::InvalidParameters(_))
    ));
    // Depth 0, too-large primes, a ring beyond the engine.
    assert!(CkksSetup::spec_for(&requirement(0, 12, vec![]), Security::Bits128).is_err());
    let mut big = requirement(2, 12, vec![]);
    big.special_prime_bits = 60;
    assert!(CkksSetup::spec_for(&big, Security::Bits128).is_err());
    assert!(matches!(
        CkksSetup::for_circuit(&requirement(2, 18, vec![]), Security::Bits128, Some(1)),
        Err(ToolkitError::InvalidParameters(_))
    ));
    // The same checks without keys: a ring beyond the engine, or beyond the 128-bit bound.
    let check = CkksSetup::check_parameters;
    assert!(check(&requirement(2, 18, vec![]), Security::Bits128, None).is_err());
    assert!(check(&requirement(2, 12, vec![]), Security::Bits128, None).is_err());
    assert!(check(
        &requirement(2, 12, vec![]),
        Security::InsecureForTests,
        None
    )
    .is_ok());
    assert!(check(
        &requirement(2, 17, vec![]),
        Security::InsecureForTests,
        Some(12)
    )
    .is_ok());
    assert!(check(&requirement(1, 13, vec![1]), Security::Bits128, None).is_ok());
    // A secure small set is accepted: N = 2^13, 1 level, q_0 45 + 40 + one 50-bit special.
    let (backend, report) =
        CkksSetup::for_circuit(&requirement(1, 13, vec![1]), Security::Bits128, Some(1)).unwrap();
    assert!(report.secure_128 && report.log_qp <= 218.0);
    assert_eq!(report.moduli, backend.params().moduli());
    assert_ne!(
        backend.params(),
        &CkksParameters::insecure_test_n10_l4().unwrap()
    );
}

#[test]
fn the_server_keys_are_decoded_from_the_bytes_the_customer_sends() {
    use lowdepth_ckks::KeyGenerator;
    use lowdepth_toolkit_ckks::KeyUpload;
    let params = CkksParameters::try_new(spec(10, 2, 3)).unwrap();
    let mut kg = KeyGenerator::from_seed(&params, [9u8; 32]);
    let sk = kg.secret_key();
    let rlk = kg.relinearization_key(&sk).unwrap();
    let gk = kg.galois_keys(&sk, &[1, 3], false).unwrap();
    let steps = [1usize, 3].into_iter().collect();
    let upload = KeyUpload::encode(&params, None, &rlk, &gk, steps).unwrap();
    assert_eq!(
        upload.eval_key_bytes(),
        (rlk.to_bytes(&params).unwrap().len() + gk.to_bytes(&params).unwrap().len()) as u64
    );
    let keys = upload.decode().unwrap();
    assert_eq!(keys.params(), &params);
    assert_eq!(keys.galois_key_count(), 2);
    assert!(keys.public_key().is_none());
    // A flipped bit anywhere in what was sent is refused, naming the object.
    for field in 0..3 {
        let mut bad = upload.clone();
        let bytes = match field {
            0 => &mut bad.parameters,
            1 => &mut bad.relin_key,
            _ => &mut bad.galois_keys,
        };
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x10;
        let err = bad.decode().unwrap_err().to_string();
        assert!(err.contains("digest"), "field {field}: {err}");
    }
}

#[test]
fn upload_figures_are_lengths_of_sent_bytes() {
    let (backend, report) = CkksSetup::from_spec(spec(10, 2, 3), &[1], Some(5)).unwrap();
    let p = backend.params().clone();
    let keys = backend.evaluation_keys();
    assert_eq!(
        report.public_key_bytes,
        keys.public_key().unwrap().to_bytes(&p).unwrap().len() as u64
    );
    let ct = backend.encrypt(&[0.25], 2, 2f64.powi(40)).unwrap();
    let tally = backend.take_encryption_tally();
    assert_eq!(
        tally.upload_bytes,
        backend.seeded_ciphertext_bytes(2).unwrap()
    );
    assert_eq!(tally.expanded_bytes, ct.to_bytes(&p).unwrap().len() as u64);
}
