//! Small helpers of the tests that talk MCP to a server in process: a `tools/call` request and
//! the text of its result, a guard on a call, the rounds of a call driven by hand on
//! 2026-07-28, the `add` sampling tool, and a server with one tool that runs a loop.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, InputRequiredResult, InputResponses,
    JsonObject, ServerCapabilities, ServerConfig,
};
use rmcp::{ServerHandler, ServiceError, tool, tool_handler, tool_router};
use rmcp_sampling::{SampleError, Sampler, SamplingContext, ToolError, ToolReply, sampling_tool};
use serde_json::Value;

/// A guard against a hung call, not a timing assertion.
pub(crate) const CALL_GUARD: Duration = Duration::from_secs(120);

/// A `tools/call` of `name` with the object `args` (anything else: no arguments).
pub(crate) fn call(name: &str, args: Value) -> CallToolRequestParams {
    let mut params = CallToolRequestParams::new(name.to_owned());
    params.arguments = args.as_object().cloned();
    params
}

/// The text blocks of a tool result, joined.
pub(crate) fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|block| block.as_text())
        .map(|text| text.text.as_str())
        .collect()
}

/// `future`, bounded by [`CALL_GUARD`]; fails the test past that.
pub(crate) async fn within<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(CALL_GUARD, future)
        .await
        .expect("the call finishes")
}

/// The input-required result of one round driven by hand; fails the test on anything else.
pub(crate) fn input_required(
    response: Result<CallToolResponse, ServiceError>,
) -> InputRequiredResult {
    match response {
        Ok(CallToolResponse::InputRequired(result)) => result,
        other => panic!("expected an input-required result, got {other:?}"),
    }
}

/// The retry of `params` after `round`: its `requestState`, and `responses`.
pub(crate) fn retry(
    mut params: CallToolRequestParams,
    round: &InputRequiredResult,
    responses: InputResponses,
) -> CallToolRequestParams {
    params.request_state = round.request_state.clone();
    params.input_responses = Some(responses);
    params
}

/// Add two integers.
#[sampling_tool]
pub(crate) fn add(a: i64, b: i64) -> Result<i64, ToolError> {
    a.checked_add(b).ok_or(ToolError::new("overflow"))
}

/// The body of a [`OneToolServer`]'s tool: given the server's sampler, the call's context and
/// its arguments, the tool's text.
type Body = Arc<
    dyn Fn(Sampler, SamplingContext, JsonObject) -> BoxFuture<'static, Result<String, SampleError>>
        + Send
        + Sync,
>;

/// A server with one MCP tool, `run`, whose body (typically a sampling loop) runs in
/// [`Sampler::reply`], so on both protocol eras.
#[derive(Clone)]
pub(crate) struct OneToolServer {
    sampler: Sampler,
    body: Body,
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl OneToolServer {
    /// A server whose tool `run` answers with what `body` makes of its arguments.
    pub(crate) fn new<F, Fut>(sampler: Sampler, body: F) -> Self
    where
        F: Fn(Sampler, SamplingContext, JsonObject) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<String, SampleError>> + Send + 'static,
    {
        Self {
            sampler,
            body: Arc::new(move |sampler, ctx, args| Box::pin(body(sampler, ctx, args))),
            tool_router: Self::tool_router(),
        }
    }

    /// Runs the server's body.
    #[tool]
    async fn run(
        &self,
        ctx: SamplingContext,
        Parameters(args): Parameters<JsonObject>,
    ) -> ToolReply<String> {
        let body = (self.body)(self.sampler.clone(), ctx.clone(), args);
        self.sampler.reply(&ctx, async { Ok(body.await?) }).await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for OneToolServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}
