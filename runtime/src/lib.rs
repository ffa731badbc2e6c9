#![doc = include_str!("../../README.md")]
// The reference material the README leaves out (docs.rs shows it below the README).
#![doc = include_str!("reference.md")]
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
pub mod input;
pub mod message;
mod sampling;
pub mod tools;
mod typed;

// The crate root holds what a sampling tool's author writes every day; the rest lives in the
// modules `message`, `tools`, `schema`, `handler`, `limits`, `client`, `providers`, `testing`.
pub use channel::handler::{HandlerContext, HandlerError, SamplingHandler};
pub use channel::roundtrip::{ReplyError, SamplingContext, ToolReply};
pub use error::{SampleError, SampleErrorKind, ToolError};
pub use input::Elicitation;
pub use message::{
    Content, Conversation, LlmRequest, LlmResponse, Message, Role, StopReason, ToolCall, ToolResult,
};
pub use sampling::request::{SampleRequest, Sampled, Step};
pub use sampling::sampler::Sampler;
pub use tools::tool::SamplingTool;
pub use typed::result::StructuredResult;

// Crate-internal shortcuts to items whose public home is a module.
pub(crate) use channel::handler::{HandlerErrorKind, Side};
pub(crate) use error::ToolsetError;
pub(crate) use message::ModelHints;
pub(crate) use sampling::request::DEFAULT_LLM_TIMEOUT;
pub(crate) use tools::tool::{ToolCallError, ToolOutput};
pub(crate) use tools::toolset::{FINAL_RESPONSE, Toolset};
pub(crate) use typed::result::violation_report;

/// The JSON schemas the LLM sees and the reports of what does not match them.
pub mod schema {
    pub use crate::tools::schema::{args_schema_for, schema_for};
    pub use crate::tools::toolset::FINAL_RESPONSE;
    pub use crate::typed::result::violation_report;
}

/// Per-step control, usage and budgets: what a loop reports of the tokens and calls it used,
/// the limits that force its answer, and what a step hook sees.
pub mod control {
    pub use crate::sampling::control::{
        AnyResult, FinalResponseWithTools, LoopUsage, ResultOf, StepContext, StepUsage,
        TruncatedAnswer, UsageLimits, Validated,
    };
}

/// Server-side handlers: what they are told, how they fail, and when the sampler uses them.
pub mod handler {
    pub use crate::channel::handler::{HandlerErrorKind, Side};
    pub use crate::sampling::sampler::HandlerMode;
}

/// The defaults of a sampling call and the limits that keep one loop (and one multi round-trip
/// state) small; each can be changed on the [`Sampler`] or the call.
pub mod limits {
    pub use crate::channel::roundtrip::state::{
        DEFAULT_MAX_STATE_BYTES, DEFAULT_ROUND_BUDGET, DEFAULT_STATE_TTL,
    };
    pub use crate::sampling::request::{
        DEFAULT_LLM_TIMEOUT, DEFAULT_MAX_HISTORY_BYTES, DEFAULT_MAX_ITERATIONS, DEFAULT_MAX_TOKENS,
        DEFAULT_MAX_TOOL_CALLS_PER_REPLY, DEFAULT_MAX_TOOL_RESULT_BYTES, DEFAULT_RESULT_RETRIES,
        DEFAULT_TEXT_NUDGES,
    };
}

#[doc(hidden)]
pub mod __private;

#[cfg(feature = "__http")]
pub mod providers;

pub mod client;
#[cfg(feature = "testing")]
pub mod testing;
