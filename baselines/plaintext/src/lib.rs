//! lowdepth-plaintext (in progress).
