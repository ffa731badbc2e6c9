//! The exact input schemas `#[sampling_tool]` generates: properties in declaration order,
//! `required` always present (empty when nothing is), `properties` even when empty,
//! `additionalProperties: false`, no top-level `title` or `description`; subschemas inlined,
//! with schemars' key order inside them.

use rmcp_sampling::{SamplingTool, sampling_tool};
use serde::Deserialize;
use serde_json::{Value, json};

/// Compares the schema as JSON and as text, so key order counts too (`preserve_order`).
#[track_caller]
fn assert_schema(tool: &SamplingTool<'_>, expected: Value) {
    let actual = Value::Object((**tool.input_schema()).clone());
    assert_eq!(actual, expected, "schema of `{}`", tool.name());
    assert_eq!(
        serde_json::to_string(&actual).unwrap(),
        serde_json::to_string(&expected).unwrap(),
        "key order in the schema of `{}`",
        tool.name()
    );
}

/// Scalars.
#[sampling_tool]
fn scalars(text: String, small: i32, big: u64, ratio: f64, flag: bool) {
    let _ = (text, small, big, ratio, flag);
}

#[test]
fn scalar_parameters() {
    assert_schema(
        &scalars_tool(),
        json!({
            "type": "object",
            "properties": {
                "text": {"type": "string"},
                "small": {"type": "integer", "format": "int32"},
                "big": {"type": "integer", "format": "uint64", "minimum": 0},
                "ratio": {"type": "number", "format": "double"},
                "flag": {"type": "boolean"}
            },
            "additionalProperties": false,
            "required": ["text", "small", "big", "ratio", "flag"]
        }),
    );
}

/// Nothing to fill in.
#[sampling_tool]
fn nothing() {}

#[test]
fn no_parameters_still_has_required() {
    assert_schema(
        &nothing_tool(),
        json!({
            "type": "object",
            "properties": {},
            "additionalProperties": false,
            "required": []
        }),
    );
}

/// Options and lists.
#[sampling_tool]
fn collections(tags: Vec<String>, limit: Option<u32>, scores: Option<Vec<f32>>) {
    let _ = (tags, limit, scores);
}

/// Only optional parameters.
#[sampling_tool]
fn all_optional(limit: Option<u8>) {
    let _ = limit;
}

#[test]
fn option_and_vec_parameters() {
    assert_schema(
        &collections_tool(),
        json!({
            "type": "object",
            "properties": {
                "tags": {"type": "array", "items": {"type": "string"}},
                "limit": {"type": ["integer", "null"], "format": "uint32", "minimum": 0},
                "scores": {"type": ["array", "null"], "items": {"type": "number", "format": "float"}}
            },
            "additionalProperties": false,
            "required": ["tags"]
        }),
    );
    assert_schema(
        &all_optional_tool(),
        json!({
            "type": "object",
            "properties": {
                "limit": {"type": ["integer", "null"], "format": "uint8", "minimum": 0, "maximum": 255}
            },
            "additionalProperties": false,
            "required": []
        }),
    );
}

/// A postal address.
#[derive(Deserialize, schemars::JsonSchema)]
#[allow(dead_code)]
struct Address {
    /// Street and number.
    street: String,
    /// Postal code, if known.
    zip: Option<String>,
}

/// How urgent something is.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum Priority {
    Low,
    High,
}

/// A tagged shape.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[allow(dead_code)]
enum Shape {
    Circle { radius: f64 },
    Square { side: f64 },
}

/// Ship a parcel.
#[sampling_tool]
fn ship(
    /// Where to.
    to: Address,
    priority: Priority,
    shape: Shape,
) {
    let _ = (to, priority, shape);
}

#[test]
fn nested_structs_and_enums_are_inlined() {
    assert_schema(
        &ship_tool(),
        json!({
            "type": "object",
            "properties": {
                "to": {
                    "type": "object",
                    "properties": {
                        "street": {"type": "string", "description": "Street and number."},
                        "zip": {"type": ["string", "null"], "description": "Postal code, if known."}
                    },
                    "required": ["street"],
                    "description": "Where to."
                },
                "priority": {
                    "type": "string",
                    "enum": ["low", "high"],
                    "description": "How urgent something is."
                },
                "shape": {
                    "oneOf": [
                        {
                            "type": "object",
                            "properties": {
                                "kind": {"type": "string", "const": "circle"},
                                "radius": {"type": "number", "format": "double"}
                            },
                            "required": ["kind", "radius"]
                        },
                        {
                            "type": "object",
                            "properties": {
                                "kind": {"type": "string", "const": "square"},
                                "side": {"type": "number", "format": "double"}
                            },
                            "required": ["kind", "side"]
                        }
                    ],
                    "description": "A tagged shape."
                }
            },
            "additionalProperties": false,
            "required": ["to", "priority", "shape"]
        }),
    );
}

/// Search the catalogue.
#[sampling_tool]
fn search(
    /// Words to look for.
    ///
    /// Several words narrow the search.
    query: String,
    #[arg(description = "Largest number of results.", default)] limit: u32,
    #[arg(rename = "type")] kind: String,
    #[arg(rename = "sort-by", description = "Field to sort on.")] sort: Option<String>,
    r#in: Option<String>,
) {
    let _ = (query, limit, kind, sort, r#in);
}

#[test]
fn renamed_described_and_defaulted_parameters() {
    assert_schema(
        &search_tool(),
        json!({
            "type": "object",
            "properties": {
                "query": {
                    "type": "string",
                    "description": "Words to look for.\n\nSeveral words narrow the search."
                },
                "limit": {
                    "type": "integer",
                    "format": "uint32",
                    "minimum": 0,
                    "description": "Largest number of results.",
                    "default": 0
                },
                "type": {"type": "string"},
                "sort-by": {"type": ["string", "null"], "description": "Field to sort on."},
                "in": {"type": ["string", "null"]}
            },
            "additionalProperties": false,
            "required": ["query", "type"]
        }),
    );
}

#[tokio::test]
async fn defaults_and_renames_decode_as_the_schema_says() {
    let tool = search_tool();
    let args = json!({"query": "lamp", "type": "desk", "sort-by": "price", "in": "eu"});
    tool.call(args.as_object().unwrap()).await.unwrap();
    // The schema's `required` is exactly what decoding requires.
    for missing in ["query", "type"] {
        let mut args = args.as_object().unwrap().clone();
        args.remove(missing);
        let error = tool.call(&args).await.unwrap_err();
        assert_eq!(error.message(), format!("missing field `{missing}`"));
    }
    let only_required = json!({"query": "lamp", "type": "desk"});
    tool.call(only_required.as_object().unwrap()).await.unwrap();
}

#[test]
fn schemas_are_built_once() {
    assert!(std::sync::Arc::ptr_eq(
        scalars_tool().input_schema(),
        scalars_tool().input_schema()
    ));
}
