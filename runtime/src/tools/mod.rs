//! Tools the LLM may call: one tool, a toolset, their execution, argument decoding, the input schemas of `#[sampling_tool]` functions, and
//! tools taken from an rmcp `ToolRouter`.

pub(crate) mod args;
pub(crate) mod exec;
pub(crate) mod fn_schema;
pub(crate) mod router;
pub(crate) mod tool;
pub(crate) mod toolset;

pub use crate::error::ToolsetError;
pub use args::decode_args;
pub use exec::Concurrency;
pub use router::tools_from_router;
pub use tool::{
    IntoSamplingTool, IntoToolError, IntoToolOutput, ToolCallError, ToolCallErrorKind, ToolFuture,
    ToolOutput, ToolParam,
};
pub use toolset::Toolset;
