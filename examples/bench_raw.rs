//! The sampling-loop benchmark contract (`shared/bench/README.md`) written by hand on raw
//! `rmcp`, without rmcp-sampling (`rmcp_sampling_examples::bench::raw`): the baseline
//! `bench_server` is measured against (`bench/run.sh`, BENCHMARKS.md).
//!
//! Run it with `cargo run --release --example bench_raw -p rmcp-sampling-examples`.

use rmcp::ServiceExt;
use rmcp_sampling_examples::bench::raw::RawServer;

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
