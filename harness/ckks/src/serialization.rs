//! Binary serialization (to come).
