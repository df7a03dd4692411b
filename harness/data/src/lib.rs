//! lowdepth-data (in progress).
