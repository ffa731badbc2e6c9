//! Scale-out of the multi round-trip loop (protocol 2026-07-28): two `conformance_server`
//! processes that share a `requestState` key (`RMCP_SAMPLING_STATE_KEY`) behave as replicas
//! behind a load balancer. rmcp's streamable-HTTP client negotiates 2026-07-28 (`Discover`) with
//! each, and the test drives `add_and_report(2, 3)` by hand (`call_tool_once`), sending each round
//! to the other process: round 1 on A, round 2 on B, round 3 on A. Nothing is kept in memory
//! between rounds, so the loop completes; a process with another key refuses the state.
//!
//! No peer to install: these tests always run.

// rmcp marks the sampling types deprecated (SEP-2577); the tests speak them on the wire.
#![allow(deprecated)]

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CreateMessageRequestParams, InputRequest,
    InputRequiredResult, InputResponses, ProtocolVersion, SamplingMessageContentBlock,
    ToolChoiceMode,
};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{RoleClient, ServiceError};
use rmcp_sampling::client::SamplingClient;
use rmcp_sampling::testing::{ScriptedLlm, reply};
use serde_json::{Value, json};

mod support;

use support::mcp::{call, retry, text_of, within};
use support::server::{ConformanceServer, GUARD, logs};

/// The key both replicas share (at least 32 bytes).
const SHARED_KEY: &str = "replica-test-key: 0123456789abcdef0123456789abcdef";
/// Another key, for a process outside the pair.
const OTHER_KEY: &str = "another-test-key: fedcba9876543210fedcba9876543210";

type Client = RunningService<RoleClient, SamplingClient<ScriptedLlm>>;

/// A 2026-07-28 client of `server` that declares `sampling` with tools; its LLM is never asked,
/// since the rounds are driven by hand.
async fn connect(server: &ConformanceServer) -> Client {
    let transport = StreamableHttpClientTransport::from_uri(server.url.as_str());
    let client = tokio::time::timeout(
        GUARD,
        SamplingClient::new(ScriptedLlm::new()).serve_with_lifecycle(
            transport,
            ClientLifecycleMode::Discover {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            },
        ),
    )
    .await
    .expect("the client connects within the guard")
    .expect("the client connects");
    assert_eq!(
        client.peer_info().map(|i| i.protocol_version.clone()),
        Some(ProtocolVersion::V_2026_07_28),
        "the connection must speak 2026-07-28"
    );
    client
}

fn add_and_report() -> CallToolRequestParams {
    call("add_and_report", json!({"a": 2, "b": 3}))
}

/// One round by hand on `client`.
async fn once(
    client: &Client,
    params: CallToolRequestParams,
) -> Result<CallToolResponse, ServiceError> {
    within(client.call_tool_once(params)).await
}

/// The round's only input request: its key and its sampling request.
fn sampling_request(
    response: Result<CallToolResponse, ServiceError>,
    servers: &[&ConformanceServer],
) -> (InputRequiredResult, String, CreateMessageRequestParams) {
    let round = match response {
        Ok(CallToolResponse::InputRequired(round)) => round,
        other => panic!(
            "expected an input-required result, got {other:?}\n{}",
            logs(servers)
        ),
    };
    assert!(round.request_state.is_some(), "{round:?}");
    let requests = round.input_requests.clone().expect("input requests");
    assert_eq!(requests.len(), 1, "one LLM turn per round: {requests:?}");
    let (key, request) = requests.into_iter().next().expect("one request");
    let InputRequest::CreateMessage(request) = request else {
        panic!("expected sampling/createMessage, got {request:?}");
    };
    (round, key, request.params)
}

fn answer(result: impl serde::Serialize) -> Value {
    serde_json::to_value(result).expect("a sampling result serializes")
}

/// The texts of the tool results in the last message of `request`.
fn tool_results(request: &CreateMessageRequestParams) -> Vec<String> {
    let last = request.messages.last().expect("a message");
    last.content
        .iter()
        .filter_map(|block| match block {
            SamplingMessageContentBlock::ToolResult(result) => Some(
                result
                    .content
                    .iter()
                    .filter_map(|c| c.as_text())
                    .map(|t| t.text.clone())
                    .collect::<String>(),
            ),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn rounds_alternate_between_two_processes_that_share_a_key() {
    let a = ConformanceServer::start_with_key(Some(SHARED_KEY));
    let b = ConformanceServer::start_with_key(Some(SHARED_KEY));
    assert_ne!(a.url, b.url);
    let servers = [&a, &b];
    let client_a = connect(&a).await;
    let client_b = connect(&b).await;
    let params = add_and_report();

    // Round 1 on A: the first LLM turn.
    let (round1, key1, request1) =
        sampling_request(once(&client_a, params.clone()).await, &servers);
    assert_eq!(request1.messages.len(), 1, "{request1:?}");
    let tools: Vec<&str> = request1
        .tools
        .iter()
        .flatten()
        .map(|t| t.name.as_ref())
        .collect();
    assert_eq!(tools, ["add", "final_response"]);
    assert_eq!(
        request1.tool_choice.as_ref().and_then(|c| c.mode.clone()),
        Some(ToolChoiceMode::Required),
        "a typed loop requires a tool"
    );

    // Round 2 on B: the LLM called `add`; B opens A's state, runs the tool, asks for turn 2.
    let responses = InputResponses::from([(
        key1.clone(),
        answer(reply::tool_use("call-1", "add", json!({"a": 2, "b": 3}))),
    )]);
    let (round2, key2, request2) = sampling_request(
        once(&client_b, retry(params.clone(), &round1, responses)).await,
        &servers,
    );
    assert_ne!(key1, key2, "each turn has its own key");
    assert_eq!(request2.messages.len(), 3, "{request2:?}");
    assert_eq!(tool_results(&request2), ["5"], "{request2:?}");
    assert_eq!(b.add_runs(), 1, "B ran the tool\n{}", logs(&servers));

    // Round 3 on A: the LLM reports the sum; A opens B's state and the loop completes.
    let responses = InputResponses::from([(
        key2,
        answer(reply::tool_use(
            "call-2",
            "final_response",
            json!({"value": 5}),
        )),
    )]);
    let done = once(&client_a, retry(params.clone(), &round2, responses)).await;
    let result = match done {
        Ok(CallToolResponse::Complete(result)) => result,
        other => panic!(
            "expected the tool's result, got {other:?}\n{}",
            logs(&servers)
        ),
    };
    assert_eq!(result.is_error, Some(false), "{result:?}");
    assert_eq!(text_of(&result), "sum: 5");
    assert_eq!(
        (a.add_runs(), b.add_runs()),
        (0, 1),
        "the tool ran once, in round 2, and A did not run it again\n{}",
        logs(&servers)
    );
    client_a.cancel().await.expect("the client closes");
    client_b.cancel().await.expect("the client closes");
}

#[tokio::test]
async fn a_process_with_another_key_refuses_the_state_with_invalid_params() {
    let a = ConformanceServer::start_with_key(Some(SHARED_KEY));
    let other = ConformanceServer::start_with_key(Some(OTHER_KEY));
    let unkeyed = ConformanceServer::start();
    let servers = [&a, &other, &unkeyed];
    let client_a = connect(&a).await;
    let params = add_and_report();
    let (round1, key1, _) = sampling_request(once(&client_a, params.clone()).await, &servers);
    let responses = InputResponses::from([(
        key1,
        answer(reply::tool_use("call-1", "add", json!({"a": 2, "b": 3}))),
    )]);

    for server in [&other, &unkeyed] {
        let client = connect(server).await;
        match once(&client, retry(params.clone(), &round1, responses.clone())).await {
            Err(ServiceError::McpError(error)) => {
                assert_eq!(error.code.0, -32602, "{error:?}");
                assert!(error.message.contains("requestState"), "{error:?}");
            }
            other => panic!(
                "expected -32602 from a process with another key, got {other:?}\n{}",
                logs(&servers)
            ),
        }
        assert!(
            server.log().contains("refused a requestState"),
            "the server logs the reason\n{}",
            server.log()
        );
        assert_eq!(server.add_runs(), 0, "no tool runs on a refused state");
        client.cancel().await.expect("the client closes");
    }

    // The state is still good where the key is known: the refusals consumed nothing.
    let (_, _, request2) = sampling_request(
        once(&client_a, retry(params.clone(), &round1, responses)).await,
        &servers,
    );
    assert_eq!(tool_results(&request2), ["5"]);
    assert_eq!(a.add_runs(), 1);
    client_a.cancel().await.expect("the client closes");
}
