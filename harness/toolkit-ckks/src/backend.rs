//! [`CkksBackend`]: the toolkit's [`Backend`] on the CKKS engine.
//!
//! Keys are split by who may hold them:
//!
//! - [`EvaluationKeys`] is what the server receives: the parameters, the relinearization
//!   key, the Galois keys for exactly the requested rotation steps and (optionally) the
//!   public key. No secret material.
//! - [`ClientKeys`] stays with the customer: the secret key (the engine has no serializer
//!   for it, it is wiped on drop and never leaves the process) and the CSPRNG that seeds
//!   symmetric encryptions.
//!
//! A backend built with [`CkksBackend::new_client`] can encrypt and decrypt; one built with
//! [`CkksBackend::new_server`] (or obtained with [`CkksBackend::server_view`]) holds no
//! secret key: `decrypt` fails with [`ToolkitError::Backend`], and `encrypt` works only
//! with the public key.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use lowdepth_ckks::{
    Ciphertext, CkksParameters, Decryptor, Encoder, Encryptor, GaloisKeys, Plaintext, PublicKey,
    RelinearizationKey, SecretKey, SeededCiphertext, Serializable, SymmetricEncryptor,
};
use lowdepth_toolkit::backend::normalize_step;
use lowdepth_toolkit::{Backend, Evaluator, Result, RingDegree, ToolkitError};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::error::engine;

/// What the server receives: parameters and evaluation keys, no secret.
#[derive(Debug, Clone)]
pub struct EvaluationKeys {
    params: CkksParameters,
    public_key: Option<Arc<PublicKey>>,
    relin_key: Arc<RelinearizationKey>,
    galois_keys: Arc<GaloisKeys>,
    rotation_steps: BTreeSet<usize>,
}

impl EvaluationKeys {
    /// Bundles evaluation keys. `rotation_steps` are the left steps (normalised to
    /// `0..slots`) the Galois keys were generated for; each must have a key.
    pub fn try_new(
        params: CkksParameters,
        public_key: Option<Arc<PublicKey>>,
        relin_key: Arc<RelinearizationKey>,
        galois_keys: Arc<GaloisKeys>,
        rotation_steps: BTreeSet<usize>,
    ) -> Result<Self> {
        let slots = params.slots();
        for &s in &rotation_steps {
            let step = i32::try_from(s).ok().filter(|_| s < slots).ok_or_else(|| {
                ToolkitError::InvalidParameters(format!(
                    "rotation step {s} is not normalised to 0..{slots}"
                ))
            })?;
            if step != 0 && !galois_keys.has_step(&params, step) {
                return Err(ToolkitError::MissingRotationKey { step: s });
            }
        }
        Ok(Self {
            params,
            public_key,
            relin_key,
            galois_keys,
            rotation_steps,
        })
    }

    /// The parameters.
    pub fn params(&self) -> &CkksParameters {
        &self.params
    }
    /// The public key, if the server was given one.
    pub fn public_key(&self) -> Option<&Arc<PublicKey>> {
        self.public_key.as_ref()
    }
    /// The relinearization key.
    pub fn relin_key(&self) -> &Arc<RelinearizationKey> {
        &self.relin_key
    }
    /// The Galois (rotation) keys.
    pub fn galois_keys(&self) -> &Arc<GaloisKeys> {
        &self.galois_keys
    }
    /// The rotation steps with keys (left, normalised to `0..slots`).
    pub fn rotation_steps(&self) -> &BTreeSet<usize> {
        &self.rotation_steps
    }
    /// Number of Galois keys held (steps equal modulo the slot count share one key).
    pub fn galois_key_count(&self) -> usize {
        self.galois_keys.galois_elements().len()
    }
}

/// Customer-only key material: the secret key and the CSPRNG for seeded encryption.
/// Never part of what the server receives; `Debug` is redacted.
pub struct ClientKeys {
    secret_key: SecretKey,
    /// Draws the 32-byte seed of each symmetric encryption's engine CSPRNG.
    rng: Mutex<ChaCha20Rng>,
}

impl fmt::Debug for ClientKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientKeys(<redacted>)")
    }
}

impl ClientKeys {
    /// Wraps a secret key. `seed`: a deterministic encryption stream (tests,
    /// reproducible runs); `None` seeds it from the OS.
    pub fn new(secret_key: SecretKey, seed: Option<[u8; 32]>) -> Self {
        let rng = match seed {
            Some(s) => ChaCha20Rng::from_seed(s),
            None => ChaCha20Rng::from_entropy(),
        };
        Self {
            secret_key,
            rng: Mutex::new(rng),
        }
    }

    /// The secret key (customer side only).
    pub fn secret_key(&self) -> &SecretKey {
        &self.secret_key
    }

    fn next_seed(&self) -> [u8; 32] {
        let mut seed = [0u8; 32];
        match self.rng.lock() {
            Ok(mut g) => g.fill_bytes(&mut seed),
            Err(p) => p.into_inner().fill_bytes(&mut seed),
        }
        seed
    }
}

/// How [`Backend::encrypt`] encrypts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EncryptionMode {
    /// Secret-key encryption in seeded form (the customer's upload form, half the bytes):
    /// the seeded ciphertext is counted in the [`EncryptionTally`] at its seeded size,
    /// then expanded (as the server would on receipt) to the ordinary ciphertext returned.
    SeededSymmetric,
    /// Public-key encryption (what a party without the secret key can do).
    PublicKey,
}

/// Ciphertexts produced by [`Backend::encrypt`] since the last
/// [`CkksBackend::take_encryption_tally`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptionTally {
    /// Number of ciphertexts encrypted.
    pub ciphertexts: u64,
    /// Bytes as uploaded: seeded size in [`EncryptionMode::SeededSymmetric`], full size in
    /// [`EncryptionMode::PublicKey`].
    pub upload_bytes: u64,
    /// Bytes of the same ciphertexts in ordinary (expanded) form.
    pub expanded_bytes: u64,
}

#[derive(Debug, Default)]
struct Tally {
    ciphertexts: AtomicU64,
    upload_bytes: AtomicU64,
    expanded_bytes: AtomicU64,
}

/// The toolkit's [`Backend`] on the CKKS engine. Cheap to clone (everything is `Arc`'d).
#[derive(Clone)]
pub struct CkksBackend {
    params: CkksParameters,
    encoder: Arc<Encoder>,
    evaluator: lowdepth_ckks::Evaluator,
    keys: EvaluationKeys,
    client: Option<Arc<ClientKeys>>,
    pk_encryptor: Option<Arc<Encryptor>>,
    mode: EncryptionMode,
    tally: Arc<Tally>,
    sizes: Arc<OnceLock<Vec<(u64, u64)>>>,
}

impl fmt::Debug for CkksBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CkksBackend")
            .field("params", &self.params)
            .field("rotation_steps", &self.keys.rotation_steps)
            .field("has_secret_key", &self.client.is_some())
            .field("mode", &self.mode)
            .finish()
    }
}

impl CkksBackend {
    /// A customer-side backend: encrypts (seeded with the secret key by default) and
    /// decrypts. `pk_seed` makes public-key encryption deterministic (tests); `None` seeds
    /// it from the OS.
    pub fn new_client(
        keys: EvaluationKeys,
        client: ClientKeys,
        pk_seed: Option<[u8; 32]>,
    ) -> Result<Self> {
        if client.secret_key.params() != &keys.params {
            return Err(ToolkitError::InvalidParameters(
                "secret key and evaluation keys belong to different parameters".into(),
            ));
        }
        let mut b = Self::build(keys, pk_seed)?;
        b.client = Some(Arc::new(client));
        b.mode = EncryptionMode::SeededSymmetric;
        Ok(b)
    }

    /// A server-side backend: evaluation keys only. `decrypt` fails; `encrypt` uses the
    /// public key if the keys include one.
    pub fn new_server(keys: EvaluationKeys) -> Result<Self> {
        Self::build(keys, None)
    }

    fn build(keys: EvaluationKeys, pk_seed: Option<[u8; 32]>) -> Result<Self> {
        let params = keys.params.clone();
        let slots = params.slots();
        let evaluator = lowdepth_ckks::Evaluator::new(
            &params,
            Some(keys.relin_key.clone()),
            Some(keys.galois_keys.clone()),
        )
        .map_err(engine("evaluation keys", slots))?;
        let pk_encryptor = match &keys.public_key {
            Some(pk) => Some(Arc::new(
                match pk_seed {
                    Some(s) => Encryptor::from_seed(&params, pk.clone(), s),
                    None => Encryptor::new(&params, pk.clone()),
                }
                .map_err(engine("public key", slots))?,
            )),
            None => None,
        };
        Ok(Self {
            encoder: Arc::new(Encoder::new(&params)),
            params,
            evaluator,
            keys,
            client: None,
            pk_encryptor,
            mode: EncryptionMode::PublicKey,
            tally: Arc::new(Tally::default()),
            sizes: Arc::new(OnceLock::new()),
        })
    }

    /// The same evaluation keys without the client keys: what runs on the server.
    /// Encryption switches to the public key (if present); the tally is fresh.
    pub fn server_view(&self) -> Self {
        Self {
            client: None,
            mode: EncryptionMode::PublicKey,
            tally: Arc::new(Tally::default()),
            ..self.clone()
        }
    }

    /// Wraps the backend in the toolkit's checked evaluator at the parameters' log_scale.
    pub fn into_evaluator(self) -> Result<Evaluator<Self>> {
        let log_scale = self.params.spec().log_scale;
        Evaluator::new(self, log_scale)
    }

    /// Chooses how [`Backend::encrypt`] encrypts. Seeded symmetric needs the secret key,
    /// public-key encryption the public key.
    pub fn set_encryption_mode(&mut self, mode: EncryptionMode) -> Result<()> {
        match mode {
            EncryptionMode::SeededSymmetric if self.client.is_none() => {
                Err(ToolkitError::InvalidParameters(
                    "seeded symmetric encryption needs the secret key (client side)".into(),
                ))
            }
            EncryptionMode::PublicKey if self.pk_encryptor.is_none() => Err(
                ToolkitError::InvalidParameters("no public key for public-key encryption".into()),
            ),
            _ => {
                self.mode = mode;
                Ok(())
            }
        }
    }

    /// How [`Backend::encrypt`] encrypts.
    pub fn encryption_mode(&self) -> EncryptionMode {
        self.mode
    }

    /// Whether this backend holds the secret key (customer side).
    pub fn has_secret_key(&self) -> bool {
        self.client.is_some()
    }

    /// The engine parameters.
    pub fn params(&self) -> &CkksParameters {
        &self.params
    }

    /// The evaluation keys (what the server holds).
    pub fn evaluation_keys(&self) -> &EvaluationKeys {
        &self.keys
    }

    /// The engine's evaluator.
    pub fn engine_evaluator(&self) -> &lowdepth_ckks::Evaluator {
        &self.evaluator
    }

    /// The engine's encoder.
    pub fn encoder(&self) -> &Encoder {
        &self.encoder
    }

    /// Returns and resets the tally of ciphertexts encrypted through [`Backend::encrypt`].
    pub fn take_encryption_tally(&self) -> EncryptionTally {
        EncryptionTally {
            ciphertexts: self.tally.ciphertexts.swap(0, Ordering::Relaxed),
            upload_bytes: self.tally.upload_bytes.swap(0, Ordering::Relaxed),
            expanded_bytes: self.tally.expanded_bytes.swap(0, Ordering::Relaxed),
        }
    }

    fn client(&self, op: &'static str) -> Result<&ClientKeys> {
        self.client.as_deref().ok_or_else(|| {
            ToolkitError::Backend(format!(
                "{op}: this backend holds no secret key (server side)"
            ))
        })
    }

    /// Encodes and encrypts with the secret key, in seeded form (the upload format).
    pub fn encrypt_seeded(
        &self,
        values: &[f64],
        level: usize,
        scale: f64,
    ) -> Result<SeededCiphertext> {
        let client = self.client("encrypt_seeded")?;
        let pt = self.encode(values, level, scale)?;
        self.encrypt_seeded_plaintext(client, &pt)
    }

    fn encrypt_seeded_plaintext(
        &self,
        client: &ClientKeys,
        pt: &Plaintext,
    ) -> Result<SeededCiphertext> {
        SymmetricEncryptor::from_seed(&client.secret_key, client.next_seed())
            .encrypt(pt)
            .map_err(engine("encrypt", self.slots()))
    }

    /// Server side: regenerates the uniform half of a seeded ciphertext.
    pub fn expand(&self, seeded: &SeededCiphertext) -> Result<Ciphertext> {
        seeded
            .expand(&self.params)
            .map_err(engine("expand", self.slots()))
    }

    /// Exact serialized size of a seeded (upload-form) ciphertext at `level`.
    pub fn seeded_ciphertext_bytes(&self, level: usize) -> Result<u64> {
        self.size_at("seeded_ciphertext_bytes", level)
            .map(|(s, _)| s)
    }

    /// Exact serialized size of an ordinary (expanded) ciphertext at `level`.
    pub fn full_ciphertext_bytes(&self, level: usize) -> Result<u64> {
        self.size_at("full_ciphertext_bytes", level).map(|(_, f)| f)
    }

    fn size_at(&self, op: &'static str, level: usize) -> Result<(u64, u64)> {
        let sizes = match self.sizes.get() {
            Some(s) => s,
            None => {
                let measured = self.measure_sizes()?;
                self.sizes.get_or_init(|| measured)
            }
        };
        sizes
            .get(level)
            .copied()
            .ok_or_else(|| ToolkitError::InvalidLevel {
                op,
                level,
                allowed: format!("0..={}", self.params.max_level()),
            })
    }

    /// (seeded, full) sizes per level, measured once by encrypting zeros under a
    /// throwaway secret key (sizes depend only on the level).
    fn measure_sizes(&self) -> Result<Vec<(u64, u64)>> {
        let sk = SecretKey::generate(&self.params);
        let enc = SymmetricEncryptor::new(&sk);
        (0..=self.params.max_level())
            .map(|level| {
                let pt = self.encode(&[], level, 1.0)?;
                let seeded = enc
                    .encrypt(&pt)
                    .map_err(engine("seeded size", self.slots()))?;
                let full = self.expand(&seeded)?;
                Ok((
                    seeded.serialized_size(&self.params) as u64,
                    full.serialized_size(&self.params) as u64,
                ))
            })
            .collect()
    }

    /// Serializes an object for the server.
    fn send(&self, object: &impl Serializable) -> Result<Vec<u8>> {
        object
            .to_bytes(&self.params)
            .map_err(engine("send", self.slots()))
    }

    fn record(&self, upload: u64, expanded: u64) {
        self.tally.ciphertexts.fetch_add(1, Ordering::Relaxed);
        self.tally.upload_bytes.fetch_add(upload, Ordering::Relaxed);
        self.tally
            .expanded_bytes
            .fetch_add(expanded, Ordering::Relaxed);
    }
}

impl Backend for CkksBackend {
    type Ciphertext = Ciphertext;
    type Plaintext = Plaintext;

    fn slots(&self) -> usize {
        self.params.slots()
    }

    fn ring_degree(&self) -> RingDegree {
        RingDegree(self.params.n())
    }

    fn moduli(&self) -> &[u64] {
        self.params.moduli()
    }

    fn encode(&self, values: &[f64], level: usize, scale: f64) -> Result<Plaintext> {
        self.encoder
            .encode(values, level, scale)
            .map_err(engine("encode", self.slots()))
    }

    /// Encrypts per [`CkksBackend::encryption_mode`]: seeded symmetric (client default,
    /// then expanded) or public key.
    fn encrypt(&self, values: &[f64], level: usize, scale: f64) -> Result<Ciphertext> {
        let pt = self.encode(values, level, scale)?;
        match self.mode {
            EncryptionMode::SeededSymmetric => {
                let client = self.client("encrypt")?;
                let seeded = self.encrypt_seeded_plaintext(client, &pt)?;
                // What the server gets is decoded from the bytes the customer sends.
                let sent = self.send(&seeded)?;
                let received = SeededCiphertext::try_from_bytes(&sent, &self.params)
                    .map_err(engine("receive", self.slots()))?;
                let ct = self.expand(&received)?;
                self.record(sent.len() as u64, ct.serialized_size(&self.params) as u64);
                Ok(ct)
            }
            EncryptionMode::PublicKey => {
                let enc = self.pk_encryptor.as_ref().ok_or_else(|| {
                    ToolkitError::Backend("encrypt: no public key on this backend".into())
                })?;
                let ct = enc.encrypt(&pt).map_err(engine("encrypt", self.slots()))?;
                let sent = self.send(&ct)?;
                let received = Ciphertext::try_from_bytes(&sent, &self.params)
                    .map_err(engine("receive", self.slots()))?;
                self.record(sent.len() as u64, sent.len() as u64);
                Ok(received)
            }
        }
    }

    fn decrypt(&self, ct: &Ciphertext) -> Result<Vec<f64>> {
        let client = self.client("decrypt")?;
        let pt = Decryptor::new(&client.secret_key)
            .decrypt(ct)
            .map_err(engine("decrypt", self.slots()))?;
        self.encoder
            .decode(&pt)
            .map_err(engine("decode", self.slots()))
    }

    fn level(&self, ct: &Ciphertext) -> usize {
        ct.level()
    }

    fn scale(&self, ct: &Ciphertext) -> f64 {
        ct.scale()
    }

    fn plaintext_level(&self, pt: &Plaintext) -> usize {
        pt.level()
    }

    fn plaintext_scale(&self, pt: &Plaintext) -> f64 {
        pt.scale()
    }

    fn add(&self, a: &Ciphertext, b: &Ciphertext) -> Result<Ciphertext> {
        self.evaluator
            .add(a, b)
            .map_err(engine("add", self.slots()))
    }

    fn sub(&self, a: &Ciphertext, b: &Ciphertext) -> Result<Ciphertext> {
        self.evaluator
            .sub(a, b)
            .map_err(engine("sub", self.slots()))
    }

    fn negate(&self, a: &Ciphertext) -> Result<Ciphertext> {
        self.evaluator
            .negate(a)
            .map_err(engine("negate", self.slots()))
    }

    fn add_plain(&self, a: &Ciphertext, p: &Plaintext) -> Result<Ciphertext> {
        self.evaluator
            .add_plain(a, p)
            .map_err(engine("add_plain", self.slots()))
    }

    fn mul_plain(&self, a: &Ciphertext, p: &Plaintext) -> Result<Ciphertext> {
        self.evaluator
            .mul_plain(a, p)
            .map_err(engine("mul_plain", self.slots()))
    }

    fn mul_const(&self, a: &Ciphertext, c: f64, const_scale: f64) -> Result<Ciphertext> {
        self.evaluator
            .mul_const(a, c, const_scale)
            .map_err(engine("mul_const", self.slots()))
    }

    fn mul_int(&self, a: &Ciphertext, i: i64) -> Result<Ciphertext> {
        self.evaluator
            .mul_int(a, i)
            .map_err(engine("mul_int", self.slots()))
    }

    fn mul(&self, a: &Ciphertext, b: &Ciphertext) -> Result<Ciphertext> {
        self.evaluator
            .mul(a, b)
            .map_err(engine("mul", self.slots()))
    }

    fn mul_sum(&self, pairs: &[(&Ciphertext, &Ciphertext)]) -> Result<Ciphertext> {
        self.evaluator
            .mul_sum(pairs)
            .map_err(engine("mul_sum", self.slots()))
    }

    fn rescale(&self, a: &Ciphertext) -> Result<Ciphertext> {
        self.evaluator
            .rescale(a)
            .map_err(engine("rescale", self.slots()))
    }

    /// The engine has no public scale setter, so this multiplies by the integer 1 encoded
    /// at `1 / factor`: the data is unchanged (no level, no noise) and only the scale moves;
    /// one scalar pass over the residues instead of a field write.
    fn relabel(&self, a: &Ciphertext, factor: f64) -> Result<Ciphertext> {
        self.evaluator
            .mul_const(a, factor, 1.0 / factor)
            .map_err(engine("relabel", self.slots()))
    }

    fn drop_to_level(&self, a: &Ciphertext, level: usize) -> Result<Ciphertext> {
        self.evaluator
            .drop_to_level(a, level)
            .map_err(engine("drop_to_level", self.slots()))
    }

    fn rotate(&self, a: &Ciphertext, step: i32) -> Result<Ciphertext> {
        self.evaluator
            .rotate(a, step)
            .map_err(engine("rotate", self.slots()))
    }

    fn rotate_many(&self, a: &Ciphertext, steps: &[i32]) -> Result<Vec<Ciphertext>> {
        self.evaluator
            .rotate_many(a, steps)
            .map_err(engine("rotate_many", self.slots()))
    }

    fn has_rotation_key(&self, step: i32) -> bool {
        let s = normalize_step(i64::from(step), self.slots());
        s == 0 || self.keys.galois_keys.has_step(&self.params, step)
    }

    /// The engine's exact serialized size of the (ordinary, unseeded) ciphertext.
    fn ciphertext_bytes(&self, ct: &Ciphertext) -> u64 {
        ct.serialized_size(&self.params) as u64
    }
}
