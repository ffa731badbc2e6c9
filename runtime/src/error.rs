//! Errors of tools, toolsets and sampling loops.

use std::fmt;

use crate::control::LoopUsage;
use crate::message::Conversation;

/// An error whose message is meant for the LLM.
///
/// A tool that returns `Err(ToolError)` sends its message to the LLM as an `is_error` tool
/// result, even when the loop masks error details (`mask_error_details`): use it for messages
/// that help the LLM retry ("no customer with that email"), and any other error type for
/// failures whose details should stay on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolError {
    message: String,
}

impl ToolError {
    /// An error with this message for the LLM.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message the LLM receives.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ToolError {}

impl From<String> for ToolError {
    fn from(message: String) -> Self {
        Self::new(message)
    }
}

impl From<&str> for ToolError {
    fn from(message: &str) -> Self {
        Self::new(message)
    }
}

/// Why a toolset refused a tool.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ToolsetError {
    /// Two tools share a name; the LLM could not tell them apart.
    DuplicateName(String),
    /// The name `final_response` is reserved for typed results.
    ReservedName(String),
}

impl fmt::Display for ToolsetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DuplicateName(name) => write!(
                f,
                "two sampling tools are named `{name}`; give one of them another name (`#[sampling_tool(name = \"...\")]`)"
            ),
            Self::ReservedName(name) => write!(
                f,
                "a sampling tool cannot be named `{name}`: the name is reserved for the typed result of `sample::<T>()`; rename the tool"
            ),
        }
    }
}

impl std::error::Error for ToolsetError {}

/// What went wrong in a sampling loop; see [`SampleError::kind`].
#[derive(Debug)]
#[non_exhaustive]
pub enum SampleErrorKind {
    /// The client did not declare the `sampling` capability and no handler can stand in.
    ClientDoesNotSupportSampling,
    /// Tools were offered but the client did not declare `sampling.tools`.
    ClientDoesNotSupportSamplingTools,
    /// The sampler is configured in a way that cannot work (e.g. `always` without a handler).
    Configuration(String),
    /// The toolset was refused (duplicate or reserved names).
    Toolset(ToolsetError),
    /// The client answered the `sampling/createMessage` request with an error.
    Client(rmcp::ServiceError),
    /// The server-side sampling handler failed.
    Handler(crate::handler::HandlerError),
    /// The LLM's answer does not follow the protocol (wrong role, missing tool_use blocks, ...).
    InvalidResponse(String),
    /// The client did not declare the capability an awaited input needs: `elicitation`
    /// (form), `elicitation.url` or `roots`.
    MissingCapability(&'static str),
    /// The client's answer to an elicitation or a roots request is malformed, or accepted
    /// content does not match the requested schema.
    InvalidInput(String),
    /// A tool needs the user's approval, the client cannot be asked (no `elicitation`
    /// capability) and the loop was told to fail then
    /// ([`NoElicitation::Fail`](crate::input::NoElicitation::Fail)).
    ApprovalUnavailable {
        /// The tool that needed approval.
        tool: String,
    },
    /// The loop reached its iterations cap without an answer.
    MaxIterations(u32),
    /// On protocol 2026-07-28, the client's round budget ran out before the loop's answer
    /// (see `Sampler::round_budget`).
    RoundBudget(u32),
    /// On protocol 2026-07-28, the client never answered an input request validly (the
    /// answer was missing or malformed, and asking again used up the rounds it drives).
    ClientNoValidAnswer {
        /// The rounds the client drives (`Sampler::round_budget`).
        rounds: u32,
        /// What was wrong with the last answer.
        reason: String,
    },
    /// On protocol 2026-07-28, the sealed `requestState` that would carry the loop to the next
    /// round is larger than the cap.
    StateTooLarge {
        /// The state's size in bytes.
        bytes: usize,
        /// The cap ([`Sampler::max_state_bytes`](crate::Sampler::max_state_bytes)).
        limit: usize,
    },
    /// The MCP request was cancelled.
    Cancelled,
    /// An LLM request was not answered within its time limit
    /// ([`Sampler::llm_timeout`](crate::Sampler::llm_timeout)); the client was sent
    /// `notifications/cancelled` for it.
    LlmTimeout(std::time::Duration),
    /// The user (or the client) did not answer an elicitation or roots request within its
    /// time limit ([`DEFAULT_INPUT_TIMEOUT`](crate::input::DEFAULT_INPUT_TIMEOUT)); the
    /// client was sent `notifications/cancelled` for it.
    InputTimeout(std::time::Duration),
    /// The loop ran past its deadline ([`SampleRequest::deadline`](crate::SampleRequest::deadline)).
    DeadlineExceeded,
    /// One LLM reply made more tool calls than the loop allows; none of them ran.
    TooManyToolCalls {
        /// Tool calls in the reply.
        calls: usize,
        /// The limit ([`SampleRequest::max_tool_calls_per_reply`](crate::SampleRequest::max_tool_calls_per_reply)).
        limit: usize,
    },
    /// The history grew past its limit before an LLM request.
    HistoryTooLarge {
        /// Bytes of the history, as JSON.
        bytes: usize,
        /// The limit ([`SampleRequest::max_history_bytes`](crate::SampleRequest::max_history_bytes)).
        limit: usize,
    },
    /// The LLM kept sending a `final_response` that does not validate.
    InvalidResult {
        /// The result type asked for.
        type_name: &'static str,
        /// The violations of the last attempt, each naming its JSON path.
        violations: Vec<String>,
    },
    /// A [usage limit](crate::control::UsageLimits) was reached before the loop had its answer.
    UsageLimit {
        /// Which limit: `llm_calls`, `tool_calls`, `input_tokens` or `output_tokens`.
        limit: &'static str,
        /// Its value.
        max: u64,
    },
    /// The LLM's answer was cut by the token limit (see
    /// [`on_truncated_answer`](crate::SampleRequest::on_truncated_answer)).
    TruncatedAnswer {
        /// The request's `max_tokens`.
        max_tokens: u32,
        /// The cut answer.
        text: String,
    },
    /// The request asked for a tool call (`tool_choice: required`) and the LLM kept
    /// answering in text.
    NoToolCall {
        /// The last text answer.
        text: String,
    },
    /// The [`stop_when`](crate::SampleRequest::stop_when) condition held and the LLM did not
    /// give its final answer on the last request.
    Stopped,
    /// The LLM kept answering in text although a typed result was required.
    TextInsteadOfResult {
        /// The result type asked for.
        type_name: &'static str,
        /// The last text answer.
        text: String,
    },
}

/// A sampling loop failed. The error keeps the conversation up to the failure.
#[derive(Debug)]
pub struct SampleError {
    // Boxed: the kinds are large and errors travel through every `Result` of the loop.
    kind: Box<SampleErrorKind>,
    history: Conversation,
    usage: LoopUsage,
}

impl SampleError {
    /// An error with no history yet.
    pub fn new(kind: SampleErrorKind) -> Self {
        Self {
            kind: Box::new(kind),
            history: Conversation::new(),
            usage: LoopUsage::default(),
        }
    }

    pub(crate) fn with_history(mut self, history: Conversation) -> Self {
        self.history = history;
        self
    }

    pub(crate) fn with_usage(mut self, usage: LoopUsage) -> Self {
        self.usage = usage;
        self
    }

    /// What the loop used up to the failure: LLM calls, tool calls, tokens, per step.
    pub fn usage(&self) -> &LoopUsage {
        &self.usage
    }

    /// What went wrong.
    pub fn kind(&self) -> &SampleErrorKind {
        &self.kind
    }

    /// The conversation up to the failure (empty when it failed before the first request).
    pub fn history(&self) -> &Conversation {
        &self.history
    }

    /// Takes the conversation out of the error.
    pub fn into_history(self) -> Conversation {
        self.history
    }

    /// Whether the MCP request was cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(*self.kind, SampleErrorKind::Cancelled)
    }
}

impl From<SampleErrorKind> for SampleError {
    fn from(kind: SampleErrorKind) -> Self {
        Self::new(kind)
    }
}

impl fmt::Display for SampleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.kind {
            SampleErrorKind::ClientDoesNotSupportSampling => {
                f.write_str("client does not support sampling")
            }
            SampleErrorKind::ClientDoesNotSupportSamplingTools => f.write_str(
                "client does not support sampling with tools: the client must advertise the sampling.tools capability",
            ),
            SampleErrorKind::Configuration(message) => {
                write!(f, "sampling is misconfigured: {message}")
            }
            SampleErrorKind::Toolset(error) => error.fmt(f),
            SampleErrorKind::Client(error) => {
                write!(f, "the client failed the sampling request: {error}")
            }
            SampleErrorKind::Handler(error) => {
                write!(f, "the sampling handler failed: {error}")
            }
            SampleErrorKind::InvalidResponse(reason) => {
                write!(f, "the LLM's response is invalid: {reason}")
            }
            SampleErrorKind::MissingCapability(capability) => write!(
                f,
                "the client did not declare the `{capability}` capability this request needs"
            ),
            SampleErrorKind::InputTimeout(limit) => write!(
                f,
                "the client did not answer within {limit:?}; the request was cancelled"
            ),
            SampleErrorKind::InvalidInput(reason) => {
                write!(f, "the client's input is invalid: {reason}")
            }
            SampleErrorKind::ApprovalUnavailable { tool } => write!(
                f,
                "tool '{tool}' needs the user's approval, and the client cannot be asked (it \
                 did not declare the `elicitation` capability)"
            ),
            SampleErrorKind::MaxIterations(cap) => write!(
                f,
                "sampling exceeded the maximum of {cap} iterations without a final answer"
            ),
            SampleErrorKind::RoundBudget(rounds) => write!(
                f,
                "sampling used the {rounds} rounds the client drives (`Sampler::round_budget`) \
                 without a final answer"
            ),
            SampleErrorKind::ClientNoValidAnswer { rounds, reason } => write!(
                f,
                "the client did not answer the sampling request validly within the {rounds} \
                 rounds it drives: {reason}"
            ),
            SampleErrorKind::StateTooLarge { bytes, limit } => write!(
                f,
                "the multi round-trip state (requestState) would be {bytes} bytes, over the cap \
                 of {limit} (`Sampler::max_state_bytes`); raise the cap, or keep the loop \
                 smaller (`max_history_bytes`, `max_tool_result_bytes`)"
            ),
            SampleErrorKind::Cancelled => f.write_str("the request was cancelled"),
            SampleErrorKind::LlmTimeout(limit) => write!(
                f,
                "the LLM did not answer within {limit:?}; the request was cancelled (the time \
                 limit is set with `llm_timeout`)"
            ),
            SampleErrorKind::DeadlineExceeded => f.write_str(
                "the sampling loop ran past its deadline; what was still running was stopped",
            ),
            SampleErrorKind::TooManyToolCalls { calls, limit } => write!(
                f,
                "the LLM's reply makes {calls} tool calls; at most {limit} are allowed in one \
                 reply (`max_tool_calls_per_reply`), so none of them ran"
            ),
            SampleErrorKind::HistoryTooLarge { bytes, limit } => write!(
                f,
                "the sampling history reached {bytes} bytes, over the limit of {limit} \
                 (`max_history_bytes`)"
            ),
            SampleErrorKind::InvalidResult {
                type_name,
                violations,
            } => write!(
                f,
                "the LLM did not produce a valid `{type_name}`: {}",
                violations.join("; ")
            ),
            SampleErrorKind::UsageLimit { limit, max } => write!(
                f,
                "sampling reached its usage limit of {max} {} before a final answer ({})",
                limit.replace('_', " "),
                self.usage
            ),
            SampleErrorKind::TruncatedAnswer { max_tokens, text } => write!(
                f,
                "the LLM's answer was cut off by the token limit (max_tokens = {max_tokens}): {text:?}"
            ),
            SampleErrorKind::NoToolCall { text } => write!(
                f,
                "the LLM answered in text although a tool call was required (tool_choice: required): {text:?}"
            ),
            SampleErrorKind::Stopped => f.write_str(
                "the loop's stop condition held and the LLM gave no final answer on its last request",
            ),
            SampleErrorKind::TextInsteadOfResult { type_name, text } => write!(
                f,
                "the LLM answered in text instead of calling final_response with a `{type_name}`: {text:?}"
            ),
        }
    }
}

impl std::error::Error for SampleError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.kind {
            SampleErrorKind::Client(error) => Some(error),
            SampleErrorKind::Handler(error) => Some(error),
            SampleErrorKind::Toolset(error) => Some(error),
            _ => None,
        }
    }
}

impl SampleError {
    /// The error as an `isError` tool result carrying its message: what a tool returns when
    /// its caller should read why sampling failed, rather than get a JSON-RPC error (for that,
    /// `?` converts a `SampleError` into rmcp's `ErrorData`).
    pub fn into_tool_result(self) -> rmcp::model::CallToolResult {
        rmcp::model::CallToolResult::error(vec![rmcp::model::ContentBlock::text(self.to_string())])
    }
}

impl From<SampleError> for rmcp::model::CallToolResult {
    fn from(error: SampleError) -> Self {
        error.into_tool_result()
    }
}

impl From<SampleError> for rmcp::ErrorData {
    fn from(error: SampleError) -> Self {
        match *error.kind {
            SampleErrorKind::Cancelled => {
                rmcp::ErrorData::new(rmcp::model::ErrorCode(-32800), error.to_string(), None)
            }
            _ => rmcp::ErrorData::internal_error(error.to_string(), None),
        }
    }
}

/// An error's message followed by those of its sources that it does not already include (many
/// errors print their source inside their own message; reqwest's rarely says what went wrong).
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let message = cause.to_string();
        if !text.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        source = cause.source();
    }
    text
}
