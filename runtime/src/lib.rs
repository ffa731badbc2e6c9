#![doc = include_str!("../../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
// rmcp marks every sampling type and `create_message` deprecated (SEP-2577: sampling moves to
// multi round-trip on 2026-07-28). This crate is the layer that hides that churn from users, so
// the whole crate speaks those types; the macros never emit a deprecated path.
#![allow(deprecated)]

pub use rmcp_sampling_macros::{sampling_tool, structured_result};

/// The rmcp crate this crate is built on, for the types a sampling call names.
pub use rmcp;

mod args;
mod channel;
mod engine;
mod error;
mod exec;
mod handler;
mod request;
mod result;
mod router;
mod sampler;
mod schema;
mod tool;
mod toolset;
mod validate;

pub use args::decode_args;
pub use error::{SampleError, SampleErrorKind, ToolError, ToolsetError};
pub use exec::Concurrency;
pub use handler::{
    HandlerContext, HandlerError, HandlerErrorKind, SamplingHandler, SamplingReply, Side,
};
pub use request::{
    DEFAULT_MAX_ITERATIONS, DEFAULT_MAX_TOKENS, DEFAULT_RESULT_RETRIES, DEFAULT_TEXT_NUDGES,
    Messages, ModelHints, SampleRequest, Sampled, Step,
};
pub use result::{StructuredResult, violation_report};
pub use router::tools_from_router;
pub use sampler::{HandlerMode, Sampler};
pub use schema::{args_schema_for, schema_for};
pub use tool::{SamplingTool, ToolCallError, ToolCallErrorKind, ToolFuture, ToolOutput};
pub use toolset::{FINAL_RESPONSE, Toolset};

#[doc(hidden)]
pub mod __private;

#[cfg(feature = "__http")]
pub mod providers;

pub mod client;
#[cfg(feature = "testing")]
pub mod testing;
