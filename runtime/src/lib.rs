#![doc = include_str!("../../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
// rmcp marks every sampling type and `create_message` deprecated (SEP-2577: sampling moves to
// multi round-trip on 2026-07-28). This crate is the layer that hides that churn from users, so
// the whole crate speaks those types; the macros never emit a deprecated path.
#![allow(deprecated)]

pub use rmcp_sampling_macros::{sampling_tool, structured_result};

/// The rmcp crate this crate is built on, for the types a sampling call names.
pub use rmcp;

mod channel;
mod error;
mod sampling;
mod tools;
mod typed;

pub use channel::handler::{
    HandlerContext, HandlerError, HandlerErrorKind, SamplingHandler, SamplingReply, Side,
};
pub use error::{SampleError, SampleErrorKind, ToolError, ToolsetError};
pub use sampling::request::{
    DEFAULT_MAX_ITERATIONS, DEFAULT_MAX_TOKENS, DEFAULT_RESULT_RETRIES, DEFAULT_TEXT_NUDGES,
    Messages, ModelHints, SampleRequest, Sampled, Step,
};
pub use sampling::sampler::{HandlerMode, Sampler};
pub use tools::args::decode_args;
pub use tools::exec::Concurrency;
pub use tools::router::tools_from_router;
pub use tools::schema::{args_schema_for, schema_for};
pub use tools::tool::{SamplingTool, ToolCallError, ToolCallErrorKind, ToolFuture, ToolOutput};
pub use tools::toolset::{FINAL_RESPONSE, Toolset};
pub use typed::result::{StructuredResult, violation_report};

#[doc(hidden)]
pub mod __private;

#[cfg(feature = "__http")]
pub mod providers;

pub mod client;
#[cfg(feature = "testing")]
pub mod testing;
