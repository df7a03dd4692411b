//! Round trips of the binary format and robustness of the decoders (never panic).

use std::sync::{Arc, OnceLock};

use lowdepth_ckks::*;
use proptest::prelude::*;
use sha2::{Digest, Sha256};

/// Replaces the trailing digest so that a mutated object reaches the parser (which must
/// still reject or accept it without panicking).
fn reseal(bytes: &[u8]) -> Vec<u8> {
    let body = &bytes[..bytes.len().saturating_sub(DIGEST_LEN)];
    let mut out = body.to_vec();
    out.extend_from_slice(&Sha256::digest(body));
    out
}

fn decode_error(r: Result<impl Sized>) -> String {
    match r {
        Err(CkksError::Decode { reason, .. }) => reason,
        Err(e) => panic!("expected a decode error, got {e}"),
        Ok(_) => panic!("expected a decode error, got a value"),
    }
}

struct Fixture {
    params: CkksParameters,
    other: CkksParameters,
    sk: SecretKey,
    ct: Vec<u8>,
    seeded: Vec<u8>,
    pk: Vec<u8>,
    rlk: Vec<u8>,
    gk: Vec<u8>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let params = CkksParameters::insecure_test_n10_l4().expect("params");
        let other = CkksParameters::insecure_test_n11_l6().expect("params");
        let mut kg = KeyGenerator::from_seed(&params, [5u8; 32]);
        let sk = kg.secret_key();
        let pk = kg.public_key(&sk).expect("pk");
        let rlk = kg.relinearization_key(&sk).expect("rlk");
        let gk = kg.galois_keys(&sk, &[1, -2], true).expect("gk");
        let ecd = Encoder::new(&params);
        let pt = ecd
            .encode(&[0.5, -0.25], 3, params.canonical_scale(3).expect("scale"))
            .expect("encode");
        let ct = Encryptor::from_seed(&params, pk.clone(), [1u8; 32])
            .expect("enc")
            .encrypt(&pt)
            .expect("encrypt");
        let seeded = SymmetricEncryptor::from_seed(&sk, [2u8; 32])
            .encrypt(&pt)
            .expect("sym");
        Fixture {
            ct: ct.to_bytes(&params).expect("ct"),
            seeded: seeded.to_bytes(&params).expect("seeded"),
            pk: pk.to_bytes(&params).expect("pk"),
            rlk: rlk.to_bytes(&params).expect("rlk"),
            gk: gk.to_bytes(&params).expect("gk"),
            params,
            other,
            sk,
        }
    })
}

fn decode_all(bytes: &[u8], p: &CkksParameters) {
    // Results are ignored: the point is that none of these panics.
    let _ = CkksParameters::try_from_bytes(bytes);
    let _ = Ciphertext::try_from_bytes(bytes, p);
    let _ = SeededCiphertext::try_from_bytes(bytes, p);
    let _ = PublicKey::try_from_bytes(bytes, p);
    let _ = RelinearizationKey::try_from_bytes(bytes, p);
    let _ = GaloisKeys::try_from_bytes(bytes, p);
}

#[test]
fn round_trips_and_exact_sizes() {
    let f = fixture();
    let p = &f.params;
    let ct = Ciphertext::try_from_bytes(&f.ct, p).expect("ct");
    assert_eq!(ct.serialized_size(p), f.ct.len());
    assert_eq!(ct.to_bytes(p).expect("re-encode"), f.ct);
    let seeded = SeededCiphertext::try_from_bytes(&f.seeded, p).expect("seeded");
    assert_eq!(seeded.serialized_size(p), f.seeded.len());
    eprintln!(
        "ciphertext {} bytes, seeded {} bytes (ratio {:.3})",
        f.ct.len(),
        f.seeded.len(),
        f.seeded.len() as f64 / f.ct.len() as f64
    );
    assert!((f.seeded.len() as f64) < 0.51 * f.ct.len() as f64);
    let pk = PublicKey::try_from_bytes(&f.pk, p).expect("pk");
    assert_eq!(pk.serialized_size(p), f.pk.len());
    let rlk = RelinearizationKey::try_from_bytes(&f.rlk, p).expect("rlk");
    assert_eq!(rlk.serialized_size(p), f.rlk.len());
    assert_eq!(rlk.to_bytes(p).expect("re-encode"), f.rlk);
    // Switching keys are stored seeded: only the b_j are written, about a quarter of the
    // in-memory size (u64 words, both halves) at these ~45-bit residues.
    eprintln!(
        "relin key: {} bytes serialized, {} bytes in memory",
        f.rlk.len(),
        rlk.memory_bytes()
    );
    assert!((f.rlk.len() as f64) < 0.5 * 0.75 * rlk.memory_bytes() as f64);
    let gk = GaloisKeys::try_from_bytes(&f.gk, p).expect("gk");
    assert_eq!(gk.serialized_size(p), f.gk.len());
    assert_eq!(gk.to_bytes(p).expect("re-encode"), f.gk);
    let pb = p.to_bytes();
    assert_eq!(pb.len(), p.serialized_size());
    assert_eq!(&CkksParameters::try_from_bytes(&pb).expect("params"), p);

    // Deserialized keys and ciphertexts work.
    let ecd = Encoder::new(p);
    let ev = Evaluator::new(p, Some(Arc::new(rlk)), Some(Arc::new(gk))).expect("ev");
    let x = seeded.expand(p).expect("expand");
    let r = ev
        .rotate(&ev.mul(&ct, &x).expect("mul"), 1)
        .expect("rotate");
    let out = ecd
        .decode(&Decryptor::new(&f.sk).decrypt(&r).expect("decrypt"))
        .expect("decode");
    assert!((out[0] - (-0.25 * -0.25)).abs() < 1e-6, "{}", out[0]);
    let enc = Encryptor::new(p, pk).expect("enc");
    let pt = ecd.encode(&[0.125], 2, 2f64.powi(40)).expect("encode");
    let back = ecd
        .decode(
            &Decryptor::new(&f.sk)
                .decrypt(&enc.encrypt(&pt).expect("e"))
                .expect("d"),
        )
        .expect("decode");
    assert!((back[0] - 0.125).abs() < 1e-6);
}

#[test]
fn foreign_truncated_and_corrupted_inputs_are_errors() {
    let f = fixture();
    for bytes in [&f.ct, &f.seeded, &f.pk, &f.rlk, &f.gk] {
        assert!(matches!(
            Ciphertext::try_from_bytes(bytes, &f.other),
            Err(CkksError::Decode { .. })
        ));
    }
    assert!(Ciphertext::try_from_bytes(&f.ct[..f.ct.len() - 1], &f.params).is_err());
    let mut longer = f.ct.clone();
    longer.push(0);
    assert!(Ciphertext::try_from_bytes(&longer, &f.params).is_err());
    let mut bad = f.ct.clone();
    bad[0] ^= 1;
    assert!(Ciphertext::try_from_bytes(&bad, &f.params).is_err());
    // A residue forced to all ones (≥ q) is rejected by the digest, and with a fresh
    // digest by the range check.
    let mut bad = f.ct.clone();
    for b in &mut bad[48..64] {
        *b = 0xff;
    }
    assert!(decode_error(Ciphertext::try_from_bytes(&bad, &f.params)).contains("digest"));
    assert!(
        decode_error(Ciphertext::try_from_bytes(&reseal(&bad), &f.params))
            .contains("not below modulus")
    );
    assert!(PublicKey::try_from_bytes(&f.pk[..100], &f.params).is_err());
    assert!(GaloisKeys::try_from_bytes(&f.gk[..f.gk.len() / 2], &f.params).is_err());
}

#[test]
fn every_flipped_bit_is_caught_by_the_digest() {
    // Before the digest (format 1) about 5% of mutated ciphertexts decoded as valid: a
    // flipped residue bit that stays below q, or a changed scale.
    let f = fixture();
    for src in [&f.ct, &f.seeded, &f.pk, &f.rlk, &f.gk] {
        for i in (0..src.len()).step_by(src.len() / 97 + 1) {
            for bit in [0u8, 3, 7] {
                let mut flipped = src.clone();
                flipped[i] ^= 1 << bit;
                let reason = decode_error(Ciphertext::try_from_bytes(&flipped, &f.params));
                assert!(
                    reason.contains("digest")
                        || reason.contains("magic")
                        || reason.contains("version"),
                    "byte {i} bit {bit}: {reason}"
                );
            }
        }
    }
    let mut scale_changed = f.ct.clone();
    scale_changed[38 + 2 + 7] ^= 0x01; // top byte of the f64 scale
    assert!(decode_error(Ciphertext::try_from_bytes(&scale_changed, &f.params)).contains("digest"));
}

#[test]
fn an_older_format_version_is_named() {
    let f = fixture();
    let mut old = f.ct.clone();
    old[4] = 1;
    let reason = decode_error(Ciphertext::try_from_bytes(&old, &f.params));
    assert!(reason.contains("unsupported format version 1"), "{reason}");
}

#[test]
fn a_corrupted_parameter_blob_builds_no_ring() {
    // log_n byte changed from 10 to 16: without the digest the decoder would build a 2^16
    // ring before finding the fingerprint mismatch.
    let mut blob = fixture().params.to_bytes();
    blob[38] = 16;
    let reason = decode_error(CkksParameters::try_from_bytes(&blob));
    assert!(reason.contains("digest"), "{reason}");
}

#[test]
fn the_security_level_is_part_of_the_fingerprint() {
    let spec = |security| ParameterSpec {
        log_n: 14,
        log_scale: 40,
        first_prime_bits: 50,
        levels: 1,
        dnum: 1,
        security,
    };
    let secure = CkksParameters::try_new(spec(Security::Bits128)).expect("secure");
    let insecure = CkksParameters::try_new(spec(Security::InsecureForTests)).expect("insecure");
    assert_ne!(secure.fingerprint(), insecure.fingerprint());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        decode_all(&bytes, &fixture().params);
    }

    #[test]
    fn random_header_plus_garbage_never_panics(kind in 1u8..=6, tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let f = fixture();
        let mut bytes = f.ct[..38].to_vec();
        bytes[5] = kind;
        bytes.extend_from_slice(&tail);
        decode_all(&bytes, &f.params);
        decode_all(&reseal(&bytes), &f.params);
    }

    #[test]
    fn truncated_or_flipped_valid_bytes_never_panic(which in 0usize..5, cut in 0.0f64..1.0, flip in any::<usize>(), bit in 0u8..8) {
        let f = fixture();
        let src = [&f.ct, &f.seeded, &f.pk, &f.rlk, &f.gk][which];
        let cut_at = (src.len() as f64 * cut) as usize;
        decode_all(&src[..cut_at], &f.params);
        let mut flipped = src.clone();
        let i = flip % flipped.len();
        flipped[i] ^= 1 << bit;
        decode_all(&flipped, &f.params);
        decode_all(&reseal(&src[..cut_at]), &f.params);
        decode_all(&reseal(&flipped), &f.params);
    }
}
