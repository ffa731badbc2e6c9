//! The servers of the sampling-loop benchmark (`bench/run.sh`, `bench/benches/loops.rs`,
//! BENCHMARKS.md): the same contract written with rmcp-sampling ([`ours`]) and by hand on raw
//! rmcp ([`raw`]).

pub mod ours;
pub mod raw;
