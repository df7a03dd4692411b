#![no_main]
//! Public, relinearization and Galois key decoders must never panic.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use lowdepth_ckks::{CkksParameters, GaloisKeys, PublicKey, RelinearizationKey, Serializable};

fn params() -> &'static CkksParameters {
    static P: OnceLock<CkksParameters> = OnceLock::new();
    P.get_or_init(|| CkksParameters::insecure_test_n10_l4().expect("test parameters"))
}

fuzz_target!(|data: &[u8]| {
    let _ = PublicKey::try_from_bytes(data, params());
    let _ = RelinearizationKey::try_from_bytes(data, params());
    let _ = GaloisKeys::try_from_bytes(data, params());
});
