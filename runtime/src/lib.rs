#![doc = include_str!("../../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
// Every doctest (the README quick start included) compiles without a warning (unused items aside:
// examples often build a value only to show how).
#![doc(test(attr(deny(warnings), allow(unused))))]
// rmcp marks every sampling type deprecated (SEP-2577: sampling moves to multi round-trip on
// 2026-07-28). This crate speaks its own message model (`message`); rmcp's sampling types appear
// only at the channel boundary (`message::rmcp`, the push channel, the client adapter), each with
// a local `allow(deprecated)`.

pub use rmcp_sampling_macros::{sampling_tool, structured_result};

/// The rmcp crate this crate is built on, for the types a sampling call names.
pub use rmcp;

mod channel;
mod error;
pub mod message;
mod sampling;
mod tools;
mod typed;

pub use channel::handler::{HandlerContext, HandlerError, HandlerErrorKind, SamplingHandler, Side};
pub use channel::roundtrip::state::{
    DEFAULT_MAX_STATE_BYTES, DEFAULT_ROUND_BUDGET, DEFAULT_STATE_TTL,
};
pub use channel::roundtrip::{SamplingContext, ToolReply};
pub use error::{SampleError, SampleErrorKind, ToolError, ToolsetError};
pub use message::{
    Content, Conversation, LlmRequest, LlmResponse, Message, Role, StopReason, ToolCall, ToolResult,
};
pub use sampling::control::{LoopUsage, StepContext, StepUsage, TruncatedAnswer, UsageLimits};
pub use sampling::request::{
    DEFAULT_LLM_TIMEOUT, DEFAULT_MAX_HISTORY_BYTES, DEFAULT_MAX_ITERATIONS, DEFAULT_MAX_TOKENS,
    DEFAULT_MAX_TOOL_CALLS_PER_REPLY, DEFAULT_MAX_TOOL_RESULT_BYTES, DEFAULT_RESULT_RETRIES,
    DEFAULT_TEXT_NUDGES, ModelHints, SampleRequest, Sampled, Step,
};
pub use sampling::sampler::{HandlerMode, Sampler};
pub use tools::args::decode_args;
pub use tools::exec::Concurrency;
pub use tools::router::tools_from_router;
pub use tools::schema::{args_schema_for, schema_for};
pub use tools::tool::{
    IntoSamplingTool, IntoToolError, IntoToolOutput, SamplingTool, ToolCallError,
    ToolCallErrorKind, ToolFuture, ToolOutput, ToolParam,
};
pub use tools::toolset::{FINAL_RESPONSE, Toolset};
pub use typed::result::{StructuredResult, violation_report};

#[doc(hidden)]
pub mod __private;

#[cfg(feature = "__http")]
pub mod providers;

pub mod client;
#[cfg(feature = "testing")]
pub mod testing;
