//! The kernel path our engine takes on this machine: the CSV's `isa` column.

/// "ifma", "avx512", "avx2" or "scalar".
///
/// TODO(merge): replace the body with `lowdepth_ckks::KernelPath::active().name().to_string()`
/// once that lands (it also honours LOWDEPTH_CKKS_ISA). Until then this mirrors what the
/// engine does today: tfhe-ntt picks the widest path the CPU has by itself.
pub fn engine_isa() -> String {
    #[cfg(target_arch = "x86_64")]
    {
        let path = if std::arch::is_x86_feature_detected!("avx512ifma") {
            "ifma"
        } else if std::arch::is_x86_feature_detected!("avx512f") {
            "avx512"
        } else if std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
        {
            "avx2"
        } else {
            "scalar"
        };
        path.to_string()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        "scalar".to_string()
    }
}
