//! In-process benchmarks (divan): the sampling loop with tools over a tokio duplex against a
//! scripted rmcp client, rmcp-sampling (`rmcp_sampling_examples::bench::ours`) vs the same loop
//! hand-written on raw rmcp (`rmcp_sampling_bench_raw`; in one process both get serde_json's
//! `preserve_order`, which the out-of-process baseline does without); and the multi round-trip
//! state's seal + open.
//!
//! `cargo bench -p rmcp-sampling-bench` measures; `cargo test -p rmcp-sampling-bench --benches`
//! runs each benchmark once. Figures and method: BENCHMARKS.md.

// rmcp marks its sampling types deprecated (SEP-2577); the scripted client speaks them.
#![allow(deprecated)]

use std::sync::atomic::{AtomicU64, Ordering};

use divan::Bencher;
use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientInfo, CreateMessageRequestParams,
    CreateMessageResult, ErrorData, Implementation, Role, SamplingCapability, SamplingContent,
    SamplingMessage, SamplingMessageContentBlock,
};
use rmcp::service::{RequestContext, RunningService};
use rmcp::{ClientHandler, RoleClient, ServerHandler};
use rmcp_sampling::bench::StateBench;
use rmcp_sampling_bench_raw::RawServer;
use rmcp_sampling_examples::bench::ours::BenchServer;

fn main() {
    divan::main();
}

/// The driver's scripted LLM (shared/bench/README.md): `add(count, 1)` until `steps` tool
/// results are in the history, then the answer (text, or `final_response` when offered).
#[derive(Clone, Default)]
struct ScriptedClient;

static IDS: AtomicU64 = AtomicU64::new(0);

impl ScriptedClient {
    fn reply(params: &CreateMessageRequestParams) -> Result<CreateMessageResult, ErrorData> {
        let steps: usize = match params.messages.first().map(|m| &m.content) {
            Some(SamplingContent::Single(SamplingMessageContentBlock::Text(t))) => t
                .text
                .strip_prefix("steps=")
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| ErrorData::invalid_params("no steps=N prompt", None))?,
            _ => return Err(ErrorData::invalid_params("no text prompt", None)),
        };
        let count = params
            .messages
            .iter()
            .flat_map(|m| m.content.iter())
            .filter(|b| matches!(b, SamplingMessageContentBlock::ToolResult(_)))
            .count();
        let offered = |name: &str| params.tools.iter().flatten().any(|tool| tool.name == name);
        let id = || format!("toolu_{:08}", IDS.fetch_add(1, Ordering::Relaxed));
        let (block, stop) = if count < steps {
            let input = serde_json::json!({"a": count, "b": 1});
            let input = input.as_object().cloned().unwrap_or_default();
            (
                SamplingMessageContentBlock::tool_use(id(), "add", input),
                "toolUse",
            )
        } else if offered("final_response") {
            let input = serde_json::json!({"label": "ok", "score": 0.5});
            let input = input.as_object().cloned().unwrap_or_default();
            (
                SamplingMessageContentBlock::tool_use(id(), "final_response", input),
                "toolUse",
            )
        } else {
            (SamplingMessageContentBlock::text("done"), "endTurn")
        };
        let message = SamplingMessage::new_multiple(Role::Assistant, vec![block]);
        let mut result = CreateMessageResult::new(message, "scripted-llm".into());
        result.stop_reason = Some(stop.into());
        Ok(result)
    }
}

impl ClientHandler for ScriptedClient {
    fn get_info(&self) -> ClientInfo {
        let mut capabilities = ClientCapabilities::default();
        let mut sampling = SamplingCapability::default();
        sampling.tools = Some(Default::default());
        capabilities.sampling = Some(sampling);
        ClientInfo::new(capabilities, Implementation::new("scripted", "0"))
    }

    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, ErrorData> {
        Self::reply(&params)
    }
}

/// A connected client and its runtime (one thread, as the stdio servers).
struct Rig {
    runtime: tokio::runtime::Runtime,
    client: RunningService<RoleClient, ScriptedClient>,
}

impl Rig {
    fn new<S: ServerHandler>(server: S) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let client = runtime
            .block_on(rmcp_sampling::testing::connect_in_process(
                server,
                ScriptedClient,
            ))
            .expect("the client connects");
        Self { runtime, client }
    }

    /// One `tools/call` of `tool` with `steps`; panics unless it succeeded.
    fn call(&self, tool: &'static str, steps: u32) {
        let mut params = CallToolRequestParams::new(tool);
        params.arguments = serde_json::json!({"steps": steps}).as_object().cloned();
        let result = self
            .runtime
            .block_on(self.client.call_tool(params))
            .expect("the call completes");
        assert_ne!(result.is_error, Some(true), "{result:?}");
    }
}

/// Steps per loop: 20, and 99 (100 sampling requests, the iterations cap of both servers).
const STEPS: [u32; 2] = [20, 99];

#[divan::bench(args = STEPS)]
fn text_ours(bencher: Bencher, steps: u32) {
    let rig = Rig::new(BenchServer::new());
    bencher.bench_local(|| rig.call("loop_text", steps));
}

#[divan::bench(args = STEPS)]
fn text_raw(bencher: Bencher, steps: u32) {
    let rig = Rig::new(RawServer::new());
    bencher.bench_local(|| rig.call("loop_text", steps));
}

#[divan::bench(args = STEPS)]
fn typed_ours(bencher: Bencher, steps: u32) {
    let rig = Rig::new(BenchServer::new());
    bencher.bench_local(|| rig.call("loop_struct", steps));
}

#[divan::bench(args = STEPS)]
fn typed_raw(bencher: Bencher, steps: u32) {
    let rig = Rig::new(RawServer::new());
    bencher.bench_local(|| rig.call("loop_struct", steps));
}

/// Seal + open of a 64 KiB multi round-trip state (JSON, a BLAKE3 digest sealed by rmcp's
/// HMAC-SHA256 codec, base64url).
#[divan::bench]
fn seal_open_64k(bencher: Bencher) {
    let state = StateBench::new(64 * 1024);
    bencher.bench_local(|| {
        let sealed = state.seal().expect("sealed");
        state.open(&sealed).expect("opened")
    });
}
