//! The 128-bit security bound on log2(Q·P).

/// Maximum log2(Q·P) for 128-bit classical security with a ternary secret and
/// σ = 3.2, by log2(N): the HomomorphicEncryption.org standard's Table 1 up to N = 2^15,
/// and for 2^16 and 2^17 (which the standard does not list) the lattice-estimator bounds
/// OpenFHE ships (1747 and 3523 bits).
pub fn max_log_qp_128(log_n: u32) -> Option<u32> {
    match log_n {
        10 => Some(27),
        11 => Some(54),
        12 => Some(109),
        13 => Some(218),
        14 => Some(438),
        15 => Some(881),
        // Not in the standard's table: the lattice-estimator values OpenFHE uses
        // (HEStd_128_classic, ternary secret), slightly below a linear extrapolation.
        16 => Some(1747),
        17 => Some(3523),
        _ => None,
    }
}

/// Requested security level of a parameter set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Security {
    /// Refuse parameter sets above the HE-standard 128-bit bound.
    Bits128,
    /// Accept any size. For tests only: such parameters give no security.
    InsecureForTests,
}
