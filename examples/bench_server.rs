//! A stdio MCP server that implements the sampling-loop benchmark contract
//! (`shared/bench/README.md`): three tools that each run a sampling loop through the
//! client's LLM, with `add` and `nap` as the tools that LLM may call.
//!
//! | MCP tool | what it does |
//! | --- | --- |
//! | `loop_text(steps)` | text loop with `add`; returns the LLM's final text |
//! | `loop_struct(steps)` | typed loop with `add`; returns a `Verdict` as JSON text and `structuredContent` |
//! | `loop_parallel(width, sleep_ms)` | loop with `nap`, every call of one response at once |
//! | `loop_rounds(steps)` | `loop_text` over multi round-trip (2026-07-28, `bench/rounds.sh`) |
//! | `ask_with_tools(prompt)` | text loop with both `add` and `nap` (not part of the benchmark: for interop tests) |
//!
//! A failed loop (the client cannot sample with tools, the LLM broke the protocol, the
//! iterations cap...) comes back to the caller as a tool error (`isError: true`) whose text
//! says what went wrong.
//!
//! Run it with `cargo run --release --example bench_server -p rmcp-sampling-examples`; it speaks
//! newline-delimited JSON-RPC on stdin/stdout, and logs to stderr only when `RUST_LOG` is set.

use rmcp::ServiceExt;
use rmcp_sampling_examples::bench::ours::BenchServer;

fn main() -> anyhow::Result<()> {
    // Logs only when asked for (`RUST_LOG`), as the hand-written baseline, which has no
    // subscriber: building a filter and a formatter costs memory the benchmark would count.
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_default_env() {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .init();
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let service = BenchServer::new()
            .serve(rmcp::transport::stdio_pipes())
            .await?;
        service.waiting().await?;
        Ok(())
    })
}
