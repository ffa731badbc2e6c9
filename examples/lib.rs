//! Shared pieces of the runnable examples (see the `[[example]]` targets).

pub mod bench;
