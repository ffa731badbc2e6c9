//! One LLM-callable tool: name, description, input schema, and an async call on JSON arguments.

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use futures::future::BoxFuture;
use rmcp::model::JsonObject;
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::ToolError;
use crate::message::ToolSpec;

/// The future a tool's call returns.
pub type ToolFuture<'a> = BoxFuture<'a, Result<ToolOutput, ToolCallError>>;

type CallFn<'a> = dyn Fn(&JsonObject) -> ToolFuture<'a> + Send + Sync + 'a;

/// A tool the LLM may call during a sampling loop.
///
/// Made by `#[sampling_tool]` (`my_fn_tool()`, or `self.my_method_tool()` for a method), by
/// [`SamplingTool::from_fn`] from a closure and an arguments type, or from a server's own rmcp
/// tools (see [`crate::tools::tools_from_router`]). The lifetime lets a tool borrow state (a method's
/// `&self`) for as long as the loop runs.
#[derive(Clone)]
pub struct SamplingTool<'a> {
    name: Cow<'static, str>,
    description: Option<Cow<'static, str>>,
    input_schema: Arc<JsonObject>,
    sequential: bool,
    approval: bool,
    call: Arc<CallFn<'a>>,
}

/// A value a sampling tool may return to the LLM: anything `Serialize` (a string is sent as
/// it is, anything else as JSON).
///
/// `#[sampling_tool]` turns the function's return value into the tool's output through this
/// trait, at the declared type (for `Result<T, E>`, at `T`), so a type that does not fit is
/// reported there, with the fix.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a `#[sampling_tool]`",
    label = "not `Serialize`",
    note = "a tool's result goes to the LLM as JSON (a string as it is): return a type that implements `Serialize` (derive it, or put `#[structured_result]` on the type), or `Result<T, E>` with such a `T` and `E: Display`"
)]
pub trait IntoToolOutput {
    /// The outcome for the LLM.
    fn into_tool_output(self) -> Result<ToolOutput, ToolCallError>;
}

#[diagnostic::do_not_recommend]
impl<T: Serialize> IntoToolOutput for T {
    fn into_tool_output(self) -> Result<ToolOutput, ToolCallError> {
        ToolOutput::from_value(&self)
    }
}

/// The error of a sampling tool's `Result<T, E>`: anything `Display + 'static`, whose message
/// goes back to the LLM ([`ToolError`] messages pass even when error details are masked).
///
/// `#[sampling_tool]` uses it at the declared `E`, so a type that does not fit is reported
/// there, with the fix.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the error of a `#[sampling_tool]`",
    label = "not `Display`",
    note = "the error's message goes back to the LLM: implement `std::fmt::Display` for it (`ToolError` does, and passes even when error details are masked)"
)]
pub trait IntoToolError {
    /// The failed outcome for the LLM.
    fn into_tool_error(self) -> Result<ToolOutput, ToolCallError>;
}

#[diagnostic::do_not_recommend]
impl<E: fmt::Display + 'static> IntoToolError for E {
    fn into_tool_error(self) -> Result<ToolOutput, ToolCallError> {
        result_to_output::<(), E>(Err(self))
    }
}

/// A type a `#[sampling_tool]` parameter may have: anything `DeserializeOwned + JsonSchema`,
/// decoded from the LLM's JSON and described to it by its schema.
///
/// `#[sampling_tool]` decodes and describes each parameter through this trait, at the
/// parameter's type, so a type that does not fit gets one error there, with the fix.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `#[sampling_tool]` parameter",
    label = "not `Deserialize` and `JsonSchema`",
    note = "the LLM fills in each parameter as JSON described by a JSON schema: derive `Deserialize` and `JsonSchema` for the type (or put `#[structured_result]` on it, which needs no `serde` or `schemars` dependency), or use a type that has them (`String`, numbers, `Vec<T>`, `Option<T>`, ...)"
)]
pub trait ToolParam: Sized {
    /// Decodes the parameter from its argument (generated code calls it at the parameter's type).
    fn deserialize_param<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Self, D::Error>;

    /// The parameter's schema (generated code calls it at the parameter's type).
    fn param_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema;
}

#[diagnostic::do_not_recommend]
impl<T: DeserializeOwned + JsonSchema> ToolParam for T {
    fn deserialize_param<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Self, D::Error> {
        T::deserialize(deserializer)
    }

    fn param_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        generator.subschema_for::<T>()
    }
}

/// What [`SampleRequest::tool`](crate::SampleRequest::tool),
/// [`tools`](crate::SampleRequest::tools) and [`Toolset::try_from_tools`](crate::tools::Toolset::try_from_tools)
/// take: a [`SamplingTool`], and nothing else (sealed).
///
/// It exists for its compile error: passing a `#[sampling_tool]` function itself
/// (`.tools([add])`) says to pass the tool the attribute generates (`add_tool()`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a sampling tool",
    label = "expected a `SamplingTool`",
    note = "a `#[sampling_tool]` function is not itself a tool: pass the tool the attribute generates beside it, named after the function with `_tool` appended (`add_tool()` for `fn add`, `self.lookup_tool()` for a method `lookup`)"
)]
pub trait IntoSamplingTool<'a>: sealed::Sealed {
    /// The tool.
    fn into_sampling_tool(self) -> SamplingTool<'a>;
}

impl<'a> IntoSamplingTool<'a> for SamplingTool<'a> {
    fn into_sampling_tool(self) -> SamplingTool<'a> {
        self
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::SamplingTool<'_> {}
}

impl fmt::Debug for SamplingTool<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SamplingTool")
            .field("name", &self.name)
            .field("description", &self.description)
            .field("input_schema", &self.input_schema)
            .field("sequential", &self.sequential)
            .field("approval", &self.approval)
            .finish_non_exhaustive()
    }
}

impl<'a> SamplingTool<'a> {
    /// A tool from an async closure over a `Deserialize + JsonSchema` arguments type.
    ///
    /// The input schema comes from `Args` (computed once per type). The closure returns
    /// `Result<T, E>`: `T` is sent to the LLM as text (a string as it is, anything else as
    /// JSON), `E`'s message as an `is_error` result (see [`ToolError`] and masking).
    ///
    /// ```
    /// use rmcp_sampling::{SamplingTool, ToolError};
    ///
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Add { a: i64, b: i64 }
    ///
    /// let add = SamplingTool::from_fn("add", |args: Add| async move {
    ///     args.a.checked_add(args.b).ok_or(ToolError::new("overflow"))
    /// })
    /// .with_description("Add two integers.");
    /// assert_eq!(add.name(), "add");
    /// ```
    pub fn from_fn<Args, F, Fut, T, E>(name: impl Into<Cow<'static, str>>, f: F) -> Self
    where
        Args: DeserializeOwned + JsonSchema + 'static,
        F: Fn(Args) -> Fut + Send + Sync + 'a,
        Fut: Future<Output = Result<T, E>> + Send + 'a,
        T: Serialize,
        E: fmt::Display + 'static,
    {
        Self::from_outcome_fn(name, move |args: Args| {
            let fut = f(args);
            async move { result_to_output(fut.await) }
        })
    }

    /// Like [`SamplingTool::from_fn`], for a closure that already returns the outcome.
    pub(crate) fn from_outcome_fn<Args, F, Fut>(name: impl Into<Cow<'static, str>>, f: F) -> Self
    where
        Args: DeserializeOwned + JsonSchema + 'static,
        F: Fn(Args) -> Fut + Send + Sync + 'a,
        Fut: Future<Output = Result<ToolOutput, ToolCallError>> + Send + 'a,
    {
        let call = move |args: &JsonObject| -> ToolFuture<'a> {
            match crate::tools::args::decode_args::<Args>(args) {
                Ok(args) => Box::pin(f(args)),
                Err(message) => {
                    Box::pin(async move { Err(ToolCallError::invalid_arguments(message)) })
                }
            }
        };
        Self::from_raw(name, crate::schema::args_schema_for::<Args>(), call)
    }

    /// A tool from a ready input schema and a call on raw JSON arguments; the building block
    /// for tools that do not come from a Rust arguments type. The call borrows the arguments
    /// (they stay in the loop's history): decode or copy what the returned future needs.
    pub fn from_raw<F>(
        name: impl Into<Cow<'static, str>>,
        input_schema: Arc<JsonObject>,
        call: F,
    ) -> Self
    where
        F: Fn(&JsonObject) -> ToolFuture<'a> + Send + Sync + 'a,
    {
        Self {
            name: name.into(),
            description: None,
            input_schema,
            sequential: false,
            approval: false,
            call: Arc::new(call),
        }
    }

    /// The same tool with a shorter lifetime, so tools that borrow nothing (`'static`) and
    /// tools bound to a receiver can be offered together. (A tool's lifetime is invariant, as
    /// it appears in the return type of its call.)
    pub fn shorten<'b>(self) -> SamplingTool<'b>
    where
        'a: 'b,
    {
        let call = self.call;
        SamplingTool {
            name: self.name,
            description: self.description,
            input_schema: self.input_schema,
            sequential: self.sequential,
            approval: self.approval,
            call: Arc::new(move |args| -> ToolFuture<'b> { call(args) }),
        }
    }

    /// Sets the description the LLM reads.
    pub fn with_description(mut self, description: impl Into<Cow<'static, str>>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Renames the tool.
    pub fn with_name(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.name = name.into();
        self
    }

    /// Marks the tool sequential: any batch of calls that includes it runs one call at a time.
    pub fn sequential(mut self, sequential: bool) -> Self {
        self.sequential = sequential;
        self
    }

    /// Makes every call of the tool wait for the user's approval (asked through elicitation,
    /// with the tool's name and arguments) before it runs; a call the user does not approve
    /// does not run, and the LLM reads why. See
    /// [`SampleRequest::require_approval`](crate::SampleRequest::require_approval).
    pub fn approval(mut self, approval: bool) -> Self {
        self.approval = approval;
        self
    }

    /// The name the LLM calls the tool by.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The description the LLM reads, if any.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The JSON schema of the arguments.
    pub fn input_schema(&self) -> &Arc<JsonObject> {
        &self.input_schema
    }

    /// Whether the tool forces its batch to run sequentially.
    pub fn is_sequential(&self) -> bool {
        self.sequential
    }

    /// Whether every call of the tool needs the user's approval.
    pub fn requires_approval(&self) -> bool {
        self.approval
    }

    /// Calls the tool on JSON arguments, as the loop does.
    pub fn call(&self, args: &JsonObject) -> ToolFuture<'a> {
        (self.call)(args)
    }

    /// The tool as the LLM is offered it.
    pub fn spec(&self) -> ToolSpec {
        ToolSpec::shared(
            self.name.clone(),
            self.description.clone(),
            Arc::clone(&self.input_schema),
        )
    }
}

/// What a successful tool call sends back to the LLM.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutput {
    text: String,
}

impl ToolOutput {
    /// Output with this text.
    pub fn text(text: impl Into<String>) -> Self {
        Self { text: text.into() }
    }

    /// Output from any serialisable value: a string as it is, anything else as compact JSON.
    pub fn from_value<T: Serialize + ?Sized>(value: &T) -> Result<Self, ToolCallError> {
        let failed = |error: serde_json::Error| {
            ToolCallError::failed(
                format!("the tool's result could not be serialized: {error}"),
                false,
            )
        };
        // Straight to text, no `Value` tree in between; only a JSON string is decoded again.
        let json = serde_json::to_string(value).map_err(failed)?;
        let text = if json.starts_with('"') {
            serde_json::from_str(&json).map_err(failed)?
        } else {
            json
        };
        Ok(Self { text })
    }

    /// The text the LLM receives.
    pub fn as_text(&self) -> &str {
        &self.text
    }

    /// Takes the text out.
    pub fn into_text(self) -> String {
        self.text
    }
}

/// Turns what a tool function returned into the loop's outcome. `ToolError` messages are
/// marked public: they pass even when error details are masked.
pub(crate) fn result_to_output<T, E>(result: Result<T, E>) -> Result<ToolOutput, ToolCallError>
where
    T: Serialize,
    E: fmt::Display + 'static,
{
    match result {
        Ok(value) => ToolOutput::from_value(&value),
        Err(error) => {
            let public = (&error as &dyn Any).is::<ToolError>();
            Err(ToolCallError::failed(error.to_string(), public))
        }
    }
}

/// Why a tool call failed; it reaches the LLM as an `is_error` tool result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCallError {
    kind: ToolCallErrorKind,
    message: String,
}

/// The kinds of [`ToolCallError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ToolCallErrorKind {
    /// The LLM called a tool that was not offered.
    UnknownTool,
    /// The arguments do not match the tool's schema.
    InvalidArguments,
    /// The tool returned an error; `public` when it was a [`ToolError`].
    Failed {
        /// Whether the message passes when details are masked.
        public: bool,
    },
    /// The tool panicked.
    Panicked,
    /// The tool did not finish within the per-tool timeout.
    TimedOut,
}

impl ToolCallError {
    /// A tool's own error.
    pub fn failed(message: impl Into<String>, public: bool) -> Self {
        Self {
            kind: ToolCallErrorKind::Failed { public },
            message: message.into(),
        }
    }

    /// Arguments that do not match the schema.
    pub fn invalid_arguments(message: impl Into<String>) -> Self {
        Self {
            kind: ToolCallErrorKind::InvalidArguments,
            message: message.into(),
        }
    }

    pub(crate) fn new(kind: ToolCallErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The kind of failure.
    pub fn kind(&self) -> ToolCallErrorKind {
        self.kind
    }

    /// The full message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether the message may reach the LLM when error details are masked: the LLM's own
    /// mistakes (unknown tool, bad arguments) and [`ToolError`]s.
    pub fn is_public(&self) -> bool {
        match self.kind {
            ToolCallErrorKind::UnknownTool | ToolCallErrorKind::InvalidArguments => true,
            ToolCallErrorKind::Failed { public } => public,
            ToolCallErrorKind::Panicked | ToolCallErrorKind::TimedOut => false,
        }
    }
}

impl fmt::Display for ToolCallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ToolCallError {}
