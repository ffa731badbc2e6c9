//! Tools the LLM may call: one tool, a toolset, their execution, argument decoding, schemas, and
//! tools taken from an rmcp `ToolRouter`.

pub(crate) mod args;
pub(crate) mod exec;
pub(crate) mod router;
pub(crate) mod schema;
pub(crate) mod tool;
pub(crate) mod toolset;
