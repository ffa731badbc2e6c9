//! A scripted LLM for testing sampling tools without a model.
//!
//! [`ScriptedLlm`] is a [`SamplingHandler`] that answers from a script (a queue of replies) or
//! from a closure over the request, and records every request it receives so a test can assert
//! what the LLM was sent. [`RecordedRequest`] adds a few inspection helpers to those requests,
//! and [`reply`] builds replies for closures.
//!
//! ```
//! use rmcp_sampling::testing::{RecordedRequest, ScriptedLlm};
//! use rmcp_sampling::{HandlerContext, SamplingHandler, Side};
//! use rmcp_sampling::rmcp::model::{
//!     CreateMessageRequestParams, SamplingMessage, SamplingMessageContentBlock,
//! };
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let llm = ScriptedLlm::new()
//!     .then_tool_use("add", json!({"a": 1, "b": 2}))
//!     .then_text("1 + 2 = 3");
//! let cx = || HandlerContext::new(Side::Standalone, Default::default());
//!
//! // First request: the LLM asks for the tool.
//! let first = CreateMessageRequestParams::new(vec![SamplingMessage::user_text("1 + 2?")], 100);
//! let answer = llm.create_message(first.clone(), cx()).await.unwrap();
//! let call = answer.message.content.first().and_then(|b| b.as_tool_use()).unwrap();
//! assert_eq!((call.id.as_str(), call.name.as_str()), ("call_1", "add"));
//!
//! // Second request: the tool result goes back, the LLM answers.
//! let mut second = first;
//! second.messages.push(answer.message.clone());
//! second.messages.push(SamplingMessage::new_multiple(
//!     rmcp_sampling::rmcp::model::Role::User,
//!     vec![SamplingMessageContentBlock::tool_result(
//!         "call_1",
//!         vec![rmcp_sampling::rmcp::model::ContentBlock::text("3")],
//!     )],
//! ));
//! let answer = llm.create_message(second, cx()).await.unwrap();
//! assert_eq!(answer.message.content.first().unwrap().as_text().unwrap().text, "1 + 2 = 3");
//!
//! // What the LLM was sent.
//! let requests = llm.requests();
//! assert_eq!(requests.len(), 2);
//! assert_eq!(requests[1].message_count(), 3);
//! assert_eq!(requests[1].tool_results(), vec![("call_1".to_owned(), "3".to_owned(), false)]);
//!
//! // Out of script: an error that says so, never a panic.
//! let err = llm.create_message(requests[0].clone(), cx()).await.unwrap_err();
//! assert!(err.message().contains("script"), "{err}");
//! # }
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use futures::future::BoxFuture;
use rmcp::model::{
    ContentBlock, CreateMessageRequestParams, CreateMessageResult, JsonObject, Role,
    SamplingMessage, SamplingMessageContentBlock, ToolChoiceMode,
};
use rmcp::service::{ClientInitializeError, RunningService};
use rmcp::{ClientHandler, RoleClient, ServerHandler, ServiceExt};
use serde_json::Value;

use crate::{HandlerContext, HandlerError, HandlerErrorKind, SamplingHandler, SamplingReply};

/// The model name the scripted replies carry.
pub const SCRIPTED_MODEL: &str = "scripted-llm";

type Responder =
    Box<dyn FnMut(&CreateMessageRequestParams) -> Result<SamplingReply, HandlerError> + Send>;

/// A [`SamplingHandler`] that answers from a script and records what it was sent.
///
/// Replies are taken in order from the script built with the `then_*` methods; once the
/// script is used up, the closure given to [`ScriptedLlm::from_fn`] answers (if any), and
/// otherwise the request fails with a [`HandlerError`] saying the script ran out.
///
/// Clones share the script and the record, so a test can hand one clone to the code under
/// test and keep another to inspect [`ScriptedLlm::requests`]. Tool-use ids made by
/// [`then_tool_use`](Self::then_tool_use) and [`then_tool_uses`](Self::then_tool_uses) are
/// `call_1`, `call_2`, ... in script order, unique within one `ScriptedLlm`.
///
/// See the [module documentation](self) for a complete example.
#[derive(Clone)]
pub struct ScriptedLlm {
    script: Arc<Mutex<Script>>,
    requests: Arc<Mutex<Vec<CreateMessageRequestParams>>>,
    responder: Option<Arc<Mutex<Responder>>>,
}

#[derive(Default)]
struct Script {
    replies: VecDeque<Result<CreateMessageResult, HandlerError>>,
    next_id: u64,
}

impl Default for ScriptedLlm {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ScriptedLlm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScriptedLlm")
            .field("remaining", &self.remaining())
            .field("requests", &lock(&self.requests).len())
            .field("has_fn", &self.responder.is_some())
            .finish()
    }
}

/// Locks a mutex, ignoring poisoning: the data stays usable after a panicking test closure.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl ScriptedLlm {
    /// An LLM with an empty script.
    pub fn new() -> Self {
        Self {
            script: Arc::default(),
            requests: Arc::default(),
            responder: None,
        }
    }

    /// An LLM that answers each request with `f` (after any `then_*` replies).
    ///
    /// `f` sees the request; return plain text (`Ok("...".into())`) or a full
    /// [`CreateMessageResult`] (see [`reply`] for tool use).
    ///
    /// ```
    /// use rmcp_sampling::testing::{RecordedRequest, ScriptedLlm, reply};
    /// use serde_json::json;
    ///
    /// let llm = ScriptedLlm::from_fn(|req| {
    ///     if req.tool_results().is_empty() {
    ///         Ok(reply::tool_use("c1", "lookup", json!({"q": "rust"})).into())
    ///     } else {
    ///         Ok("done".into())
    ///     }
    /// });
    /// # drop(llm);
    /// ```
    pub fn from_fn<F>(f: F) -> Self
    where
        F: FnMut(&CreateMessageRequestParams) -> Result<SamplingReply, HandlerError>
            + Send
            + 'static,
    {
        Self {
            responder: Some(Arc::new(Mutex::new(Box::new(f)))),
            ..Self::new()
        }
    }

    fn push(self, reply: Result<CreateMessageResult, HandlerError>) -> Self {
        lock(&self.script).replies.push_back(reply);
        self
    }

    fn next_call_id(&self) -> String {
        let mut script = lock(&self.script);
        script.next_id += 1;
        format!("call_{}", script.next_id)
    }

    /// Then answer with this text (`stopReason: endTurn`).
    pub fn then_text(self, text: impl Into<String>) -> Self {
        self.push(Ok(reply::text(text)))
    }

    /// Then ask for one tool call (`stopReason: toolUse`), with a generated id.
    ///
    /// `args` must be a JSON object; anything else makes that reply an error.
    pub fn then_tool_use(self, name: impl Into<String>, args: Value) -> Self {
        self.then_tool_uses([(name, args)])
    }

    /// Then ask for several tool calls in one reply (`stopReason: toolUse`), with generated ids.
    pub fn then_tool_uses<N: Into<String>>(
        self,
        calls: impl IntoIterator<Item = (N, Value)>,
    ) -> Self {
        let calls: Vec<(String, String, Value)> = calls
            .into_iter()
            .map(|(name, args)| (self.next_call_id(), name.into(), args))
            .collect();
        let reply = reply::try_tool_uses(calls);
        self.push(reply)
    }

    /// Then answer with this exact result (any role, content, model or stop reason).
    pub fn then_result(self, result: CreateMessageResult) -> Self {
        self.push(Ok(result))
    }

    /// Then fail with this error.
    pub fn then_error(self, error: HandlerError) -> Self {
        self.push(Err(error))
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<CreateMessageRequestParams> {
        lock(&self.requests).clone()
    }

    /// The most recent request, if any.
    pub fn last_request(&self) -> Option<CreateMessageRequestParams> {
        lock(&self.requests).last().cloned()
    }

    /// How many requests were received.
    pub fn request_count(&self) -> usize {
        lock(&self.requests).len()
    }

    /// How many scripted replies are left (not counting the closure of [`Self::from_fn`]).
    pub fn remaining(&self) -> usize {
        lock(&self.script).replies.len()
    }

    fn answer(
        &self,
        params: &CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, HandlerError> {
        let number = {
            let mut requests = lock(&self.requests);
            requests.push(params.clone());
            requests.len()
        };
        let scripted = lock(&self.script).replies.pop_front();
        if let Some(reply) = scripted {
            return reply;
        }
        match &self.responder {
            Some(responder) => {
                let mut f = lock(responder);
                (f)(params).map(|reply| reply.0)
            }
            None => Err(HandlerError::new(
                HandlerErrorKind::Other,
                format!(
                    "ScriptedLlm: the script ran out: request #{number} has no scripted reply \
                     ({} replies were scripted); add a then_* reply or use ScriptedLlm::from_fn",
                    number - 1
                ),
            )),
        }
    }
}

impl SamplingHandler for ScriptedLlm {
    fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _cx: HandlerContext,
    ) -> BoxFuture<'_, Result<CreateMessageResult, HandlerError>> {
        let answer = self.answer(&params);
        Box::pin(async move { answer })
    }
}

/// Builders of LLM replies, for [`ScriptedLlm::from_fn`] closures and [`ScriptedLlm::then_result`].
pub mod reply {
    use super::*;

    /// An assistant text answer (`stopReason: endTurn`).
    pub fn text(text: impl Into<String>) -> CreateMessageResult {
        CreateMessageResult::new(SamplingMessage::assistant_text(text), SCRIPTED_MODEL.into())
            .with_stop_reason(CreateMessageResult::STOP_REASON_END_TURN)
    }

    /// An assistant reply asking for one tool call (`stopReason: toolUse`).
    ///
    /// A non-object `args` is replaced by `{"value": args}` so the reply stays valid MCP;
    /// use [`try_tool_uses`] to get an error instead.
    pub fn tool_use(
        id: impl Into<String>,
        name: impl Into<String>,
        args: Value,
    ) -> CreateMessageResult {
        tool_uses([(id, name, args)])
    }

    /// An assistant reply asking for several tool calls, `(id, name, args)` each
    /// (`stopReason: toolUse`). Non-object arguments are wrapped as in [`tool_use`].
    pub fn tool_uses<I: Into<String>, N: Into<String>>(
        calls: impl IntoIterator<Item = (I, N, Value)>,
    ) -> CreateMessageResult {
        let blocks = calls
            .into_iter()
            .map(|(id, name, args)| {
                let input = match args {
                    Value::Object(map) => map,
                    other => JsonObject::from_iter([("value".to_owned(), other)]),
                };
                SamplingMessageContentBlock::tool_use(id, name, input)
            })
            .collect();
        tool_use_result(blocks)
    }

    /// Like [`tool_uses`], but a non-object `args` is an error naming the tool.
    pub fn try_tool_uses<I: Into<String>, N: Into<String>>(
        calls: impl IntoIterator<Item = (I, N, Value)>,
    ) -> Result<CreateMessageResult, HandlerError> {
        let mut blocks = Vec::new();
        for (id, name, args) in calls {
            let name = name.into();
            let Value::Object(input) = args else {
                return Err(HandlerError::new(
                    HandlerErrorKind::InvalidRequest,
                    format!(
                        "ScriptedLlm: the arguments scripted for tool {name:?} are not a JSON object"
                    ),
                ));
            };
            blocks.push(SamplingMessageContentBlock::tool_use(id, name, input));
        }
        Ok(tool_use_result(blocks))
    }

    fn tool_use_result(blocks: Vec<SamplingMessageContentBlock>) -> CreateMessageResult {
        CreateMessageResult::new(
            SamplingMessage::new_multiple(Role::Assistant, blocks),
            SCRIPTED_MODEL.into(),
        )
        .with_stop_reason(CreateMessageResult::STOP_REASON_TOOL_USE)
    }
}

/// Inspection helpers on a recorded [`CreateMessageRequestParams`], for assertions.
pub trait RecordedRequest {
    /// The names of the tools offered, in order (empty when none were offered).
    fn tool_names(&self) -> Vec<String>;
    /// The `toolChoice.mode` sent, if any.
    fn tool_choice_mode(&self) -> Option<ToolChoiceMode>;
    /// The tool_result blocks of the last message, as `(tool_use_id, text, is_error)`; the text
    /// is the concatenation of the result's text blocks.
    fn tool_results(&self) -> Vec<(String, String, bool)>;
    /// The tool_use blocks of the whole history, as `(id, name, input)`.
    fn tool_uses(&self) -> Vec<(String, String, JsonObject)>;
    /// The number of messages sent.
    fn message_count(&self) -> usize;
    /// The concatenated text blocks of the last message (empty when it has none).
    fn last_text(&self) -> String;
}

impl RecordedRequest for CreateMessageRequestParams {
    fn tool_names(&self) -> Vec<String> {
        self.tools
            .iter()
            .flatten()
            .map(|tool| tool.name.to_string())
            .collect()
    }

    fn tool_choice_mode(&self) -> Option<ToolChoiceMode> {
        self.tool_choice
            .as_ref()
            .and_then(|choice| choice.mode.clone())
    }

    fn tool_results(&self) -> Vec<(String, String, bool)> {
        let Some(last) = self.messages.last() else {
            return Vec::new();
        };
        last.content
            .iter()
            .filter_map(|block| block.as_tool_result())
            .map(|result| {
                (
                    result.tool_use_id.clone(),
                    content_text(&result.content),
                    result.is_error.unwrap_or(false),
                )
            })
            .collect()
    }

    fn tool_uses(&self) -> Vec<(String, String, JsonObject)> {
        self.messages
            .iter()
            .flat_map(|message| message.content.iter())
            .filter_map(|block| block.as_tool_use())
            .map(|call| (call.id.clone(), call.name.clone(), call.input.clone()))
            .collect()
    }

    fn message_count(&self) -> usize {
        self.messages.len()
    }

    fn last_text(&self) -> String {
        self.messages
            .last()
            .map(|message| {
                message
                    .content
                    .iter()
                    .filter_map(|block| block.as_text())
                    .map(|text| text.text.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Connects an rmcp client to `server` in this process, over an in-memory duplex pipe: the
/// quickest way to run a server's sampling tools against a [`ScriptedLlm`] (wrapped in a
/// [`SamplingClient`](crate::client::SamplingClient)) and assert what the LLM was sent. The
/// server runs on a spawned task until the client closes.
///
/// ```
/// use rmcp::handler::server::{router::tool::ToolRouter, wrapper::Parameters};
/// use rmcp::model::{CallToolRequestParams, ServerCapabilities, ServerInfo};
/// use rmcp::service::RequestContext;
/// use rmcp::{ErrorData, RoleServer, ServerHandler, tool, tool_handler, tool_router};
/// use rmcp_sampling::client::SamplingClient;
/// use rmcp_sampling::testing::{RecordedRequest, ScriptedLlm, connect_in_process};
/// use rmcp_sampling::Sampler;
///
/// #[derive(Clone)]
/// struct Poet {
///     sampler: Sampler,
///     tool_router: ToolRouter<Self>,
/// }
///
/// #[tool_router]
/// impl Poet {
///     /// Write a haiku.
///     #[tool]
///     async fn haiku(&self, ctx: RequestContext<RoleServer>) -> Result<String, ErrorData> {
///         Ok(self.sampler.on(&ctx).sample_text("A haiku, please.").await?.text)
///     }
/// }
///
/// #[tool_handler(router = self.tool_router)]
/// impl ServerHandler for Poet {
///     fn get_info(&self) -> ServerInfo {
///         ServerInfo::new(ServerCapabilities::builder().enable_tools().build())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let llm = ScriptedLlm::new().then_text("old pond / a frog jumps in / splash");
/// let poet = Poet { sampler: Sampler::new(), tool_router: Poet::tool_router() };
/// let client = connect_in_process(poet, SamplingClient::new(llm.clone())).await.unwrap();
///
/// let result = client.call_tool(CallToolRequestParams::new("haiku")).await.unwrap();
/// assert_eq!(result.content[0].as_text().unwrap().text, "old pond / a frog jumps in / splash");
/// assert_eq!(llm.requests()[0].last_text(), "A haiku, please.");
/// client.cancel().await.unwrap();
/// # }
/// ```
pub async fn connect_in_process<S, C>(
    server: S,
    client: C,
) -> Result<RunningService<RoleClient, C>, ClientInitializeError>
where
    S: ServerHandler,
    C: ClientHandler,
{
    let (server_io, client_io) = tokio::io::duplex(1 << 16);
    tokio::spawn(async move {
        match server.serve(server_io).await {
            Ok(running) => {
                let _ = running.waiting().await;
            }
            Err(error) => tracing::warn!(%error, "the in-process server did not start"),
        }
    });
    client.serve(client_io).await
}

fn content_text(content: &[ContentBlock]) -> String {
    content
        .iter()
        .filter_map(|block| block.as_text())
        .map(|text| text.text.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Side;
    use serde_json::json;

    fn cx() -> HandlerContext {
        HandlerContext::new(Side::Standalone, Default::default())
    }

    fn req() -> CreateMessageRequestParams {
        CreateMessageRequestParams::new(vec![SamplingMessage::user_text("hi")], 10)
    }

    #[tokio::test]
    async fn script_runs_in_order_then_reports_exhaustion() {
        let llm = ScriptedLlm::new()
            .then_tool_uses([("a", json!({})), ("b", json!({"x": 1}))])
            .then_error(HandlerError::declined("no"))
            .then_text("end");
        let first = llm.create_message(req(), cx()).await.unwrap();
        let ids: Vec<_> = first
            .message
            .content
            .iter()
            .filter_map(|b| b.as_tool_use())
            .map(|c| (c.id.clone(), c.name.clone()))
            .collect();
        assert_eq!(
            ids,
            [("call_1".into(), "a".into()), ("call_2".into(), "b".into())]
        );
        assert_eq!(first.stop_reason.as_deref(), Some("toolUse"));
        let err = llm.create_message(req(), cx()).await.unwrap_err();
        assert_eq!(err.kind(), &HandlerErrorKind::Declined);
        let text = llm.create_message(req(), cx()).await.unwrap();
        assert_eq!(text.stop_reason.as_deref(), Some("endTurn"));
        let err = llm.create_message(req(), cx()).await.unwrap_err();
        assert!(err.message().contains("request #4"), "{err}");
        assert!(err.message().contains("ran out"), "{err}");
        assert_eq!(llm.request_count(), 4);
        assert_eq!(llm.remaining(), 0);
    }

    #[tokio::test]
    async fn non_object_arguments_make_the_reply_an_error() {
        let llm = ScriptedLlm::new().then_tool_use("t", json!(5));
        let err = llm.create_message(req(), cx()).await.unwrap_err();
        assert!(err.message().contains("\"t\""), "{err}");
    }

    #[tokio::test]
    async fn from_fn_answers_after_the_script_and_clones_share_state() {
        let llm = ScriptedLlm::from_fn(|r| Ok(format!("{} msgs", r.message_count()).into()))
            .then_text("first");
        let clone = llm.clone();
        let a = clone.create_message(req(), cx()).await.unwrap();
        let b = clone.create_message(req(), cx()).await.unwrap();
        assert_eq!(
            a.message.content.first().unwrap().as_text().unwrap().text,
            "first"
        );
        assert_eq!(
            b.message.content.first().unwrap().as_text().unwrap().text,
            "1 msgs"
        );
        assert_eq!(llm.requests().len(), 2);
    }

    #[test]
    fn inspection_helpers_read_the_request() {
        let mut r = req().with_tool_choice(rmcp::model::ToolChoice::required());
        r.messages
            .push(reply::tool_use("x1", "t", json!({"a": 1})).message);
        r.messages.push(SamplingMessage::new_multiple(
            Role::User,
            vec![SamplingMessageContentBlock::ToolResult(
                rmcp::model::ToolResultContent::error(
                    "x1",
                    vec![ContentBlock::text("o"), ContentBlock::text("k")],
                ),
            )],
        ));
        assert_eq!(r.tool_choice_mode(), Some(ToolChoiceMode::Required));
        assert_eq!(r.tool_results(), vec![("x1".into(), "ok".into(), true)]);
        assert_eq!(r.tool_uses()[0].1, "t");
        assert_eq!(r.message_count(), 3);
        assert!(r.tool_names().is_empty());
        assert_eq!(r.last_text(), "");
    }
}
