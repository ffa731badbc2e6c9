//! The multi round-trip state's size per round: a 10-step text loop with the `add` tool on
//! protocol 2026-07-28, driven round by round (`call_tool_once`) by rmcp's own client; prints,
//! per round, the sealed `requestState` in bytes and its JSON payload compressed with deflate
//! (level 3 and 6), to tell whether compressing before sealing would pay.
//!
//! `cargo bench -p rmcp-sampling-bench --bench state_size`. Figures: BENCHMARKS.md.

// rmcp marks its sampling types deprecated (SEP-2577); the client answers them.
#![allow(deprecated)]

use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, InputResponses, ProtocolVersion, ServerCapabilities,
    ServerInfo,
};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt, ServiceExt};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use rmcp_sampling::client::SamplingClient;
use rmcp_sampling::testing::ScriptedLlm;
use rmcp_sampling::{Sampler, SamplingContext, ToolError, ToolReply, sampling_tool};
use serde_json::json;

/// How many `add` calls the LLM makes before it answers.
const STEPS: i64 = 10;

/// Add two integers.
#[sampling_tool]
fn add(a: i64, b: i64) -> Result<i64, ToolError> {
    a.checked_add(b).ok_or(ToolError::new("overflow"))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Prompt {
    prompt: String,
}

#[derive(Clone)]
struct Server {
    sampler: Sampler,
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Server {
    /// A text loop with `add`.
    #[tool]
    async fn text(
        &self,
        ctx: SamplingContext,
        Parameters(p): Parameters<Prompt>,
    ) -> ToolReply<String> {
        self.sampler
            .reply(&ctx, async {
                Ok(self
                    .sampler
                    .on(&ctx)
                    .tools([add_tool()])
                    .sample_text(p.prompt.as_str())
                    .await?
                    .text)
            })
            .await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(ServerCapabilities::builder().enable_tools().build())
    }
}

/// Bytes of `data` deflated at `level`.
fn deflated(data: &[u8], level: u32) -> usize {
    let mut encoder =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(level));
    encoder.write_all(data).expect("in memory");
    encoder.finish().expect("in memory").len()
}

/// The JSON payload of a `<envelope>~j<journal in base64url>` state (journals this small are
/// not deflated: form `j`).
fn payload(sealed: &str) -> Vec<u8> {
    let (_, journal) = sealed.split_once('~').expect("an envelope and a journal");
    let journal = journal.strip_prefix('j').expect("a plain journal");
    URL_SAFE_NO_PAD.decode(journal).expect("base64")
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let server = Server {
            // 10 tool steps and the answer take 11 rounds; the default budget is 10.
            sampler: Sampler::new().round_budget(STEPS as u32 + 2),
            tool_router: Server::tool_router(),
        };
        let (server_io, client_io) = tokio::io::duplex(1 << 16);
        tokio::spawn(async move {
            if let Ok(running) = server.serve(server_io).await {
                let _ = running.waiting().await;
            }
        });
        let client = SamplingClient::new(ScriptedLlm::new())
            .serve_with_lifecycle(
                client_io,
                ClientLifecycleMode::Discover {
                    preferred_versions: vec![ProtocolVersion::V_2026_07_28],
                },
            )
            .await
            .expect("the client connects");
        let mut params = CallToolRequestParams::new("text");
        params.arguments = json!({"prompt": format!("steps={STEPS}")})
            .as_object()
            .cloned();
        println!(
            "| round | sealed requestState bytes | JSON payload bytes | deflate-3 | deflate-6 |"
        );
        println!("| --- | --- | --- | --- | --- |");
        for round in 0..=STEPS + 1 {
            let response = client
                .call_tool_once(params.clone())
                .await
                .expect("the round completes");
            let state = match response {
                CallToolResponse::InputRequired(state) => state,
                other => {
                    println!("\nround {round}: final result {other:?}");
                    break;
                }
            };
            let sealed = state.request_state.clone().unwrap_or_default();
            let json = payload(&sealed);
            println!(
                "| {} | {} | {} | {} | {} |",
                round + 1,
                sealed.len(),
                json.len(),
                deflated(&json, 3),
                deflated(&json, 6)
            );
            let requests = state.input_requests.as_ref().expect("input requests");
            let key = requests.keys().next().expect("one request").clone();
            let answer = if round < STEPS {
                json!({"role": "assistant", "content": [{"type": "tool_use",
                       "id": format!("toolu_{round:08}"), "name": "add",
                       "input": {"a": round, "b": 1}}],
                       "model": "scripted-llm", "stopReason": "toolUse"})
            } else {
                json!({"role": "assistant", "content": {"type": "text", "text": "done"},
                       "model": "scripted-llm", "stopReason": "endTurn"})
            };
            params.request_state = state.request_state.clone();
            params.input_responses = Some(InputResponses::from([(key, answer)]));
        }
        let _ = client.cancel().await;
    });
}
