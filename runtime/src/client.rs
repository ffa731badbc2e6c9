//! The client side: any [`SamplingHandler`] as an rmcp [`ClientHandler`].
//!
//! [`SamplingClient`] answers the `sampling/createMessage` requests of any MCP server with a
//! handler (a closure, a built-in provider, a test double), on both protocol eras:
//!
//! - up to 2025-11-25, the server pushes `sampling/createMessage` requests to the client;
//! - from 2026-07-28, a tool call answers with an `InputRequiredResult` carrying the request,
//!   and rmcp's client (`call_tool`) fulfils it through the same [`ClientHandler::create_message`].
//!
//! Elicitation and roots are answered by what [`SamplingClient::with_elicitation`] and
//! [`SamplingClient::with_roots`] give (each advertises its capability); everything else
//! (and elicitation or roots when not given) goes to an inner [`ClientHandler`], `()` by
//! default.
//!
//! ```
//! use rmcp::model::CallToolRequestParams;
//! use rmcp::service::{RoleClient, ServiceExt};
//! use rmcp::transport::IntoTransport;
//! use rmcp_sampling::client::SamplingClient;
//! use rmcp_sampling::{HandlerContext, HandlerError, LlmRequest, rmcp};
//!
//! // Any handler: here a closure that always gives the same answer.
//! let llm = |_request: LlmRequest, _cx: HandlerContext| async move {
//!     Ok::<_, HandlerError>("42")
//! };
//! let client = SamplingClient::new(llm);
//! let advertised = rmcp::ClientHandler::get_info(&client).capabilities.sampling.unwrap();
//! assert!(advertised.tools.is_some());
//!
//! // Connect it like any rmcp client (child process, stdio, HTTP...) and call tools.
//! async fn call<T, E, A>(client: SamplingClient<impl rmcp_sampling::SamplingHandler>, transport: T)
//! where
//!     T: IntoTransport<RoleClient, E, A>,
//!     E: std::error::Error + Send + Sync + 'static,
//! {
//!     let running = client.serve(transport).await.expect("connected");
//!     let result = running.call_tool(CallToolRequestParams::new("ask")).await;
//!     println!("{result:?}");
//! }
//! ```
//!
//! # Checks and errors
//!
//! Each request is checked before the handler sees it; a bad one is answered with a JSON-RPC
//! error and the client keeps serving:
//!
//! | what | JSON-RPC error |
//! | --- | --- |
//! | malformed messages (tool_use outside assistant messages, tool_result outside user messages or mixed with other content, a tool_result whose tool_use is not in the previous message, a tool_use not answered in the next message, no messages, `maxTokens` 0, two tools with one name, `toolChoice: required` without tools) | `-32602` invalid params |
//! | the handler declines ([`HandlerErrorKind::Declined`]) | `-1` (the code MCP gives a user rejection) |
//! | the handler finds the request invalid ([`HandlerErrorKind::InvalidRequest`]) | `-32602` |
//! | any other handler error, a handler panic, an answer that breaks the protocol (not `assistant`, tool use when no tools were offered or `toolChoice` is `none`, ...) | `-32603` internal error |
//!
//! A request rmcp cannot parse (a `toolChoice.mode` that is not `auto`, `required` or `none`, a
//! missing field...) gets `-32602` with the JSON path of the problem.
//!
//! Some lines never reach the handler: rmcp's own line transports drop a request whose params
//! hold a number out of range (`1e400`) or nesting deeper than 128 levels, and answer one with
//! array params without its id. Over stdio or a child process's pipes, connect through
//! [`LineTransport`], which answers each of those with `-32602` under its id.
//!
//! A handler's panic message is logged (`tracing::error!`), not sent to the server. On
//! 2026-07-28 these errors do not reach the server: rmcp's `call_tool` stops driving the
//! rounds and returns the error (`ServiceError::McpError`) to the code that called the tool.

// The boundary with rmcp's client API, whose sampling (and roots, logging) types are deprecated
// (SEP-2577): requests are converted to this crate's `LlmRequest` before the handler sees them.
#![allow(deprecated)]

mod lines;

pub use lines::{LineTransport, MAX_LINE_BYTES};

use std::any::Any;
use std::collections::HashSet;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use rmcp::ClientHandler;
use rmcp::model::{
    CancelledNotificationParam, ClientConfig, CreateMessageRequestParams, CreateMessageResult,
    CustomNotification, CustomRequest, CustomResult, ElicitRequestParams, ElicitResult,
    ElicitationCapability, ErrorCode, ErrorData, FormElicitationCapability, JsonObject,
    ListRootsResult, LoggingMessageNotificationParam, ProgressNotificationParam,
    ResourceUpdatedNotificationParam, Root, RootsCapabilities, SamplingCapability,
    SubscriptionsAcknowledgedNotificationParams, TaskStatusNotificationParams,
    UrlElicitationCapability,
};
use rmcp::service::{MaybeSendFuture, NotificationContext, RequestContext, RoleClient};
use serde_json::{Value, json};

use crate::handler::{
    HandlerContext, HandlerError, HandlerErrorKind, SamplingHandler, Side, check_messages,
    check_response,
};
use crate::message::rmcp::{request_from_rmcp, response_to_rmcp};
use crate::message::{LlmRequest, LlmResponse, ToolChoice};

/// The JSON-RPC method of a sampling request.
const SAMPLING_METHOD: &str = "sampling/createMessage";

/// The JSON-RPC error code answered when the handler declines a request (MCP's "user rejected").
pub const DECLINED_ERROR_CODE: ErrorCode = ErrorCode(-1);

/// An rmcp [`ClientHandler`] that answers sampling requests with a [`SamplingHandler`] and
/// passes everything else to an inner handler `C`.
///
/// It advertises the `sampling` capability with `sampling.tools`, merged into the inner
/// handler's [`ClientConfig`] (client info, protocol version and other capabilities come from
/// the inner handler; use a [`ClientConfig`] as the inner handler to set them). See the
/// [module documentation](self) for the checks it makes and the errors it answers.
#[derive(Debug, Clone)]
pub struct SamplingClient<H, C = ()> {
    handler: H,
    inner: C,
    elicitation: Option<Elicitor>,
    roots: Option<Arc<[Root]>>,
}

/// What answers elicitation requests.
#[derive(Clone)]
struct Elicitor(Arc<dyn Fn(ElicitRequestParams) -> BoxFuture<'static, ElicitResult> + Send + Sync>);

impl std::fmt::Debug for Elicitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Elicitor")
    }
}

impl<H: SamplingHandler> SamplingClient<H> {
    /// A client that answers sampling with `handler` and nothing else.
    pub fn new(handler: H) -> Self {
        Self {
            handler,
            inner: (),
            elicitation: None,
            roots: None,
        }
    }
}

impl<H: SamplingHandler, C: ClientHandler> SamplingClient<H, C> {
    /// Uses `inner` for everything but sampling (elicitation, roots, notifications, the
    /// client info...).
    pub fn with_inner<C2: ClientHandler>(self, inner: C2) -> SamplingClient<H, C2> {
        SamplingClient {
            handler: self.handler,
            inner,
            elicitation: self.elicitation,
            roots: self.roots,
        }
    }

    /// Answers elicitation requests (form and URL mode) with `answer`, which stands for the
    /// user: it gets the request (message, requested schema or URL) and returns the user's
    /// action and content. Advertises the `elicitation` capability with both modes.
    pub fn with_elicitation<F, Fut>(mut self, answer: F) -> Self
    where
        F: Fn(ElicitRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ElicitResult> + Send + 'static,
    {
        self.elicitation = Some(Elicitor(Arc::new(move |request| Box::pin(answer(request)))));
        self
    }

    /// Answers `roots/list` with `roots`, and advertises the `roots` capability.
    pub fn with_roots(mut self, roots: impl IntoIterator<Item = Root>) -> Self {
        self.roots = Some(roots.into_iter().collect());
        self
    }

    /// The sampling handler.
    pub fn handler(&self) -> &H {
        &self.handler
    }

    /// The inner client handler.
    pub fn inner(&self) -> &C {
        &self.inner
    }

    /// Checks a request, asks the handler, checks its answer.
    async fn sample(
        &self,
        params: CreateMessageRequestParams,
        context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, ErrorData> {
        let request = request_from_rmcp(params)
            .and_then(|request| check_request(&request).map(|()| request))
            .map_err(|message| {
                ErrorData::invalid_params(format!("invalid sampling request: {message}"), None)
            })?;
        let tools_allowed =
            !request.tools.is_empty() && request.tool_choice != Some(ToolChoice::None);
        let cancellation = context.ct.clone();
        let cx = HandlerContext::new(Side::Client, cancellation.clone());
        let call = AssertUnwindSafe(self.handler.create_message(request, cx)).catch_unwind();
        let outcome = tokio::select! {
            biased;
            () = cancellation.cancelled() => {
                return Err(ErrorData::internal_error(
                    "the sampling request was cancelled",
                    None,
                ));
            }
            outcome = call => outcome,
        };
        let result = match outcome {
            Ok(Ok(result)) => result,
            Ok(Err(error)) => return Err(handler_error(&error)),
            Err(panic) => {
                tracing::error!(
                    panic = panic_message(&*panic),
                    "the sampling handler panicked"
                );
                return Err(ErrorData::internal_error(
                    "the sampling handler panicked while answering this request",
                    None,
                ));
            }
        };
        check_answer(&result, tools_allowed).map_err(|message| {
            ErrorData::internal_error(
                format!("the sampling handler returned an invalid answer: {message}"),
                None,
            )
        })?;
        Ok(response_to_rmcp(&result))
    }
}

/// The checks made on a request before the handler sees it.
fn check_request(request: &LlmRequest) -> Result<(), String> {
    if request.messages.is_empty() {
        return Err("it has no messages".into());
    }
    if request.max_tokens == 0 {
        return Err("maxTokens is 0; it must be at least 1".into());
    }
    // Linear in the size of the messages (rmcp's `validate` is quadratic in tool calls).
    check_messages(&request.messages)?;
    let mut names = HashSet::new();
    for tool in &request.tools {
        if !names.insert(tool.name.as_ref()) {
            return Err(format!("two tools are named {:?}", tool.name));
        }
    }
    if request.tool_choice == Some(ToolChoice::Required) && request.tools.is_empty() {
        return Err("toolChoice is \"required\" but no tools were offered".into());
    }
    Ok(())
}

/// The checks made on the handler's answer.
fn check_answer(result: &LlmResponse, tools_allowed: bool) -> Result<(), String> {
    check_response(result)?;
    if !tools_allowed && let Some(call) = result.message.tool_calls().first() {
        return Err(format!(
            "it calls tool {:?}, but the request offered no tools (or toolChoice was \"none\")",
            call.name
        ));
    }
    Ok(())
}

/// The JSON-RPC error for a handler's error.
fn handler_error(error: &HandlerError) -> ErrorData {
    let message = error.message();
    match error.kind() {
        HandlerErrorKind::Declined => ErrorData::new(
            DECLINED_ERROR_CODE,
            format!("the sampling request was declined: {message}"),
            None,
        ),
        HandlerErrorKind::InvalidRequest => ErrorData::invalid_params(
            format!("the sampling handler cannot serve this request: {message}"),
            None,
        ),
        HandlerErrorKind::Provider { status, error_type } => ErrorData::internal_error(
            format!("the LLM provider answered with an error: {message}"),
            Some(json!({ "kind": "provider", "status": status, "errorType": error_type })),
        ),
        HandlerErrorKind::Timeout => ErrorData::internal_error(
            format!("the LLM provider did not answer in time: {message}"),
            Some(json!({ "kind": "timeout" })),
        ),
        HandlerErrorKind::Transport => ErrorData::internal_error(
            format!("the LLM provider could not be reached: {message}"),
            Some(json!({ "kind": "transport" })),
        ),
        HandlerErrorKind::InvalidResponse => ErrorData::internal_error(
            format!("the LLM provider's answer could not be understood: {message}"),
            Some(json!({ "kind": "invalidResponse" })),
        ),
        _ => ErrorData::internal_error(format!("the sampling handler failed: {message}"), None),
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    if let Some(text) = panic.downcast_ref::<&'static str>() {
        text
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text
    } else {
        "(not a string)"
    }
}

impl<H: SamplingHandler, C: ClientHandler> ClientHandler for SamplingClient<H, C> {
    fn create_message(
        &self,
        params: CreateMessageRequestParams,
        context: RequestContext<RoleClient>,
    ) -> impl Future<Output = Result<CreateMessageResult, ErrorData>> + MaybeSendFuture + '_ {
        self.sample(params, context)
    }

    fn get_info(&self) -> ClientConfig {
        let mut info = self.inner.get_info();
        let mut sampling: SamplingCapability =
            info.capabilities.sampling.take().unwrap_or_default();
        sampling.tools.get_or_insert_with(JsonObject::new);
        info.capabilities.sampling = Some(sampling);
        if self.elicitation.is_some() {
            info.capabilities.elicitation = Some(
                ElicitationCapability::new()
                    .with_form(FormElicitationCapability::new())
                    .with_url(UrlElicitationCapability::new()),
            );
        }
        if self.roots.is_some() {
            info.capabilities.roots = Some(RootsCapabilities::default());
        }
        info
    }

    fn ping(
        &self,
        context: RequestContext<RoleClient>,
    ) -> impl Future<Output = Result<(), ErrorData>> + MaybeSendFuture + '_ {
        self.inner.ping(context)
    }

    fn list_roots(
        &self,
        context: RequestContext<RoleClient>,
    ) -> impl Future<Output = Result<ListRootsResult, ErrorData>> + MaybeSendFuture + '_ {
        let roots = self.roots.clone();
        let inner = self.inner.list_roots(context);
        async move {
            match roots {
                Some(roots) => Ok(ListRootsResult::new(roots.to_vec())),
                None => inner.await,
            }
        }
    }

    fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        context: RequestContext<RoleClient>,
    ) -> impl Future<Output = Result<ElicitResult, ErrorData>> + MaybeSendFuture + '_ {
        let elicitor = self.elicitation.clone();
        async move {
            match elicitor {
                Some(Elicitor(answer)) => Ok(answer(request).await),
                None => self.inner.create_elicitation(request, context).await,
            }
        }
    }

    async fn on_custom_request(
        &self,
        request: CustomRequest,
        context: RequestContext<RoleClient>,
    ) -> Result<CustomResult, ErrorData> {
        // rmcp hands a `sampling/createMessage` whose params it cannot parse (an unknown
        // toolChoice mode, a missing field...) to this method; say what is wrong with it.
        if request.method != SAMPLING_METHOD {
            return self.inner.on_custom_request(request, context).await;
        }
        let params = request.params.unwrap_or(Value::Null);
        let params: CreateMessageRequestParams =
            serde_path_to_error::deserialize(params).map_err(|error| {
                ErrorData::invalid_params(
                    format!(
                        "invalid sampling request: at {}: {}",
                        error.path(),
                        error.inner()
                    ),
                    None,
                )
            })?;
        let result = self.sample(params, context).await?;
        serde_json::to_value(result)
            .map(CustomResult)
            .map_err(|error| ErrorData::internal_error(error.to_string(), None))
    }

    fn on_cancelled(
        &self,
        params: CancelledNotificationParam,
        context: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.inner.on_cancelled(params, context)
    }

    fn on_progress(
        &self,
        params: ProgressNotificationParam,
        context: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.inner.on_progress(params, context)
    }

    fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParam,
        context: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.inner.on_logging_message(params, context)
    }

    fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParam,
        context: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.inner.on_resource_updated(params, context)
    }

    fn on_resource_list_changed(
        &self,
        context: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.inner.on_resource_list_changed(context)
    }

    fn on_tool_list_changed(
        &self,
        context: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.inner.on_tool_list_changed(context)
    }

    fn on_prompt_list_changed(
        &self,
        context: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.inner.on_prompt_list_changed(context)
    }

    fn on_subscriptions_acknowledged(
        &self,
        params: SubscriptionsAcknowledgedNotificationParams,
        context: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.inner.on_subscriptions_acknowledged(params, context)
    }

    fn on_task_status(
        &self,
        params: TaskStatusNotificationParams,
        context: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.inner.on_task_status(params, context)
    }

    fn on_custom_notification(
        &self,
        notification: CustomNotification,
        context: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + MaybeSendFuture + '_ {
        self.inner.on_custom_notification(notification, context)
    }
}
