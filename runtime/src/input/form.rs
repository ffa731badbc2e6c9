//! Elicitation forms typed by a Rust type: its JSON schema checked against what elicitation
//! allows (a flat object of primitive and enum properties), and the user's content checked
//! against that schema before it is decoded.

use std::sync::Arc;

use rmcp::model::{ElicitationSchema, JsonObject};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::schema::{PerType, schema_for};
use crate::typed::validate::violations;

/// The form of one type: what the client is sent, and the checks of what comes back.
pub(crate) struct Form {
    requested: ElicitationSchema,
    /// The type's own schema, which accepted content must match.
    schema: Value,
    validator: Option<jsonschema::Validator>,
}

impl Form {
    /// The form of `T`, built and checked once per type.
    pub(crate) fn of<T: JsonSchema + 'static>() -> Result<Arc<Self>, String> {
        static CACHE: PerType<Result<Arc<Form>, String>> = PerType::new();
        CACHE.get::<T>(Self::build::<T>)
    }

    /// The form of `T`, or why its schema cannot be one.
    fn build<T: JsonSchema + 'static>() -> Result<Arc<Self>, String> {
        let schema = schema_for::<T>();
        requested_schema(&schema)
            .map(|requested| {
                let schema = Value::Object((*schema).clone());
                Arc::new(Self {
                    requested,
                    validator: jsonschema::validator_for(&schema).ok(),
                    schema,
                })
            })
            .map_err(|reason| {
                format!(
                    "`{}` cannot be an elicitation form: {reason} (a form is a flat object whose \
                     properties are strings, numbers, integers, booleans or enums of strings)",
                    crate::typed::result::short_type_name::<T>()
                )
            })
    }

    /// The schema sent to the client.
    pub(crate) fn requested_schema(&self) -> &ElicitationSchema {
        &self.requested
    }

    /// The accepted content, checked against the type's schema, then decoded.
    pub(crate) fn decode<T: DeserializeOwned>(&self, content: Value) -> Result<T, String> {
        if let Some(validator) = &self.validator {
            let found = violations(validator, &self.schema, &content);
            if !found.is_empty() {
                return Err(format!(
                    "the accepted content does not match the form: {}",
                    found.join("; ")
                ));
            }
        }
        serde_path_to_error::deserialize(content).map_err(|e| {
            format!(
                "the accepted content does not match the form: at {}: {}",
                e.path(),
                e.inner()
            )
        })
    }
}

/// The elicitation schema of a type's JSON schema, or why it has none.
fn requested_schema(schema: &JsonObject) -> Result<ElicitationSchema, String> {
    if schema.get("type").and_then(Value::as_str) != Some("object") {
        return Err("it is not an object".into());
    }
    let empty = JsonObject::new();
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut out = JsonObject::new();
    for (name, property) in properties {
        let property = property
            .as_object()
            .ok_or_else(|| format!("property `{name}` has no schema"))?;
        out.insert(name.clone(), Value::Object(primitive(name, property)?));
    }
    let mut requested = JsonObject::new();
    requested.insert("type".into(), "object".into());
    requested.insert("properties".into(), Value::Object(out));
    if let Some(required) = schema.get("required") {
        requested.insert("required".into(), required.clone());
    }
    if let Some(description) = schema.get("description") {
        requested.insert("description".into(), description.clone());
    }
    serde_json::from_value(Value::Object(requested)).map_err(|e| e.to_string())
}

/// One property as elicitation allows it: `Option<T>` (nullable) is unwrapped, the rest must
/// already be a primitive or an enum of strings.
fn primitive(name: &str, property: &JsonObject) -> Result<JsonObject, String> {
    let mut property = property.clone();
    // `Option<T>`: `"type": ["string", "null"]`, or `anyOf: [T, {"type": "null"}]`.
    if let Some(Value::Array(types)) = property.get("type") {
        let types: Vec<_> = types
            .iter()
            .filter(|t| t.as_str() != Some("null"))
            .collect();
        if let [only] = types.as_slice() {
            let only = (*only).clone();
            property.insert("type".into(), only);
        }
    }
    if let Some(Value::Array(options)) = property.get("anyOf").cloned() {
        let options: Vec<_> = options
            .into_iter()
            .filter(|o| o.get("type").and_then(Value::as_str) != Some("null"))
            .collect();
        if let [Value::Object(only)] = options.as_slice() {
            property.remove("anyOf");
            for (key, value) in only {
                property.entry(key.clone()).or_insert_with(|| value.clone());
            }
        }
    }
    if let Some(Value::Array(values)) = property.get("enum")
        && values.iter().all(Value::is_string)
    {
        property.insert("type".into(), "string".into());
    }
    if let Some(Value::Array(options)) = property.get("oneOf")
        && options
            .iter()
            .all(|o| o.get("const").is_some_and(Value::is_string))
    {
        property.insert("type".into(), "string".into());
    }
    match property.get("type").and_then(Value::as_str) {
        Some("string" | "number" | "integer" | "boolean" | "array") => Ok(property),
        _ => Err(format!(
            "property `{name}` is not a string, number, integer, boolean or enum of strings"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, JsonSchema, Debug, PartialEq)]
    #[allow(dead_code)]
    enum Size {
        Small,
        Large,
    }

    /// A flat form.
    #[derive(Deserialize, JsonSchema, Debug, PartialEq)]
    struct Flat {
        name: String,
        age: u8,
        ratio: f64,
        subscribe: bool,
        size: Size,
        note: Option<String>,
    }

    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Nested {
        inner: Flat,
    }

    #[test]
    fn a_flat_type_becomes_a_form_and_its_content_is_checked() {
        let form = Form::of::<Flat>().unwrap();
        let requested = serde_json::to_value(form.requested_schema()).unwrap();
        assert_eq!(
            requested["properties"]["size"]["enum"],
            serde_json::json!(["Small", "Large"])
        );
        assert_eq!(requested["properties"]["note"]["type"], "string");
        assert!(
            !requested["required"]
                .as_array()
                .unwrap()
                .contains(&"note".into())
        );

        let good = serde_json::json!({"name": "a", "age": 3, "ratio": 0.5, "subscribe": true, "size": "Small"});
        assert_eq!(form.decode::<Flat>(good).unwrap().size, Size::Small);
        let bad = serde_json::json!({"name": "a", "age": 300, "ratio": 0.5, "subscribe": "yes", "size": "Huge"});
        let error = form.decode::<Flat>(bad).unwrap_err();
        assert!(
            error.contains("/age") && error.contains("/subscribe") && error.contains("/size"),
            "{error}"
        );
    }

    #[test]
    fn a_nested_or_non_object_type_is_refused_naming_the_property() {
        let error = Form::of::<Nested>().err().unwrap();
        assert!(
            error.contains("`inner`") && error.contains("Nested"),
            "{error}"
        );
        assert!(
            Form::of::<String>()
                .err()
                .unwrap()
                .contains("not an object")
        );
    }
}
