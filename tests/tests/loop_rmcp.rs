//! The loop over a real rmcp connection (in-process, tokio duplex): the client's LLM through
//! `sampling/createMessage`, capability checks, progress, cancellation, the fallback handler,
//! and the server's own rmcp tools reused as sampling tools.

// This client speaks rmcp's sampling types on purpose (SEP-2577 marks them deprecated).
#![allow(deprecated)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequest, ClientCapabilities, ClientInfo, ClientRequest, CreateMessageRequestParams,
    CreateMessageResult, ErrorData as McpError, ProgressNotificationParam, ServerCapabilities,
    ServerConfig, ServerResult,
};
use rmcp::service::{NotificationContext, PeerRequestOptions, RequestContext, RunningService};
use rmcp::{
    ClientHandler, ErrorData, RoleClient, RoleServer, ServerHandler, tool, tool_handler,
    tool_router,
};
use rmcp_sampling::client::SamplingClient;
use rmcp_sampling::testing::{ScriptedLlm, connect_in_process};
use rmcp_sampling::tools::tools_from_router;
use rmcp_sampling::{HandlerError, Sampler, ToolResult, sampling_tool};
use serde_json::json;

mod support;

use support::mcp::{add_tool, call, text_of};

/// Sleep, then answer.
#[sampling_tool]
async fn wait(ms: u64) -> String {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    "waited".into()
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Prompt {
    prompt: String,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Number {
    x: i64,
}

#[derive(Clone)]
struct Server {
    sampler: Sampler,
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Server {
    fn new(sampler: Sampler) -> Self {
        Self {
            sampler,
            tool_router: Self::tool_router(),
        }
    }

    /// Sample with the `add` and `wait` tools.
    #[tool]
    async fn ask(
        &self,
        Parameters(p): Parameters<Prompt>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, ErrorData> {
        let out = self
            .sampler
            .on(&ctx)
            .tools([add_tool(), wait_tool()])
            .sample_text(p.prompt)
            .await?;
        Ok(out.text)
    }

    /// Sample without tools.
    #[tool]
    async fn ask_plain(
        &self,
        Parameters(p): Parameters<Prompt>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, ErrorData> {
        Ok(self.sampler.on(&ctx).sample_text(p.prompt).await?.text)
    }

    /// Sample with this server's own `double` tool.
    #[tool]
    async fn ask_router(
        &self,
        Parameters(p): Parameters<Prompt>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, ErrorData> {
        let tools = tools_from_router(&self.tool_router, self, &ctx, |name| name == "double");
        Ok(self
            .sampler
            .on(&ctx)
            .tools(tools)
            .sample_text(p.prompt)
            .await?
            .text)
    }

    /// Double a number.
    #[tool]
    async fn double(&self, Parameters(n): Parameters<Number>) -> Result<String, ErrorData> {
        Ok((n.x * 2).to_string())
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

/// A client that declares `sampling` without `sampling.tools` (or nothing), answering through
/// a scripted LLM; it also records progress notifications.
#[derive(Clone)]
struct PlainClient {
    llm: Option<ScriptedLlm>,
    progress: Arc<Mutex<Vec<f64>>>,
}

impl ClientHandler for PlainClient {
    fn get_info(&self) -> ClientInfo {
        let mut capabilities = ClientCapabilities::default();
        if self.llm.is_some() {
            capabilities.sampling = Some(Default::default());
        }
        ClientInfo::new(capabilities, rmcp::model::Implementation::new("plain", "0"))
    }

    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, McpError> {
        let llm = self
            .llm
            .clone()
            .ok_or_else(|| McpError::internal_error("no llm", None))?;
        // The adapter's own answer, without its capabilities (it would add sampling.tools).
        SamplingClient::new(llm)
            .create_message(params, context)
            .await
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _: NotificationContext<RoleClient>,
    ) {
        self.progress.lock().unwrap().push(params.progress);
    }
}

async fn connect<C: ClientHandler>(server: Server, client: C) -> RunningService<RoleClient, C> {
    connect_in_process(server, client)
        .await
        .expect("client connects")
}

#[tokio::test]
async fn the_clients_llm_runs_the_loop_through_create_message() {
    let llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 20, "b": 22}))
        .then_text("42");
    let client = connect(
        Server::new(Sampler::new()),
        SamplingClient::new(llm.clone()),
    )
    .await;
    let result = client
        .call_tool(call("ask", json!({"prompt": "20 + 22?"})))
        .await
        .unwrap();
    assert_eq!(text_of(&result), "42");
    let requests = llm.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].tool_names(), ["add", "wait"]);
    assert_eq!(
        requests[1].tool_results(),
        [ToolResult::text("call_1", "42")]
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_client_without_sampling_gets_a_clear_error() {
    let client = PlainClient {
        llm: None,
        progress: Default::default(),
    };
    let client = connect(Server::new(Sampler::new()), client).await;
    let err = client
        .call_tool(call("ask_plain", json!({"prompt": "hi"})))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("client does not support sampling"),
        "{err}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn tools_need_the_sampling_tools_capability() {
    let llm = ScriptedLlm::new().then_text("plain answer");
    let client = PlainClient {
        llm: Some(llm.clone()),
        progress: Default::default(),
    };
    let client = connect(Server::new(Sampler::new()), client).await;
    let err = client
        .call_tool(call("ask", json!({"prompt": "hi"})))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains(
            "client does not support sampling with tools: the client must advertise the sampling.tools capability"
        ),
        "{err}"
    );
    assert_eq!(llm.request_count(), 0, "no request was sent");
    // Without tools, the same client can sample.
    let result = client
        .call_tool(call("ask_plain", json!({"prompt": "hi"})))
        .await
        .unwrap();
    assert_eq!(text_of(&result), "plain answer");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn the_handler_stands_in_when_the_client_cannot() {
    let server_llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 1, "b": 1}))
        .then_text("two, from the server's model");
    let client = PlainClient {
        llm: None,
        progress: Default::default(),
    };
    let client = connect(
        Server::new(Sampler::with_handler(server_llm.clone())),
        client,
    )
    .await;
    let result = client
        .call_tool(call("ask", json!({"prompt": "1 + 1?"})))
        .await
        .unwrap();
    assert_eq!(text_of(&result), "two, from the server's model");
    assert_eq!(server_llm.request_count(), 2);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_declined_request_falls_back_to_the_handler_when_asked() {
    let declining = ScriptedLlm::new().then_error(HandlerError::declined("the user said no"));
    let server_llm = ScriptedLlm::new().then_text("answered by the server");
    let sampler = Sampler::with_handler(server_llm.clone()).fallback_on_decline(true);
    let client = connect(Server::new(sampler), SamplingClient::new(declining.clone())).await;
    let result = client
        .call_tool(call("ask", json!({"prompt": "hi"})))
        .await
        .unwrap();
    assert_eq!(text_of(&result), "answered by the server");
    assert_eq!(declining.request_count(), 1);
    client.cancel().await.unwrap();

    // Without fallback on decline, the client's error fails the call with its message.
    let declining = ScriptedLlm::new().then_error(HandlerError::declined("the user said no"));
    let sampler = Sampler::with_handler(ScriptedLlm::new());
    let client = connect(Server::new(sampler), SamplingClient::new(declining)).await;
    let err = client
        .call_tool(call("ask", json!({"prompt": "hi"})))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("the user said no"), "{err}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn the_servers_own_rmcp_tools_can_be_offered() {
    let llm = ScriptedLlm::new()
        .then_tool_uses([("double", json!({"x": 21})), ("double", json!({"x": "no"}))])
        .then_text("done");
    let client = connect(
        Server::new(Sampler::new()),
        SamplingClient::new(llm.clone()),
    )
    .await;
    let result = client
        .call_tool(call("ask_router", json!({"prompt": "double 21"})))
        .await
        .unwrap();
    assert_eq!(text_of(&result), "done");
    let requests = llm.requests();
    assert_eq!(requests[0].tool_names(), ["double"]);
    let results = requests[1].tool_results();
    assert_eq!(results[0], ToolResult::text("call_1", "42"));
    assert!(
        results[1].is_error,
        "bad arguments are an error for the LLM: {results:?}"
    );
    assert!(
        results[1]
            .text_content()
            .contains("invalid type: string \"no\", expected i64"),
        "{results:?}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn progress_is_reported_after_each_step() {
    let llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 1, "b": 1}))
        .then_tool_use("add", json!({"a": 2, "b": 1}))
        .then_text("3");
    let progress = Arc::new(Mutex::new(Vec::new()));
    let inner = PlainClient {
        llm: None,
        progress: progress.clone(),
    };
    let client = connect(
        Server::new(Sampler::new()),
        SamplingClient::new(llm).with_inner(inner),
    )
    .await;
    let request = ClientRequest::CallToolRequest(CallToolRequest::new(call(
        "ask",
        json!({"prompt": "count"}),
    )));
    let handle = client
        .send_cancellable_request(request, PeerRequestOptions::no_options())
        .await
        .unwrap();
    let response = handle.await_response().await.unwrap();
    assert!(
        matches!(response, ServerResult::CallToolResult(_)),
        "{response:?}"
    );
    // Notifications may trail the response by a moment.
    for _ in 0..50 {
        if progress.lock().unwrap().len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(*progress.lock().unwrap(), [1.0, 2.0, 3.0]);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn cancelling_the_mcp_request_stops_the_loop() {
    let llm = ScriptedLlm::new()
        .then_tool_use("wait", json!({"ms": 60_000}))
        .then_text("never");
    let client = connect(
        Server::new(Sampler::new()),
        SamplingClient::new(llm.clone()),
    )
    .await;
    let request = ClientRequest::CallToolRequest(CallToolRequest::new(call(
        "ask",
        json!({"prompt": "wait"}),
    )));
    let handle = client
        .send_cancellable_request(request, PeerRequestOptions::no_options())
        .await
        .unwrap();
    // Wait until the tool is running (the LLM asked for it), then cancel.
    for _ in 0..200 {
        if llm.request_count() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    handle
        .cancel(Some("user pressed stop".into()))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(llm.request_count(), 1, "no LLM request after cancellation");
    // The connection still works, and the cancelled loop did not consume the next reply.
    let result = client
        .call_tool(call("ask_plain", json!({"prompt": "still there?"})))
        .await
        .unwrap();
    assert_eq!(text_of(&result), "never");
    client.cancel().await.unwrap();
}
