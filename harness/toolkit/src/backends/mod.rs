//! Backends that need no CKKS engine: plaintext simulation and the tracer.

pub mod plaintext;
pub mod tracer;

pub use plaintext::{PlainCiphertext, PlaintextBackend, PlaintextParams};
pub use tracer::{depth_finder, OpCounts, OpKind, TraceReport, Tracer, TracerParams};
