//! Procedural macros of `rmcp-sampling`; use them through that crate, which re-exports them
//! and documents them.

use proc_macro::TokenStream;

mod attr;
mod ctxt;
mod docs;
mod paths;
mod sampling_tool;
mod structured_result;

/// Turns a function into a tool that the LLM may call during a sampling loop.
///
/// Put it on a `fn` or an `async fn`, or on a `&self` method (sync or async) in an `impl`
/// block. The function stays as written, callable and testable; beside it the macro adds
/// **one item**, the tool's constructor, named after the function with `_tool` appended:
///
/// | on | generated item |
/// | --- | --- |
/// | `fn find_customer(..)` | `fn find_customer_tool<'a>() -> SamplingTool<'a>`, with the function's visibility |
/// | `fn lookup(&self, ..)` in an `impl` | `fn lookup_tool(&self) -> SamplingTool<'_>`, a tool bound to that receiver |
///
/// Pass the tools to a sampling request (`.tools([find_customer_tool(), self.lookup_tool()])`).
/// A free function's tool borrows nothing, so it takes whatever lifetime the list needs.
///
/// # Arguments
///
/// | key | value | meaning |
/// | --- | --- | --- |
/// | `name` | string literal | the tool's name (default: the function's name); 1 to 64 ASCII letters, digits, `_` or `-`, not `final_response` |
/// | `description` | string literal | what the LLM reads (default: the doc comment, lines joined with `\n`; `#[doc = include_str!(..)]` works) |
/// | `sequential` | flag | any batch of calls that includes this tool runs one call at a time |
/// | `approval` | flag | each call waits for the user's approval (asked through elicitation) before it runs; see `SampleRequest::require_approval` |
/// | `crate` | string literal | the path of `rmcp_sampling` in generated code (see [Renamed dependency](#renamed-dependency)) |
///
/// # Parameters
///
/// Each parameter is a property of the tool's input schema, in declaration order, decoded
/// from the LLM's JSON as a `#[serde(deny_unknown_fields)]` struct with these fields would
/// be, and described as `#[derive(JsonSchema)]` would describe it: its type must
/// implement `serde::Deserialize` and `schemars::JsonSchema` (for a type of your own, derive
/// them, or put `#[structured_result]` on it, which needs no `serde` or `schemars` dependency),
/// and be owned (`String`, not `&str`). Unknown properties are refused. `Option<T>` parameters are optional (missing means
/// `None`); every other parameter is required. A `///` doc comment on a parameter becomes the
/// property's description. The helper attribute `#[arg(...)]` takes:
///
/// | key | value | meaning |
/// | --- | --- | --- |
/// | `description` | string literal | the property's description (instead of a doc comment) |
/// | `default` | flag | the parameter is optional and defaults to `Default::default()` |
/// | `rename` | string literal | the JSON property name (default: the parameter's name) |
///
/// # Return type
///
/// Anything `serde::Serialize` (a string is sent to the LLM as it is, anything else as JSON;
/// `()` as `null`), or `Result<T, E>` (any path ending in `Result`) with `E: Display`: the
/// error's message goes back to the LLM as an `is_error` result. Return a `ToolError` for
/// messages that must reach the LLM even when error details are masked. A sync function runs
/// inside the tool's future, so a panic is caught by the loop like any other failure.
///
/// # Example
///
/// ```
/// use std::sync::Mutex;
/// use rmcp_sampling::{sampling_tool, ToolError};
///
/// /// Look up a customer's plan by email.
/// #[sampling_tool]
/// async fn find_plan(
///     /// The customer's email address.
///     email: String,
/// ) -> Result<String, ToolError> {
///     match email.as_str() {
///         "ann@example.com" => Ok("pro".to_owned()),
///         _ => Err(ToolError::new(format!("no customer with email {email}"))),
///     }
/// }
///
/// struct Notes(Mutex<Vec<String>>);
///
/// impl Notes {
///     /// Keep a note for later.
///     #[sampling_tool(name = "add_note", sequential)]
///     fn add(&self, text: String, #[arg(default)] pinned: bool) -> usize {
///         let mut notes = self.0.lock().unwrap();
///         notes.push(if pinned { format!("[pinned] {text}") } else { text });
///         notes.len()
///     }
/// }
///
/// let notes = Notes(Mutex::new(Vec::new()));
/// let tools = [find_plan_tool(), notes.add_tool()];
/// assert_eq!(tools[0].name(), "find_plan");
/// assert_eq!(tools[0].description(), Some("Look up a customer's plan by email."));
/// assert_eq!(tools[1].name(), "add_note");
/// assert!(tools[1].is_sequential());
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// # rt.block_on(async {
/// let args = serde_json::json!({"email": "bob@example.com"});
/// let error = tools[0].call(args.as_object().unwrap()).await.unwrap_err();
/// assert_eq!(error.message(), "no customer with email bob@example.com");
/// # });
/// ```
///
/// # Compile-time errors
///
/// Each is reported on the offending token with the fix, all at once: generic or
/// lifetime-generic functions, `unsafe` or variadic functions, `impl Trait`, reference,
/// borrowing or `Self` parameter types, patterns or `_` as parameters, `self` by value,
/// `&mut self` or `self: Box<Self>`, doc comments or `#[arg]` on `self`, unknown, repeated or
/// non-literal keys, `default` on an `Option`, a parameter both documented and given
/// `#[arg(description)]`, two parameters sent under one name, an empty or invalid tool name
/// or description. The compiler reports, once and at the type, with the fix: a parameter type
/// that is not `Deserialize + JsonSchema` (`rmcp_sampling::ToolParam`), a return type that is
/// not `Serialize` (`IntoToolOutput`; for `Result<T, E>` at `T`), an error type that is not
/// `Display` (`IntoToolError`, at `E`), and a `default` type without `Default`. Passing the
/// function itself where a tool is expected (`.tools([add])`) says to pass `add_tool()`. Two
/// tools with one name in one request are refused at run time.
///
/// An associated function without `self` is not supported inside an `impl` (its tool could
/// not call it): make it a free function, or take `&self`. The attribute cannot see that it is
/// inside an `impl`, so this one is rustc's own "cannot find value `add` in this scope", at
/// the attribute, pointing at the function as an associated function of `Self`.
///
/// # Renamed dependency
///
/// Generated code names only the runtime crate (and what it re-exports), under the name your
/// `Cargo.toml` gives the `rmcp-sampling` package: with
/// `sampling = { package = "rmcp-sampling", version = "..." }` it uses `::sampling`, also
/// through `workspace = true`. When `Cargo.toml` does not list the package directly (a facade
/// crate re-exports it, or the build does not use Cargo), say where it is with
/// `crate = "::my_facade::sampling"`; both macros take this key.
#[proc_macro_attribute]
pub fn sampling_tool(args: TokenStream, item: TokenStream) -> TokenStream {
    sampling_tool::expand(args.into(), item.into()).into()
}

/// Makes a struct or an enum the typed result of a sampling loop (`sample::<T>()`), or a type
/// used inside one.
///
/// Every `Serialize + DeserializeOwned + JsonSchema + Send + 'static` type is a typed result
/// (`rmcp_sampling::StructuredResult` is implemented for all of them), so the macro is a
/// convenience, not a requirement. It
///
/// - adds the derives the type lacks among `Serialize`, `Deserialize` and `JsonSchema` (an
///   existing `#[derive(...)]` entry is recognised by its last path segment, so
///   `#[derive(serde::Serialize)]` stays as written). The added derives go through
///   `rmcp_sampling`'s re-exports, so the crate needs no direct `serde`/`schemars`
///   dependency. Your `#[serde(...)]` and `#[schemars(...)]` attributes apply to both the schema
///   and the decoding (`rename_all`, `tag`, `deny_unknown_fields`, `default`,
///   `range(min, max)`, `length(..)`, `regex(pattern = ..)`, ...). Put `#[structured_result]`
///   above your own `#[derive]`s: a derive written above it has already run when the macro
///   sees the type, so the macro adds it a second time (a "conflicting implementations"
///   error).
/// - sets the `name` and `description` keys below as the schema's `title` and `description`,
///   where the result trait reads them (the doc comment already is the schema's description);
/// - rejects, with the fix, the shapes that give the LLM no usable schema (see below), and
///   checks that a non-generic type is a typed result (owns its data and is `Send`).
///
/// **Nested types.** Put `#[structured_result]` on the types a result contains as well (as
/// `Severity` below), and on a `#[sampling_tool]` parameter's own types: it derives what they
/// need, still without a `serde` or `schemars` dependency. A type that derives the three
/// traits itself works as well.
///
/// The result's `final_response` tool has the type's input schema (draft 2020-12, inlined,
/// properties in declaration order, `required` always present, and `additionalProperties:
/// false` at the root unless the type says otherwise), and the LLM's arguments are validated
/// against it before decoding, with one message per violation naming its JSON path. A type
/// whose schema is not a plain object (an enum, a newtype around a number, `Vec<T>`, ...) is
/// wrapped: the tool takes `{"value": <the result>}` and the value is unwrapped on the way back.
///
/// # Arguments
///
/// | key | type | meaning |
/// | --- | --- | --- |
/// | `name` | string | the name the LLM and error messages see, as the schema's `title` (default: the type's identifier; for a generic type, its instantiation such as `Page<Customer>`) |
/// | `description` | string | the result's description, as the schema's `description` (default: the doc comment) |
/// | `crate` | string | the path of `rmcp_sampling` in generated code, when `Cargo.toml` does not list it directly (default: found in `Cargo.toml`, renamed or not; see `#[sampling_tool]`) |
///
/// # Example
///
/// ```
/// use rmcp_sampling::{StructuredResult, structured_result};
///
/// /// Classify a support ticket.
/// #[structured_result]
/// #[serde(deny_unknown_fields)]
/// #[derive(Debug)]
/// struct Triage {
///     severity: Severity,
///     /// How sure the classification is.
///     #[schemars(range(min = 0.0, max = 1.0))]
///     score: f64,
///     summary: String,
/// }
///
/// /// How urgent a ticket is.
/// #[structured_result]
/// #[serde(rename_all = "lowercase")]
/// #[derive(Debug, PartialEq)]
/// enum Severity { Low, High }
///
/// // What `sample::<Triage>()` offers the LLM ...
/// let tool = Triage::final_response_tool();
/// assert_eq!(tool.name, "final_response");
/// assert_eq!(
///     tool.input_schema["required"],
///     serde_json::json!(["severity", "score", "summary"]),
/// );
///
/// // ... and what it makes of the LLM's answer.
/// let answer = serde_json::json!({"severity": "high", "score": 0.9, "summary": "checkout is down"});
/// let triage = Triage::parse_final_response(answer.as_object().unwrap().clone()).unwrap();
/// assert_eq!(triage.severity, Severity::High);
///
/// // A bad answer gets one message per violation, which the loop sends back to the LLM.
/// let answer = serde_json::json!({"severity": "urgent", "score": 1.5, "summary": "?"});
/// let violations = Triage::parse_final_response(answer.as_object().unwrap().clone()).unwrap_err();
/// assert_eq!(violations.len(), 2, "{violations:?}");
/// ```
///
/// # Compile-time errors
///
/// Each says the fix: a union; a lifetime parameter (a result must own its data; type
/// parameters are accepted, and an instantiation is a result when it has the traits); a
/// non-generic type that is not `Send` (reported at its name); a unit struct, a struct without fields or a tuple struct with several
/// fields (name the fields; a newtype `struct Score(u8)` is accepted and wrapped); an enum
/// without variants; a `#[serde(untagged)]` enum with several unit variants (all are `null`);
/// an internally tagged enum with a newtype variant around a number, string or sequence; a
/// field type without `Serialize`/`Deserialize`/`JsonSchema` (spanned on that type); unknown,
/// repeated or non-literal keys.
#[proc_macro_attribute]
pub fn structured_result(args: TokenStream, item: TokenStream) -> TokenStream {
    structured_result::expand(args.into(), item.into()).into()
}
