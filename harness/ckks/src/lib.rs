//! lowdepth-ckks (in progress).
