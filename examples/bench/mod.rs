//! The server of the sampling-loop benchmark (`bench/run.sh`, `bench/benches/loops.rs`,
//! BENCHMARKS.md): the contract written with rmcp-sampling ([`ours`]). The same contract by hand
//! on raw rmcp is the `rmcp-sampling-bench-raw` package (`bench/raw/`), built apart so that its
//! dependency graph does not turn on serde_json's `preserve_order`.

pub mod ours;
