//! The sampling-loop benchmark contract (`shared/bench/README.md`) written by hand on raw
//! `rmcp`, without rmcp-sampling (`rmcp_sampling_bench_raw::RawServer`): the baseline
//! `bench_server` is measured against (`bench/run.sh`, `bench/callgrind.sh`, `bench/rounds.sh`,
//! BENCHMARKS.md).
//!
//! Build it alone, so that serde_json's `preserve_order` stays off:
//! `cargo build --release -p rmcp-sampling-bench-raw --bin bench_raw`.

use rmcp::ServiceExt;
use rmcp_sampling_bench_raw::RawServer;

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let service = RawServer::new()
            .serve(rmcp::transport::stdio_pipes())
            .await?;
        service.waiting().await?;
        Ok(())
    })
}
