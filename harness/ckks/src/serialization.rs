//! Compact, versioned binary format.
//!
//! Every object starts with a 38-byte header: magic `LDCK`, format version (2), kind byte,
//! and the 32-byte SHA-256 fingerprint of the parameters it belongs to, and ends with a
//! 32-byte SHA-256 digest of everything before it. Residues are
//! bit-packed, limb by limb, in ceil(log2 q_i) bits each (LSB first); integers are
//! little-endian. Keys whose uniform halves were expanded from a seed (all keys made by
//! [`crate::KeyGenerator`]) are written as the 32-byte seed plus the b parts only. Decoding
//! checks the magic, the version and the digest before it parses anything (so a flipped
//! residue or a changed scale is caught, and a corrupted parameter blob builds no ring),
//! then the header, every length and every residue (< q_i), and
//! rejects trailing bytes: corrupted, truncated or foreign input gives [`CkksError::Decode`],
//! never a panic. The digest detects corruption, not tampering: it is not a MAC.

use std::collections::HashMap;
use std::sync::Arc;

use crate::ciphertext::{Ciphertext, SeededCiphertext};
use crate::error::{CkksError, Result};
use crate::keys::{GaloisKeys, PublicKey, RelinearizationKey, SwitchingKey};
use crate::params::{CkksParameters, ParameterSpec, Security};
use crate::ring::poly::RnsPoly;
use crate::sampling::{expand_key_part, expand_seed};
use sha2::{Digest, Sha256};

/// File magic.
pub const MAGIC: [u8; 4] = *b"LDCK";
/// Current format version (2 added the trailing digest).
pub const FORMAT_VERSION: u8 = 2;
const HEADER_LEN: usize = 4 + 1 + 1 + 32;
/// Length of the trailing SHA-256 digest.
pub const DIGEST_LEN: usize = 32;
/// Bytes every object spends on framing: header and digest.
const FRAME_LEN: usize = HEADER_LEN + DIGEST_LEN;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Kind {
    Parameters = 1,
    Ciphertext = 2,
    SeededCiphertext = 3,
    PublicKey = 4,
    RelinearizationKey = 5,
    GaloisKeys = 6,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Parameters => "parameters",
            Kind::Ciphertext => "ciphertext",
            Kind::SeededCiphertext => "seeded ciphertext",
            Kind::PublicKey => "public key",
            Kind::RelinearizationKey => "relinearization key",
            Kind::GaloisKeys => "Galois keys",
        }
    }
}

/// Objects that serialize relative to a parameter set.
pub trait Serializable: Sized {
    /// Exact number of bytes `to_bytes` produces, computed without writing.
    fn serialized_size(&self, params: &CkksParameters) -> usize;
    /// Encodes the object. Fails if it does not belong to `params`.
    fn to_bytes(&self, params: &CkksParameters) -> Result<Vec<u8>>;
    /// Decodes and validates an object for `params`.
    fn try_from_bytes(bytes: &[u8], params: &CkksParameters) -> Result<Self>;
}

fn bits_of(q: u64) -> usize {
    (64 - (q - 1).leading_zeros()) as usize
}

/// Packed size of a polynomial over the given global prime indices.
fn poly_size(params: &CkksParameters, idx: &[usize]) -> usize {
    idx.iter()
        .map(|&i| (params.n() * bits_of(params.prime(i))).div_ceil(8))
        .sum()
}

fn write_header(out: &mut Vec<u8>, kind: Kind, fingerprint: &[u8; 32]) {
    out.extend_from_slice(&MAGIC);
    out.push(FORMAT_VERSION);
    out.push(kind as u8);
    out.extend_from_slice(fingerprint);
}

/// Appends the digest of everything written so far; the last step of every encoder.
fn seal(mut out: Vec<u8>) -> Vec<u8> {
    let digest: [u8; DIGEST_LEN] = Sha256::digest(&out).into();
    out.extend_from_slice(&digest);
    out
}

fn write_poly(out: &mut Vec<u8>, params: &CkksParameters, poly: &RnsPoly, idx: &[usize]) {
    for (pos, &i) in idx.iter().enumerate() {
        let bits = bits_of(params.prime(i)) as u32;
        let mut acc: u128 = 0;
        let mut nbits: u32 = 0;
        for &v in poly.limb(pos) {
            acc |= u128::from(v) << nbits;
            nbits += bits;
            while nbits >= 8 {
                out.push(acc as u8);
                acc >>= 8;
                nbits -= 8;
            }
        }
        if nbits > 0 {
            out.push(acc as u8);
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn err(&self, reason: impl Into<String>) -> CkksError {
        CkksError::Decode {
            what: self.what,
            reason: reason.into(),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| {
                self.err(format!(
                    "truncated: need {n} bytes at offset {}, have {}",
                    self.pos,
                    self.bytes.len().saturating_sub(self.pos)
                ))
            })?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn array<const K: usize>(&mut self) -> Result<[u8; K]> {
        let mut a = [0u8; K];
        a.copy_from_slice(self.take(K)?);
        Ok(a)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }
    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_le_bytes(self.array()?))
    }

    fn header(&mut self, kind: Kind, fingerprint: Option<&[u8; 32]>) -> Result<[u8; 32]> {
        // Magic and version were checked by `reader` before the digest.
        self.take(MAGIC.len() + 1)?;
        let k = self.u8()?;
        if k != kind as u8 {
            return Err(self.err(format!("wrong object kind {k}, expected {}", kind as u8)));
        }
        let fp = self.array::<32>()?;
        if let Some(expect) = fingerprint {
            if &fp != expect {
                return Err(
                    self.err("parameter fingerprint mismatch (object belongs to other parameters)")
                );
            }
        }
        Ok(fp)
    }

    fn poly(&mut self, params: &CkksParameters, idx: &[usize]) -> Result<RnsPoly> {
        let n = params.n();
        let mut poly = RnsPoly::zero(n, idx.len());
        for (pos, &i) in idx.iter().enumerate() {
            let q = params.prime(i);
            let bits = bits_of(q) as u32;
            let bytes = self.take((n * bits as usize).div_ceil(8))?;
            let mask = (1u128 << bits) - 1;
            let mut acc: u128 = 0;
            let mut nbits: u32 = 0;
            let mut it = bytes.iter();
            for x in poly.limb_mut(pos).iter_mut() {
                while nbits < bits {
                    let b = it.next().copied().unwrap_or(0);
                    acc |= u128::from(b) << nbits;
                    nbits += 8;
                }
                let v = (acc & mask) as u64;
                acc >>= bits;
                nbits -= bits;
                if v >= q {
                    return Err(self.err(format!("residue {v} not below modulus {q}")));
                }
                *x = v;
            }
        }
        Ok(poly)
    }

    fn finish(&self) -> Result<()> {
        if self.remaining() != 0 {
            return Err(self.err(format!("{} trailing bytes", self.remaining())));
        }
        Ok(())
    }
}

/// A reader over the object's body, after checking magic, version and digest (in that
/// order, so that foreign input is named as such rather than as corrupted).
fn reader(bytes: &[u8], kind: Kind) -> Result<Reader<'_>> {
    let whole = Reader {
        bytes,
        pos: 0,
        what: kind.name(),
    };
    if bytes.len() < 4 || bytes[..4] != MAGIC {
        return Err(whole.err("bad magic (not a lowdepth-ckks object)"));
    }
    if bytes.len() < FRAME_LEN {
        return Err(whole.err(format!(
            "truncated: {} bytes, a framed object has at least {FRAME_LEN}",
            bytes.len()
        )));
    }
    if bytes[4] != FORMAT_VERSION {
        return Err(whole.err(format!(
            "unsupported format version {} (this build reads {FORMAT_VERSION})",
            bytes[4]
        )));
    }
    let (body, digest) = bytes.split_at(bytes.len() - DIGEST_LEN);
    if Sha256::digest(body).as_slice() != digest {
        return Err(whole.err("digest mismatch (corrupted or truncated)"));
    }
    Ok(Reader {
        bytes: body,
        pos: 0,
        what: kind.name(),
    })
}

fn mismatch(kind: Kind) -> CkksError {
    CkksError::ParameterMismatch { what: kind.name() }
}

impl CkksParameters {
    /// Exact size of [`CkksParameters::to_bytes`].
    pub fn serialized_size(&self) -> usize {
        FRAME_LEN + 8
    }

    /// Encodes the specification; the fingerprint in the header pins the resolved primes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let s = self.spec();
        let mut out = Vec::with_capacity(self.serialized_size());
        write_header(&mut out, Kind::Parameters, &self.fingerprint());
        out.push(s.log_n as u8);
        out.push(s.log_scale as u8);
        out.push(s.first_prime_bits as u8);
        out.extend_from_slice(&(s.levels as u16).to_le_bytes());
        out.extend_from_slice(&(s.dnum as u16).to_le_bytes());
        out.push(match s.security {
            Security::Bits128 => 0,
            Security::InsecureForTests => 1,
        });
        seal(out)
    }

    /// Decodes parameters, rebuilds them and checks the fingerprint.
    pub fn try_from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = reader(bytes, Kind::Parameters)?;
        let fp = r.header(Kind::Parameters, None)?;
        let log_n = u32::from(r.u8()?);
        let log_scale = u32::from(r.u8()?);
        let first_prime_bits = u32::from(r.u8()?);
        let levels = usize::from(r.u16()?);
        let dnum = usize::from(r.u16()?);
        let security = match r.u8()? {
            0 => Security::Bits128,
            1 => Security::InsecureForTests,
            s => return Err(r.err(format!("unknown security level {s}"))),
        };
        r.finish()?;
        let p = CkksParameters::try_new(ParameterSpec {
            log_n,
            log_scale,
            first_prime_bits,
            levels,
            dnum,
            security,
        })?;
        if p.fingerprint() != fp {
            return Err(r.err("fingerprint does not match the rebuilt parameters"));
        }
        Ok(p)
    }
}

impl Serializable for Ciphertext {
    fn serialized_size(&self, params: &CkksParameters) -> usize {
        FRAME_LEN + 2 + 8 + 2 * poly_size(params, &params.q_indices(self.level))
    }

    fn to_bytes(&self, params: &CkksParameters) -> Result<Vec<u8>> {
        self.check(params, "ciphertext")?;
        let idx = params.q_indices(self.level);
        let mut out = Vec::with_capacity(self.serialized_size(params));
        write_header(&mut out, Kind::Ciphertext, &params.fingerprint());
        out.extend_from_slice(&(self.level as u16).to_le_bytes());
        out.extend_from_slice(&self.scale.to_le_bytes());
        write_poly(&mut out, params, &self.c0, &idx);
        write_poly(&mut out, params, &self.c1, &idx);
        Ok(seal(out))
    }

    fn try_from_bytes(bytes: &[u8], params: &CkksParameters) -> Result<Self> {
        let mut r = reader(bytes, Kind::Ciphertext)?;
        r.header(Kind::Ciphertext, Some(&params.fingerprint()))?;
        let (level, scale) = level_scale(&mut r, params)?;
        let idx = params.q_indices(level);
        let c0 = r.poly(params, &idx)?;
        let c1 = r.poly(params, &idx)?;
        r.finish()?;
        Ok(Ciphertext {
            c0,
            c1,
            level,
            scale,
        })
    }
}

fn level_scale(r: &mut Reader<'_>, params: &CkksParameters) -> Result<(usize, f64)> {
    let level = usize::from(r.u16()?);
    if level > params.max_level() {
        return Err(r.err(format!(
            "level {level} above maximum {}",
            params.max_level()
        )));
    }
    let scale = r.f64()?;
    if !(scale.is_finite() && scale > 0.0) {
        return Err(r.err(format!("invalid scale {scale}")));
    }
    Ok((level, scale))
}

impl Serializable for SeededCiphertext {
    fn serialized_size(&self, params: &CkksParameters) -> usize {
        FRAME_LEN + 2 + 8 + 32 + poly_size(params, &params.q_indices(self.level))
    }

    fn to_bytes(&self, params: &CkksParameters) -> Result<Vec<u8>> {
        if self.c0.n() != params.n()
            || self.level > params.max_level()
            || self.c0.limbs() != self.level + 1
        {
            return Err(mismatch(Kind::SeededCiphertext));
        }
        let idx = params.q_indices(self.level);
        let mut out = Vec::with_capacity(self.serialized_size(params));
        write_header(&mut out, Kind::SeededCiphertext, &params.fingerprint());
        out.extend_from_slice(&(self.level as u16).to_le_bytes());
        out.extend_from_slice(&self.scale.to_le_bytes());
        out.extend_from_slice(&self.seed);
        write_poly(&mut out, params, &self.c0, &idx);
        Ok(seal(out))
    }

    fn try_from_bytes(bytes: &[u8], params: &CkksParameters) -> Result<Self> {
        let mut r = reader(bytes, Kind::SeededCiphertext)?;
        r.header(Kind::SeededCiphertext, Some(&params.fingerprint()))?;
        let (level, scale) = level_scale(&mut r, params)?;
        let seed = r.array::<32>()?;
        let c0 = r.poly(params, &params.q_indices(level))?;
        r.finish()?;
        Ok(SeededCiphertext {
            seed,
            c0,
            level,
            scale,
        })
    }
}

impl Serializable for PublicKey {
    fn serialized_size(&self, params: &CkksParameters) -> usize {
        let poly = poly_size(params, &params.q_indices(params.max_level()));
        FRAME_LEN
            + 1
            + match self.seed {
                Some(_) => 32 + poly,
                None => 2 * poly,
            }
    }

    fn to_bytes(&self, params: &CkksParameters) -> Result<Vec<u8>> {
        let idx = params.q_indices(params.max_level());
        if self.a.n() != params.n() || self.a.limbs() != idx.len() || self.b.limbs() != idx.len() {
            return Err(mismatch(Kind::PublicKey));
        }
        let mut out = Vec::with_capacity(self.serialized_size(params));
        write_header(&mut out, Kind::PublicKey, &params.fingerprint());
        match self.seed {
            Some(seed) => {
                out.push(1);
                out.extend_from_slice(&seed);
                write_poly(&mut out, params, &self.b, &idx);
            }
            None => {
                out.push(0);
                write_poly(&mut out, params, &self.b, &idx);
                write_poly(&mut out, params, &self.a, &idx);
            }
        }
        Ok(seal(out))
    }

    fn try_from_bytes(bytes: &[u8], params: &CkksParameters) -> Result<Self> {
        let mut r = reader(bytes, Kind::PublicKey)?;
        r.header(Kind::PublicKey, Some(&params.fingerprint()))?;
        let idx = params.q_indices(params.max_level());
        let key = match r.u8()? {
            1 => {
                let seed = r.array::<32>()?;
                let b = r.poly(params, &idx)?;
                PublicKey {
                    b,
                    a: expand_seed(seed, params, params.max_level()),
                    seed: Some(seed),
                }
            }
            0 => {
                let b = r.poly(params, &idx)?;
                let a = r.poly(params, &idx)?;
                PublicKey { b, a, seed: None }
            }
            f => return Err(r.err(format!("unknown public-key flag {f}"))),
        };
        r.finish()?;
        Ok(key)
    }
}

/// Size of one switching key: a flag byte, then either the seed and the b_j (seeded) or
/// every (b_j, a_j).
fn switching_key_size(params: &CkksParameters, k: &SwitchingKey) -> usize {
    let idx = params.qp_indices(params.max_level());
    let digits = params.digits_at(params.max_level());
    let poly = poly_size(params, &idx);
    1 + match k.seed {
        Some(_) => 32 + digits * poly,
        None => 2 * digits * poly,
    }
}

/// Smallest possible encoded switching key (seeded), to bound counts before allocating.
fn min_switching_key_size(params: &CkksParameters) -> usize {
    let idx = params.qp_indices(params.max_level());
    1 + 32 + params.digits_at(params.max_level()) * poly_size(params, &idx)
}

fn check_switching_key(params: &CkksParameters, k: &SwitchingKey, kind: Kind) -> Result<()> {
    let full = params.max_level() + 1 + params.num_special();
    if k.parts.len() != params.digits_at(params.max_level())
        || !k
            .parts
            .iter()
            .all(|(b, a)| b.n() == params.n() && b.limbs() == full && a.limbs() == full)
    {
        return Err(mismatch(kind));
    }
    Ok(())
}

fn write_switching_key(out: &mut Vec<u8>, params: &CkksParameters, k: &SwitchingKey) {
    let idx = params.qp_indices(params.max_level());
    match k.seed {
        Some(seed) => {
            out.push(1);
            out.extend_from_slice(&seed);
            for (b, _) in &k.parts {
                write_poly(out, params, b, &idx);
            }
        }
        None => {
            out.push(0);
            for (b, a) in &k.parts {
                write_poly(out, params, b, &idx);
                write_poly(out, params, a, &idx);
            }
        }
    }
}

fn read_switching_key(r: &mut Reader<'_>, params: &CkksParameters) -> Result<SwitchingKey> {
    let idx = params.qp_indices(params.max_level());
    let digits = params.digits_at(params.max_level());
    let mut parts = Vec::with_capacity(digits);
    match r.u8()? {
        1 => {
            let seed = r.array::<32>()?;
            for j in 0..digits {
                let b = r.poly(params, &idx)?;
                parts.push((b, expand_key_part(seed, params, j)));
            }
            Ok(SwitchingKey {
                parts,
                seed: Some(seed),
            })
        }
        0 => {
            for _ in 0..digits {
                let b = r.poly(params, &idx)?;
                let a = r.poly(params, &idx)?;
                parts.push((b, a));
            }
            Ok(SwitchingKey { parts, seed: None })
        }
        f => Err(r.err(format!("unknown switching-key flag {f}"))),
    }
}

impl Serializable for RelinearizationKey {
    fn serialized_size(&self, params: &CkksParameters) -> usize {
        FRAME_LEN + switching_key_size(params, &self.key)
    }

    fn to_bytes(&self, params: &CkksParameters) -> Result<Vec<u8>> {
        check_switching_key(params, &self.key, Kind::RelinearizationKey)?;
        let mut out = Vec::with_capacity(self.serialized_size(params));
        write_header(&mut out, Kind::RelinearizationKey, &params.fingerprint());
        write_switching_key(&mut out, params, &self.key);
        Ok(seal(out))
    }

    fn try_from_bytes(bytes: &[u8], params: &CkksParameters) -> Result<Self> {
        let mut r = reader(bytes, Kind::RelinearizationKey)?;
        r.header(Kind::RelinearizationKey, Some(&params.fingerprint()))?;
        let key = read_switching_key(&mut r, params)?;
        r.finish()?;
        Ok(RelinearizationKey { key })
    }
}

impl Serializable for GaloisKeys {
    fn serialized_size(&self, params: &CkksParameters) -> usize {
        FRAME_LEN
            + 4
            + self
                .keys
                .values()
                .map(|(k, _)| 4 + switching_key_size(params, k))
                .sum::<usize>()
    }

    fn to_bytes(&self, params: &CkksParameters) -> Result<Vec<u8>> {
        for (k, _) in self.keys.values() {
            check_switching_key(params, k, Kind::GaloisKeys)?;
        }
        let mut out = Vec::with_capacity(self.serialized_size(params));
        write_header(&mut out, Kind::GaloisKeys, &params.fingerprint());
        out.extend_from_slice(&(self.keys.len() as u32).to_le_bytes());
        for g in self.galois_elements() {
            if let Some((k, _)) = self.keys.get(&g) {
                out.extend_from_slice(&(g as u32).to_le_bytes());
                write_switching_key(&mut out, params, k);
            }
        }
        Ok(seal(out))
    }

    fn try_from_bytes(bytes: &[u8], params: &CkksParameters) -> Result<Self> {
        let mut r = reader(bytes, Kind::GaloisKeys)?;
        r.header(Kind::GaloisKeys, Some(&params.fingerprint()))?;
        let count = r.u32()? as usize;
        let min_per_key = 4 + min_switching_key_size(params);
        if count
            .checked_mul(min_per_key)
            .is_none_or(|need| need > r.remaining())
        {
            return Err(r.err(format!(
                "{count} keys need at least {} bytes, {} present",
                count.saturating_mul(min_per_key),
                r.remaining()
            )));
        }
        let two_n = 2 * params.n();
        let mut keys = HashMap::with_capacity(count);
        for _ in 0..count {
            let g = r.u32()? as usize;
            if g.is_multiple_of(2) || g >= two_n || g == 1 {
                return Err(r.err(format!("invalid Galois element {g}")));
            }
            if keys.contains_key(&g) {
                return Err(r.err(format!("duplicate Galois element {g}")));
            }
            let key = read_switching_key(&mut r, params)?;
            let perm = Arc::new(params.ntt_galois_permutation(g));
            keys.insert(g, (key, perm));
        }
        r.finish()?;
        Ok(GaloisKeys { keys })
    }
}
