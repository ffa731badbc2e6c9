//! In-process benchmarks of rmcp-sampling (`benches/loops.rs`: `cargo bench -p
//! rmcp-sampling-bench`) and the scripts of the out-of-process ones (`run.sh`, `build_cost.sh`).
//! See BENCHMARKS.md at the repository's root. This library is empty.
