//! Typed results: the `final_response` tool, its schema, and validation of what the LLM sends.
//!
//! The schema of a result type comes from [`schema_for`](crate::schema_for). Tool arguments must be
//! a plain JSON object, and the main LLM APIs refuse a tool input schema whose root is not
//! `"type": "object"` with `properties`, or that combines schemas at its root (`oneOf`, `anyOf`,
//! ...). So a result type whose schema is not such an object (a number, a string, an array, an
//! enum, a map, an optional value) is *wrapped*: the tool takes one required argument `value`
//! holding the result, and the value is taken out of it on the way back.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use rmcp::model::{JsonObject, Tool};
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::schema::{FINAL_RESPONSE, PerType, is_object_schema, root_schema, with_required_array};
use crate::typed::validate;

/// A type that a sampling loop can return: `sample::<T>()` offers a synthetic
/// `final_response` tool whose input schema is `T`'s, and turns the LLM's call of it into a
/// validated `T`.
///
/// Implemented for every `Serialize + DeserializeOwned + JsonSchema + Send + 'static` type:
/// a type with `#[structured_result]` (which adds the derives, the description and
/// compile-time checks), a type with its own `#[derive(Serialize, Deserialize, JsonSchema)]`,
/// and std types (integers, floats, `bool`, `String`, `Vec<T>`, `Option<T>`, string-keyed
/// maps, tuples, ...).
///
/// What the LLM reads comes from the type's schema:
///
/// - the *description* is the schema's root `description`: the type's doc comment, or
///   `#[schemars(description = "...")]` (`#[structured_result(description = "...")]` sets it);
/// - the *name* (in the tool's description and in violation reports) is the schema's `title`
///   when the type sets one (`#[schemars(title = "...")]`, `#[structured_result(name =
///   "...")]`), otherwise the Rust type's name without module paths (`Page<Customer>`).
///
/// ```
/// use rmcp_sampling::StructuredResult;
/// use serde::{Deserialize, Serialize};
///
/// /// A customer's plan.
/// #[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
/// struct Plan {
///     name: String,
///     seats: u32,
/// }
///
/// let tool = Plan::final_response_tool();
/// assert!(tool.description.unwrap().ends_with("`Plan`: A customer's plan."));
/// let answer = serde_json::json!({"name": "pro", "seats": "ten"});
/// let parsed = Plan::parse_final_response(answer.as_object().unwrap().clone());
/// let violations = parsed.err().unwrap();
/// assert_eq!(violations, ["/seats: expected integer, found string \"ten\""]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the typed result of a sampling loop",
    label = "not a typed result",
    note = "a typed result implements `Serialize`, `Deserialize` and `JsonSchema` and owns its data (`Send + 'static`): put `#[structured_result]` on the type (it adds the derives, with no `serde` or `schemars` dependency), or derive the three yourself",
    note = "for a plain text answer, use `sample_text`"
)]
pub trait StructuredResult: Sized + Send + 'static {
    /// The type's name, for the LLM and error messages.
    fn type_name() -> &'static str;

    /// The `final_response` tool: an object-shaped input schema (a non-object schema is
    /// wrapped as `{"value": ...}`) and a description that asks for the final answer.
    fn final_response_tool() -> rmcp::model::Tool;

    /// Validates the `final_response` arguments against the schema, then decodes them.
    /// On failure, returns one message per violation, each naming its JSON path.
    fn parse_final_response(input: JsonObject) -> Result<Self, Vec<String>>;

    /// The result as JSON text (the `text` of a typed sample).
    fn to_text(&self) -> String;
}

// `do_not_recommend`: a type that is not a result gets the trait's own message (once), not
// one error per missing bound.
#[diagnostic::do_not_recommend]
impl<T> StructuredResult for T
where
    T: Serialize + DeserializeOwned + JsonSchema + Send + 'static,
{
    fn type_name() -> &'static str {
        result_schema::<T>().type_name
    }

    fn final_response_tool() -> Tool {
        final_response_tool_for::<T>()
    }

    fn parse_final_response(input: JsonObject) -> Result<Self, Vec<String>> {
        parse_final_response_as::<T>(input)
    }

    fn to_text(&self) -> String {
        result_to_text(self)
    }
}

/// The name of the argument that carries a wrapped (non-object) result.
pub(crate) const WRAPPED_KEY: &str = "value";

/// What a result type needs at run time, computed once per type.
pub(crate) struct ResultSchema {
    /// The name the LLM and error messages see.
    type_name: &'static str,
    /// The description of its `final_response` tool.
    tool_description: &'static str,
    /// The `final_response` input schema.
    input_schema: Arc<JsonObject>,
    /// The same schema as a value, for the validator's JSON pointers.
    schema_value: Value,
    /// Whether the result travels as `{"value": ...}`.
    wrapped: bool,
    /// `None` when the schema does not compile (a `regex` the engine rejects, say): then only
    /// deserialisation checks the payload.
    validator: Option<jsonschema::Validator>,
}

/// The result schema of `T`, computed and compiled once per type.
pub(crate) fn result_schema<T: JsonSchema + 'static>() -> Arc<ResultSchema> {
    static CACHE: PerType<Arc<ResultSchema>> = PerType::new();
    CACHE.get::<T>(build_result_schema_of::<T>)
}

/// The result schema of `T`, built: its schema, the name the LLM reads, its validator.
fn build_result_schema_of<T: JsonSchema + 'static>() -> Arc<ResultSchema> {
    let mut raw = root_schema::<T>();
    // An explicit title names the result; the default one is schemars' schema name
    // (`Page_for_Customer`), less readable than the Rust name (`Page<Customer>`).
    let title = raw.remove("title");
    let type_name = match title.as_ref().and_then(Value::as_str) {
        Some(title) if !title.trim().is_empty() && title != T::schema_name() => {
            // One leaked string per result type: bounded by the program's types.
            &*Box::leak(title.trim().to_owned().into_boxed_str())
        }
        _ => short_type_name::<T>(),
    };
    Arc::new(build_result_schema(raw, type_name))
}

/// Root keywords that make a schema more than a plain object with properties.
const COMBINATORS: &[&str] = &[
    "oneOf",
    "anyOf",
    "allOf",
    "not",
    "if",
    "then",
    "else",
    "$ref",
    "dependentSchemas",
];

/// Whether a type's schema must be wrapped as `{"value": ...}` to be a tool's input schema.
fn needs_wrapping(schema: &JsonObject) -> bool {
    let plain_object = is_object_schema(schema)
        && schema.get("properties").is_some_and(Value::is_object)
        && !COMBINATORS.iter().any(|k| schema.contains_key(*k));
    !plain_object
}

fn build_result_schema(mut schema: JsonObject, type_name: &'static str) -> ResultSchema {
    // The description travels in the tool's description.
    let description = match schema.remove("description") {
        Some(Value::String(text)) if !text.trim().is_empty() => Some(text.trim().to_owned()),
        _ => None,
    };
    let wrapped = needs_wrapping(&schema);
    let input_schema = if wrapped {
        // `$defs` (recursive types) must stay at the document root for `#/$defs/..` refs.
        let defs = schema.remove("$defs");
        let mut properties = JsonObject::new();
        properties.insert(WRAPPED_KEY.into(), Value::Object(schema));
        let mut wrapper = JsonObject::new();
        wrapper.insert("type".into(), "object".into());
        wrapper.insert("properties".into(), Value::Object(properties));
        wrapper.insert("required".into(), Value::Array(vec![WRAPPED_KEY.into()]));
        wrapper.insert("additionalProperties".into(), Value::Bool(false));
        if let Some(defs) = defs {
            wrapper.insert("$defs".into(), defs);
        }
        wrapper
    } else {
        // Like a `#[sampling_tool]`'s arguments: a property the type does not declare is a
        // violation the LLM hears about, not silently dropped. A schema that says what extra
        // properties may hold (a flattened map) keeps its rule.
        if !schema.contains_key("additionalProperties")
            && !schema.contains_key("unevaluatedProperties")
        {
            schema.insert("additionalProperties".into(), Value::Bool(false));
        }
        with_required_array(&schema)
    };
    let schema_value = Value::Object(input_schema.clone());
    let validator = match jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema_value)
    {
        Ok(validator) => Some(validator),
        Err(error) => {
            tracing::warn!(
                result_type = type_name,
                %error,
                "the schema of this structured result does not compile; final_response payloads are only checked by deserialisation"
            );
            None
        }
    };
    ResultSchema {
        type_name,
        tool_description: final_response_description(type_name, wrapped, description.as_deref()),
        input_schema: Arc::new(input_schema),
        schema_value,
        wrapped,
        validator,
    }
}

/// The `final_response` tool of a result type `T`: its schema, and a description that names
/// the type and carries the type's own description, if any.
fn final_response_tool_for<T: JsonSchema + 'static>() -> Tool {
    let schema = result_schema::<T>();
    Tool::new(
        FINAL_RESPONSE,
        schema.tool_description,
        schema.input_schema.clone(),
    )
}

/// The `final_response` description of a result type: once per type, and leaked, so the tool
/// offered with every request of a loop borrows it.
fn final_response_description(
    type_name: &str,
    wrapped: bool,
    description: Option<&str>,
) -> &'static str {
    let mut text = format!(
        "Give your final answer by calling this tool once, when you are done: its arguments are the answer, a `{type_name}`."
    );
    if wrapped {
        text.push_str(" Put the answer in the `value` argument.");
    }
    if let Some(description) = description {
        text.push_str("\n\n`");
        text.push_str(type_name);
        text.push_str("`: ");
        text.push_str(description);
    }
    // One leaked string per result type: bounded by the program's types.
    Box::leak(text.into_boxed_str())
}

/// Checks `input` against `T`'s `final_response` schema, then decodes it (unwrapping a
/// wrapped result). Every violation is one message naming its JSON path.
fn parse_final_response_as<T: DeserializeOwned + JsonSchema + 'static>(
    input: JsonObject,
) -> Result<T, Vec<String>> {
    let schema = result_schema::<T>();
    let mut value = Value::Object(input);
    if let Some(validator) = &schema.validator {
        let violations = validate::violations(validator, &schema.schema_value, &value);
        if !violations.is_empty() {
            return Err(violations);
        }
    }
    let mut prefix = String::new();
    if schema.wrapped {
        let inner = match &mut value {
            Value::Object(object) => object.remove(WRAPPED_KEY),
            _ => None,
        };
        match inner {
            Some(inner) => value = inner,
            None => {
                return Err(vec![format!(
                    "/{WRAPPED_KEY}: required property is missing"
                )]);
            }
        }
        prefix = format!("/{WRAPPED_KEY}");
    }
    serde_path_to_error::deserialize(value).map_err(|error| {
        let mut path = prefix;
        for segment in error.path().iter() {
            use serde_path_to_error::Segment;
            match segment {
                Segment::Seq { index } => path.push_str(&format!("/{index}")),
                Segment::Map { key } => {
                    path.push('/');
                    path.push_str(&validate::escape_pointer(key));
                }
                Segment::Enum { variant } => {
                    path.push('/');
                    path.push_str(&validate::escape_pointer(variant));
                }
                Segment::Unknown => path.push_str("/?"),
            }
        }
        vec![format!(
            "{}: {}",
            validate::display_path(&path),
            error.into_inner()
        )]
    })
}

/// The compact JSON of a result. A `Serialize` impl that fails (only a hand-written one can)
/// gives `{"error": "..."}` rather than a panic.
fn result_to_text<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|error| {
        serde_json::json!({ "error": format!("the result cannot be serialized: {error}") })
            .to_string()
    })
}

/// `std::any::type_name` without module paths: `Vec<String>` rather than
/// `alloc::vec::Vec<alloc::string::String>`. Computed once per type.
pub(crate) fn short_type_name<T: ?Sized + 'static>() -> &'static str {
    static NAMES: LazyLock<RwLock<HashMap<TypeId, &'static str>>> = LazyLock::new(Default::default);
    let id = TypeId::of::<T>();
    if let Some(name) = NAMES.read().unwrap_or_else(|e| e.into_inner()).get(&id) {
        return name;
    }
    let mut names = NAMES.write().unwrap_or_else(|e| e.into_inner());
    // One leaked string per distinct type: bounded by the program's types.
    names
        .entry(id)
        .or_insert_with(|| Box::leak(strip_paths(std::any::type_name::<T>()).into_boxed_str()))
}

fn strip_paths(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut segment_start = 0;
    let mut chars = full.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            out.truncate(segment_start);
        } else {
            out.push(c);
            if !(c.is_alphanumeric() || c == '_') {
                segment_start = out.len();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::violation_report;

    #[test]
    fn strips_module_paths() {
        assert_eq!(
            strip_paths("alloc::vec::Vec<alloc::string::String>"),
            "Vec<String>"
        );
        assert_eq!(
            strip_paths(
                "std::collections::hash::map::HashMap<alloc::string::String, (i64, core::option::Option<u8>)>"
            ),
            "HashMap<String, (i64, Option<u8>)>"
        );
        assert_eq!(short_type_name::<Vec<Option<i64>>>(), "Vec<Option<i64>>");
    }

    fn object(value: Value) -> JsonObject {
        value.as_object().cloned().expect("an object schema")
    }

    #[test]
    fn schemas_are_checked_against_the_meta_schema() {
        let valid = build_result_schema(
            object(serde_json::json!({"type": "object", "properties": {"a": {"type": "integer"}}})),
            "Valid",
        );
        assert!(valid.validator.is_some());
        // The compiler itself ignores `deprecated`; only the meta-schema check refuses a
        // non-boolean one, so this shows that check runs.
        let invalid = build_result_schema(
            object(serde_json::json!({
                "type": "object",
                "properties": {"a": {"type": "integer", "deprecated": "yes"}}
            })),
            "Invalid",
        );
        assert!(invalid.validator.is_none());
    }

    #[test]
    fn report_lists_every_violation() {
        let report = violation_report("Triage", &["/a: x".into(), "/b: y".into()]);
        assert_eq!(
            report,
            "The final_response arguments do not match the `Triage` schema:\n- /a: x\n- /b: y\nCall final_response again with corrected arguments."
        );
    }
}
