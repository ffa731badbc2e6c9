//! Decoding the JSON arguments an LLM sends to a tool.

use rmcp::model::JsonObject;
use serde::de::DeserializeOwned;

/// Decodes tool arguments into `T`, from the borrowed arguments (what `T` keeps is copied
/// out). The error names the JSON path and what was expected, e.g.
/// `limit: invalid type: string "ten", expected u32`.
pub fn decode_args<T: DeserializeOwned>(args: &JsonObject) -> Result<T, String> {
    serde_path_to_error::deserialize(args).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if path == "." {
            inner.to_string()
        } else {
            format!("{path}: {inner}")
        }
    })
}
