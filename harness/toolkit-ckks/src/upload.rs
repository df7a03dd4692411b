//! What the customer sends the server before training, as bytes.
//!
//! The server's [`EvaluationKeys`] are decoded from a [`KeyUpload`], never handed over as
//! objects, so what the server can use is exactly what was sent, and the key-upload figures
//! of a run are the lengths of these byte strings. Ciphertexts travel the same way (see
//! `CkksBackend::encrypt`).

use std::collections::BTreeSet;
use std::sync::Arc;

use lowdepth_ckks::{CkksParameters, GaloisKeys, PublicKey, RelinearizationKey, Serializable};
use lowdepth_toolkit::Result;

use crate::backend::EvaluationKeys;
use crate::error::engine;

/// The serialized parameters and evaluation keys, as the customer sends them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyUpload {
    /// `CkksParameters::to_bytes`.
    pub parameters: Vec<u8>,
    /// The public key, if the server is given one (the circuits do not need it).
    pub public_key: Option<Vec<u8>>,
    /// The relinearization key.
    pub relin_key: Vec<u8>,
    /// All Galois keys, one object.
    pub galois_keys: Vec<u8>,
    /// The rotation steps the Galois keys serve (left, normalised to `0..slots`): a few
    /// integers of metadata, not counted in the byte figures.
    pub rotation_steps: BTreeSet<usize>,
}

impl KeyUpload {
    /// Serializes the customer's evaluation keys.
    pub fn encode(
        params: &CkksParameters,
        public_key: Option<&PublicKey>,
        relin_key: &RelinearizationKey,
        galois_keys: &GaloisKeys,
        rotation_steps: BTreeSet<usize>,
    ) -> Result<Self> {
        let map = engine("serialize keys", params.slots());
        Ok(Self {
            parameters: params.to_bytes(),
            public_key: public_key
                .map(|pk| pk.to_bytes(params))
                .transpose()
                .map_err(&map)?,
            relin_key: relin_key.to_bytes(params).map_err(&map)?,
            galois_keys: galois_keys.to_bytes(params).map_err(&map)?,
            rotation_steps,
        })
    }

    /// The server side: parameters and keys decoded (and integrity-checked) from the bytes.
    pub fn decode(&self) -> Result<EvaluationKeys> {
        let params = CkksParameters::try_from_bytes(&self.parameters)
            .map_err(engine("decode parameters", 0))?;
        let map = engine("decode keys", params.slots());
        let public_key = self
            .public_key
            .as_deref()
            .map(|b| PublicKey::try_from_bytes(b, &params))
            .transpose()
            .map_err(&map)?;
        let relin_key =
            RelinearizationKey::try_from_bytes(&self.relin_key, &params).map_err(&map)?;
        let galois_keys = GaloisKeys::try_from_bytes(&self.galois_keys, &params).map_err(&map)?;
        EvaluationKeys::try_new(
            params,
            public_key.map(Arc::new),
            Arc::new(relin_key),
            Arc::new(galois_keys),
            self.rotation_steps.clone(),
        )
    }

    /// Bytes of the relinearization and Galois keys (the evaluation-key upload).
    pub fn eval_key_bytes(&self) -> u64 {
        (self.relin_key.len() + self.galois_keys.len()) as u64
    }
}
