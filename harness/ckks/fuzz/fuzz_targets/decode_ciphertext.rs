#![no_main]
//! Ciphertext, seeded ciphertext and parameter decoders must never panic.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use lowdepth_ckks::{Ciphertext, CkksParameters, SeededCiphertext, Serializable};

fn params() -> &'static CkksParameters {
    static P: OnceLock<CkksParameters> = OnceLock::new();
    P.get_or_init(|| CkksParameters::insecure_test_n10_l4().expect("test parameters"))
}

fuzz_target!(|data: &[u8]| {
    let _ = CkksParameters::try_from_bytes(data);
    let _ = Ciphertext::try_from_bytes(data, params());
    let _ = SeededCiphertext::try_from_bytes(data, params());
});
