//! `SamplingClient` against an in-process rmcp server, on both protocol eras: what it
//! advertises, what it answers, and how it refuses bad requests while staying usable.
#![allow(deprecated)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, ContentBlock,
    CreateMessageRequest, CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams,
    ElicitResult, ElicitationAction, ErrorData, Implementation, InputRequest, InputRequests,
    InputRequiredResult, ListRootsResult, ProtocolVersion, Role, Root, SamplingMessage,
    SamplingMessageContentBlock, ServerCapabilities, ServerConfig, ServerRequest, Tool, ToolChoice,
};
use rmcp::model::{CallToolResponse, ClientResult, ElicitRequest};
use rmcp::service::{RequestContext, RoleClient, RoleServer, RunningService, ServiceError};
use rmcp::{ClientHandler, ServerHandler, ServiceExt};
use rmcp_sampling::client::{LineTransport, SamplingClient};
use rmcp_sampling::handler::HandlerErrorKind;
use rmcp_sampling::testing::{ScriptedLlm, connect_in_process_modern, reply};
use rmcp_sampling::{
    HandlerContext, HandlerError, LlmRequest, LlmResponse, SamplingHandler, StopReason,
};
use serde_json::{Value, json};

mod support;

use support::mcp::text_of;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

// ---------------------------------------------------------------------------------------------
// The server side: a tiny rmcp server whose tools send whatever sampling request they are given.
// ---------------------------------------------------------------------------------------------

/// Tools:
/// - `push {request}`: sends `request` as `sampling/createMessage` (no client-side checks of
///   rmcp's `create_message`, so malformed requests reach the client), returns the
///   result's JSON, or `{"code", "message"}` as an error result;
/// - `mrtr {request}`: answers with an `InputRequiredResult` carrying `request`, then returns
///   the client's answer's JSON;
/// - `peer_info`: the client's info as the server sees it;
/// - `roots`, `elicit`: ask the client for roots / an elicitation.
#[derive(Clone, Default)]
struct TestServer {
    mrtr_calls: Arc<AtomicUsize>,
}

fn text_result(value: &impl serde::Serialize) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(
        serde_json::to_string(value).unwrap(),
    )])
}

fn error_result(error: ServiceError) -> CallToolResult {
    let body = match error {
        ServiceError::McpError(e) => json!({"code": e.code.0, "message": e.message}),
        other => json!({"code": null, "message": other.to_string()}),
    };
    CallToolResult::error(vec![ContentBlock::text(body.to_string())])
}

fn request_arg(request: &CallToolRequestParams) -> Result<CreateMessageRequestParams, ErrorData> {
    let value = request
        .arguments
        .as_ref()
        .and_then(|args| args.get("request"))
        .cloned()
        .ok_or_else(|| ErrorData::invalid_params("missing request", None))?;
    serde_json::from_value(value).map_err(|e| ErrorData::invalid_params(e.to_string(), None))
}

impl ServerHandler for TestServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let peer = context.peer;
        let result = match request.name.as_ref() {
            "push" => {
                let params = request_arg(&request)?;
                let sent = ServerRequest::CreateMessageRequest(CreateMessageRequest::new(params));
                match peer.send_request(sent).await {
                    Ok(ClientResult::CreateMessageResult(result)) => text_result(&result),
                    Ok(other) => text_result(&json!({"unexpected": format!("{other:?}")})),
                    Err(error) => error_result(error),
                }
            }
            "mrtr" => {
                self.mrtr_calls.fetch_add(1, Ordering::SeqCst);
                match &request.input_responses {
                    None => {
                        let params = request_arg(&request)?;
                        let mut requests = InputRequests::new();
                        requests.insert(
                            "llm".into(),
                            InputRequest::CreateMessage(CreateMessageRequest::new(params)),
                        );
                        return Ok(InputRequiredResult::new(
                            Some(requests),
                            Some("round-1".into()),
                        )
                        .into());
                    }
                    Some(responses) => {
                        if request.request_state.as_deref() != Some("round-1") {
                            return Err(ErrorData::invalid_params("lost request state", None));
                        }
                        text_result(&responses.get("llm").cloned().unwrap_or(Value::Null))
                    }
                }
            }
            "peer_info" => text_result(&peer.peer_info().map(|info| (*info).clone())),
            "roots" => match peer.list_roots().await {
                Ok(roots) => text_result(&roots),
                Err(error) => error_result(error),
            },
            "elicit" => {
                let params = ElicitRequestParams::FormElicitationParams {
                    meta: None,
                    message: "name?".into(),
                    requested_schema: serde_json::from_value(json!({
                        "type": "object",
                        "properties": {"name": {"type": "string"}}
                    }))
                    .unwrap(),
                };
                match peer
                    .send_request(ServerRequest::ElicitRequest(ElicitRequest::new(params)))
                    .await
                {
                    Ok(ClientResult::ElicitResult(answer)) => text_result(&answer),
                    Ok(other) => text_result(&json!({"unexpected": format!("{other:?}")})),
                    Err(error) => error_result(error),
                }
            }
            other => return Err(ErrorData::invalid_params(format!("no tool {other}"), None)),
        };
        Ok(result.into())
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

type Client<H, C = ()> = RunningService<RoleClient, SamplingClient<H, C>>;

/// Connects `client` to a fresh `TestServer` with the `initialize` handshake (2025-11-25).
async fn connect<H: SamplingHandler, C: ClientHandler>(
    client: SamplingClient<H, C>,
) -> Client<H, C> {
    let (server_io, client_io) = tokio::io::duplex(1 << 16);
    tokio::spawn(async move {
        if let Ok(server) = TestServer::default().serve(server_io).await {
            let _ = server.waiting().await;
        }
    });
    let client = client.serve(client_io).await.expect("client connects");
    assert_eq!(
        client.peer_info().unwrap().protocol_version,
        ProtocolVersion::V_2025_11_25
    );
    client
}

/// Connects `client` to a fresh `TestServer` with `server/discover` on 2026-07-28.
async fn connect_modern<H: SamplingHandler>(
    client: SamplingClient<H>,
    server: TestServer,
) -> Client<H> {
    let client = connect_in_process_modern(server, client)
        .await
        .expect("client discovers");
    assert_eq!(
        client.peer_info().unwrap().protocol_version,
        ProtocolVersion::V_2026_07_28
    );
    client
}

/// Calls `push` with `request`: `Ok(result)` or `Err((code, message))`.
async fn push<H: SamplingHandler, C: ClientHandler>(
    client: &Client<H, C>,
    request: &CreateMessageRequestParams,
) -> Result<CreateMessageResult, (i64, String)> {
    push_raw(client, serde_json::to_value(request).unwrap()).await
}

async fn push_raw<H: SamplingHandler, C: ClientHandler>(
    client: &Client<H, C>,
    request: Value,
) -> Result<CreateMessageResult, (i64, String)> {
    let args = json!({ "request": request });
    let result = client
        .call_tool(
            CallToolRequestParams::new("push").with_arguments(args.as_object().unwrap().clone()),
        )
        .await
        .expect("the push tool answers");
    let body: Value = serde_json::from_str(&text_of(&result)).unwrap();
    if result.is_error == Some(true) {
        Err((
            body["code"].as_i64().unwrap_or_default(),
            body["message"].as_str().unwrap_or_default().to_owned(),
        ))
    } else {
        Ok(serde_json::from_value(body).unwrap())
    }
}

fn hello() -> CreateMessageRequestParams {
    CreateMessageRequestParams::new(vec![SamplingMessage::user_text("hello")], 64)
}

fn tool(name: &str) -> Tool {
    Tool::new(
        name.to_owned(),
        format!("the {name} tool"),
        Arc::new(serde_json::from_value(json!({"type": "object"})).unwrap()),
    )
}

fn first_text(result: &CreateMessageResult) -> String {
    result
        .message
        .content
        .first()
        .and_then(|block| block.as_text())
        .map(|text| text.text.clone())
        .unwrap_or_default()
}

/// Proves the client still serves sampling after a failure: one more request, answered.
async fn assert_still_serves<H: SamplingHandler, C: ClientHandler>(
    client: &Client<H, C>,
    expected: &str,
) {
    let answer = push(client, &hello())
        .await
        .expect("the client still answers");
    assert_eq!(first_text(&answer), expected);
}

// ---------------------------------------------------------------------------------------------
// Capabilities and the happy path
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn advertises_sampling_with_tools_to_the_server() {
    let client = connect(SamplingClient::new(ScriptedLlm::new())).await;
    let result = client
        .call_tool(CallToolRequestParams::new("peer_info"))
        .await
        .unwrap();
    let info: Value = serde_json::from_str(&text_of(&result)).unwrap();
    assert_eq!(
        info["capabilities"]["sampling"],
        json!({"tools": {}}),
        "{info}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn answers_pushed_requests_and_passes_them_on_unchanged() {
    let llm = ScriptedLlm::new()
        .then_text("hi there")
        .then_tool_use("lookup", json!({"q": "rust"}));
    let client = connect(SamplingClient::new(llm.clone())).await;

    let text = push(&client, &hello().with_system_prompt("be brief"))
        .await
        .unwrap();
    assert_eq!(first_text(&text), "hi there");
    assert_eq!(text.message.role, Role::Assistant);

    let with_tools = hello()
        .with_tools(vec![tool("lookup")])
        .with_tool_choice(ToolChoice::required());
    let call = push(&client, &with_tools).await.unwrap();
    assert_eq!(call.stop_reason.as_deref(), Some("toolUse"));
    let tool_use = call.message.content.first().unwrap().as_tool_use().unwrap();
    assert_eq!(tool_use.name, "lookup");
    assert_eq!(tool_use.input["q"], "rust");

    let sent = llm.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].system_prompt.as_deref(), Some("be brief"));
    assert_eq!(sent[0].messages, [rmcp_sampling::Message::user("hello")]);
    assert_eq!(sent[1].tool_names(), ["lookup"]);
    assert_eq!(
        sent[1].tool_choice,
        Some(rmcp_sampling::message::ToolChoice::Required)
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn plain_closures_are_handlers() {
    let echo = |params: LlmRequest, _cx: HandlerContext| async move {
        Ok::<_, HandlerError>(format!("{} message(s)", params.messages.len()))
    };
    let client = connect(SamplingClient::new(echo)).await;
    assert_still_serves(&client, "1 message(s)").await;
    client.cancel().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// The 2026-07-28 era: InputRequiredResult rounds driven by rmcp's `call_tool`
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn answers_input_required_rounds_on_2026_07_28() {
    let llm = ScriptedLlm::new()
        .then_text("modern answer")
        .then_text("again");
    let server = TestServer::default();
    let calls = server.mrtr_calls.clone();
    let client = connect_modern(SamplingClient::new(llm.clone()), server).await;

    let args = json!({ "request": hello().with_tools(vec![tool("t")]) });
    let result = client
        .call_tool(
            CallToolRequestParams::new("mrtr").with_arguments(args.as_object().unwrap().clone()),
        )
        .await
        .unwrap();
    let answer: CreateMessageResult = serde_json::from_str(&text_of(&result)).unwrap();
    assert_eq!(first_text(&answer), "modern answer");
    assert_eq!(calls.load(Ordering::SeqCst), 2, "one suspension, one retry");
    assert_eq!(llm.requests()[0].tool_names(), ["t"]);

    // A bad request on this era fails the tool call on the client side with the same message
    // (rmcp's driver stops the rounds), and the client keeps working.
    let mut bad = hello();
    bad.messages.push(SamplingMessage::user_tool_result(
        "nope",
        vec![ContentBlock::text("x")],
    ));
    let args = json!({ "request": bad });
    let error = client
        .call_tool(
            CallToolRequestParams::new("mrtr").with_arguments(args.as_object().unwrap().clone()),
        )
        .await
        .unwrap_err();
    let ServiceError::McpError(error) = error else {
        panic!("expected the adapter's error, got {error:?}");
    };
    assert_eq!(error.code.0, -32602);
    assert!(
        error
            .message
            .contains("the message before it has no tool_use with that id"),
        "{}",
        error.message
    );
    assert_eq!(llm.request_count(), 1, "the LLM never saw the bad request");

    let args = json!({ "request": hello() });
    let result = client
        .call_tool(
            CallToolRequestParams::new("mrtr").with_arguments(args.as_object().unwrap().clone()),
        )
        .await
        .unwrap();
    assert!(text_of(&result).contains("again"));
    client.cancel().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// Bad requests: refused before the handler, the client keeps serving
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn malformed_requests_are_refused_with_a_clear_message() {
    let llm = ScriptedLlm::new().then_text("still here");
    let client = connect(SamplingClient::new(llm.clone())).await;

    let tool_use = |id: &str| SamplingMessage::assistant_tool_use(id, "t", serde_json::Map::new());
    let tool_result =
        |id: &str| SamplingMessage::user_tool_result(id, vec![ContentBlock::text("r")]);

    let mut orphan_result = hello();
    orphan_result.messages.push(tool_result("ghost"));

    let mut tool_use_from_user = hello();
    tool_use_from_user.messages.push(SamplingMessage::new(
        Role::User,
        SamplingMessageContentBlock::tool_use("c1", "t", serde_json::Map::new()),
    ));

    // Balanced overall (rmcp's check passes) but the result is two messages after its call.
    let mut late_result = hello();
    late_result.messages.push(tool_use("c1"));
    late_result
        .messages
        .push(SamplingMessage::user_text("wait"));
    late_result.messages.push(tool_result("c1"));

    let mut unanswered_call = hello();
    unanswered_call.messages.push(tool_use("c1"));
    unanswered_call
        .messages
        .push(SamplingMessage::user_text("ignored the call"));

    let cases: Vec<(&str, CreateMessageRequestParams, &str)> = vec![
        (
            "orphan tool_result",
            orphan_result,
            "the message before it has no tool_use with that id",
        ),
        (
            "tool_use in a user message",
            tool_use_from_user,
            "tool_use is only allowed in assistant messages",
        ),
        (
            "tool_result not right after its tool_use",
            late_result,
            "messages[1] has a tool_use with id \"c1\" that is not answered by a tool_result in the message after it",
        ),
        (
            "tool_use never answered",
            unanswered_call,
            "not answered by a tool_result",
        ),
        (
            "no messages",
            CreateMessageRequestParams::new(vec![], 10),
            "it has no messages",
        ),
        (
            "maxTokens 0",
            CreateMessageRequestParams::new(hello().messages, 0),
            "maxTokens is 0",
        ),
        (
            "required tool choice without tools",
            hello().with_tool_choice(ToolChoice::required()),
            "no tools were offered",
        ),
        (
            "duplicate tool names",
            hello().with_tools(vec![tool("t"), tool("t")]),
            "two tools are named \"t\"",
        ),
    ];
    for (what, request, expected) in cases {
        let (code, message) = push(&client, &request).await.expect_err(what);
        assert_eq!(code, -32602, "{what}: {message}");
        assert!(
            message.starts_with("invalid sampling request: "),
            "{what}: {message}"
        );
        assert!(message.contains(expected), "{what}: {message}");
    }
    assert_eq!(
        llm.request_count(),
        0,
        "the handler never saw a bad request"
    );
    assert_still_serves(&client, "still here").await;
    client.cancel().await.unwrap();
}

type RawLines = tokio::io::Lines<BufReader<tokio::io::ReadHalf<tokio::io::DuplexStream>>>;
type RawWrite = tokio::io::WriteHalf<tokio::io::DuplexStream>;

/// The server side of a connection as raw JSON lines: answers the client's `initialize`.
async fn raw_handshake(server_io: tokio::io::DuplexStream) -> (RawLines, RawWrite) {
    let (read, mut write) = tokio::io::split(server_io);
    let mut lines = BufReader::new(read).lines();
    let initialize: Value =
        serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(initialize["method"], "initialize");
    assert_eq!(
        initialize["params"]["capabilities"]["sampling"],
        json!({"tools": {}})
    );
    let response = json!({
        "jsonrpc": "2.0",
        "id": initialize["id"],
        "result": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "serverInfo": {"name": "raw", "version": "0"}
        }
    });
    write
        .write_all(format!("{response}\n").as_bytes())
        .await
        .unwrap();
    let initialized: Value =
        serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(initialized["method"], "notifications/initialized");
    (lines, write)
}

#[tokio::test]
async fn an_unknown_tool_choice_mode_is_refused_and_the_client_goes_on() {
    // rmcp's typed model cannot hold `toolChoice.mode: "sometimes"`, so this needs a server
    // that writes raw JSON lines. rmcp routes the unparsable request to `on_custom_request`,
    // where the adapter names the problem.
    let llm = ScriptedLlm::new().then_text("after the bad mode");
    let (server_io, client_io) = tokio::io::duplex(1 << 16);
    let connecting = tokio::spawn(SamplingClient::new(llm.clone()).serve(client_io));
    let (mut lines, mut write) = raw_handshake(server_io).await;
    let client = connecting.await.unwrap().expect("client connects");

    let request = |id: u32, mode: &str| {
        json!({
            "jsonrpc": "2.0",
            "id": id,
            "method": "sampling/createMessage",
            "params": {
                "messages": [{"role": "user", "content": {"type": "text", "text": "hi"}}],
                "maxTokens": 10,
                "tools": [{"name": "t", "inputSchema": {"type": "object"}}],
                "toolChoice": {"mode": mode}
            }
        })
    };
    write
        .write_all(format!("{}\n", request(7, "sometimes")).as_bytes())
        .await
        .unwrap();
    let answer: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(answer["id"], 7, "{answer}");
    assert_eq!(answer["error"]["code"], -32602, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "invalid sampling request: at toolChoice.mode: unknown variant `sometimes`"
        ),
        "{answer}"
    );

    // A missing required field takes the same path.
    let mut no_max_tokens = request(9, "auto");
    no_max_tokens["params"]
        .as_object_mut()
        .unwrap()
        .remove("maxTokens");
    write
        .write_all(format!("{no_max_tokens}\n").as_bytes())
        .await
        .unwrap();
    let answer: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(answer["id"], 9, "{answer}");
    assert_eq!(answer["error"]["code"], -32602, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.contains("missing field `maxTokens`"), "{answer}");
    assert_eq!(llm.request_count(), 0);

    write
        .write_all(format!("{}\n", request(8, "auto")).as_bytes())
        .await
        .unwrap();
    let answer: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(answer["id"], 8, "{answer}");
    assert_eq!(
        answer["result"]["content"]["text"], "after the bad mode",
        "{answer}"
    );
    assert_eq!(answer["result"]["role"], "assistant", "{answer}");
    drop(client);
}

// ---------------------------------------------------------------------------------------------
// Bad handlers: errors, panics, answers that break the protocol
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn handler_errors_become_json_rpc_errors_by_kind() {
    let llm = ScriptedLlm::new()
        .then_error(HandlerError::declined("the user said no"))
        .then_error(HandlerError::new(
            HandlerErrorKind::InvalidRequest,
            "images unsupported",
        ))
        .then_error(HandlerError::new(
            HandlerErrorKind::Provider {
                status: Some(429),
                error_type: Some("rate_limit".into()),
            },
            "slow down",
        ))
        .then_error(HandlerError::new(HandlerErrorKind::Timeout, "30 s"))
        .then_error(HandlerError::new(
            HandlerErrorKind::Transport,
            "connection refused",
        ))
        .then_error(HandlerError::new(
            HandlerErrorKind::InvalidResponse,
            "not JSON",
        ))
        .then_error(HandlerError::other("boom"))
        .then_text("recovered");
    let client = connect(SamplingClient::new(llm)).await;
    let expected = [
        (-1, "the sampling request was declined: the user said no"),
        (
            -32602,
            "the sampling handler cannot serve this request: images unsupported",
        ),
        (-32603, "the LLM provider answered with an error: slow down"),
        (-32603, "the LLM provider did not answer in time: 30 s"),
        (
            -32603,
            "the LLM provider could not be reached: connection refused",
        ),
        (
            -32603,
            "the LLM provider's answer could not be understood: not JSON",
        ),
        (-32603, "the sampling handler failed: boom"),
    ];
    for (code, message) in expected {
        assert_eq!(
            push(&client, &hello()).await.unwrap_err(),
            (code, message.to_owned())
        );
    }
    assert_still_serves(&client, "recovered").await;
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_panicking_handler_is_caught() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let handler = move |_params: LlmRequest, _cx: HandlerContext| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        async move {
            if n == 0 {
                panic!("the handler fell over");
            }
            Ok::<_, HandlerError>("after the panic")
        }
    };
    let client = connect(SamplingClient::new(handler)).await;
    let (code, message) = push(&client, &hello()).await.unwrap_err();
    assert_eq!(code, -32603);
    assert_eq!(
        message,
        "the sampling handler panicked while answering this request"
    );
    assert_still_serves(&client, "after the panic").await;
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn answers_that_break_the_protocol_are_refused() {
    let user_answer = LlmResponse::new(
        rmcp_sampling::Message::user("I am the user"),
        "m",
        StopReason::EndTurn,
    );
    let llm = ScriptedLlm::new()
        // Tool use when no tools were offered.
        .then_tool_use("made_up", json!({}))
        // Tool use when toolChoice is none.
        .then_tool_use("t", json!({}))
        // A user-role answer.
        .then_result(user_answer)
        // toolUse stop without any call.
        .then_result(reply::text("x").with_stop_reason("toolUse"))
        // Two calls with one id.
        .then_result(reply::tool_uses([
            ("same", "t", json!({})),
            ("same", "t", json!({})),
        ]))
        .then_text("fine");
    let client = connect(SamplingClient::new(llm)).await;
    let none_choice = hello()
        .with_tools(vec![tool("t")])
        .with_tool_choice(ToolChoice::none());
    let with_tools = hello().with_tools(vec![tool("t")]);
    let cases = [
        (
            hello(),
            "it calls tool \"made_up\", but the request offered no tools",
        ),
        (
            none_choice,
            "it calls tool \"t\", but the request offered no tools (or toolChoice was \"none\")",
        ),
        (hello(), "role"),
        (hello(), "no tool_use block"),
        (with_tools, "share the id \"same\""),
    ];
    for (request, expected) in cases {
        let (code, message) = push(&client, &request).await.unwrap_err();
        assert_eq!(code, -32603, "{message}");
        assert!(
            message.starts_with("the sampling handler returned an invalid answer: "),
            "{message}"
        );
        assert!(message.contains(expected), "{message}");
    }
    assert_still_serves(&client, "fine").await;
    client.cancel().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// Composition with the user's own ClientHandler
// ---------------------------------------------------------------------------------------------

struct MyClient {
    config: ClientConfig,
}

impl ClientHandler for MyClient {
    async fn list_roots(
        &self,
        _context: RequestContext<RoleClient>,
    ) -> Result<ListRootsResult, ErrorData> {
        Ok(ListRootsResult::new(vec![Root::new("file:///work")]))
    }

    async fn create_elicitation(
        &self,
        _request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        Ok(ElicitResult::new(ElicitationAction::Accept).with_content(json!({"name": "Ferris"})))
    }

    async fn create_message(
        &self,
        _params: CreateMessageRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, ErrorData> {
        Err(ErrorData::internal_error(
            "the inner handler must not sample",
            None,
        ))
    }

    fn get_info(&self) -> ClientConfig {
        self.config.clone()
    }
}

#[tokio::test]
async fn everything_else_goes_to_the_inner_handler_and_capabilities_merge() {
    let config = ClientConfig::new(
        ClientCapabilities::builder()
            .enable_roots()
            .enable_elicitation()
            .build(),
        Implementation::new("my-client", "1.2.3"),
    );
    let llm = ScriptedLlm::new().then_text("from the adapter");
    let client = connect(SamplingClient::new(llm).with_inner(MyClient { config })).await;

    let info = client
        .call_tool(CallToolRequestParams::new("peer_info"))
        .await
        .unwrap();
    let info: Value = serde_json::from_str(&text_of(&info)).unwrap();
    assert_eq!(info["clientInfo"]["name"], "my-client", "{info}");
    let capabilities = &info["capabilities"];
    assert_eq!(capabilities["sampling"], json!({"tools": {}}), "{info}");
    assert!(capabilities["roots"].is_object(), "{info}");
    assert!(capabilities["elicitation"].is_object(), "{info}");

    let roots = client
        .call_tool(CallToolRequestParams::new("roots"))
        .await
        .unwrap();
    assert!(text_of(&roots).contains("file:///work"), "{roots:?}");
    let elicited = client
        .call_tool(CallToolRequestParams::new("elicit"))
        .await
        .unwrap();
    assert!(text_of(&elicited).contains("Ferris"), "{elicited:?}");
    // Sampling goes to the adapter, not to the inner handler.
    assert_still_serves(&client, "from the adapter").await;
    client.cancel().await.unwrap();
}

#[test]
fn get_info_keeps_an_inner_sampling_context_capability() {
    let mut config = ClientConfig::default();
    config.capabilities = ClientCapabilities::builder()
        .enable_sampling()
        .enable_sampling_context()
        .build();
    let client = SamplingClient::new(ScriptedLlm::new()).with_inner(config);
    let sampling = client.get_info().capabilities.sampling.unwrap();
    assert!(sampling.tools.is_some());
    assert!(sampling.context.is_some());
}

#[tokio::test]
async fn a_request_with_30000_tool_calls_is_checked_in_linear_time() {
    // rmcp's own balance check (`CreateMessageRequestParams::validate`) is quadratic in the
    // number of tool calls: 30,000 pairs took over 35 s in a debug build, and froze the client.
    // The client runs on its own single-threaded runtime, so that the timeout below, on the
    // test's runtime, fires even while a check blocks the client.
    let llm = ScriptedLlm::new().then_text("checked");
    let (give, take) = tokio::sync::oneshot::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let sampling_client = SamplingClient::new(llm.clone());
    let (server_io, client_io) = tokio::io::duplex(1 << 16);
    tokio::spawn(async move {
        if let Ok(server) = TestServer::default().serve(server_io).await {
            let _ = server.waiting().await;
        }
    });
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let _ = give.send(sampling_client.serve(client_io).await.expect("connects"));
            let _ = stopped.await;
        });
    });
    let client = take.await.unwrap();
    let n = 30_000;
    let calls = (0..n)
        .map(|i| {
            SamplingMessageContentBlock::tool_use(format!("c{i}"), "t", serde_json::Map::new())
        })
        .collect();
    // Answered in reverse order: rmcp's check scans its whole list of pending calls each time.
    let results = (0..n)
        .rev()
        .map(|i| {
            SamplingMessageContentBlock::tool_result(format!("c{i}"), vec![ContentBlock::text("r")])
        })
        .collect();
    let mut request = hello().with_tools(vec![tool("t")]);
    request
        .messages
        .push(SamplingMessage::new_multiple(Role::Assistant, calls));
    request
        .messages
        .push(SamplingMessage::new_multiple(Role::User, results));
    // Generous: it is about not hanging, not about speed.
    let answer = tokio::time::timeout(std::time::Duration::from_secs(25), push(&client, &request))
        .await
        .expect("the request is checked in reasonable time")
        .unwrap();
    assert_eq!(first_text(&answer), "checked");
    client.cancel().await.unwrap();
    let _ = stop.send(());
    thread.join().unwrap();
}

#[tokio::test]
async fn over_the_line_transport_every_unparsable_request_is_answered_under_its_id() {
    // rmcp's own line transports drop these (no answer, or one without the id); the crate's
    // `LineTransport` answers each with -32602 under its id, and the client goes on.
    let llm = ScriptedLlm::new().then_text("still here");
    let (server_io, client_io) = tokio::io::duplex(1 << 16);
    let (client_read, client_write) = tokio::io::split(client_io);
    let connecting = tokio::spawn(
        SamplingClient::new(llm.clone()).serve(LineTransport::new(client_read, client_write)),
    );
    let (mut lines, mut write) = raw_handshake(server_io).await;
    let client = connecting.await.unwrap().expect("client connects");

    let hello =
        r#"{"messages":[{"role":"user","content":{"type":"text","text":"hi"}}],"maxTokens":10"#;
    let deep = format!("{}1{}", "[".repeat(300), "]".repeat(300));
    let cases = [
        ("array params", r#"[{"messages":[]}, 10]"#.to_owned(), ""),
        (
            "nesting too deep",
            format!(r#"{hello},"metadata":{deep}}}"#),
            "recursion limit",
        ),
        (
            "a number out of range",
            format!(r#"{hello},"temperature":1e400}}"#),
            "number out of range",
        ),
        (
            "a string id",
            format!(r#"{hello},"temperature":-1e999}}"#),
            "number out of range",
        ),
    ];
    for (index, (what, params, expected)) in cases.iter().enumerate() {
        let id = if index == 3 {
            json!("text-id")
        } else {
            json!(index + 20)
        };
        let line = format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"sampling/createMessage","params":{params}}}"#
        );
        write
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
        let answer: Value =
            tokio::time::timeout(std::time::Duration::from_secs(10), lines.next_line())
                .await
                .unwrap_or_else(|_| panic!("{what}: no answer"))
                .unwrap()
                .map(|line| serde_json::from_str(&line).unwrap())
                .unwrap();
        assert_eq!(answer["id"], id, "{what}: {answer}");
        assert_eq!(answer["error"]["code"], -32602, "{what}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(expected), "{what}: {answer}");
    }
    assert_eq!(llm.request_count(), 0);

    let fine = format!(
        r#"{{"jsonrpc":"2.0","id":99,"method":"sampling/createMessage","params":{hello}}}}}"#
    );
    write
        .write_all(format!("{fine}\n").as_bytes())
        .await
        .unwrap();
    let answer: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
    assert_eq!(answer["id"], 99, "{answer}");
    assert_eq!(
        answer["result"]["content"]["text"], "still here",
        "{answer}"
    );
    drop(client);
}
