//! The benchmark contract written by hand on raw rmcp: the server of the `bench_raw` example
//! and the baseline of the in-process benchmarks.
//!
//! It is kept as lean as a careful hand-written server would be: one thread, the non-blocking
//! `stdio_pipes()` transport, the MCP tools through rmcp's own `#[tool]` router (as
//! `bench_server`, so both pay the same MCP-side cost), the tool schemas built once, and a
//! sampling loop that keeps one history and clones it into each request (rmcp's
//! `create_message` takes its parameters by value). It checks what it must (the tool names, the
//! arguments, `sleep_ms` bounded) and nothing else: no time limits, no cancellation, no tracing.
//!
//! Run it with `cargo run --release --example bench_raw -p rmcp-sampling-examples`.

// The sampling types are deprecated in rmcp 3.11 (SEP-2577) but are the 2025-11-25 protocol.
#![allow(deprecated)]

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, ContentBlock, CreateMessageRequestParams, JsonObject, Role, SamplingMessage,
    SamplingMessageContentBlock, ServerCapabilities, ServerConfig, Tool, ToolChoice,
};
use rmcp::service::{Peer, RequestContext};
use rmcp::{RoleServer, ServerHandler, tool, tool_handler, tool_router};
use serde::{Deserialize, Serialize};

/// The longest nap the LLM may ask for.
const MAX_NAP_MS: u64 = 60_000;
/// The most sampling requests one loop makes (FastMCP's cap).
const MAX_REQUESTS: usize = 100;

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

/// The typed result of `loop_struct`.
#[derive(Debug, Deserialize, Serialize)]
struct Verdict {
    label: String,
    score: f64,
}

#[derive(Deserialize)]
struct AddArgs {
    a: i64,
    b: i64,
}

#[derive(Deserialize)]
struct NapArgs {
    ms: u64,
}

fn schema(value: serde_json::Value) -> Arc<JsonObject> {
    match value {
        serde_json::Value::Object(map) => Arc::new(map),
        _ => Arc::new(JsonObject::new()),
    }
}

/// The sampling tools, built once.
struct Tools {
    add: Vec<Tool>,
    nap: Vec<Tool>,
    add_final: Vec<Tool>,
}

fn tools() -> &'static Tools {
    static TOOLS: OnceLock<Tools> = OnceLock::new();
    TOOLS.get_or_init(|| {
        // Word for word what `bench_server` offers (its doc comments, schemars' schemas,
        // `additionalProperties: false`), so both servers send the same bytes and the
        // comparison measures the loops alone.
        let int64 = serde_json::json!({"type": "integer", "format": "int64"});
        let add = Tool::new(
            "add",
            "Add two integers and return the sum.",
            schema(serde_json::json!({
                "type": "object",
                "properties": {"a": int64, "b": int64},
                "additionalProperties": false,
                "required": ["a", "b"],
            })),
        );
        let nap = Tool::new(
            "nap",
            "Sleep for `ms` milliseconds, then return `ms`.",
            schema(serde_json::json!({
                "type": "object",
                "properties": {"ms": {"type": "integer", "format": "uint64", "minimum": 0}},
                "additionalProperties": false,
                "required": ["ms"],
            })),
        );
        let final_response = Tool::new(
            "final_response",
            "Give your final answer by calling this tool once, when you are done: its arguments \
             are the answer, a `Verdict`.\n\n`Verdict`: A label and a score: the typed result \
             of `loop_struct`.",
            schema(serde_json::json!({
                "type": "object",
                "properties": {
                    "label": {"type": "string"},
                    "score": {"type": "number", "format": "double"},
                },
                "required": ["label", "score"],
                "additionalProperties": false,
            })),
        );
        Tools {
            add: vec![add.clone()],
            nap: vec![nap],
            add_final: vec![add, final_response],
        }
    })
}

/// How a loop ends.
enum End {
    Text(String),
    Verdict(Verdict),
}

/// Runs one tool call of the LLM; `Err` is a tool error text.
async fn run_tool(name: &str, input: JsonObject) -> Result<String, String> {
    let input = serde_json::Value::Object(input);
    match name {
        "add" => {
            let args: AddArgs = serde_json::from_value(input).map_err(|e| e.to_string())?;
            args.a
                .checked_add(args.b)
                .map(|sum| sum.to_string())
                .ok_or_else(|| "overflow".to_owned())
        }
        "nap" => {
            let args: NapArgs = serde_json::from_value(input).map_err(|e| e.to_string())?;
            if args.ms > MAX_NAP_MS {
                return Err(format!("ms must be at most {MAX_NAP_MS}"));
            }
            tokio::time::sleep(Duration::from_millis(args.ms)).await;
            Ok(args.ms.to_string())
        }
        other => Err(format!("unknown tool {other}")),
    }
}

/// The sampling loop, by hand: send the history, run the tool calls (concurrently), append,
/// repeat until a text answer (or a `final_response` call when `typed`).
async fn sample_loop(
    peer: &Peer<RoleServer>,
    prompt: String,
    tools: &[Tool],
    typed: bool,
) -> Result<End, String> {
    let mut messages = vec![SamplingMessage::user_text(prompt)];
    for _ in 0..MAX_REQUESTS {
        let mut params = CreateMessageRequestParams::new(messages.clone(), 512);
        params.tools = Some(tools.to_vec());
        if typed {
            params.tool_choice = Some(ToolChoice::required());
        }
        let reply = peer
            .create_message(params)
            .await
            .map_err(|e| e.to_string())?;
        let blocks = reply.message.content.into_vec();
        if reply.stop_reason.as_deref() != Some("toolUse") {
            let text = blocks
                .into_iter()
                .filter_map(|block| match block {
                    SamplingMessageContentBlock::Text(text) => Some(text.text),
                    _ => None,
                })
                .collect::<String>();
            return Ok(End::Text(text));
        }
        let mut calls = Vec::new();
        let mut verdict = None;
        for block in &blocks {
            if let SamplingMessageContentBlock::ToolUse(call) = block {
                if typed && call.name == "final_response" {
                    verdict = Some(
                        serde_json::from_value::<Verdict>(serde_json::Value::Object(
                            call.input.clone(),
                        ))
                        .map_err(|e| e.to_string())?,
                    );
                } else {
                    calls.push((call.id.clone(), call.name.clone(), call.input.clone()));
                }
            }
        }
        let outputs = futures::future::join_all(
            calls
                .iter()
                .map(|(_, name, input)| run_tool(name, input.clone())),
        )
        .await;
        if let Some(verdict) = verdict {
            return Ok(End::Verdict(verdict));
        }
        let results = calls
            .into_iter()
            .zip(outputs)
            .map(|((id, _, _), output)| {
                let (text, is_error) = match output {
                    Ok(text) => (text, false),
                    Err(text) => (text, true),
                };
                let mut result =
                    rmcp::model::ToolResultContent::new(id, vec![ContentBlock::text(text)]);
                if is_error {
                    result.is_error = Some(true);
                }
                SamplingMessageContentBlock::ToolResult(result)
            })
            .collect();
        messages.push(message(Role::Assistant, blocks));
        messages.push(message(Role::User, results));
    }
    Err(format!("more than {MAX_REQUESTS} sampling requests"))
}

/// A message as `bench_server` sends it: one block as a single object, several as an array.
fn message(role: Role, blocks: Vec<SamplingMessageContentBlock>) -> SamplingMessage {
    match <[_; 1]>::try_from(blocks) {
        Ok([block]) => SamplingMessage::new(role, block),
        Err(blocks) => SamplingMessage::new_multiple(role, blocks),
    }
}

fn text_result(out: Result<End, String>) -> CallToolResult {
    match out {
        Ok(End::Text(text)) => CallToolResult::success(vec![ContentBlock::text(text)]),
        Ok(End::Verdict(_)) => CallToolResult::error(vec![ContentBlock::text("unexpected")]),
        Err(error) => CallToolResult::error(vec![ContentBlock::text(error)]),
    }
}

/// The hand-written benchmark server.
#[derive(Clone)]
pub struct RawServer {
    tool_router: ToolRouter<Self>,
}

impl Default for RawServer {
    fn default() -> Self {
        Self::new()
    }
}

#[tool_router(router = tool_router)]
impl RawServer {
    /// The server.
    pub fn new() -> Self {
        Self {
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
        let prompt = format!("steps={}", args.steps);
        text_result(sample_loop(&ctx.peer, prompt, &tools().add, false).await)
    }

    /// Sampling tool loop with a typed result (through the synthetic final_response tool).
    #[tool]
    async fn loop_struct(
        &self,
        Parameters(args): Parameters<StepsArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let prompt = format!("steps={}", args.steps);
        match sample_loop(&ctx.peer, prompt, &tools().add_final, true).await {
            Ok(End::Verdict(verdict)) => match serde_json::to_value(&verdict) {
                Ok(structured) => {
                    let text = structured.to_string();
                    let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
                    result.structured_content = Some(structured);
                    result
                }
                Err(error) => CallToolResult::error(vec![ContentBlock::text(error.to_string())]),
            },
            Ok(End::Text(_)) => {
                CallToolResult::error(vec![ContentBlock::text("no final_response call")])
            }
            Err(error) => CallToolResult::error(vec![ContentBlock::text(error)]),
        }
    }

    /// One round of `width` parallel `nap` tool calls, then the final text.
    #[tool]
    async fn loop_parallel(
        &self,
        Parameters(args): Parameters<ParallelArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let prompt = format!("width={} sleep_ms={}", args.width, args.sleep_ms);
        text_result(sample_loop(&ctx.peer, prompt, &tools().nap, false).await)
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for RawServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}
