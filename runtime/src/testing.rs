//! A scripted LLM for testing sampling tools without a model.
//!
//! [`ScriptedLlm`] is a [`SamplingHandler`] that answers from a script (a queue of replies) or
//! from a closure over the request, and records every request it receives so a test can assert
//! what the LLM was sent ([`LlmRequest`] has reading helpers: `tool_names()`, `tool_results()`,
//! `tool_calls()`, `last_text()`). [`reply`] builds replies for closures.
//!
//! ```
//! use rmcp_sampling::testing::ScriptedLlm;
//! use rmcp_sampling::handler::Side;
//! use rmcp_sampling::{HandlerContext, LlmRequest, Message, SamplingHandler, ToolResult};
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
//! let first = LlmRequest::new("1 + 2?", 100);
//! let answer = llm.create_message(first.clone(), cx()).await.unwrap();
//! let call = answer.message.tool_calls()[0].clone();
//! assert_eq!((call.id.as_str(), call.name.as_str()), ("call_1", "add"));
//!
//! // Second request: the tool result goes back, the LLM answers.
//! let mut second = first;
//! second.messages.push(answer.message);
//! second.messages.push(Message::tool_results([ToolResult::text("call_1", "3")]));
//! let answer = llm.create_message(second, cx()).await.unwrap();
//! assert_eq!(answer.message.text().as_deref(), Some("1 + 2 = 3"));
//!
//! // What the LLM was sent.
//! let requests = llm.requests();
//! assert_eq!(requests.len(), 2);
//! assert_eq!(requests[1].messages.len(), 3);
//! assert_eq!(requests[1].tool_results()[0].text_content(), "3");
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
use rmcp::model::ProtocolVersion;
use rmcp::service::{ClientInitializeError, ClientLifecycleMode, ClientServiceExt, RunningService};
use rmcp::{ClientHandler, RoleClient, ServerHandler, ServiceExt};
use serde_json::{Map, Value};

use crate::handler::{HandlerContext, HandlerError, HandlerErrorKind, SamplingHandler};
use crate::message::{LlmRequest, LlmResponse, ToolCall};

/// The model name the scripted replies carry.
pub const SCRIPTED_MODEL: &str = "scripted-llm";

type Responder = Box<dyn FnMut(&LlmRequest) -> Result<LlmResponse, HandlerError> + Send>;

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
    requests: Arc<Mutex<Vec<LlmRequest>>>,
    responder: Option<Arc<Mutex<Responder>>>,
}

#[derive(Default)]
struct Script {
    replies: VecDeque<Result<LlmResponse, HandlerError>>,
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
    /// [`LlmResponse`] (see [`reply`] for tool use).
    ///
    /// ```
    /// use rmcp_sampling::testing::{ScriptedLlm, reply};
    /// use serde_json::json;
    ///
    /// let llm = ScriptedLlm::from_fn(|req| {
    ///     if req.tool_results().is_empty() {
    ///         Ok(reply::tool_use("c1", "lookup", json!({"q": "rust"})))
    ///     } else {
    ///         Ok("done".into())
    ///     }
    /// });
    /// # drop(llm);
    /// ```
    pub fn from_fn<F>(f: F) -> Self
    where
        F: FnMut(&LlmRequest) -> Result<LlmResponse, HandlerError> + Send + 'static,
    {
        Self {
            responder: Some(Arc::new(Mutex::new(Box::new(f)))),
            ..Self::new()
        }
    }

    fn push(self, reply: Result<LlmResponse, HandlerError>) -> Self {
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
    pub fn then_result(self, result: LlmResponse) -> Self {
        self.push(Ok(result))
    }

    /// Then fail with this error.
    pub fn then_error(self, error: HandlerError) -> Self {
        self.push(Err(error))
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<LlmRequest> {
        lock(&self.requests).clone()
    }

    /// The most recent request, if any.
    pub fn last_request(&self) -> Option<LlmRequest> {
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

    fn answer(&self, params: &LlmRequest) -> Result<LlmResponse, HandlerError> {
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
                (f)(params)
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
        params: LlmRequest,
        _cx: HandlerContext,
    ) -> BoxFuture<'_, Result<LlmResponse, HandlerError>> {
        let answer = self.answer(&params);
        Box::pin(async move { answer })
    }
}

/// Builders of LLM replies, for [`ScriptedLlm::from_fn`] closures and [`ScriptedLlm::then_result`].
pub mod reply {
    use super::*;

    /// An assistant text answer (`stopReason: endTurn`) from [`SCRIPTED_MODEL`].
    pub fn text(text: impl Into<String>) -> LlmResponse {
        LlmResponse::text(text).with_model(SCRIPTED_MODEL)
    }

    /// An assistant reply asking for one tool call (`stopReason: toolUse`).
    ///
    /// A non-object `args` is replaced by `{"value": args}` so the reply stays valid MCP;
    /// use [`try_tool_uses`] to get an error instead.
    pub fn tool_use(id: impl Into<String>, name: impl Into<String>, args: Value) -> LlmResponse {
        tool_uses([(id, name, args)])
    }

    /// An assistant reply asking for several tool calls, `(id, name, args)` each
    /// (`stopReason: toolUse`). Non-object arguments are wrapped as in [`tool_use`].
    pub fn tool_uses<I: Into<String>, N: Into<String>>(
        calls: impl IntoIterator<Item = (I, N, Value)>,
    ) -> LlmResponse {
        let calls = calls.into_iter().map(|(id, name, args)| {
            let arguments = match args {
                Value::Object(map) => map,
                other => Map::from_iter([("value".to_owned(), other)]),
            };
            ToolCall::new(id, name, arguments)
        });
        LlmResponse::tool_calls(calls).with_model(SCRIPTED_MODEL)
    }

    /// Like [`tool_uses`], but a non-object `args` is an error naming the tool.
    pub fn try_tool_uses<I: Into<String>, N: Into<String>>(
        calls: impl IntoIterator<Item = (I, N, Value)>,
    ) -> Result<LlmResponse, HandlerError> {
        let mut checked = Vec::new();
        for (id, name, args) in calls {
            let name = name.into();
            let Value::Object(arguments) = args else {
                return Err(HandlerError::new(
                    HandlerErrorKind::InvalidRequest,
                    format!(
                        "ScriptedLlm: the arguments scripted for tool {name:?} are not a JSON object"
                    ),
                ));
            };
            checked.push(ToolCall::new(id, name, arguments));
        }
        Ok(LlmResponse::tool_calls(checked).with_model(SCRIPTED_MODEL))
    }
}

/// Connects an rmcp client to `server` in this process, over an in-memory duplex pipe: the
/// quickest way to run a server's sampling tools against a [`ScriptedLlm`] (wrapped in a
/// [`SamplingClient`](crate::client::SamplingClient)) and assert what the LLM was sent. The
/// server runs on a spawned task until the client closes.
///
/// The client connects with rmcp's plain `serve`, which runs the `initialize` handshake: the
/// connection speaks protocol 2025-11-25, and sampling goes to the client as
/// `sampling/createMessage` requests. [`connect_in_process_modern`] connects the same way on
/// 2026-07-28. A tool written as below (a [`SamplingContext`](crate::SamplingContext) and its
/// body in [`Sampler::reply`](crate::Sampler::reply)) works on both; one that samples through a
/// plain `RequestContext` works only here.
///
/// ```
/// use rmcp::handler::server::router::tool::ToolRouter;
/// use rmcp::model::{CallToolRequestParams, ServerCapabilities, ServerConfig};
/// use rmcp::{ServerHandler, tool, tool_handler, tool_router};
/// use rmcp_sampling::client::SamplingClient;
/// use rmcp_sampling::testing::{ScriptedLlm, connect_in_process, connect_in_process_modern};
/// use rmcp_sampling::{Sampler, SamplingContext, ToolReply};
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
///     async fn haiku(&self, ctx: SamplingContext) -> ToolReply<String> {
///         self.sampler
///             .reply(&ctx, async {
///                 Ok(self.sampler.on(&ctx).sample_text("A haiku, please.").await?.text)
///             })
///             .await
///     }
/// }
///
/// #[tool_handler(router = self.tool_router)]
/// impl ServerHandler for Poet {
///     fn get_info(&self) -> ServerConfig {
///         ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let poet = || Poet { sampler: Sampler::new(), tool_router: Poet::tool_router() };
/// let haiku = "old pond / a frog jumps in / splash";
/// // 2025-11-25, then 2026-07-28: the same tool, the same answer.
/// for modern in [false, true] {
///     let llm = ScriptedLlm::new().then_text(haiku);
///     let client = SamplingClient::new(llm.clone());
///     let client = if modern {
///         connect_in_process_modern(poet(), client).await.unwrap()
///     } else {
///         connect_in_process(poet(), client).await.unwrap()
///     };
///     let result = client.call_tool(CallToolRequestParams::new("haiku")).await.unwrap();
///     assert_eq!(result.content[0].as_text().unwrap().text, haiku);
///     assert_eq!(llm.requests()[0].last_text(), "A haiku, please.");
///     client.cancel().await.unwrap();
/// }
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
    client.serve(spawn_in_process(server)).await
}

/// Like [`connect_in_process`], but the client speaks protocol 2026-07-28 (`server/discover`,
/// no server-initiated requests), as the Python SDK's and the TypeScript SDK's clients do by
/// default: sampling reaches the client's LLM through multi round-trip rounds, which
/// `call_tool` drives (`call_tool_once` returns each `InputRequiredResult`). An rmcp client
/// gets there only this way, through `serve_with_lifecycle` with
/// `ClientLifecycleMode::Discover` (its plain `serve` negotiates 2025-11-25).
pub async fn connect_in_process_modern<S, C>(
    server: S,
    client: C,
) -> Result<RunningService<RoleClient, C>, ClientInitializeError>
where
    S: ServerHandler,
    C: ClientHandler,
{
    let lifecycle = ClientLifecycleMode::Discover {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
    };
    client
        .serve_with_lifecycle(spawn_in_process(server), lifecycle)
        .await
}

/// Serves `server` on one end of an in-memory pipe, in a task; returns the other end.
fn spawn_in_process<S: ServerHandler>(server: S) -> tokio::io::DuplexStream {
    let (server_io, client_io) = tokio::io::duplex(1 << 16);
    tokio::spawn(async move {
        match server.serve(server_io).await {
            Ok(running) => {
                let _ = running.waiting().await;
            }
            Err(error) => tracing::warn!(%error, "the in-process server did not start"),
        }
    });
    client_io
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handler::Side;
    use crate::message::{Content, Message, Role, StopReason, ToolResult};
    use serde_json::json;

    fn cx() -> HandlerContext {
        HandlerContext::new(Side::Standalone, Default::default())
    }

    fn req() -> LlmRequest {
        LlmRequest::new("hi", 10)
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
            .tool_calls()
            .iter()
            .map(|c| (c.id.clone(), c.name.clone()))
            .collect();
        assert_eq!(
            ids,
            [("call_1".into(), "a".into()), ("call_2".into(), "b".into())]
        );
        assert_eq!(first.stop_reason, StopReason::ToolUse);
        let err = llm.create_message(req(), cx()).await.unwrap_err();
        assert_eq!(err.kind(), &HandlerErrorKind::Declined);
        let text = llm.create_message(req(), cx()).await.unwrap();
        assert_eq!(text.stop_reason, StopReason::EndTurn);
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
        let llm = ScriptedLlm::from_fn(|r| Ok(format!("{} msgs", r.messages.len()).into()))
            .then_text("first");
        let clone = llm.clone();
        let a = clone.create_message(req(), cx()).await.unwrap();
        let b = clone.create_message(req(), cx()).await.unwrap();
        assert_eq!(a.message.text().as_deref(), Some("first"));
        assert_eq!(b.message.text().as_deref(), Some("1 msgs"));
        assert_eq!(llm.requests().len(), 2);
    }

    #[test]
    fn reading_helpers_read_the_request() {
        let mut r = req();
        r.messages
            .push(reply::tool_use("x1", "t", json!({"a": 1})).message);
        r.messages.push(Message::tool_results([ToolResult {
            content: vec![Content::text("o"), Content::text("k")],
            ..ToolResult::error("x1", "")
        }]));
        let results = r.tool_results();
        assert_eq!(results.len(), 1);
        assert!(results[0].is_error);
        assert_eq!(results[0].text_content(), "o\nk");
        assert_eq!(r.tool_calls()[0].name, "t");
        assert_eq!(r.messages[1].role, Role::Assistant);
        assert!(r.tool_names().is_empty());
        assert_eq!(r.last_text(), "");
    }
}
