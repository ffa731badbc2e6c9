//! No loop waits forever, none freezes the server, none grows without bound: time limits and
//! deadlines (with `notifications/cancelled` sent to the client), replies rmcp's transport
//! drops, malformed sampling results, and replies with thousands of tool calls.
#![allow(deprecated)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequest, CallToolRequestParams, CancelledNotificationParam, ClientCapabilities,
    ClientInfo, ClientRequest, CreateMessageRequestParams, CreateMessageResult, ErrorData,
    PingRequest, SamplingCapability, ServerCapabilities, ServerInfo,
};
use rmcp::service::{NotificationContext, PeerRequestOptions, RequestContext};
use rmcp::{ClientHandler, RoleClient, RoleServer, ServerHandler, ServiceExt, tool, tool_handler};
use rmcp_sampling::client::SamplingClient;
use rmcp_sampling::testing::{ScriptedLlm, connect_in_process};
use rmcp_sampling::{SampleRequest, Sampler, sampling_tool};
use serde_json::{Value, json};

mod support;

use support::mcp::{add_tool, call};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Sleep, then answer.
#[sampling_tool]
async fn nap(ms: u64) -> String {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    "rested".into()
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Prompt {
    prompt: String,
}

/// A server whose `ask` tool samples with `add` and `nap`, each call set up by `configure`.
#[derive(Clone)]
struct Server {
    sampler: Sampler,
    configure: fn(SampleRequest<'_>) -> SampleRequest<'_>,
    tool_router: ToolRouter<Self>,
}

#[rmcp::tool_router]
impl Server {
    fn new(sampler: Sampler, configure: fn(SampleRequest<'_>) -> SampleRequest<'_>) -> Self {
        Self {
            sampler,
            configure,
            tool_router: Self::tool_router(),
        }
    }

    /// Sample with `add` and `nap`; a failure names the size of the history it carries.
    #[tool]
    async fn ask(
        &self,
        Parameters(p): Parameters<Prompt>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, ErrorData> {
        let request = self.sampler.on(&ctx).tools([add_tool(), nap_tool()]);
        match (self.configure)(request).sample_text(p.prompt).await {
            Ok(out) => Ok(out.text),
            Err(error) => Err(ErrorData::internal_error(
                format!("{error} [history: {} messages]", error.history().len()),
                None,
            )),
        }
    }

    /// Samples under the caller's own 200 ms timeout, which drops the loop's future.
    #[tool]
    async fn ask_briefly(
        &self,
        Parameters(p): Parameters<Prompt>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, ErrorData> {
        let request = self.sampler.on(&ctx);
        match tokio::time::timeout(Duration::from_millis(200), request.sample_text(p.prompt)).await
        {
            Ok(Ok(out)) => Ok(out.text),
            Ok(Err(error)) => Err(error.into()),
            Err(_) => Err(ErrorData::internal_error("gave up waiting", None)),
        }
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(ServerCapabilities::builder().enable_tools().build())
    }
}

fn as_is(request: SampleRequest<'_>) -> SampleRequest<'_> {
    request
}

fn ask(prompt: &str) -> CallToolRequestParams {
    call("ask", json!({"prompt": prompt}))
}

/// Generous: only a loop that never ends runs into it.
const HANG: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------------
// A client that never answers
// ---------------------------------------------------------------------------------------------

/// Declares sampling with tools, never answers a sampling request, and records the
/// `notifications/cancelled` it receives.
#[derive(Clone, Default)]
struct SilentClient {
    asked: Arc<tokio::sync::Notify>,
    cancelled: Arc<Mutex<Vec<CancelledNotificationParam>>>,
}

impl SilentClient {
    fn cancelled(&self) -> Vec<CancelledNotificationParam> {
        self.cancelled.lock().unwrap().clone()
    }

    /// Waits until a `notifications/cancelled` arrived.
    async fn wait_for_cancel(&self) -> CancelledNotificationParam {
        tokio::time::timeout(HANG, async {
            loop {
                if let Some(first) = self.cancelled().into_iter().next() {
                    return first;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .expect("the client was sent notifications/cancelled")
    }
}

impl ClientHandler for SilentClient {
    fn get_info(&self) -> ClientInfo {
        let mut sampling = SamplingCapability::default();
        sampling.tools = Some(Default::default());
        let mut capabilities = ClientCapabilities::default();
        capabilities.sampling = Some(sampling);
        ClientInfo::new(
            capabilities,
            rmcp::model::Implementation::new("silent", "0"),
        )
    }

    async fn create_message(
        &self,
        _params: CreateMessageRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, ErrorData> {
        self.asked.notify_one();
        std::future::pending().await
    }

    async fn on_cancelled(
        &self,
        params: CancelledNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.cancelled.lock().unwrap().push(params);
    }
}

async fn call_error(
    client: &rmcp::service::RunningService<RoleClient, impl ClientHandler>,
    params: CallToolRequestParams,
) -> String {
    let error = tokio::time::timeout(HANG, client.call_tool(params))
        .await
        .expect("the loop ends")
        .expect_err("the tool call fails");
    error.to_string()
}

#[tokio::test]
async fn a_silent_client_ends_the_loop_at_the_time_limit_and_is_sent_a_cancel() {
    let silent = SilentClient::default();
    let sampler = Sampler::new().llm_timeout(Duration::from_millis(200));
    let client = connect_in_process(Server::new(sampler, as_is), silent.clone())
        .await
        .unwrap();
    let error = call_error(&client, ask("hello?")).await;
    assert!(
        error.contains("the LLM did not answer within 200ms; the request was cancelled"),
        "{error}"
    );
    assert!(error.contains("[history: 1 messages]"), "{error}");
    let cancel = silent.wait_for_cancel().await;
    assert!(cancel.request_id.is_some(), "{cancel:?}");
    assert!(
        cancel
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("did not answer within 200ms")),
        "{cancel:?}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn the_time_limit_of_one_call_overrides_the_samplers() {
    let silent = SilentClient::default();
    let sampler = Sampler::new().llm_timeout(Duration::from_secs(3600));
    let client = connect_in_process(
        Server::new(sampler, |r| r.llm_timeout(Duration::from_millis(150))),
        silent.clone(),
    )
    .await
    .unwrap();
    let error = call_error(&client, ask("hello?")).await;
    assert!(error.contains("did not answer within 150ms"), "{error}");
    silent.wait_for_cancel().await;
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_deadline_ends_a_loop_waiting_for_the_client() {
    let silent = SilentClient::default();
    let client = connect_in_process(
        Server::new(Sampler::new(), |r| {
            r.time_budget(Duration::from_millis(200))
        }),
        silent.clone(),
    )
    .await
    .unwrap();
    let error = call_error(&client, ask("hello?")).await;
    assert!(error.contains("ran past its deadline"), "{error}");
    assert!(error.contains("[history: 1 messages]"), "{error}");
    let cancel = silent.wait_for_cancel().await;
    assert!(
        cancel
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("deadline")),
        "{cancel:?}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_deadline_ends_a_loop_while_its_tools_run() {
    let llm = ScriptedLlm::new()
        .then_tool_use("nap", json!({"ms": 60_000}))
        .then_text("never");
    let client = connect_in_process(
        Server::new(Sampler::new(), |r| {
            r.deadline(std::time::Instant::now() + Duration::from_millis(300))
        }),
        SamplingClient::new(llm.clone()),
    )
    .await
    .unwrap();
    let error = call_error(&client, ask("nap")).await;
    assert!(error.contains("ran past its deadline"), "{error}");
    // The question and the reply that called `nap`.
    assert!(error.contains("[history: 2 messages]"), "{error}");
    assert_eq!(llm.request_count(), 1);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn cancelling_the_tool_call_cancels_the_sampling_request_towards_the_client() {
    let silent = SilentClient::default();
    let client = connect_in_process(Server::new(Sampler::new(), as_is), silent.clone())
        .await
        .unwrap();
    let handle = client
        .peer()
        .send_cancellable_request(
            ClientRequest::CallToolRequest(CallToolRequest::new(ask("hello?"))),
            PeerRequestOptions::no_options(),
        )
        .await
        .unwrap();
    tokio::time::timeout(HANG, silent.asked.notified())
        .await
        .expect("the sampling request reached the client");
    handle.cancel(Some("changed my mind".into())).await.unwrap();
    let cancel = silent.wait_for_cancel().await;
    assert!(cancel.request_id.is_some(), "{cancel:?}");
    assert!(
        cancel
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("cancelled")),
        "{cancel:?}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn dropping_a_loop_mid_request_still_cancels_it_towards_the_client() {
    let silent = SilentClient::default();
    let client = connect_in_process(Server::new(Sampler::new(), as_is), silent.clone())
        .await
        .unwrap();
    let params = CallToolRequestParams::new("ask_briefly")
        .with_arguments(json!({"prompt": "hello?"}).as_object().cloned().unwrap());
    let error = call_error(&client, params).await;
    assert!(error.contains("gave up waiting"), "{error}");
    let cancel = silent.wait_for_cancel().await;
    assert!(
        cancel
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("stopped before this request was answered")),
        "{cancel:?}"
    );
    client.cancel().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// A raw client: replies rmcp's transport drops, malformed results
// ---------------------------------------------------------------------------------------------

/// The client side of a connection, as JSON lines.
struct RawClient {
    lines: tokio::io::Lines<BufReader<tokio::io::ReadHalf<tokio::io::DuplexStream>>>,
    write: tokio::io::WriteHalf<tokio::io::DuplexStream>,
    next_id: u64,
}

impl RawClient {
    async fn connect(server: Server) -> Self {
        let (server_io, client_io) = tokio::io::duplex(1 << 16);
        tokio::spawn(async move {
            if let Ok(running) = server.serve(server_io).await {
                let _ = running.waiting().await;
            }
        });
        let (read, write) = tokio::io::split(client_io);
        let mut client = Self {
            lines: BufReader::new(read).lines(),
            write,
            next_id: 100,
        };
        client
            .send(&json!({
                "jsonrpc": "2.0", "id": 0, "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {"sampling": {"tools": {}}},
                    "clientInfo": {"name": "raw", "version": "0"}
                }
            }))
            .await;
        let initialized = client.next().await;
        assert_eq!(initialized["id"], 0, "{initialized}");
        client
            .send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await;
        client
    }

    async fn send(&mut self, message: &Value) {
        self.send_raw(format!("{message}\n").as_bytes()).await;
    }

    async fn send_raw(&mut self, bytes: &[u8]) {
        self.write.write_all(bytes).await.unwrap();
        self.write.flush().await.unwrap();
    }

    async fn next(&mut self) -> Value {
        let line = tokio::time::timeout(HANG, self.lines.next_line())
            .await
            .expect("the server says something")
            .unwrap()
            .expect("the connection is open");
        serde_json::from_str(&line).unwrap()
    }

    /// Calls `ask` and returns the id of the tool call and of the sampling request it causes.
    async fn ask(&mut self) -> (u64, Value) {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({
            "jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": "ask", "arguments": {"prompt": "hi"}}
        }))
        .await;
        loop {
            let message = self.next().await;
            if message["method"] == "sampling/createMessage" {
                return (id, message["id"].clone());
            }
        }
    }

    /// Reads until the answer to request `id`; returns it and the ids the server cancelled
    /// meanwhile.
    async fn answer(&mut self, id: u64) -> (Value, Vec<Value>) {
        let mut cancelled = Vec::new();
        loop {
            let message = self.next().await;
            if message["method"] == "notifications/cancelled" {
                cancelled.push(message["params"]["requestId"].clone());
            } else if message["id"] == id {
                return (message, cancelled);
            }
        }
    }
}

fn valid_result() -> Value {
    json!({"role": "assistant", "content": {"type": "text", "text": "fine"}, "model": "m"})
}

#[tokio::test]
async fn replies_the_transport_drops_end_at_the_time_limit_with_a_cancel() {
    let sampler = Sampler::new().llm_timeout(Duration::from_millis(300));
    let mut client = RawClient::connect(Server::new(sampler, as_is)).await;
    let mut deep = json!("bottom");
    for _ in 0..200 {
        deep = json!([deep]);
    }
    type Reply = fn(&Value, &Value) -> Vec<u8>;
    let replies: Vec<(&str, Reply)> = vec![
        ("a wrong id", |_, result| {
            format!(
                "{}\n",
                json!({"jsonrpc": "2.0", "id": 987_654, "result": result})
            )
            .into_bytes()
        }),
        ("neither result nor error", |id, _| {
            format!("{}\n", json!({"jsonrpc": "2.0", "id": id})).into_bytes()
        }),
        ("not JSON", |_, _| b"this is not JSON\n".to_vec()),
        ("a number out of range", |id, _| {
            format!(concat!(
                r#"{{"jsonrpc":"2.0","id":{id},"result":{{"role":"assistant","content":{{"type":"text","text":"x"}},"model":"m","x":1e400}}}}"#,
                "\n"
            ), id = id)
            .into_bytes()
        }),
        ("not UTF-8", |_, _| b"\xff\xfe\xfd\n".to_vec()),
    ];
    let deep_reply = |id: &Value| {
        let mut result = valid_result();
        result["x"] = deep.clone();
        format!(
            "{}\n",
            json!({"jsonrpc": "2.0", "id": id, "result": result})
        )
        .into_bytes()
    };
    for index in 0..=replies.len() {
        let (call, sampling) = client.ask().await;
        let (what, bytes) = match replies.get(index) {
            Some((what, reply)) => (*what, reply(&sampling, &valid_result())),
            None => ("nesting deeper than 128", deep_reply(&sampling)),
        };
        eprintln!("reply with {what}");
        client.send_raw(&bytes).await;
        let (answer, cancelled) = client.answer(call).await;
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("did not answer within 300ms"),
            "{what}: {answer}"
        );
        assert_eq!(cancelled, std::slice::from_ref(&sampling), "{what}");
    }
}

#[tokio::test]
async fn malformed_results_say_what_is_wrong() {
    let mut client = RawClient::connect(Server::new(Sampler::new(), as_is)).await;
    let without = |field: &str| {
        let mut result = valid_result();
        result.as_object_mut().unwrap().remove(field);
        result
    };
    let with = |field: &str, value: Value| {
        let mut result = valid_result();
        result[field] = value;
        result
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        ("no role", without("role"), "it has no `role`"),
        ("no content", without("content"), "it has no `content`"),
        ("no model", without("model"), "it has no `model`"),
        (
            "a non-object tool input",
            with(
                "content",
                json!({"type": "tool_use", "id": "c1", "name": "add", "input": [1, 2]}),
            ),
            "`content` is a tool_use whose `input` is an array; tool arguments must be a JSON object",
        ),
        (
            "an unknown content type",
            with(
                "content",
                json!([{"type": "text", "text": "a"}, {"type": "video"}]),
            ),
            "`content[1]` has the unknown content type \"video\"",
        ),
        (
            "a wrong-typed stopReason",
            with("stopReason", json!(42)),
            "`stopReason` is a number; it must be a string",
        ),
        (
            "a wrong-typed model",
            with("model", json!({"name": "m"})),
            "`model` is an object; it must be a string",
        ),
        (
            "not an object",
            json!([1, 2]),
            "it is an array instead of an object",
        ),
        (
            "a text block without text",
            with("content", json!({"type": "text"})),
            "`content` is not a valid text block: at `.`: missing field `text`",
        ),
    ];
    for (what, result, expected) in cases {
        let (call, sampling) = client.ask().await;
        client
            .send(&json!({"jsonrpc": "2.0", "id": sampling, "result": result}))
            .await;
        let (answer, _) = client.answer(call).await;
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("the client's answer is not a valid sampling result: "),
            "{what}: {answer}"
        );
        assert!(message.contains(expected), "{what}: {answer}");
        assert!(!message.contains("Unexpected response"), "{what}: {answer}");
    }
    // The connection still works.
    let (call, sampling) = client.ask().await;
    client
        .send(&json!({"jsonrpc": "2.0", "id": sampling, "result": valid_result()}))
        .await;
    let (answer, _) = client.answer(call).await;
    assert_eq!(answer["result"]["content"][0]["text"], "fine", "{answer}");
}

// ---------------------------------------------------------------------------------------------
// Replies with thousands of tool calls
// ---------------------------------------------------------------------------------------------

/// Serves `server` on its own thread with a single-threaded runtime, as a small server runs:
/// work that blocks it blocks all its requests, while the test's timers, on another runtime,
/// still fire.
async fn connect_threaded<C: ClientHandler>(
    server: Server,
    client: C,
) -> rmcp::service::RunningService<RoleClient, C> {
    let (server_io, client_io) = tokio::io::duplex(1 << 16);
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            if let Ok(running) = server.serve(server_io).await {
                let _ = running.waiting().await;
            }
        });
    });
    client.serve(client_io).await.expect("client connects")
}

fn many_calls(n: i64) -> ScriptedLlm {
    ScriptedLlm::new()
        .then_tool_uses((0..n).map(|i| ("add", json!({"a": i, "b": 1}))))
        .then_text("done")
}

/// Calls `ask` and pings the server every few milliseconds until the call is answered: each
/// ping must be answered (generous timeout; a frozen server took many seconds).
async fn ping_while_sampling(
    client: &rmcp::service::RunningService<RoleClient, SamplingClient<ScriptedLlm>>,
) -> Result<String, String> {
    let pings = async {
        loop {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let ping = client
                .peer()
                .send_request(ClientRequest::PingRequest(PingRequest::default()));
            tokio::time::timeout(Duration::from_secs(5), ping)
                .await
                .expect("the server answers a ping while the loop runs")
                .expect("ping");
        }
    };
    let result = tokio::time::timeout(HANG, async {
        tokio::select! {
            result = client.call_tool(ask("many")) => result,
            () = pings => unreachable!("the pings go on until the call ends"),
        }
    })
    .await
    .expect("the loop ends");
    match result {
        Ok(result) => Ok(result
            .content
            .first()
            .and_then(|c| c.as_text())
            .map(|t| t.text.clone())
            .unwrap_or_default()),
        Err(error) => Err(error.to_string()),
    }
}

#[tokio::test]
async fn a_reply_with_10000_tool_calls_is_refused_and_the_server_stays_responsive() {
    let llm = many_calls(10_000);
    let client = connect_threaded(
        Server::new(Sampler::new(), as_is),
        SamplingClient::new(llm.clone()),
    )
    .await;
    let error = ping_while_sampling(&client).await.unwrap_err();
    assert!(
        error.contains(
            "the LLM's reply makes 10000 tool calls; at most 128 are allowed in one reply \
             (`max_tool_calls_per_reply`), so none of them ran"
        ),
        "{error}"
    );
    assert!(error.contains("[history: 2 messages]"), "{error}");
    assert_eq!(llm.request_count(), 1);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn with_the_cap_raised_10000_tool_calls_are_checked_in_linear_time_on_both_sides() {
    // The loop's own check of the next request and the client adapter's check of it see
    // 10,000 tool_use/tool_result pairs; rmcp's quadratic check would freeze both.
    let llm = many_calls(10_000);
    let client = connect_threaded(
        Server::new(Sampler::new(), |r| {
            r.max_tool_calls_per_reply(20_000)
                .concurrency(rmcp_sampling::tools::Concurrency::Unlimited)
        }),
        SamplingClient::new(llm.clone()),
    )
    .await;
    let text = ping_while_sampling(&client).await.unwrap();
    assert_eq!(text, "done");
    assert_eq!(llm.request_count(), 2);
    client.cancel().await.unwrap();
}
