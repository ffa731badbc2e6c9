//! The JSON schemas the LLM sees, generated once per type, and the reports of what does not
//! match them.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use rmcp::model::JsonObject;
use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::Value;

/// Values computed once per Rust type and shared (schemas, compiled validators, forms): a read
/// lock for every lookup after the first, one write per type.
pub(crate) struct PerType<V>(LazyLock<RwLock<HashMap<TypeId, V>>>);

impl<V: Clone> PerType<V> {
    pub(crate) const fn new() -> Self {
        Self(LazyLock::new(RwLock::default))
    }

    /// The value of `T`, built by `build` the first time (a race may build it twice; the
    /// first stored wins).
    pub(crate) fn get<T: ?Sized + 'static>(&self, build: impl FnOnce() -> V) -> V {
        let id = TypeId::of::<T>();
        if let Some(found) = self.0.read().unwrap_or_else(|e| e.into_inner()).get(&id) {
            return found.clone();
        }
        let built = build();
        self.0
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .entry(id)
            .or_insert(built)
            .clone()
    }
}

/// The schema of `T` as a JSON object: draft 2020-12, subschemas inlined, properties in
/// declaration order, no top-level `title` or `$schema`. Computed once per type.
///
/// Whether the root is an object is left to the caller: tool arguments must be objects,
/// typed results are wrapped when they are not.
pub fn schema_for<T: JsonSchema + 'static>() -> Arc<JsonObject> {
    static SCHEMAS: PerType<Arc<JsonObject>> = PerType::new();
    SCHEMAS.get::<T>(|| {
        let mut schema = root_schema::<T>();
        schema.remove("title");
        Arc::new(schema)
    })
}

/// The schema of `T` as [`schema_for`] makes it, but with the top-level `title` schemars gives
/// it (the type's schema name, or a `#[schemars(title = "...")]`), not cached.
pub(crate) fn root_schema<T: JsonSchema>() -> JsonObject {
    let mut settings = SchemaSettings::draft2020_12();
    settings.inline_subschemas = true;
    settings.meta_schema = None;
    let root = settings.into_generator().into_root_schema_for::<T>();
    match root.to_value() {
        Value::Object(object) => object,
        // `true`/`false` schemas: keep their meaning as an object.
        Value::Bool(true) => JsonObject::new(),
        other => {
            let mut object = JsonObject::new();
            object.insert("not".into(), Value::Object(JsonObject::new()));
            debug_assert!(other == Value::Bool(false));
            object
        }
    }
}

/// Whether a schema describes JSON objects (`"type": "object"`).
pub(crate) fn is_object_schema(schema: &JsonObject) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("object")
}

/// Gives an object schema the `required` array it may lack (empty when nothing is required),
/// placed after `properties` so the schema reads in the usual order.
pub(crate) fn with_required_array(schema: &JsonObject) -> JsonObject {
    if schema.contains_key("required") || !is_object_schema(schema) {
        return schema.clone();
    }
    let mut out = JsonObject::new();
    for (key, value) in schema {
        out.insert(key.clone(), value.clone());
        if key == "properties" {
            out.insert("required".into(), Value::Array(Vec::new()));
        }
    }
    out.entry("required").or_insert(Value::Array(Vec::new()));
    out
}

/// The input schema of a tool whose arguments deserialize into `T`: an object schema with a
/// `required` array. Computed once per type.
pub fn args_schema_for<T: JsonSchema + 'static>() -> Arc<JsonObject> {
    static ARGS: PerType<Arc<JsonObject>> = PerType::new();
    ARGS.get::<T>(|| Arc::new(tidy_args_root(&schema_for::<T>())))
}

/// The last steps of an arguments schema: a `required` array, keys in reading order, no
/// description.
pub(crate) fn tidy_args_root(schema: &JsonObject) -> JsonObject {
    let mut schema = tidy_args_schema(&with_required_array(schema));
    schema.remove("description");
    schema
}

/// A doc comment's title and description as schemars splits them for a derived field: a
/// first line starting with `#` is the title, the rest the description; otherwise it is all
/// description. Both trimmed of ASCII whitespace.
pub(crate) fn title_and_description(doc: &str) -> (&str, &str) {
    let doc = doc.trim_ascii();
    if !doc.starts_with('#') {
        return ("", doc);
    }
    let end = doc.find('\n').unwrap_or(doc.len());
    let (title, description) = doc.split_at(end);
    (
        title.trim_start_matches('#').trim_ascii(),
        description.trim_ascii(),
    )
}

/// An object schema with its keys in reading order (`type`, `properties`,
/// `additionalProperties`, `required`, then the others as they were), and a `properties`
/// object even when there is nothing to fill in (some LLM APIs require one).
fn tidy_args_schema(schema: &JsonObject) -> JsonObject {
    const ORDER: [&str; 4] = ["type", "properties", "additionalProperties", "required"];
    if !is_object_schema(schema) {
        return schema.clone();
    }
    let mut out = JsonObject::new();
    for key in ORDER {
        match schema.get(key) {
            Some(value) => {
                out.insert(key.into(), value.clone());
            }
            None if key == "properties" => {
                out.insert(key.into(), Value::Object(JsonObject::new()));
            }
            None => {}
        }
    }
    for (key, value) in schema {
        if !ORDER.contains(&key.as_str()) {
            out.insert(key.clone(), value.clone());
        }
    }
    out
}

/// The name of the synthetic tool through which the LLM delivers a typed result.
pub const FINAL_RESPONSE: &str = "final_response";

/// The message an LLM receives (as an `is_error` tool result) when its `final_response`
/// arguments are invalid: the type's name, one line per violation, and what to do next.
///
/// ```
/// let report = rmcp_sampling::schema::violation_report("Triage", &["/score: 1.5 is greater than the maximum of 1".into()]);
/// assert_eq!(
///     report,
///     "The final_response arguments do not match the `Triage` schema:\n\
///      - /score: 1.5 is greater than the maximum of 1\n\
///      Call final_response again with corrected arguments."
/// );
/// ```
pub fn violation_report(type_name: &str, violations: &[String]) -> String {
    let mut report =
        format!("The {FINAL_RESPONSE} arguments do not match the `{type_name}` schema:\n");
    for violation in violations {
        report.push_str("- ");
        report.push_str(violation);
        report.push('\n');
    }
    report.push_str("Call ");
    report.push_str(FINAL_RESPONSE);
    report.push_str(" again with corrected arguments.");
    report
}
