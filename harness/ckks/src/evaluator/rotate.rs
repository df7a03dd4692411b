//! Rotations (Galois automorphisms X → X^{5^k}) and conjugation (X → X^{-1}), single and
//! hoisted. Positive steps rotate LEFT: slot i receives slot i + k.

use rayon::prelude::*;

use super::keyswitch::{decompose, key_switch, key_switch_decomposed, Decomposed};
use super::Evaluator;
use crate::ciphertext::Ciphertext;
use crate::error::{CkksError, Result};
use crate::keys::{galois_element_conjugation, galois_element_for_step};
use crate::ring::basis::Combine;
use crate::ring::poly::RnsPoly;

impl Evaluator {
    fn galois_key(
        &self,
        g: usize,
        step: Option<i32>,
    ) -> Result<&(crate::keys::SwitchingKey, std::sync::Arc<Vec<u32>>)> {
        let missing = || match step {
            Some(step) => CkksError::MissingGaloisKey { step },
            None => CkksError::MissingConjugationKey,
        };
        self.galois_keys
            .as_ref()
            .ok_or_else(missing)?
            .get(g)
            .ok_or_else(missing)
    }

    /// Galois keys are stored as φ_g^{-1}(key) (see keys.rs), so c1 is switched unpermuted
    /// and φ_g is applied once to the results: φ_g(c0 + k0), φ_g(k1).
    fn apply_galois(
        &self,
        ct: &Ciphertext,
        dec: Option<&Decomposed>,
        g: usize,
        step: Option<i32>,
    ) -> Result<Ciphertext> {
        // k0 = c0 + ModDown(acc0), k1 = ModDown(acc1).
        const C0_ADD_C1_SET: (Combine, Combine) = (Combine::Add, Combine::Set);
        let (key, perm) = self.galois_key(g, step)?;
        let p = &self.params;
        let mut k0 = ct.c0.scratch_copy(p);
        let mut k1 = RnsPoly::scratch(p, ct.level + 1);
        match dec {
            Some(d) => key_switch_decomposed(p, d, key, (&mut k0, &mut k1), C0_ADD_C1_SET),
            None => key_switch(p, &ct.c1, ct.level, key, (&mut k0, &mut k1), C0_ADD_C1_SET),
        }
        let (c0, c1) = rayon::join(|| k0.permute(perm), || k1.permute(perm));
        let out = Ciphertext {
            c0,
            c1,
            level: ct.level,
            scale: ct.scale,
        };
        k0.recycle(p);
        k1.recycle(p);
        Ok(out)
    }

    /// Rotates left by `step` (negative = right), modulo the slot count. Step ≡ 0 is the
    /// identity and needs no key.
    pub fn rotate(&self, ct: &Ciphertext, step: i32) -> Result<Ciphertext> {
        self.check_ct(ct)?;
        let g = galois_element_for_step(&self.params, step);
        if g == 1 {
            return Ok(ct.clone());
        }
        self.apply_galois(ct, None, g, Some(step))
    }

    /// Rotations of one ciphertext by several steps, hoisted: c1 is decomposed (ModUp) once
    /// and shared by all steps. Same results as calling [`Evaluator::rotate`] per step.
    pub fn rotate_many(&self, ct: &Ciphertext, steps: &[i32]) -> Result<Vec<Ciphertext>> {
        self.check_ct(ct)?;
        let gs: Vec<usize> = steps
            .iter()
            .map(|&s| galois_element_for_step(&self.params, s))
            .collect();
        for (&g, &s) in gs.iter().zip(steps) {
            if g != 1 {
                self.galois_key(g, Some(s))?;
            }
        }
        if gs.iter().all(|&g| g == 1) {
            return Ok(vec![ct.clone(); steps.len()]);
        }
        let dec = decompose(&self.params, &ct.c1, ct.level);
        // Steps in parallel too: each step's per-limb loops alone leave threads idle at
        // their joins once there are more threads than limbs per loop.
        let out = gs
            .par_iter()
            .zip(steps)
            .map(|(&g, &s)| {
                if g == 1 {
                    Ok(ct.clone())
                } else {
                    self.apply_galois(ct, Some(&dec), g, Some(s))
                }
            })
            .collect();
        dec.recycle(&self.params);
        out
    }

    /// Complex conjugation of the slots (identity on real-valued slots, up to noise).
    pub fn conjugate(&self, ct: &Ciphertext) -> Result<Ciphertext> {
        self.check_ct(ct)?;
        let g = galois_element_conjugation(&self.params);
        self.apply_galois(ct, None, g, None)
    }
}
