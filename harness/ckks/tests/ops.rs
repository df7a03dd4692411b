//! Agreement tests: every homomorphic op against the f64 reference (INSECURE small sizes).

use std::sync::Arc;

use lowdepth_ckks::*;

struct Ctx {
    params: CkksParameters,
    sk: SecretKey,
    enc: Encryptor,
    ecd: Encoder,
    ev: Evaluator,
}

fn setup(params: CkksParameters, steps: &[i32]) -> Ctx {
    let mut kg = KeyGenerator::from_seed(&params, [7u8; 32]);
    let sk = kg.secret_key();
    let pk = kg.public_key(&sk).expect("pk");
    let rlk = kg.relinearization_key(&sk).expect("rlk");
    let gk = kg.galois_keys(&sk, steps, true).expect("gk");
    let enc = Encryptor::from_seed(&params, pk, [9u8; 32]).expect("enc");
    let ecd = Encoder::new(&params);
    let ev = Evaluator::new(&params, Some(Arc::new(rlk)), Some(Arc::new(gk))).expect("ev");
    Ctx {
        params,
        sk,
        enc,
        ecd,
        ev,
    }
}

fn values(n: usize, seed: u64) -> Vec<f64> {
    // Deterministic pseudo-random values in [-1, 1].
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect()
}

impl Ctx {
    fn top(&self) -> usize {
        self.params.max_level()
    }
    fn scale(&self, l: usize) -> f64 {
        self.params.canonical_scale(l).expect("scale")
    }
    fn encrypt(&self, v: &[f64], level: usize) -> Ciphertext {
        let pt = self
            .ecd
            .encode(v, level, self.scale(level))
            .expect("encode");
        self.enc.encrypt(&pt).expect("encrypt")
    }
    fn decrypt(&self, ct: &Ciphertext) -> Vec<f64> {
        let pt = Decryptor::new(&self.sk).decrypt(ct).expect("decrypt");
        self.ecd.decode(&pt).expect("decode")
    }
}

fn max_err(name: &str, got: &[f64], want: &[f64]) -> f64 {
    let e = got
        .iter()
        .zip(want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    eprintln!("{name}: max abs error = 2^{:.1}", e.log2());
    e
}

const TOL: f64 = 1e-7; // 2^-23

#[test]
fn encode_decode_precision() {
    let params = CkksParameters::insecure_test_n10_l4().expect("params");
    let ecd = Encoder::new(&params);
    let v = values(params.slots(), 1);
    for l in [0, params.max_level()] {
        let pt = ecd
            .encode(&v, l, params.canonical_scale(l).expect("s"))
            .expect("encode");
        let out = ecd.decode(&pt).expect("decode");
        assert!(max_err("encode/decode", &out, &v) < 1e-9);
    }
    // Big scale (2^90): coefficients above 2^64 must be reduced exactly.
    let pt = ecd
        .encode(&v, params.max_level(), 2f64.powi(90))
        .expect("encode");
    let out = ecd.decode(&pt).expect("decode");
    assert!(max_err("encode/decode at 2^90", &out, &v) < 1e-12);
    // Fewer values are zero-padded, more are an error.
    let out = ecd
        .decode(&ecd.encode(&[1.5], 1, 2f64.powi(40)).expect("encode"))
        .expect("decode");
    assert!((out[0] - 1.5).abs() < 1e-9 && out[1..].iter().all(|x| x.abs() < 1e-9));
    assert!(matches!(
        ecd.encode(&vec![0.0; params.slots() + 1], 1, 2f64.powi(40)),
        Err(CkksError::TooManyValues { .. })
    ));
}

#[test]
fn encrypt_decrypt_public_and_seeded() {
    let c = setup(CkksParameters::insecure_test_n10_l4().expect("params"), &[]);
    let v = values(c.params.slots(), 2);
    let ct = c.encrypt(&v, c.top());
    assert!(max_err("pk encrypt", &c.decrypt(&ct), &v) < TOL);
    let pt = c.ecd.encode(&v, 2, c.scale(2)).expect("encode");
    let seeded = SymmetricEncryptor::from_seed(&c.sk, [3u8; 32])
        .encrypt(&pt)
        .expect("sym");
    let ct = seeded.expand(&c.params).expect("expand");
    assert_eq!(ct.level(), 2);
    assert!(max_err("seeded encrypt", &c.decrypt(&ct), &v) < TOL);
}

#[test]
fn additive_ops_and_plain_ops() {
    let c = setup(CkksParameters::insecure_test_n10_l4().expect("params"), &[]);
    let l = c.top();
    let (a, b) = (values(c.params.slots(), 3), values(c.params.slots(), 4));
    let (ca, cb) = (c.encrypt(&a, l), c.encrypt(&b, l));
    let sum: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
    let dif: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x - y).collect();
    let prod: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x * y).collect();
    assert!(max_err("add", &c.decrypt(&c.ev.add(&ca, &cb).expect("add")), &sum) < TOL);
    assert!(max_err("sub", &c.decrypt(&c.ev.sub(&ca, &cb).expect("sub")), &dif) < TOL);
    let neg: Vec<f64> = a.iter().map(|x| -x).collect();
    assert!(max_err("negate", &c.decrypt(&c.ev.negate(&ca).expect("neg")), &neg) < TOL);
    let pb = c.ecd.encode(&b, l, c.scale(l)).expect("encode");
    assert!(
        max_err(
            "add_plain",
            &c.decrypt(&c.ev.add_plain(&ca, &pb).expect("ap")),
            &sum
        ) < TOL
    );
    assert!(
        max_err(
            "sub_plain",
            &c.decrypt(&c.ev.sub_plain(&ca, &pb).expect("sp")),
            &dif
        ) < TOL
    );
    // mul_plain at the scale that makes the rescaled result canonical.
    let pscale = c.scale(l - 1) * c.params.moduli()[l] as f64 / c.scale(l);
    let pb2 = c.ecd.encode(&b, l, pscale).expect("encode");
    let mp =
        c.ev.rescale(&c.ev.mul_plain(&ca, &pb2).expect("mp"))
            .expect("rs");
    assert!((mp.scale() / c.scale(l - 1) - 1.0).abs() < 1e-12);
    assert!(max_err("mul_plain+rescale", &c.decrypt(&mp), &prod) < TOL);
    let mc =
        c.ev.rescale(&c.ev.mul_const(&ca, -0.7, pscale).expect("mc"))
            .expect("rs");
    let want: Vec<f64> = a.iter().map(|x| -0.7 * x).collect();
    assert!(max_err("mul_const+rescale", &c.decrypt(&mc), &want) < TOL);
    let mi = c.ev.mul_int(&ca, -3).expect("mi");
    assert_eq!(mi.level(), l);
    let want: Vec<f64> = a.iter().map(|x| -3.0 * x).collect();
    assert!(max_err("mul_int", &c.decrypt(&mi), &want) < TOL);
    let dropped = c.ev.drop_to_level(&ca, 1).expect("drop");
    assert_eq!((dropped.level(), dropped.scale()), (1, ca.scale()));
    assert!(max_err("drop_to_level", &c.decrypt(&dropped), &a) < TOL);
}

#[test]
fn mismatches_are_errors() {
    let c = setup(CkksParameters::insecure_test_n10_l4().expect("params"), &[]);
    let v = values(8, 5);
    let a = c.encrypt(&v, c.top());
    let b = c.encrypt(&v, c.top() - 1);
    assert!(matches!(
        c.ev.add(&a, &b),
        Err(CkksError::LevelMismatch { .. })
    ));
    assert!(matches!(
        c.ev.mul(&a, &b),
        Err(CkksError::LevelMismatch { .. })
    ));
    let pt = c.ecd.encode(&v, c.top(), 2f64.powi(30)).expect("encode");
    let a2 = c.enc.encrypt(&pt).expect("enc");
    assert!(matches!(
        c.ev.add(&a, &a2),
        Err(CkksError::ScaleMismatch { .. })
    ));
    assert!(matches!(
        c.ev.rotate(&a, 5),
        Err(CkksError::MissingGaloisKey { step: 5 })
    ));
    let mut x = a.clone();
    for _ in 0..c.top() {
        x = c.ev.rescale(&x).expect("rescale");
    }
    assert_eq!(x.level(), 0);
    assert!(matches!(c.ev.rescale(&x), Err(CkksError::LevelExhausted)));
    let no_rlk = Evaluator::new(&c.params, None, None).expect("ev");
    assert!(matches!(
        no_rlk.mul(&a, &a),
        Err(CkksError::MissingRelinearizationKey)
    ));
}

#[test]
fn mul_relin_rescale_each_level() {
    let c = setup(CkksParameters::insecure_test_n11_l6().expect("params"), &[]);
    for l in (1..=c.top()).rev() {
        let (a, b) = (
            values(c.params.slots(), l as u64),
            values(c.params.slots(), 100 + l as u64),
        );
        let prod: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x * y).collect();
        let m = c.ev.mul(&c.encrypt(&a, l), &c.encrypt(&b, l)).expect("mul");
        let r = c.ev.rescale(&m).expect("rescale");
        assert_eq!(r.level(), l - 1);
        assert_eq!(r.scale(), c.scale(l - 1));
        assert!(max_err(&format!("mul+rescale at level {l}"), &c.decrypt(&r), &prod) < TOL);
        // Before rescale the scale is ~2^80: decoding must still be exact.
        assert!(max_err("mul before rescale", &c.decrypt(&m), &prod) < TOL);
    }
}

#[test]
fn mul_sum_relinearizes_once_and_equals_the_summed_products() {
    let c = setup(CkksParameters::insecure_test_n11_l6().expect("params"), &[]);
    let slots = c.params.slots();
    for l in [c.top(), 2] {
        let xs: Vec<Vec<f64>> = (0..4).map(|i| values(slots, 10 * l as u64 + i)).collect();
        let ys: Vec<Vec<f64>> = (0..4)
            .map(|i| values(slots, 50 + 10 * l as u64 + i))
            .collect();
        let want: Vec<f64> = (0..slots)
            .map(|s| (0..4).map(|i| xs[i][s] * ys[i][s]).sum())
            .collect();
        let cx: Vec<Ciphertext> = xs.iter().map(|v| c.encrypt(v, l)).collect();
        let cy: Vec<Ciphertext> = ys.iter().map(|v| c.encrypt(v, l)).collect();
        let pairs: Vec<(&Ciphertext, &Ciphertext)> = cx.iter().zip(&cy).collect();
        let summed = c.ev.mul_sum(&pairs).expect("mul_sum");
        assert_eq!(summed.scale(), c.scale(l) * c.scale(l));
        let r = c.ev.rescale(&summed).expect("rescale");
        assert!(max_err(&format!("mul_sum of 4 at level {l}"), &c.decrypt(&r), &want) < 4.0 * TOL);
        // One pair is exactly `mul`.
        let one = c.ev.mul_sum(&pairs[..1]).expect("mul_sum of one");
        assert_eq!(one, c.ev.mul(&cx[0], &cy[0]).expect("mul"));
    }
    // Refusals: no pairs, mixed levels, mixed product scales.
    assert!(matches!(
        c.ev.mul_sum(&[]),
        Err(CkksError::InvalidParameter { name: "pairs", .. })
    ));
    let v = values(8, 3);
    let (a, b) = (c.encrypt(&v, c.top()), c.encrypt(&v, c.top() - 1));
    assert!(matches!(
        c.ev.mul_sum(&[(&a, &a), (&b, &b)]),
        Err(CkksError::LevelMismatch { .. })
    ));
    let odd = c
        .enc
        .encrypt(&c.ecd.encode(&v, c.top(), 2f64.powi(30)).expect("encode"))
        .expect("encrypt");
    assert!(matches!(
        c.ev.mul_sum(&[(&a, &a), (&a, &odd)]),
        Err(CkksError::ScaleMismatch { .. })
    ));
}

#[test]
fn rotations_and_conjugation() {
    let steps = [1, 3, -1, -5, 100];
    let c = setup(
        CkksParameters::insecure_test_n10_l4().expect("params"),
        &steps,
    );
    let slots = c.params.slots();
    let v = values(slots, 6);
    let ct = c.encrypt(&v, c.top());
    let rot = |k: i64| -> Vec<f64> {
        (0..slots)
            .map(|i| v[(i as i64 + k).rem_euclid(slots as i64) as usize])
            .collect()
    };
    for &k in &steps {
        let r = c.ev.rotate(&ct, k).expect("rotate");
        assert!(max_err(&format!("rotate {k}"), &c.decrypt(&r), &rot(i64::from(k))) < TOL);
    }
    // Step 0 and multiples of the slot count: identity without key.
    for k in [0, slots as i32, -2 * slots as i32] {
        assert_eq!(c.ev.rotate(&ct, k).expect("rot0"), ct);
    }
    // A step equal to a keyed one modulo slots uses the same key.
    let r = c.ev.rotate(&ct, 1 + slots as i32).expect("rotate");
    assert!(max_err("rotate 1+slots", &c.decrypt(&r), &rot(1)) < TOL);
    // Hoisted == individual.
    let many = c.ev.rotate_many(&ct, &steps).expect("hoisted");
    for (k, r) in steps.iter().zip(&many) {
        let single = c.decrypt(&c.ev.rotate(&ct, *k).expect("rotate"));
        assert!(max_err(&format!("hoisted {k} vs single"), &c.decrypt(r), &single) < TOL);
    }
    let conj = c.ev.conjugate(&ct).expect("conj");
    assert!(max_err("conjugate", &c.decrypt(&conj), &v) < TOL);
    // Rotation at a lower level.
    let low = c.ev.drop_to_level(&ct, 1).expect("drop");
    let r = c.ev.rotate(&low, -1).expect("rotate");
    assert!(max_err("rotate -1 at level 1", &c.decrypt(&r), &rot(-1)) < TOL);
}

#[test]
fn fifteen_sequential_multiplications() {
    // INSECURE test-only parameters: N = 2^12 with 15 levels.
    let c = setup(
        CkksParameters::insecure_test_n12_l15().expect("params"),
        &[],
    );
    let slots = c.params.slots();
    let mut want = values(slots, 11);
    let mut ct = c.encrypt(&want, c.top());
    for i in 0..15 {
        let l = ct.level();
        let f = values(slots, 200 + i);
        let cf = c.encrypt(&f, l);
        ct =
            c.ev.rescale(&c.ev.mul(&ct, &cf).expect("mul"))
                .expect("rescale");
        for (w, x) in want.iter_mut().zip(&f) {
            *w *= x;
        }
    }
    assert_eq!(ct.level(), 0);
    let e = max_err("15 sequential multiplications", &c.decrypt(&ct), &want);
    assert!(e <= 2f64.powi(-20));
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<CkksParameters>();
    check::<Evaluator>();
    check::<Encoder>();
    check::<Encryptor>();
    check::<SymmetricEncryptor<'static>>();
    check::<Decryptor<'static>>();
    check::<SecretKey>();
    check::<PublicKey>();
    check::<RelinearizationKey>();
    check::<GaloisKeys>();
    check::<Ciphertext>();
    check::<SeededCiphertext>();
    check::<Plaintext>();
    check::<KeyGenerator>();
    check::<CkksError>();
}

#[test]
fn invalid_specs_are_refused() {
    let good = *CkksParameters::insecure_test_n10_l4()
        .expect("params")
        .spec();
    for bad in [
        ParameterSpec { log_n: 9, ..good },
        ParameterSpec { log_n: 18, ..good },
        ParameterSpec { dnum: 0, ..good },
        ParameterSpec { levels: 0, ..good },
        ParameterSpec {
            first_prime_bits: 51,
            ..good
        },
        ParameterSpec {
            first_prime_bits: 40,
            ..good
        },
        ParameterSpec {
            log_scale: 60,
            ..good
        },
    ] {
        assert!(
            matches!(
                CkksParameters::try_new(bad),
                Err(CkksError::InvalidParameter { .. })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn works_inside_a_two_thread_pool() {
    let c = setup(
        CkksParameters::insecure_test_n10_l4().expect("params"),
        &[2],
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("pool");
    let v = values(c.params.slots(), 8);
    let ct = c.encrypt(&v, c.top());
    let (a, b) = pool.install(|| {
        let m =
            c.ev.rescale(&c.ev.mul(&ct, &ct).expect("mul"))
                .expect("rescale");
        (m, c.ev.rotate(&ct, 2).expect("rotate"))
    });
    let sq: Vec<f64> = v.iter().map(|x| x * x).collect();
    assert!(max_err("mul in pool", &c.decrypt(&a), &sq) < TOL);
    let want: Vec<f64> = (0..v.len()).map(|i| v[(i + 2) % v.len()]).collect();
    assert!(max_err("rotate in pool", &c.decrypt(&b), &want) < TOL);
}

#[test]
fn products_whose_scale_cannot_fit_are_refused() {
    let c = setup(CkksParameters::insecure_test_n10_l4().expect("params"), &[]);
    let v = values(4, 9);
    // At level 0 (q_0 of 50 bits), Δ² ≈ 2^80 cannot fit.
    let ct = c.encrypt(&v, 0);
    assert!(matches!(
        c.ev.mul(&ct, &ct),
        Err(CkksError::ScaleOverflow { .. })
    ));
    assert!(matches!(
        c.ev.mul_const(&ct, 0.5, 2f64.powi(40)),
        Err(CkksError::ScaleOverflow { .. })
    ));
    // At level 1 it fits.
    let ct = c.encrypt(&v, 1);
    assert!(c.ev.mul(&ct, &ct).is_ok());
}

#[test]
fn plaintext_operands_above_the_ciphertext_level_are_truncated() {
    let c = setup(CkksParameters::insecure_test_n10_l4().expect("params"), &[]);
    let (a, b) = (values(c.params.slots(), 12), values(c.params.slots(), 13));
    let ct = c.encrypt(&a, 2);
    let pt = c.ecd.encode(&b, c.top(), c.scale(2)).expect("encode");
    let sum: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
    assert!(
        max_err(
            "add_plain from a higher level",
            &c.decrypt(&c.ev.add_plain(&ct, &pt).expect("ap")),
            &sum
        ) < TOL
    );
    let low = c.ecd.encode(&b, 1, c.scale(2)).expect("encode");
    assert!(matches!(
        c.ev.add_plain(&ct, &low),
        Err(CkksError::LevelMismatch { .. })
    ));
}
