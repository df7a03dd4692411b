//! From the planner's [`ParameterRequirement`] to engine parameters, keys and a backend.

use std::collections::BTreeSet;
use std::time::Instant;

use lowdepth_ckks::{CkksParameters, KeyGenerator, ParameterSpec, Security, MAX_PRIME_BITS};
use lowdepth_toolkit::planner::ParameterRequirement;
use lowdepth_toolkit::{Result, ToolkitError};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::backend::{CkksBackend, ClientKeys};
use crate::error::engine;
use crate::upload::KeyUpload;

/// What key generation produced, for the run manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetupReport {
    /// Wall time of parameter construction, key generation (secret, public,
    /// relinearization, Galois keys) and the keys' round trip through bytes, in seconds.
    pub keygen_wall_s: f64,
    /// Relinearization plus Galois keys: bytes the customer sends besides data.
    pub eval_key_bytes: u64,
    /// Serialized relinearization key.
    pub relin_key_bytes: u64,
    /// Serialized Galois keys (all steps, one object).
    pub galois_key_bytes: u64,
    /// Serialized public key (not needed by the circuits; reported separately).
    pub public_key_bytes: u64,
    /// Number of Galois keys.
    pub galois_keys: usize,
    /// The rotation steps with keys (left, normalised to `0..slots`).
    pub rotation_steps: Vec<usize>,
    /// log2 N.
    pub log_n: u32,
    /// Slots N/2.
    pub slots: usize,
    /// Levels L (moduli `q_0..=q_L`).
    pub levels: usize,
    /// Key-switching digits.
    pub dnum: usize,
    /// Special primes (alpha).
    pub special_primes: usize,
    /// log2 of the scale.
    pub log_scale: u32,
    /// Bits of q_0.
    pub first_prime_bits: u32,
    /// log2(Q·P) of the built parameters (the engine's exact value).
    pub log_qp: f64,
    /// The HE-standard 128-bit bound at this N (`None` outside 2^10..2^17).
    pub log_qp_bound_128: Option<u32>,
    /// Whether the 128-bit bound was enforced (`false`: INSECURE test parameters).
    pub secure_128: bool,
    /// The ciphertext moduli `q_0..=q_L`.
    pub moduli: Vec<u64>,
    /// The special moduli.
    pub special_moduli: Vec<u64>,
}

/// Parameter and key setup for a circuit.
#[derive(Debug, Clone, Copy)]
pub struct CkksSetup;

impl CkksSetup {
    /// The engine specification for a planner requirement.
    ///
    /// The engine uses special primes of exactly [`MAX_PRIME_BITS`] bits; a requirement
    /// planned with larger special primes is refused, one planned with smaller ones is
    /// accepted and the engine rechecks the 128-bit bound on the real `log2 QP`.
    pub fn spec_for(req: &ParameterRequirement, security: Security) -> Result<ParameterSpec> {
        if req.special_prime_bits > MAX_PRIME_BITS || req.first_prime_bits > MAX_PRIME_BITS {
            return Err(ToolkitError::InvalidParameters(format!(
                "the engine's primes are at most {MAX_PRIME_BITS} bits (requirement: q_0 {} \
                 bits, special primes {} bits)",
                req.first_prime_bits, req.special_prime_bits
            )));
        }
        if req.levels == 0 {
            return Err(ToolkitError::InvalidParameters(
                "a circuit of depth 0 needs no CKKS levels; the engine needs at least one".into(),
            ));
        }
        Ok(ParameterSpec {
            log_n: req.min_log_n,
            log_scale: req.log_scale,
            first_prime_bits: req.first_prime_bits,
            levels: req.levels,
            dnum: req.dnum,
            security,
        })
    }

    /// Builds parameters for `req` (`Security::Bits128` for real runs), generates keys
    /// (Galois keys for exactly `req.rotation_steps`) and returns a client backend (seeded
    /// symmetric encryption) with its report. `seed`: deterministic keys and encryptions
    /// (tests, reproducible runs); `None` uses the OS CSPRNG.
    ///
    /// `req.rotation_steps` must be normalised to the slot count of the chosen ring,
    /// `2^(min_log_n - 1)`: trace and plan the circuit with `slots = N/2` (re-plan if the
    /// first plan chose a larger N than `2 · slots`).
    pub fn for_circuit(
        req: &ParameterRequirement,
        security: Security,
        seed: Option<u64>,
    ) -> Result<(CkksBackend, SetupReport)> {
        let spec = Self::spec_for(req, security)?;
        Self::from_spec(spec, &req.rotation_steps, seed)
    }

    /// INSECURE, tests only: like [`CkksSetup::for_circuit`] with the 128-bit bound off,
    /// at the given ring degree (e.g. 2^10..2^12) whatever the requirement's `min_log_n`.
    pub fn insecure_for_tests(
        req: &ParameterRequirement,
        log_n: u32,
        seed: u64,
    ) -> Result<(CkksBackend, SetupReport)> {
        let mut spec = Self::spec_for(req, Security::InsecureForTests)?;
        spec.log_n = log_n;
        Self::from_spec(spec, &req.rotation_steps, Some(seed))
    }

    /// The engine's own checks (ring size, levels, prime search, the 128-bit bound) on the
    /// parameters [`CkksSetup::for_circuit`] (`log_n: None`) or
    /// [`CkksSetup::insecure_for_tests`] would build, without generating keys: what a
    /// harness checks before it starts work.
    pub fn check_parameters(
        req: &ParameterRequirement,
        security: Security,
        log_n: Option<u32>,
    ) -> Result<()> {
        let mut spec = Self::spec_for(req, security)?;
        if let Some(log_n) = log_n {
            spec.log_n = log_n;
        }
        CkksParameters::try_new(spec).map_err(engine("parameters", 0))?;
        Ok(())
    }

    /// Builds parameters from an engine specification and generates keys for
    /// `rotation_steps` (left, normalised to `0..N/2`).
    pub fn from_spec(
        spec: ParameterSpec,
        rotation_steps: &[usize],
        seed: Option<u64>,
    ) -> Result<(CkksBackend, SetupReport)> {
        let start = Instant::now();
        let params = CkksParameters::try_new(spec).map_err(engine("parameters", 0))?;
        let slots = params.slots();
        let steps: BTreeSet<usize> = rotation_steps.iter().copied().collect();
        let steps_i32 = steps
            .iter()
            .map(|&s| {
                i32::try_from(s).ok().filter(|_| s < slots).ok_or_else(|| {
                    ToolkitError::InvalidParameters(format!(
                        "rotation step {s} is not normalised to 0..{slots} (trace the circuit \
                         with slots = N/2 = {slots})"
                    ))
                })
            })
            .collect::<Result<Vec<i32>>>()?;
        let mut seeds = seed.map(ChaCha20Rng::seed_from_u64);
        let mut next_seed = || {
            seeds.as_mut().map(|r| {
                let mut s = [0u8; 32];
                r.fill_bytes(&mut s);
                s
            })
        };
        let mut keygen = match next_seed() {
            Some(s) => KeyGenerator::from_seed(&params, s),
            None => KeyGenerator::new(&params),
        };
        let sk = keygen.secret_key();
        let map = engine("key generation", slots);
        let pk = keygen.public_key(&sk).map_err(&map)?;
        let rlk = keygen.relinearization_key(&sk).map_err(&map)?;
        let gk = keygen.galois_keys(&sk, &steps_i32, false).map_err(&map)?;
        // The keys travel as bytes: the evaluation keys every backend uses are decoded
        // from what the customer sends, and the key figures are the lengths sent.
        let upload = KeyUpload::encode(&params, Some(&pk), &rlk, &gk, steps)?;
        drop((pk, rlk, gk));
        let keys = upload.decode()?;
        let client = ClientKeys::new(sk, next_seed());
        let backend = CkksBackend::new_client(keys, client, next_seed())?;
        let keygen_wall_s = start.elapsed().as_secs_f64();
        let k = backend.evaluation_keys();
        let report = SetupReport {
            keygen_wall_s,
            eval_key_bytes: upload.eval_key_bytes(),
            relin_key_bytes: upload.relin_key.len() as u64,
            galois_key_bytes: upload.galois_keys.len() as u64,
            public_key_bytes: upload.public_key.as_ref().map_or(0, |b| b.len() as u64),
            galois_keys: k.galois_key_count(),
            rotation_steps: k.rotation_steps().iter().copied().collect(),
            log_n: params.log_n(),
            slots,
            levels: params.max_level(),
            dnum: params.dnum(),
            special_primes: params.alpha(),
            log_scale: spec.log_scale,
            first_prime_bits: spec.first_prime_bits,
            log_qp: params.log_qp(),
            log_qp_bound_128: lowdepth_ckks::max_log_qp_128(params.log_n()),
            secure_128: spec.security == Security::Bits128,
            moduli: params.moduli().to_vec(),
            special_moduli: params.special_moduli().to_vec(),
        };
        Ok((backend, report))
    }
}
