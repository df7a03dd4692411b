//! The HELR baseline training circuit (depth 5 per minibatch), on the toolkit.
#![cfg_attr(test, allow(clippy::unwrap_used))]
