//! The benchmarks' hand-written baselines: the sampling-loop contract (`shared/bench/README.md`:
//! `loop_text`, `loop_struct`, `loop_parallel`) and a multi round-trip loop (`loop_rounds`, on
//! protocol 2026-07-28), written on raw rmcp without rmcp-sampling, as an expert would write
//! them by hand.
//!
//! Lean on purpose, so that the ratios in BENCHMARKS.md compare against a floor, not against a
//! dear baseline: one thread on the non-blocking `stdio_pipes()` transport, the MCP tools
//! through rmcp's own `#[tool]` router (as `bench_server`, so both pay the same MCP-side cost),
//! the sampling tools and their schemas built once and borrowed (static names and
//! descriptions, shared schemas), tool arguments decoded from the borrowed call, one copy of
//! the history per request (rmcp's `create_message` takes its parameters by value), and
//! serde_json without `preserve_order` (this package is built alone: see its manifest). It
//! checks what it must (the tool names, the arguments, `sleep_ms` bounded) and nothing else: no
//! time limits, no cancellation, no tracing.
//!
//! `loop_rounds` is the same text loop with `add` over multi round-trip (SEP-2322): each
//! `tools/call` round opens the history sealed with rmcp's `RequestStateCodec` (bound to the
//! tool and its arguments, with a TTL), appends the client's answer and the tool results, and
//! either answers or asks the client's LLM again with the whole history, sealed anew.

// The sampling types are deprecated in rmcp 3.11 (SEP-2577) but are the 2025-11-25 protocol,
// and what 2026-07-28's input requests carry.
#![allow(deprecated)]

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::{InputResponses, RequestState};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResponse, CallToolResult, ContentBlock, CreateMessageRequestParams,
    CreateMessageResult, ErrorData, InputRequest, InputRequiredResult, JsonObject, Request,
    RequestStateCodec, Role, SamplingMessage, SamplingMessageContentBlock, SealOptions,
    ServerCapabilities, ServerConfig, Tool, ToolChoice, ToolResultContent, ToolUseContent,
};
use rmcp::service::{Peer, RequestContext};
use rmcp::{RoleServer, ServerHandler, tool, tool_handler, tool_router};
use serde::{Deserialize, Serialize};

/// The longest nap the LLM may ask for.
const MAX_NAP_MS: u64 = 60_000;
/// The most sampling requests one loop makes (FastMCP's cap).
const MAX_REQUESTS: usize = 100;
/// How long a sealed round-trip state stays valid.
const STATE_TTL: Duration = Duration::from_secs(3600);
/// The key of `loop_rounds`' one input request per round.
pub const ROUND_INPUT_KEY: &str = "llm";

/// Arguments of `loop_text`, `loop_struct` and `loop_rounds`.
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
        // `additionalProperties: false`), so both servers send the same requests (as parsed
        // JSON: without `preserve_order` the keys of a schema go out sorted) and the
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

/// Runs one tool call of the LLM, decoding its arguments where they lie; `Err` is a tool error
/// text.
async fn run_tool(call: &ToolUseContent) -> Result<String, String> {
    match call.name.as_str() {
        "add" => {
            let args = AddArgs::deserialize(&call.input).map_err(|e| e.to_string())?;
            args.a
                .checked_add(args.b)
                .map(|sum| sum.to_string())
                .ok_or_else(|| "overflow".to_owned())
        }
        "nap" => {
            let args = NapArgs::deserialize(&call.input).map_err(|e| e.to_string())?;
            if args.ms > MAX_NAP_MS {
                return Err(format!("ms must be at most {MAX_NAP_MS}"));
            }
            tokio::time::sleep(Duration::from_millis(args.ms)).await;
            Ok(args.ms.to_string())
        }
        other => Err(format!("unknown tool {other}")),
    }
}

/// The text of an answer: its one text block moved out, or its text blocks joined.
fn answer_text(blocks: Vec<SamplingMessageContentBlock>) -> String {
    let mut texts = blocks.into_iter().filter_map(|block| match block {
        SamplingMessageContentBlock::Text(text) => Some(text.text),
        _ => None,
    });
    let first = texts.next().unwrap_or_default();
    texts.fold(first, |mut all, text| {
        all.push_str(&text);
        all
    })
}

/// Takes one LLM response: its text or its `final_response` (when `typed`) is the loop's
/// answer; otherwise its tool calls run concurrently, and the response and their results join
/// `messages`.
async fn take_response(
    reply: CreateMessageResult,
    typed: bool,
    messages: &mut Vec<SamplingMessage>,
) -> Result<Option<End>, String> {
    let blocks = reply.message.content.into_vec();
    if reply.stop_reason.as_deref() != Some("toolUse") {
        return Ok(Some(End::Text(answer_text(blocks))));
    }
    let mut calls = Vec::new();
    let mut verdict = None;
    for block in &blocks {
        if let SamplingMessageContentBlock::ToolUse(call) = block {
            if typed && call.name == "final_response" {
                verdict = Some(Verdict::deserialize(&call.input).map_err(|e| e.to_string())?);
            } else {
                calls.push(call);
            }
        }
    }
    let outputs = futures::future::join_all(calls.iter().map(|call| run_tool(call))).await;
    if let Some(verdict) = verdict {
        return Ok(Some(End::Verdict(verdict)));
    }
    let results = calls
        .iter()
        .zip(outputs)
        .map(|(call, output)| {
            let (text, is_error) = match output {
                Ok(text) => (text, false),
                Err(text) => (text, true),
            };
            let mut result =
                ToolResultContent::new(call.id.clone(), vec![ContentBlock::text(text)]);
            if is_error {
                result.is_error = Some(true);
            }
            SamplingMessageContentBlock::ToolResult(result)
        })
        .collect();
    messages.push(message(Role::Assistant, blocks));
    messages.push(message(Role::User, results));
    Ok(None)
}

/// The request of one LLM call.
fn request(
    messages: Vec<SamplingMessage>,
    tools: &[Tool],
    typed: bool,
) -> CreateMessageRequestParams {
    let mut params = CreateMessageRequestParams::new(messages, 512);
    params.tools = Some(tools.to_vec());
    if typed {
        params.tool_choice = Some(ToolChoice::required());
    }
    params
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
        let reply = peer
            .create_message(request(messages.clone(), tools, typed))
            .await
            .map_err(|e| e.to_string())?;
        if let Some(end) = take_response(reply, typed, &mut messages).await? {
            return Ok(end);
        }
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

/// The codec that seals `loop_rounds`' history: a random key, made once per process.
fn codec() -> &'static RequestStateCodec {
    static CODEC: OnceLock<RequestStateCodec> = OnceLock::new();
    CODEC.get_or_init(|| {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).expect("the OS gives random bytes");
        RequestStateCodec::new(key.to_vec())
    })
}

/// One round of `loop_rounds`: the history opened from `state` (none on the first round), the
/// client's answer taken, and either the answer or the next request with the history sealed.
async fn loop_round(
    steps: u32,
    state: Option<String>,
    answers: Option<rmcp::model::InputResponses>,
) -> Result<CallToolResponse, ErrorData> {
    // The state opens only for this tool with these arguments.
    let binding = format!("loop_rounds\0{steps}");
    let options = SealOptions::new()
        .associated_data(binding.as_bytes())
        .ttl(STATE_TTL);
    let mut messages: Vec<SamplingMessage> = match state {
        None => vec![SamplingMessage::user_text(format!("steps={steps}"))],
        Some(sealed) => {
            let mut messages: Vec<SamplingMessage> = codec()
                .open_json_with(&sealed, binding.as_bytes())
                .map_err(|_| ErrorData::invalid_params("Invalid or expired requestState", None))?;
            let answer = answers
                .and_then(|mut answers| answers.remove(ROUND_INPUT_KEY))
                .ok_or_else(|| ErrorData::invalid_params("no answer to the LLM request", None))?;
            let reply: CreateMessageResult = serde_json::from_value(answer)
                .map_err(|e| ErrorData::invalid_params(e.to_string(), None))?;
            match take_response(reply, false, &mut messages).await {
                Ok(Some(end)) => return Ok(text_result(Ok(end)).into()),
                Ok(None) => {}
                Err(error) => return Ok(text_result(Err(error)).into()),
            }
            messages
        }
    };
    if messages.len() > 2 * MAX_REQUESTS {
        return Ok(text_result(Err(format!("more than {MAX_REQUESTS} sampling requests"))).into());
    }
    let sealed = codec()
        .seal_json_with(&messages, &options)
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
    let ask = InputRequest::CreateMessage(Request::new(request(
        std::mem::take(&mut messages),
        &tools().add,
        false,
    )));
    Ok(CallToolResponse::InputRequired(InputRequiredResult::new(
        Some([(ROUND_INPUT_KEY.to_owned(), ask)].into()),
        Some(sealed),
    )))
}

/// The round-trip benchmark's scripted LLM (`bench_rounds`, and the test that holds both servers
/// to the same rounds): the answer to a sampling request in a loop of `steps` add calls. With
/// `done` tool results in the request: `add(done, 1)` while `done < steps`, then the text
/// `done`.
pub fn scripted_round_answer(
    request: &CreateMessageRequestParams,
    steps: usize,
) -> serde_json::Value {
    let done = request
        .messages
        .iter()
        .flat_map(|message| message.content.iter())
        .filter(|block| matches!(block, SamplingMessageContentBlock::ToolResult(_)))
        .count();
    if done < steps {
        serde_json::json!({"role": "assistant", "model": "scripted-llm", "stopReason": "toolUse",
               "content": {"type": "tool_use", "id": format!("toolu_{done:08}"), "name": "add",
                           "input": {"a": done, "b": 1}}})
    } else {
        serde_json::json!({"role": "assistant", "model": "scripted-llm", "stopReason": "endTurn",
               "content": {"type": "text", "text": "done"}})
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

    /// The text loop with `add` over multi round-trip (protocol 2026-07-28): one LLM request
    /// per round, the history sealed in the request state.
    #[tool]
    async fn loop_rounds(
        &self,
        RequestState(state): RequestState,
        InputResponses(answers): InputResponses,
        Parameters(args): Parameters<StepsArgs>,
    ) -> Result<CallToolResponse, ErrorData> {
        loop_round(args.steps, state, answers).await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for RawServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}
