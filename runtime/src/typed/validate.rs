//! Turning JSON Schema violations into short messages an LLM can act on: one message per
//! violation, each starting with the JSON pointer of the offending value (`(root)` for the
//! whole payload), values quoted as compact JSON and cut when long.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

/// At most this many messages are returned; the last one says how many were left out.
const MAX_VIOLATIONS: usize = 20;

/// Values quoted in messages are cut to about this many characters.
const MAX_QUOTED_CHARS: usize = 60;

/// Every violation of `instance` against `validator` (compiled from `schema`), as messages.
/// Empty when the instance is valid.
pub(crate) fn violations(validator: &Validator, schema: &Value, instance: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for error in validator.iter_errors(instance) {
        describe(&error, schema, &mut out);
    }
    out.dedup();
    if out.len() > MAX_VIOLATIONS {
        let left_out = out.len() - (MAX_VIOLATIONS - 1);
        out.truncate(MAX_VIOLATIONS - 1);
        out.push(format!("... and {left_out} more violations"));
    }
    out
}

/// Escapes one JSON pointer segment (RFC 6901).
pub(crate) fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// A JSON pointer as shown in messages: `(root)` for the empty pointer.
pub(crate) fn display_path(pointer: &str) -> &str {
    if pointer.is_empty() {
        "(root)"
    } else {
        pointer
    }
}

/// A value as compact JSON, cut to about [`MAX_QUOTED_CHARS`] characters.
fn quote(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= MAX_QUOTED_CHARS {
        return text;
    }
    let mut cut: String = text.chars().take(MAX_QUOTED_CHARS).collect();
    cut.push('…');
    cut
}

fn characters(count: u64) -> String {
    if count == 1 {
        "1 character".to_owned()
    } else {
        format!("{count} characters")
    }
}

fn quote_list(values: &[Value]) -> String {
    values.iter().map(quote).collect::<Vec<_>>().join(", ")
}

/// The JSON type of a value, in JSON Schema's words.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Number of pointer segments of `path` below `base` (`path` starts with `base`).
fn depth_below(path: &str, base: &str) -> usize {
    path.get(base.len()..)
        .map_or(0, |rest| rest.split('/').filter(|s| !s.is_empty()).count())
}

fn child(path: &str, key: &str) -> String {
    format!("{path}/{}", escape_pointer(key))
}

fn describe(error: &ValidationError<'_>, schema: &Value, out: &mut Vec<String>) {
    let path = error.instance_path().as_str();
    let at = display_path(path);
    let instance = error.instance();
    let instance: &Value = instance.as_ref();
    let message = match error.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            let alternatives = schema
                .pointer(error.schema_path().as_str())
                .and_then(Value::as_array);
            describe_alternatives(path, instance, context, alternatives, schema, out);
            return;
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => format!(
            "{} matches more than one of the allowed variants; make it match exactly one",
            quote(instance)
        ),
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_owned);
            out.push(format!(
                "{}: required property is missing",
                child(path, &name)
            ));
            return;
        }
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            let allowed = allowed_properties(error, schema);
            for name in unexpected {
                let mut message = format!("{}: unknown property", child(path, name));
                match &allowed {
                    Some(allowed) if allowed.is_empty() => {
                        message.push_str("; no properties are allowed here")
                    }
                    Some(allowed) => {
                        message.push_str("; the allowed properties are ");
                        message.push_str(allowed);
                    }
                    None => {}
                }
                out.push(message);
            }
            return;
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(ty) => ty.to_string(),
                TypeKind::Multiple(types) => types
                    .iter()
                    .map(|ty| ty.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            match instance {
                Value::Null => format!("expected {expected}, found null"),
                _ => format!(
                    "expected {expected}, found {} {}",
                    json_type(instance),
                    quote(instance)
                ),
            }
        }
        ValidationErrorKind::Enum { options } => match options.as_array() {
            Some(options) if options.len() == 1 => {
                format!("expected {}, found {}", quote(&options[0]), quote(instance))
            }
            Some(options) => format!("{} is not one of {}", quote(instance), quote_list(options)),
            None => format!("{} is not an allowed value", quote(instance)),
        },
        ValidationErrorKind::Constant { expected_value } => {
            format!(
                "expected {}, found {}",
                quote(expected_value),
                quote(instance)
            )
        }
        ValidationErrorKind::Minimum { limit } => {
            format!("{} is less than the minimum of {limit}", quote(instance))
        }
        ValidationErrorKind::Maximum { limit } => {
            format!("{} is greater than the maximum of {limit}", quote(instance))
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            format!("{} must be greater than {limit}", quote(instance))
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            format!("{} must be less than {limit}", quote(instance))
        }
        ValidationErrorKind::MultipleOf { multiple_of } => {
            format!("{} is not a multiple of {multiple_of}", quote(instance))
        }
        ValidationErrorKind::MinLength { limit } => format!(
            "{} is shorter than the minimum length of {}",
            quote(instance),
            characters(*limit)
        ),
        ValidationErrorKind::MaxLength { limit } => {
            let length = instance.as_str().map_or(0, |s| s.chars().count());
            format!(
                "{} is longer than the maximum length of {} (it has {length})",
                quote(instance),
                characters(*limit)
            )
        }
        ValidationErrorKind::Pattern { pattern } => {
            format!(
                "{} does not match the pattern \"{pattern}\"",
                quote(instance)
            )
        }
        ValidationErrorKind::MinItems { limit } => format!(
            "has {} items, fewer than the minimum of {limit}",
            instance.as_array().map_or(0, Vec::len)
        ),
        ValidationErrorKind::MaxItems { limit } => format!(
            "has {} items, more than the maximum of {limit}",
            instance.as_array().map_or(0, Vec::len)
        ),
        ValidationErrorKind::UniqueItems => "items must be unique".to_owned(),
        ValidationErrorKind::MinProperties { limit } => format!(
            "has {} properties, fewer than the minimum of {limit}",
            instance.as_object().map_or(0, |o| o.len())
        ),
        ValidationErrorKind::MaxProperties { limit } => format!(
            "has {} properties, more than the maximum of {limit}",
            instance.as_object().map_or(0, |o| o.len())
        ),
        ValidationErrorKind::Format { format } => {
            format!("{} is not a valid \"{format}\"", quote(instance))
        }
        ValidationErrorKind::FalseSchema => {
            format!("no value is allowed here, found {}", quote(instance))
        }
        ValidationErrorKind::PropertyNames { error } => {
            format!(
                "invalid property name: {}",
                error.masked_with(quote(error.instance()))
            )
        }
        _ => error.masked_with(quote(instance)).to_string(),
    };
    out.push(format!("{at}: {message}"));
}

/// The properties the object schema that reported an `additionalProperties` error declares,
/// quoted and joined; `None` when they cannot be found.
fn allowed_properties(error: &ValidationError<'_>, schema: &Value) -> Option<String> {
    let keyword_path = error.schema_path().as_str();
    let parent = &keyword_path[..keyword_path.rfind('/')?];
    let object_schema = schema.pointer(parent)?;
    let names: Vec<String> = match object_schema.get("properties") {
        Some(Value::Object(properties)) => properties
            .keys()
            .map(|k| Value::String(k.clone()).to_string())
            .collect(),
        _ => Vec::new(),
    };
    Some(names.join(", "))
}

/// How strongly a `oneOf`/`anyOf` branch was ruled out by the instance.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Mismatch {
    /// Its errors are about the content: the branch is the one the LLM meant.
    Content,
    /// Wrong or missing keys at the top (externally tagged variants differ by their key).
    Keys,
    /// A wrong tag (`const`/`enum`) or a wrong JSON type: clearly another variant.
    Discriminant,
}

fn mismatch(base: &str, errors: &[ValidationError<'static>]) -> Mismatch {
    let mut worst = Mismatch::Content;
    for error in errors {
        let depth = depth_below(error.instance_path().as_str(), base);
        let this = match error.kind() {
            ValidationErrorKind::Constant { .. } | ValidationErrorKind::Enum { .. }
                if depth <= 1 =>
            {
                Mismatch::Discriminant
            }
            ValidationErrorKind::Type { .. } if depth == 0 => Mismatch::Discriminant,
            ValidationErrorKind::AdditionalProperties { .. } if depth == 0 => Mismatch::Keys,
            _ => Mismatch::Content,
        };
        worst = worst.max(this);
    }
    worst
}

/// Describes an instance that matches none of the alternatives of a `oneOf`/`anyOf` (the
/// variants of an enum, or `T` and `null` for an `Option<T>`): when one alternative is
/// clearly the one meant, its own violations; when every alternative rejects the same tag,
/// that tag; otherwise one message saying no variant matches.
fn describe_alternatives(
    path: &str,
    instance: &Value,
    branches: &[Vec<ValidationError<'static>>],
    alternatives: Option<&Vec<Value>>,
    schema: &Value,
    out: &mut Vec<String>,
) {
    let ranked: Vec<Mismatch> = branches.iter().map(|b| mismatch(path, b)).collect();
    if let Some(best) = ranked
        .iter()
        .min()
        .copied()
        .filter(|m| *m != Mismatch::Discriminant)
    {
        let mut candidates = ranked.iter().enumerate().filter(|(_, m)| **m == best);
        if let (Some((index, _)), None) = (candidates.next(), candidates.next()) {
            for error in &branches[index] {
                describe(error, schema, out);
            }
            return;
        }
    }
    // Internally or adjacently tagged enums: every branch rejects the same tag.
    if let Some(message) = common_tag_error(path, instance, branches) {
        out.push(message);
        return;
    }
    let hints: Option<Vec<String>> =
        alternatives.and_then(|a| a.iter().map(variant_hint).collect());
    let mut message = format!(
        "{}: {} does not match any of the {} allowed variants",
        display_path(path),
        quote(instance),
        branches.len()
    );
    if let Some(hints) = hints {
        message.push_str("; expected ");
        message.push_str(&hints.join(", or "));
    }
    out.push(message);
}

/// A short description of one alternative of a `oneOf`/`anyOf`, for the LLM.
fn variant_hint(schema: &Value) -> Option<String> {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return Some(if values.len() == 1 {
            quote(&values[0])
        } else {
            format!("one of {}", quote_list(values))
        });
    }
    if let Some(value) = schema.get("const") {
        return Some(quote(value));
    }
    let ty = schema.get("type").and_then(Value::as_str)?;
    if ty == "object" {
        let properties = schema.get("properties").and_then(Value::as_object);
        let required = schema.get("required").and_then(Value::as_array);
        // An externally tagged variant: `{"Variant": ...}`.
        if let (Some(properties), Some([key])) = (properties, required.map(Vec::as_slice))
            && properties.len() == 1
            && let Some(key) = key.as_str()
        {
            return Some(format!(
                "an object with the single key {}",
                quote(&Value::from(key))
            ));
        }
        // A tagged variant: a property with a `const`.
        if let Some((tag, value)) = properties.and_then(|p| {
            p.iter()
                .find_map(|(name, s)| s.get("const").map(|c| (name, c)))
        }) {
            return Some(format!(
                "an object with {}: {}",
                quote(&Value::from(tag.as_str())),
                quote(value)
            ));
        }
        return Some("an object".to_owned());
    }
    let article = if ty.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    Some(format!("{article} {ty}"))
}

fn common_tag_error(
    path: &str,
    instance: &Value,
    branches: &[Vec<ValidationError<'static>>],
) -> Option<String> {
    // A wrong tag: every branch has a `const` error on the same property.
    let mut tag_path: Option<&str> = None;
    let mut expected: Vec<Value> = Vec::new();
    let all_const = branches.iter().all(|branch| {
        branch.iter().any(|error| {
            let error_path = error.instance_path().as_str();
            match error.kind() {
                ValidationErrorKind::Constant { expected_value }
                    if depth_below(error_path, path) == 1
                        && tag_path.is_none_or(|p| p == error_path) =>
                {
                    tag_path = Some(error_path);
                    expected.push(expected_value.as_ref().clone());
                    true
                }
                _ => false,
            }
        })
    });
    if all_const && let Some(tag_path) = tag_path {
        let found = instance
            .pointer(&tag_path[path.len()..])
            .map_or_else(|| "nothing".to_owned(), quote);
        return Some(format!(
            "{tag_path}: {found} is not one of {}",
            quote_list(&expected)
        ));
    }
    // A missing tag: a property every branch requires is missing.
    let missing_in = |branch: &[ValidationError<'static>]| -> Vec<String> {
        branch
            .iter()
            .filter(|error| error.instance_path().as_str() == path)
            .filter_map(|error| match error.kind() {
                ValidationErrorKind::Required { property } => property.as_str().map(str::to_owned),
                _ => None,
            })
            .collect()
    };
    let (first, rest) = branches.split_first()?;
    let common: Vec<String> = missing_in(first)
        .into_iter()
        .filter(|name| rest.iter().all(|branch| missing_in(branch).contains(name)))
        .collect();
    let name = common.first()?;
    Some(format!(
        "{}: required property is missing",
        child(path, name)
    ))
}
