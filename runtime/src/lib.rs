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

// The modules in layers; each imports only from layers below it (no module imports through
// the crate root):
//   message, limits, schema          the conversation model, the limits, the JSON schemas
//   control, handler, typed          loop control, server-side handlers, typed results
//   error, client, providers, testing
//   tools, channel::roundtrip        tools the LLM calls; the multi round-trip round and state
//   channel, __private               which LLM answers, and how the client is asked
//   input                            what a tool body asks the user: elicitation, roots, approval
//   sampling                         the sampler, a sampling call, and the loop that runs it
mod channel;
pub mod client;
pub mod control;
mod error;
pub mod handler;
pub mod input;
pub mod limits;
pub mod message;
#[cfg(feature = "__http")]
pub mod providers;
mod sampling;
pub mod schema;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tools;
mod typed;

// The crate root holds what a sampling tool's author writes every day; the rest lives in the
// public modules. Crate code imports each item from its home module, never through the root.
pub use channel::roundtrip::{ReplyError, SamplingContext, ToolReply};
pub use error::{SampleError, SampleErrorKind, ToolError};
pub use handler::{HandlerContext, HandlerError, SamplingHandler};
pub use input::Elicitation;
pub use message::{
    Content, Conversation, LlmRequest, LlmResponse, Message, Role, StopReason, ToolCall, ToolResult,
};
pub use sampling::request::{SampleRequest, Sampled, Step};
pub use sampling::sampler::Sampler;
pub use tools::tool::SamplingTool;
pub use typed::result::StructuredResult;

#[doc(hidden)]
pub mod __private;
#[cfg(feature = "__bench")]
#[doc(hidden)]
pub mod bench;
