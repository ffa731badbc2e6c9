//! Server-side handlers: the `SamplingHandler` trait (anything that answers an LLM request),
//! what a handler is told, how it fails, and when the sampler uses it ([`HandlerMode`]).

use std::fmt;
use std::future::Future;

use futures::future::BoxFuture;

use tokio_util::sync::CancellationToken;

use crate::message::{Content, LlmRequest, LlmResponse, Message, Role, StopReason};

/// Answers LLM requests: on a server, when the client cannot (see
/// [`crate::Sampler::with_handler`]); on a client, for any server (see
/// [`crate::client::SamplingClient`]); in tests, as a script (see `testing::ScriptedLlm`,
/// feature `testing`).
///
/// Plain async closures are handlers; they may return an [`LlmResponse`] or anything that
/// converts into one (a string is an `endTurn` text answer):
///
/// ```
/// use rmcp_sampling::{HandlerContext, HandlerError, LlmRequest, SamplingHandler};
///
/// let echo = |request: LlmRequest, _cx: HandlerContext| async move {
///     Ok::<_, HandlerError>(format!("{} messages", request.messages.len()))
/// };
/// fn takes(_: impl SamplingHandler) {}
/// takes(echo);
/// ```
pub trait SamplingHandler: Send + Sync + 'static {
    /// Answers one request.
    fn create_message(
        &self,
        request: LlmRequest,
        cx: HandlerContext,
    ) -> BoxFuture<'_, Result<LlmResponse, HandlerError>>;
}

impl<F, Fut, R> SamplingHandler for F
where
    F: Fn(LlmRequest, HandlerContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
    R: Into<LlmResponse>,
{
    fn create_message(
        &self,
        request: LlmRequest,
        cx: HandlerContext,
    ) -> BoxFuture<'_, Result<LlmResponse, HandlerError>> {
        let fut = self(request, cx);
        Box::pin(async move { fut.await.map(Into::into) })
    }
}

/// Where a handler is called from, and its cancellation.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HandlerContext {
    /// Cancelled when the request that needs this answer is cancelled.
    pub cancellation: CancellationToken,
    /// Which side of the connection the handler serves.
    pub side: Side,
}

impl HandlerContext {
    /// A context with this cancellation token.
    pub fn new(side: Side, cancellation: CancellationToken) -> Self {
        Self { cancellation, side }
    }
}

/// Which side of an MCP connection a handler serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Side {
    /// A server answering its own sampling (fallback or always).
    Server,
    /// A client answering a server's sampling request.
    Client,
    /// Outside any MCP connection: a standalone loop ([`crate::Sampler::standalone`]) or a
    /// test calling the handler directly.
    Standalone,
}

/// Why a handler could not answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerError {
    kind: HandlerErrorKind,
    message: String,
}

/// The kinds of [`HandlerError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandlerErrorKind {
    /// The user or the handler declined the request.
    Declined,
    /// The request cannot be served as it is (e.g. content the provider does not take).
    InvalidRequest,
    /// The provider answered with an error.
    Provider {
        /// The HTTP status, when there was one.
        status: Option<u16>,
        /// The provider's error type, when it gave one.
        error_type: Option<String>,
    },
    /// The provider did not answer in time.
    Timeout,
    /// The provider could not be reached.
    Transport,
    /// The provider's answer could not be understood.
    InvalidResponse,
    /// Anything else.
    Other,
}

impl HandlerError {
    /// An error of this kind.
    pub fn new(kind: HandlerErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The request was declined.
    pub fn declined(message: impl Into<String>) -> Self {
        Self::new(HandlerErrorKind::Declined, message)
    }

    /// Any other failure.
    pub fn other(message: impl Into<String>) -> Self {
        Self::new(HandlerErrorKind::Other, message)
    }

    /// The kind of failure.
    pub fn kind(&self) -> &HandlerErrorKind {
        &self.kind
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HandlerError {}

/// Checks the protocol rules every answer must follow, whoever produced it: the role is
/// `assistant`, a `toolUse` stop carries tool calls, tool call ids are unique.
pub(crate) fn check_response(response: &LlmResponse) -> Result<(), String> {
    if response.message.role != Role::Assistant {
        return Err(format!(
            "the response's role is {:?}; it must be \"assistant\"",
            response.message.role
        ));
    }
    // The ids sorted, duplicates side by side: no hashing (a SipHash set per response cost
    // more than the check itself), one allocation when there are calls.
    let mut ids = Vec::new();
    for block in &response.message.content {
        if let Some(call) = block.as_tool_call() {
            ids.push(call.id.as_str());
        }
        if block.as_tool_result().is_some() {
            return Err("an assistant response cannot carry tool_result blocks".into());
        }
    }
    if response.stop_reason == StopReason::ToolUse && ids.is_empty() {
        return Err("stopReason is \"toolUse\" but the response has no tool_use block".into());
    }
    ids.sort_unstable();
    if let Some(pair) = ids.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(format!(
            "two tool_use blocks share the id {:?}; each call needs its own id",
            pair[0]
        ));
    }
    Ok(())
}

/// Checks the structure of a request's messages, in time quasi-linear in their size (rmcp's
/// own check in `Peer::create_message` is quadratic in the number of tool calls): tool_use
/// blocks only in assistant messages, tool_result blocks only in user messages and alone there,
/// and each tool_use answered by a tool_result in the very next message.
pub(crate) fn check_messages(messages: &[Message]) -> Result<(), String> {
    // The tool_use ids of the message before, and those of this message; the two swap roles,
    // so a long history costs two allocations, not one per message. Sorted lists searched by
    // bisection: no hashing per id, and still `n log n` for a hostile history of thousands of
    // calls.
    let mut pending = CallIds::default();
    let mut calls = CallIds::default();
    for (index, message) in messages.iter().enumerate() {
        let blocks = &message.content;
        let has_results = blocks.iter().any(|b| b.as_tool_result().is_some());
        for block in blocks {
            match block {
                Content::ToolCall(call) => {
                    if message.role != Role::Assistant {
                        return Err(format!(
                            "messages[{index}] is a user message with a tool_use block; \
                             tool_use is only allowed in assistant messages"
                        ));
                    }
                    calls.ids.push((call.id.as_str(), false));
                }
                Content::ToolResult(result) => {
                    if message.role != Role::User {
                        return Err(format!(
                            "messages[{index}] is an assistant message with a tool_result \
                             block; tool_result is only allowed in user messages"
                        ));
                    }
                    if !pending.answer(&result.call_id) {
                        return Err(format!(
                            "messages[{index}] has a tool_result for toolUseId {:?}, but the \
                             message before it has no tool_use with that id (or it is answered \
                             twice)",
                            crate::limits::quote(&result.call_id)
                        ));
                    }
                }
                _ if has_results => {
                    return Err(format!(
                        "messages[{index}] mixes tool_result blocks with other content; a \
                         message with tool results holds nothing else"
                    ));
                }
                _ => {}
            }
        }
        if let Some(id) = pending.unanswered() {
            return Err(format!(
                "messages[{}] has a tool_use with id {:?} that is not answered by a tool_result \
                 in the message after it",
                index - 1,
                crate::limits::quote(id)
            ));
        }
        calls.seal();
        std::mem::swap(&mut pending, &mut calls);
        calls.ids.clear();
    }
    if let Some(id) = pending.unanswered() {
        return Err(format!(
            "the last message has a tool_use with id {:?} that is never answered by a tool_result",
            crate::limits::quote(id)
        ));
    }
    Ok(())
}

/// The tool_use ids of one message, each with whether a tool_result answered it yet.
#[derive(Default)]
struct CallIds<'m> {
    ids: Vec<(&'m str, bool)>,
}

impl<'m> CallIds<'m> {
    /// Sorts the ids for [`CallIds::answer`]; a repeated id is one call.
    fn seal(&mut self) {
        self.ids.sort_unstable();
        self.ids.dedup_by(|a, b| a.0 == b.0);
    }

    /// Marks `id` answered; false when it is not a call or was answered already.
    fn answer(&mut self, id: &str) -> bool {
        match self.ids.binary_search_by(|(call, _)| (*call).cmp(id)) {
            Ok(at) if !self.ids[at].1 => {
                self.ids[at].1 = true;
                true
            }
            _ => false,
        }
    }

    /// The first id (in sort order) no tool_result answered.
    fn unanswered(&self) -> Option<&'m str> {
        self.ids
            .iter()
            .find(|(_, answered)| !answered)
            .map(|(id, _)| *id)
    }
}

/// Why a client's answer to `sampling/createMessage` is not a sampling result (push channel
/// boundary: it reads rmcp's deprecated sampling types) (rmcp read it as
/// another kind of result, or as plain JSON).
pub(crate) fn explain_malformed_result(result: &rmcp::model::ClientResult) -> String {
    let value = match result {
        rmcp::model::ClientResult::CustomResult(custom) => custom.0.clone(),
        other => serde_json::to_value(other).unwrap_or_default(),
    };
    format!(
        "the client's answer is not a valid sampling result: {}",
        what_is_wrong(&value)
    )
}

/// What is wrong with a would-be `CreateMessageResult`.
#[allow(deprecated)]
fn what_is_wrong(value: &serde_json::Value) -> String {
    use crate::limits::quote;
    use serde_json::Value;

    fn kind(value: &Value) -> &'static str {
        match value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    let Some(object) = value.as_object() else {
        return format!("it is {} instead of an object", kind(value));
    };
    for field in ["role", "content", "model"] {
        if !object.contains_key(field) {
            return format!("it has no `{field}`");
        }
    }
    if let Some(role) = object.get("role")
        && role != "assistant"
        && role != "user"
    {
        return format!(
            "`role` is {}; it must be \"assistant\"",
            quote(&role.to_string())
        );
    }
    if let Some(model) = object.get("model")
        && !model.is_string()
    {
        return format!("`model` is {}; it must be a string", kind(model));
    }
    if let Some(reason) = object.get("stopReason")
        && !reason.is_string()
        && !reason.is_null()
    {
        return format!("`stopReason` is {}; it must be a string", kind(reason));
    }
    let content = &object["content"];
    let blocks: Vec<(String, &Value)> = match content {
        Value::Array(blocks) => blocks
            .iter()
            .enumerate()
            .map(|(i, block)| (format!("content[{i}]"), block))
            .collect(),
        block => vec![("content".to_owned(), block)],
    };
    for (at, block_value) in blocks {
        let Some(block) = block_value.as_object() else {
            return format!(
                "`{at}` is {}; a content block is an object",
                kind(block_value)
            );
        };
        let Some(kind_name) = block.get("type") else {
            return format!("`{at}` has no `type`");
        };
        match kind_name.as_str() {
            Some("text" | "image" | "audio" | "tool_result") => {}
            Some("tool_use") => {
                if let Some(input) = block.get("input")
                    && !input.is_object()
                {
                    return format!(
                        "`{at}` is a tool_use whose `input` is {}; tool arguments must be a JSON \
                         object",
                        kind(input)
                    );
                }
            }
            _ => {
                return format!(
                    "`{at}` has the unknown content type {}; a sampling result holds text, \
                     image, audio or tool_use blocks",
                    quote(&kind_name.to_string())
                );
            }
        }
        if let Err(error) = serde_path_to_error::deserialize::<
            _,
            rmcp::model::SamplingMessageContentBlock,
        >(block_value)
        {
            return quote(&format!(
                "`{at}` is not a valid {} block: at `{}`: {}",
                kind_name.as_str().unwrap_or_default(),
                error.path(),
                error.inner()
            ))
            .into_owned();
        }
    }
    match serde_path_to_error::deserialize::<_, rmcp::model::CreateMessageResult>(value) {
        Ok(_) => "it could not be read as a sampling result".to_owned(),
        Err(error) => quote(&format!("at `{}`: {}", error.path(), error.inner())).into_owned(),
    }
}

/// When a configured [`SamplingHandler`] answers instead of the client's LLM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum HandlerMode {
    /// The client's LLM when it can serve the request (it declared `sampling`, and
    /// `sampling.tools` when tools are offered); the handler otherwise.
    #[default]
    Fallback,
    /// The handler, whatever the client supports.
    Always,
}
