//! lowdepth-toolkit (in progress).
