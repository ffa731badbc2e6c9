//! The benchmark contract (`shared/bench/README.md`) written with rmcp-sampling, as a user
//! would: the server of the `bench_server` example and of the in-process benchmarks
//! (`bench/benches/loops.rs`).

use std::time::Duration;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, ServerCapabilities, ServerConfig};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, ServerHandler, tool, tool_handler, tool_router};
use rmcp_sampling::tools::Concurrency;
use rmcp_sampling::{
    SampleError, Sampler, SamplingContext, ToolError, ToolReply, sampling_tool, structured_result,
};
use serde::Deserialize;

/// The longest nap the LLM may ask for: an untrusted LLM must not park a tool for ever.
const MAX_NAP_MS: u64 = 60_000;

/// Add two integers and return the sum.
#[sampling_tool]
fn add(a: i64, b: i64) -> Result<i64, ToolError> {
    a.checked_add(b)
        .ok_or_else(|| ToolError::new(format!("{a} + {b} overflows a 64-bit integer")))
}

/// Sleep for `ms` milliseconds, then return `ms`.
#[sampling_tool]
async fn nap(ms: u64) -> Result<u64, ToolError> {
    if ms > MAX_NAP_MS {
        return Err(ToolError::new(format!(
            "ms must be at most {MAX_NAP_MS}, got {ms}"
        )));
    }
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Ok(ms)
}

/// A label and a score: the typed result of `loop_struct`.
#[structured_result]
#[derive(Debug, Clone, PartialEq)]
struct Verdict {
    label: String,
    score: f64,
}

/// Arguments of `loop_text` and `loop_struct`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct StepsArgs {
    /// How many `add` calls the (scripted) LLM makes before it answers.
    steps: u32,
}

/// Arguments of `loop_parallel`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct ParallelArgs {
    /// How many `nap` calls the LLM makes in its one tool-using response.
    width: u32,
    /// How long each nap lasts, in milliseconds.
    sleep_ms: u64,
}

/// Arguments of `ask_with_tools`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct PromptArgs {
    /// The user message of the loop.
    prompt: String,
}

/// The most sampling requests one loop makes (FastMCP's cap, as the default
/// `max_iterations`): on 2026-07-28 one request is one round, and `loop_rounds` affords them
/// all.
const MAX_REQUESTS: u32 = 100;

/// The benchmark server: a sampler that uses the client's LLM, one for the multi round-trip
/// loop (whose client drives as many rounds as the loop makes requests), and the MCP tool
/// router.
#[derive(Clone)]
pub struct BenchServer {
    sampler: Sampler,
    rounds: Sampler,
    tool_router: ToolRouter<Self>,
}

impl Default for BenchServer {
    fn default() -> Self {
        Self::new()
    }
}

#[tool_router(router = tool_router)]
impl BenchServer {
    /// The server with a sampler on the client's LLM.
    pub fn new() -> Self {
        Self {
            sampler: Sampler::new(),
            rounds: Sampler::new().round_budget(MAX_REQUESTS + 1),
            tool_router: Self::tool_router(),
        }
    }

    /// Sampling tool loop; returns the LLM's final text.
    #[tool]
    async fn loop_text(
        &self,
        Parameters(args): Parameters<StepsArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let out = self
            .sampler
            .on(&ctx)
            .tools([add_tool()])
            .sample_text(format!("steps={}", args.steps))
            .await;
        text_result(out.map(|o| o.result))
    }

    /// Sampling tool loop with a typed result (through the synthetic final_response tool).
    #[tool]
    async fn loop_struct(
        &self,
        Parameters(args): Parameters<StepsArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let out = self
            .sampler
            .on(&ctx)
            .tools([add_tool()])
            .sample::<Verdict>(format!("steps={}", args.steps))
            .await;
        match out {
            Ok(out) => match serde_json::to_value(&out.result) {
                Ok(structured) => {
                    let mut result = CallToolResult::success(vec![ContentBlock::text(out.text)]);
                    result.structured_content = Some(structured);
                    result
                }
                Err(error) => tool_error(format!("the verdict cannot be serialized: {error}")),
            },
            Err(error) => sample_error(error),
        }
    }

    /// One round of `width` parallel `nap` tool calls, then the final text.
    #[tool]
    async fn loop_parallel(
        &self,
        Parameters(args): Parameters<ParallelArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let out = self
            .sampler
            .on(&ctx)
            .tools([nap_tool()])
            .concurrency(Concurrency::Unlimited)
            .sample_text(format!("width={} sleep_ms={}", args.width, args.sleep_ms))
            .await;
        text_result(out.map(|o| o.result))
    }

    /// The text loop with `add` over multi round-trip (protocol 2026-07-28): one LLM request
    /// per round, the loop's journal sealed in the request state (`bench/rounds.sh`).
    #[tool]
    async fn loop_rounds(
        &self,
        ctx: SamplingContext,
        Parameters(args): Parameters<StepsArgs>,
    ) -> ToolReply<String> {
        self.rounds
            .reply(&ctx, async {
                let out = self
                    .rounds
                    .on(&ctx)
                    .tools([add_tool()])
                    .sample_text(format!("steps={}", args.steps))
                    .await?;
                Ok(out.result)
            })
            .await
    }

    /// A text loop on `prompt` with both `add` and `nap` offered (for interop tests).
    #[tool]
    async fn ask_with_tools(
        &self,
        Parameters(args): Parameters<PromptArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let out = self
            .sampler
            .on(&ctx)
            .tools([add_tool(), nap_tool()])
            .sample_text(args.prompt)
            .await;
        text_result(out.map(|o| o.result))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for BenchServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

/// The final text of a loop, or its failure, as a tool result.
fn text_result(out: Result<String, SampleError>) -> CallToolResult {
    match out {
        Ok(text) => CallToolResult::success(vec![ContentBlock::text(text)]),
        Err(error) => sample_error(error),
    }
}

/// A failed loop as a tool error the caller can read.
fn sample_error(error: SampleError) -> CallToolResult {
    tracing::warn!(%error, "sampling loop failed");
    error.into_tool_result()
}

fn tool_error(message: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message)])
}
