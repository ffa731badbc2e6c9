//! Typed results: the `final_response` tool, its schema, and validation of what the LLM sends.

use rmcp::model::JsonObject;

/// A type that a sampling loop can return: `sample::<T>()` offers a synthetic
/// `final_response` tool whose input schema is `T`'s, and turns the LLM's call of it into a
/// validated `T`.
///
/// Implemented by `#[structured_result]` and for std types (integers, floats, `bool`,
/// `String`, `Vec<T>`, `Option<T>`, string-keyed maps).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the typed result of a sampling loop",
    note = "put `#[structured_result]` on the type, or use `sample_text` for a plain text answer"
)]
pub trait StructuredResult: Sized + Send + 'static {
    /// The type's name, for error messages.
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
