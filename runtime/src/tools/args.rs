//! Decoding the JSON arguments an LLM sends to a tool.

use rmcp::model::JsonObject;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Decodes tool arguments into `T`. The error names the JSON path and what was expected,
/// e.g. `limit: invalid type: string "ten", expected u32`.
pub fn decode_args<T: DeserializeOwned>(args: JsonObject) -> Result<T, String> {
    decode_value(Value::Object(args))
}

/// Decodes any JSON value into `T`, naming the JSON path of the first mismatch.
pub(crate) fn decode_value<T: DeserializeOwned>(value: Value) -> Result<T, String> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if path == "." {
            inner.to_string()
        } else {
            format!("{path}: {inner}")
        }
    })
}
