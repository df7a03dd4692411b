//! Which instruction set the NTTs and element-wise kernels run on, chosen once per run:
//! the best the CPU supports, or the one named by `LOWDEPTH_CKKS_ISA`.
//!
//! Every path computes the same exact modular arithmetic, so ciphertexts are bit-identical
//! whichever path produced them; only the speed differs.

use std::sync::OnceLock;

use crate::error::{CkksError, Result};

/// The environment variable that forces a kernel path (`ifma`, `avx512`, `avx2`, `scalar`).
pub const ISA_ENV_VAR: &str = "LOWDEPTH_CKKS_ISA";

/// A family of NTT and element-wise kernels, named after the instructions it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KernelPath {
    /// AVX-512 with IFMA (52-bit multiply-add): `tfhe-ntt`'s NTT, our AVX-512 kernels.
    Ifma,
    /// AVX-512 F/DQ/VL without IFMA: our double-precision NTT and kernels, 8 lanes.
    Avx512,
    /// AVX2 + FMA: our double-precision NTT and kernels, 4 lanes.
    Avx2,
    /// Portable scalar code (Shoup/Harvey arithmetic); runs on every CPU.
    Scalar,
}

impl KernelPath {
    /// Every path, fastest first.
    pub const ALL: [KernelPath; 4] = [Self::Ifma, Self::Avx512, Self::Avx2, Self::Scalar];

    /// The short name used by `LOWDEPTH_CKKS_ISA` and in benchmark tables.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ifma => "ifma",
            Self::Avx512 => "avx512",
            Self::Avx2 => "avx2",
            Self::Scalar => "scalar",
        }
    }

    /// Parses a name as accepted by `LOWDEPTH_CKKS_ISA`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Whether this CPU has the instructions the path needs.
    pub fn is_supported(self) -> bool {
        match self {
            Self::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Self::Avx2 => pulp::x86::V3::try_new().is_some(),
            #[cfg(target_arch = "x86_64")]
            Self::Avx512 => pulp::x86::V4::try_new().is_some(),
            #[cfg(target_arch = "x86_64")]
            Self::Ifma => {
                pulp::x86::V4::try_new().is_some() && std::is_x86_feature_detected!("avx512ifma")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// The paths this CPU can run, fastest first.
    pub fn supported() -> Vec<KernelPath> {
        Self::ALL.into_iter().filter(|p| p.is_supported()).collect()
    }

    /// The fastest path this CPU supports.
    pub fn best_supported() -> KernelPath {
        Self::ALL
            .into_iter()
            .find(|p| p.is_supported())
            .unwrap_or(Self::Scalar)
    }

    /// The path of this run: `LOWDEPTH_CKKS_ISA` if set, else [`Self::best_supported`].
    /// Decided once (the variable is read on the first call).
    ///
    /// An unknown or unsupported value is reported by [`Self::from_env`] and by every
    /// parameter construction ([`crate::CkksParameters::try_new`]); here it falls back to
    /// the best supported path so that a name is always available for reporting.
    pub fn active() -> KernelPath {
        Self::from_env().unwrap_or_else(|_| Self::best_supported())
    }

    /// The path `LOWDEPTH_CKKS_ISA` selects (read once per process), or the best supported
    /// path when the variable is unset or empty; an error naming the variable and value if
    /// the value is unknown or the CPU cannot run it.
    pub fn from_env() -> Result<KernelPath> {
        static CHOICE: OnceLock<Result<KernelPath>> = OnceLock::new();
        CHOICE
            .get_or_init(|| Self::parse_choice(std::env::var(ISA_ENV_VAR).ok().as_deref()))
            .clone()
    }

    /// What a given value of `LOWDEPTH_CKKS_ISA` selects (`None`: unset).
    fn parse_choice(value: Option<&str>) -> Result<KernelPath> {
        let value = match value.map(str::trim) {
            None | Some("") => return Ok(Self::best_supported()),
            Some(v) => v,
        };
        let path =
            Self::from_name(&value.to_ascii_lowercase()).ok_or_else(|| CkksError::KernelPath {
                reason: format!("{ISA_ENV_VAR}={value:?} is not one of ifma, avx512, avx2, scalar"),
            })?;
        path.check_supported()?;
        Ok(path)
    }

    /// `Ok` if this CPU can run the path, else an error naming the path.
    pub(crate) fn check_supported(self) -> Result<()> {
        if self.is_supported() {
            Ok(())
        } else {
            Err(CkksError::KernelPath {
                reason: format!(
                    "kernel path {} needs instructions this CPU lacks (requested by {}); supported: {}",
                    self.name(),
                    match std::env::var(ISA_ENV_VAR) {
                        Ok(v) if !v.trim().is_empty() => format!("{ISA_ENV_VAR}={v:?}"),
                        _ => "the caller".to_string(),
                    },
                    Self::supported()
                        .iter()
                        .map(|p| p.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
        }
    }
}

impl std::fmt::Display for KernelPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in KernelPath::ALL {
            assert_eq!(KernelPath::from_name(p.name()), Some(p));
        }
        assert_eq!(KernelPath::from_name("sse2"), None);
    }

    #[test]
    fn unknown_value_is_an_error_naming_the_variable() {
        let err = KernelPath::parse_choice(Some("neon")).expect_err("unknown value");
        let text = err.to_string();
        assert!(
            text.contains(ISA_ENV_VAR) && text.contains("neon"),
            "{text}"
        );
    }

    #[test]
    fn unset_or_empty_picks_the_best_supported() {
        assert_eq!(
            KernelPath::parse_choice(None).ok(),
            Some(KernelPath::best_supported())
        );
        assert_eq!(
            KernelPath::parse_choice(Some(" ")).ok(),
            Some(KernelPath::best_supported())
        );
        assert!(KernelPath::Scalar.is_supported());
    }

    #[test]
    fn each_supported_name_is_accepted_and_others_refused() {
        for p in KernelPath::ALL {
            let got = KernelPath::parse_choice(Some(&p.name().to_uppercase()));
            if p.is_supported() {
                assert_eq!(got.ok(), Some(p));
            } else {
                eprintln!("this CPU lacks kernel path {p}: checking it is refused");
                assert!(got.is_err());
            }
        }
    }
}
