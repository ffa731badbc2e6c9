//! Support shared by the provider handler tests (`openai.rs`, `anthropic.rs`): a mock provider
//! on 127.0.0.1, the requests it received, requests to send, readers for the handlers' results,
//! and the checks both handlers must pass in the same way.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp_sampling::handler::{HandlerErrorKind, Side};
use rmcp_sampling::message::{ModelPreferences, ToolChoice, ToolSpec};
use rmcp_sampling::providers::RetryPolicy;
use rmcp_sampling::{
    Content, HandlerContext, HandlerError, LlmRequest, LlmResponse, Message, Role, SamplingHandler,
    ToolCall, ToolResult,
};
use serde_json::Map;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

// ---- The mock provider -----------------------------------------------------------------

/// Answers with the given responses in order, repeating the last one.
struct Sequence(Mutex<VecDeque<ResponseTemplate>>);

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut queue = self.0.lock().unwrap();
        if queue.len() > 1 {
            queue.pop_front().unwrap()
        } else {
            queue.front().cloned().expect("a non-empty sequence")
        }
    }
}

/// A server answering `POST {endpoint}` with `responses` in order, repeating the last one.
pub(crate) async fn mock_provider(
    endpoint: &str,
    responses: impl IntoIterator<Item = ResponseTemplate>,
) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(endpoint))
        .respond_with(Sequence(Mutex::new(responses.into_iter().collect())))
        .mount(&server)
        .await;
    server
}

/// The limit on one attempt the tests' handlers use unless a test sets another.
pub(crate) const TIMEOUT: Duration = Duration::from_millis(500);

/// Two retries, the first after 1 ms, so that retry tests run fast.
pub(crate) fn quick_retries() -> RetryPolicy {
    RetryPolicy::new(2).with_initial_backoff(Duration::from_millis(1))
}

/// A `200 OK` answer with this JSON body.
pub(crate) fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// The requests the server received, in order.
pub(crate) async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap()
}

/// The JSON bodies of the requests the server received, in order.
pub(crate) async fn bodies(server: &MockServer) -> Vec<Value> {
    requests(server)
        .await
        .iter()
        .map(|r| r.body_json().unwrap())
        .collect()
}

/// The top-level `field` of each request body, `null` where a body has none.
pub(crate) async fn sent(server: &MockServer, field: &str) -> Vec<Value> {
    bodies(server)
        .await
        .iter()
        .map(|b| b.get(field).cloned().unwrap_or(Value::Null))
        .collect()
}

// ---- Calling a handler -----------------------------------------------------------------

/// A context for a call outside any MCP session.
pub(crate) fn cx() -> HandlerContext {
    HandlerContext::new(Side::Standalone, Default::default())
}

/// One call of the handler.
pub(crate) async fn call(
    handler: &impl SamplingHandler,
    params: LlmRequest,
) -> Result<LlmResponse, HandlerError> {
    handler.create_message(params, cx()).await
}

/// A request with one user text, "Hello", and a 64-token limit.
pub(crate) fn hello() -> LlmRequest {
    LlmRequest::new("Hello", 64)
}

/// [`hello`] with model hints named `names`, in order.
pub(crate) fn hinted(names: &[&str]) -> LlmRequest {
    hello().with_model_preferences(ModelPreferences::hints(names.iter().copied()))
}

/// A request whose only message, of `role`, holds only `block`.
pub(crate) fn lone_block(role: Role, block: Content) -> LlmRequest {
    LlmRequest::new(Message::new(role, [block]), 10)
}

/// Requests no handler can send, each with a word its error must contain: a user's audio
/// clip, a `tool_use` block in a user message, a `tool_result` block in an assistant message.
pub(crate) fn refused_by_every_handler() -> Vec<(LlmRequest, &'static str)> {
    let audio = Content::Audio {
        data: "AAAA".into(),
        mime_type: "audio/wav".into(),
    };
    let call = Content::ToolCall(ToolCall::new("c1", "x", Map::new()));
    let result = Content::ToolResult(ToolResult::text("c1", "3"));
    vec![
        (lone_block(Role::User, audio), "audio"),
        (lone_block(Role::User, call), "tool_use"),
        (lone_block(Role::Assistant, result), "tool_result"),
    ]
}

/// A request with one tool call `c1` and its result, which holds only `block`.
pub(crate) fn tool_result_holding(block: Content) -> LlmRequest {
    LlmRequest::new(
        vec![
            assistant_calls("", &[("c1", "tool", json!({}))]),
            Message::tool_results([ToolResult {
                content: vec![block],
                ..ToolResult::text("c1", "")
            }]),
        ],
        10,
    )
}

/// A user message asking about a PNG picture: a text block, then an image block.
pub(crate) fn picture_question() -> Message {
    Message::new(
        Role::User,
        [
            Content::text("What is in this picture? Then add 1 and 2."),
            Content::Image {
                data: "iVBORw0KGgo=".into(),
                mime_type: "image/png".into(),
            },
        ],
    )
}

/// An assistant message: a text block (none when `text` is empty), then one tool call per
/// (id, name, input), in order.
pub(crate) fn assistant_calls(text: &str, calls: &[(&str, &str, Value)]) -> Message {
    let text = (!text.is_empty()).then(|| Content::text(text));
    let calls = calls.iter().map(|(id, name, input)| {
        Content::ToolCall(ToolCall::new(*id, *name, object(input.clone())))
    });
    Message::new(Role::Assistant, text.into_iter().chain(calls))
}

/// A result of tool call `id` with no content, only structured content `value`.
pub(crate) fn structured_result(id: &str, value: Value) -> ToolResult {
    ToolResult {
        content: Vec::new(),
        structured: Some(value),
        ..ToolResult::text(id, "")
    }
}

/// The tools `add` (two required integers, with a description) and `lookup` (no
/// description, no properties).
pub(crate) fn add_and_lookup_tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            "add",
            Some("Add two integers.".into()),
            object(json!({
                "type": "object",
                "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                "required": ["a", "b"]
            })),
        ),
        ToolSpec::new(
            "lookup",
            None,
            object(json!({"type": "object", "properties": {}})),
        ),
    ]
}

/// The JSON object `value` (which must be one).
pub(crate) fn object(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

// ---- Reading results -------------------------------------------------------------------

/// The texts of the result's text blocks, in order.
pub(crate) fn text_of(result: &LlmResponse) -> Vec<String> {
    result
        .message
        .content
        .iter()
        .filter_map(|b| b.as_text().map(str::to_owned))
        .collect()
}

/// The result's tool calls, in order, as (id, name, input).
pub(crate) fn tool_uses(result: &LlmResponse) -> Vec<(String, String, Value)> {
    result
        .message
        .tool_calls()
        .into_iter()
        .map(|t| {
            (
                t.id.clone(),
                t.name.clone(),
                Value::Object(t.arguments.clone()),
            )
        })
        .collect()
}

/// Calls the handler once per request, in order; every call must succeed.
pub(crate) async fn answers(
    handler: &impl SamplingHandler,
    requests: impl IntoIterator<Item = LlmRequest>,
) -> Vec<LlmResponse> {
    let mut results = Vec::new();
    for params in requests {
        results.push(call(handler, params).await.unwrap());
    }
    results
}

/// The stop reason of each result, by its MCP name.
pub(crate) fn stop_reasons(results: &[LlmResponse]) -> Vec<String> {
    results
        .iter()
        .map(|r| r.stop_reason.as_str().to_owned())
        .collect()
}

// ---- Checks both handlers share --------------------------------------------------------

/// Sends a request with a tool and `auto`, one with a tool and `none`, and one with
/// `required` but no tool; returns the `tool_choice` each request carried (`null` if none).
pub(crate) async fn tool_choices_sent(
    handler: &impl SamplingHandler,
    server: &MockServer,
) -> Vec<Value> {
    let tool = ToolSpec::new(
        "t",
        Some("A tool.".into()),
        object(json!({"type": "object"})),
    );
    for choice in [ToolChoice::Auto, ToolChoice::None] {
        let params = hello()
            .with_tools(vec![tool.clone()])
            .with_tool_choice(choice);
        call(handler, params).await.unwrap();
    }
    call(handler, hello().with_tool_choice(ToolChoice::Required))
        .await
        .unwrap();
    sent(server, "tool_choice").await
}

/// Checks that the handler, whose server first fails and then answers `text`, answers
/// `text` after one retry.
pub(crate) async fn assert_recovers(
    handler: &impl SamplingHandler,
    server: &MockServer,
    text: &str,
) {
    let result = call(handler, hello()).await.unwrap();
    assert_eq!(text_of(&result), [text]);
    assert_eq!(requests(server).await.len(), 2);
}

/// Calls the handler with [`hello`], which must fail after exactly `attempts` requests;
/// returns the error.
pub(crate) async fn failure(
    handler: &impl SamplingHandler,
    server: &MockServer,
    attempts: usize,
) -> HandlerError {
    let err = call(handler, hello()).await.unwrap_err();
    assert_eq!(requests(server).await.len(), attempts, "{err}");
    err
}

/// Checks that `err` is a provider error with this HTTP status and provider error type.
pub(crate) fn assert_provider_error(err: &HandlerError, status: u16, error_type: Option<&str>) {
    assert_eq!(
        err.kind(),
        &HandlerErrorKind::Provider {
            status: Some(status),
            error_type: error_type.map(str::to_owned)
        },
        "{err}"
    );
}

/// Calls the handler `count` times, checking that each call fails with an
/// `InvalidResponse`; returns the error messages.
pub(crate) async fn invalid_response_messages(
    handler: &impl SamplingHandler,
    count: usize,
) -> Vec<String> {
    let mut messages = Vec::new();
    for _ in 0..count {
        let err = call(handler, hello()).await.unwrap_err();
        assert_eq!(err.kind(), &HandlerErrorKind::InvalidResponse, "{err}");
        messages.push(err.message().to_owned());
    }
    messages
}

/// Checks that the handler, whose server answers too late, fails with a `Timeout` after one
/// request: timeouts are not retried.
pub(crate) async fn assert_times_out(handler: &impl SamplingHandler, server: &MockServer) {
    let err = failure(handler, server, 1).await;
    assert_eq!(err.kind(), &HandlerErrorKind::Timeout, "{err}");
}

/// Checks that each request fails with an `InvalidRequest` whose message contains its
/// needle, and that none of them reached the server. The requests of
/// [`refused_by_every_handler`] are checked first.
pub(crate) async fn assert_refused_before_sending<'a>(
    handler: &impl SamplingHandler,
    server: &MockServer,
    cases: impl IntoIterator<Item = (LlmRequest, &'a str)>,
) {
    for (params, needle) in refused_by_every_handler().into_iter().chain(cases) {
        let err = call(handler, params).await.unwrap_err();
        assert_eq!(err.kind(), &HandlerErrorKind::InvalidRequest, "{err}");
        assert!(err.message().contains(needle), "{err}");
    }
    assert!(requests(server).await.is_empty());
}

/// Checks at compile time that the handler can be shared across tasks and servers, and
/// stored as a `dyn SamplingHandler`.
pub(crate) fn assert_shareable<H: SamplingHandler + Send + Sync + Clone + 'static>(handler: H) {
    let _: Arc<dyn SamplingHandler> = Arc::new(handler);
}

// ---- Redirects -------------------------------------------------------------------------

/// The redirect statuses a provider might answer with.
pub(crate) const REDIRECTS: [u16; 5] = [301, 302, 303, 307, 308];

/// A provider whose `POST {endpoint}` answers with a redirect `status` to the same path on a
/// second local server, which would answer anything (so a followed redirect would succeed):
/// returns `(origin, elsewhere)`.
pub(crate) async fn redirecting_provider(endpoint: &str, status: u16) -> (MockServer, MockServer) {
    let elsewhere = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&elsewhere)
        .await;
    let target = format!("{}{endpoint}", elsewhere.uri());
    let origin = mock_provider(
        endpoint,
        [ResponseTemplate::new(status).insert_header("location", target.as_str())],
    )
    .await;
    (origin, elsewhere)
}

/// Calls the handler on a redirecting provider for each redirect status: each call fails
/// with a clear error after one request, and the second server receives nothing (neither the
/// key nor the body leaves the origin).
pub(crate) async fn assert_redirects_are_not_followed<H: SamplingHandler>(
    endpoint: &str,
    handler: impl Fn(&MockServer) -> H,
) {
    for status in REDIRECTS {
        let (origin, elsewhere) = redirecting_provider(endpoint, status).await;
        let err = failure(&handler(&origin), &origin, 1).await;
        assert_provider_error(&err, status, None);
        assert!(
            err.message()
                .contains(&format!("answered with a redirect (HTTP {status})")),
            "{err}"
        );
        assert!(
            err.message().contains("redirects are not followed"),
            "{err}"
        );
        assert!(
            requests(&elsewhere).await.is_empty(),
            "HTTP {status}: the second server received a request"
        );
    }
}
