//! The `SamplingHandler` trait: anything that answers a `sampling/createMessage` request.

use std::fmt;
use std::future::Future;

use futures::future::BoxFuture;
use rmcp::model::{CreateMessageRequestParams, CreateMessageResult, Role, SamplingMessage};
use tokio_util::sync::CancellationToken;

/// Answers sampling requests with an LLM: on a server, when the client cannot
/// (see [`crate::Sampler::with_handler`]); on a client, for any server
/// (see [`crate::client::SamplingClient`]); in tests, as a script
/// (see `testing::ScriptedLlm`, feature `testing`).
///
/// Plain async closures are handlers:
///
/// ```
/// use rmcp_sampling::{HandlerContext, HandlerError, SamplingHandler};
/// use rmcp_sampling::rmcp::model::CreateMessageRequestParams;
///
/// let echo = |params: CreateMessageRequestParams, _cx: HandlerContext| async move {
///     Ok::<_, HandlerError>(format!("{} messages", params.messages.len()))
/// };
/// fn takes(_: impl SamplingHandler) {}
/// takes(echo);
/// ```
pub trait SamplingHandler: Send + Sync + 'static {
    /// Answers one request.
    fn create_message(
        &self,
        params: CreateMessageRequestParams,
        cx: HandlerContext,
    ) -> BoxFuture<'_, Result<CreateMessageResult, HandlerError>>;
}

impl<F, Fut, R> SamplingHandler for F
where
    F: Fn(CreateMessageRequestParams, HandlerContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
    R: Into<SamplingReply>,
{
    fn create_message(
        &self,
        params: CreateMessageRequestParams,
        cx: HandlerContext,
    ) -> BoxFuture<'_, Result<CreateMessageResult, HandlerError>> {
        let fut = self(params, cx);
        Box::pin(async move { fut.await.map(|reply| reply.into().0) })
    }
}

/// What a closure handler may return: plain text (an `endTurn` answer from model
/// `"sampling-handler"`), or a full `CreateMessageResult` (tool use, another model name...).
#[derive(Debug, Clone)]
pub struct SamplingReply(pub CreateMessageResult);

impl From<CreateMessageResult> for SamplingReply {
    fn from(result: CreateMessageResult) -> Self {
        Self(result)
    }
}

impl From<String> for SamplingReply {
    fn from(text: String) -> Self {
        Self(
            CreateMessageResult::new(
                SamplingMessage::assistant_text(text),
                "sampling-handler".into(),
            )
            .with_stop_reason(CreateMessageResult::STOP_REASON_END_TURN),
        )
    }
}

impl From<&str> for SamplingReply {
    fn from(text: &str) -> Self {
        text.to_owned().into()
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
/// `assistant`, a `toolUse` stop carries tool_use blocks, tool_use ids are unique.
pub(crate) fn check_response(result: &CreateMessageResult) -> Result<(), String> {
    if result.message.role != Role::Assistant {
        return Err(format!(
            "the response's role is {:?}; it must be \"assistant\"",
            result.message.role
        ));
    }
    let mut ids = std::collections::HashSet::new();
    let mut tool_uses = 0usize;
    for block in crate::sampling::request::blocks(&result.message) {
        if let Some(tool_use) = block.as_tool_use() {
            tool_uses += 1;
            if !ids.insert(tool_use.id.as_str()) {
                return Err(format!(
                    "two tool_use blocks share the id {:?}; each call needs its own id",
                    tool_use.id
                ));
            }
        }
        if block.as_tool_result().is_some() {
            return Err("an assistant response cannot carry tool_result blocks".into());
        }
    }
    if result.stop_reason.as_deref() == Some(CreateMessageResult::STOP_REASON_TOOL_USE)
        && tool_uses == 0
    {
        return Err("stopReason is \"toolUse\" but the response has no tool_use block".into());
    }
    Ok(())
}
