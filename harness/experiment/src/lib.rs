//! lowdepth-experiment (in progress).
