//! The Anthropic Messages handler against a local mock server: the exact JSON it sends for each
//! mapping, the responses it reads back, retries, timeouts and errors, and a full typed loop.
#![allow(deprecated)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp_sampling::providers::{AnthropicHandler, AnthropicHandlerBuilder, RetryPolicy};
use rmcp_sampling::rmcp::model::{
    AudioContent, ContentBlock, CreateMessageRequestParams, CreateMessageResult, ImageContent,
    JsonObject, ModelHint, ModelPreferences, Role, SamplingMessage, SamplingMessageContentBlock,
    Tool, ToolChoice, ToolResultContent,
};
use rmcp_sampling::{
    HandlerContext, HandlerError, HandlerErrorKind, Sampler, SamplingHandler, SamplingTool, Side,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

// ---- Helpers ---------------------------------------------------------------------------

/// Answers with the given responses in order, repeating the last one.
struct Sequence(Mutex<VecDeque<ResponseTemplate>>);

impl Sequence {
    fn new(responses: impl IntoIterator<Item = ResponseTemplate>) -> Self {
        Self(Mutex::new(responses.into_iter().collect()))
    }
}

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

/// A server answering `POST /v1/messages` with `responses` in order.
async fn server(responses: impl IntoIterator<Item = ResponseTemplate>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .respond_with(Sequence::new(responses))
        .mount(&server)
        .await;
    server
}

fn builder(server: &MockServer) -> AnthropicHandlerBuilder {
    AnthropicHandler::builder("claude-test")
        .base_url(server.uri())
        .api_key("sk-ant-test")
        .timeout(Duration::from_millis(500))
        .retry_policy(RetryPolicy::new(2).with_initial_backoff(Duration::from_millis(1)))
}

fn handler(server: &MockServer) -> AnthropicHandler {
    builder(server).build().unwrap()
}

fn cx() -> HandlerContext {
    HandlerContext::new(Side::Test, Default::default())
}

async fn bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.body_json().unwrap())
        .collect()
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn message(content: Value, stop_reason: &str) -> ResponseTemplate {
    ok(json!({
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-test-20250101",
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": null,
        "usage": {"input_tokens": 10, "output_tokens": 5}
    }))
}

fn text_message(text: &str) -> ResponseTemplate {
    message(json!([{"type": "text", "text": text}]), "end_turn")
}

fn error(status: u16, kind: &str, text: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "type": "error",
        "error": {"type": kind, "message": text},
        "request_id": "req_01"
    }))
}

fn hello() -> CreateMessageRequestParams {
    CreateMessageRequestParams::new(vec![SamplingMessage::user_text("Hello")], 64)
}

fn object(value: Value) -> JsonObject {
    value.as_object().unwrap().clone()
}

fn text_of(result: &CreateMessageResult) -> Vec<String> {
    result
        .message
        .content
        .iter()
        .filter_map(|b| b.as_text().map(|t| t.text.clone()))
        .collect()
}

fn tool_uses(result: &CreateMessageResult) -> Vec<(String, String, Value)> {
    result
        .message
        .content
        .iter()
        .filter_map(|b| b.as_tool_use())
        .map(|t| (t.id.clone(), t.name.clone(), Value::Object(t.input.clone())))
        .collect()
}

async fn call(
    handler: &AnthropicHandler,
    params: CreateMessageRequestParams,
) -> Result<CreateMessageResult, HandlerError> {
    handler.create_message(params, cx()).await
}

// ---- Request mapping -------------------------------------------------------------------

#[tokio::test]
async fn text_request_maps_prompt_options_and_headers() {
    let server = server([text_message("Hi there")]).await;
    let params = hello()
        .with_system_prompt("Be brief.")
        .with_temperature(0.5)
        .with_stop_sequences(vec!["END".into()]);
    let result = call(&handler(&server), params).await.unwrap();

    assert_eq!(
        bodies(&server).await,
        vec![json!({
            "model": "claude-test",
            "max_tokens": 64,
            "system": "Be brief.",
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Hello"}]}],
            "temperature": 0.5,
            "stop_sequences": ["END"]
        })]
    );
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(request.headers["x-api-key"], "sk-ant-test");
    assert_eq!(request.headers["anthropic-version"], "2023-06-01");
    assert_eq!(request.headers["content-type"], "application/json");
    assert!(request.headers.get("authorization").is_none());

    assert_eq!(result.message.role, Role::Assistant);
    assert_eq!(result.model, "claude-test-20250101");
    assert_eq!(result.stop_reason.as_deref(), Some("endTurn"));
    assert_eq!(text_of(&result), ["Hi there"]);
}

#[tokio::test]
async fn version_header_and_extra_headers_are_configurable() {
    let server = server([text_message("ok")]).await;
    let handler = builder(&server)
        .version("2099-01-01")
        .header("anthropic-beta", "some-feature")
        .build()
        .unwrap();
    call(&handler, hello()).await.unwrap();
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(request.headers["anthropic-version"], "2099-01-01");
    assert_eq!(request.headers["anthropic-beta"], "some-feature");
}

#[tokio::test]
async fn multi_turn_with_images_tools_and_results() {
    let server = server([text_message("done")]).await;
    let messages = vec![
        SamplingMessage::new_multiple(
            Role::User,
            vec![
                SamplingMessageContentBlock::text("What is in this picture? Then add 1 and 2."),
                SamplingMessageContentBlock::Image(ImageContent::new("iVBORw0KGgo=", "image/png")),
            ],
        ),
        SamplingMessage::new_multiple(
            Role::Assistant,
            vec![
                SamplingMessageContentBlock::text("A cat. Let me add."),
                SamplingMessageContentBlock::tool_use(
                    "toolu_a",
                    "add",
                    object(json!({"a": 1, "b": 2})),
                ),
                SamplingMessageContentBlock::tool_use("toolu_b", "shot", object(json!({}))),
            ],
        ),
        SamplingMessage::new_multiple(
            Role::User,
            vec![
                SamplingMessageContentBlock::tool_result("toolu_a", vec![ContentBlock::text("3")]),
                SamplingMessageContentBlock::tool_result(
                    "toolu_b",
                    vec![
                        ContentBlock::text("here:"),
                        ContentBlock::image("R0lGOD", "image/gif"),
                    ],
                ),
            ],
        ),
        SamplingMessage::assistant_tool_use("toolu_c", "lookup", object(json!({"key": "x"}))),
        SamplingMessage::new_multiple(
            Role::User,
            vec![SamplingMessageContentBlock::ToolResult(
                ToolResultContent::error("toolu_c", vec![ContentBlock::text("no such key")]),
            )],
        ),
        // An empty assistant text (e.g. an earlier empty answer) is dropped: the API refuses it.
        SamplingMessage::assistant_text(""),
        SamplingMessage::user_text("Go on."),
    ];
    let tools = vec![
        Tool::new(
            "add",
            "Add two integers.",
            object(json!({
                "type": "object",
                "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                "required": ["a", "b"]
            })),
        ),
        Tool::new_with_raw(
            "lookup",
            None,
            object(json!({"type": "object", "properties": {}})),
        ),
    ];
    let params = CreateMessageRequestParams::new(messages, 1024)
        .with_tools(tools)
        .with_tool_choice(ToolChoice::required());
    call(&handler(&server), params).await.unwrap();

    assert_eq!(
        bodies(&server).await,
        vec![json!({
            "model": "claude-test",
            "max_tokens": 1024,
            "messages": [
                {"role": "user", "content": [
                    {"type": "text", "text": "What is in this picture? Then add 1 and 2."},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}
                ]},
                {"role": "assistant", "content": [
                    {"type": "text", "text": "A cat. Let me add."},
                    {"type": "tool_use", "id": "toolu_a", "name": "add", "input": {"a": 1, "b": 2}},
                    {"type": "tool_use", "id": "toolu_b", "name": "shot", "input": {}}
                ]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_a", "content": [{"type": "text", "text": "3"}]},
                    {"type": "tool_result", "tool_use_id": "toolu_b", "content": [
                        {"type": "text", "text": "here:"},
                        {"type": "image", "source": {"type": "base64", "media_type": "image/gif", "data": "R0lGOD"}}
                    ]}
                ]},
                {"role": "assistant", "content": [
                    {"type": "tool_use", "id": "toolu_c", "name": "lookup", "input": {"key": "x"}}
                ]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_c", "content": [{"type": "text", "text": "no such key"}], "is_error": true}
                ]},
                {"role": "user", "content": [{"type": "text", "text": "Go on."}]}
            ],
            "tools": [
                {
                    "name": "add",
                    "description": "Add two integers.",
                    "input_schema": {
                        "type": "object",
                        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                        "required": ["a", "b"]
                    }
                },
                {"name": "lookup", "input_schema": {"type": "object", "properties": {}}}
            ],
            "tool_choice": {"type": "any"}
        })]
    );
}

#[tokio::test]
async fn tool_choice_modes_and_no_tool_choice_without_tools() {
    let server = server([text_message("ok")]).await;
    let handler = handler(&server);
    let tool = Tool::new("t", "A tool.", object(json!({"type": "object"})));
    for choice in [ToolChoice::auto(), ToolChoice::none()] {
        let params = hello()
            .with_tools(vec![tool.clone()])
            .with_tool_choice(choice);
        call(&handler, params).await.unwrap();
    }
    call(&handler, hello().with_tool_choice(ToolChoice::required()))
        .await
        .unwrap();
    let choices: Vec<Value> = bodies(&server)
        .await
        .iter()
        .map(|b| b.get("tool_choice").cloned().unwrap_or(Value::Null))
        .collect();
    assert_eq!(
        choices,
        [
            json!({"type": "auto"}),
            json!({"type": "none"}),
            Value::Null
        ]
    );
}

#[tokio::test]
async fn model_hints_select_a_configured_model() {
    let server = server([text_message("ok")]).await;
    let handler = builder(&server)
        .models(["claude-opus-4-1", "claude-3-5-haiku-latest"])
        .build()
        .unwrap();
    let hinted = |names: &[&str]| {
        hello().with_model_preferences(
            ModelPreferences::new().with_hints(names.iter().map(|n| ModelHint::new(*n)).collect()),
        )
    };
    call(&handler, hinted(&["gpt-4o", "haiku"])).await.unwrap();
    call(&handler, hinted(&["claude-opus-4-1"])).await.unwrap();
    call(&handler, hinted(&["sonnet"])).await.unwrap();
    let models: Vec<Value> = bodies(&server)
        .await
        .iter()
        .map(|b| b["model"].clone())
        .collect();
    assert_eq!(
        models,
        [
            json!("claude-3-5-haiku-latest"),
            json!("claude-opus-4-1"),
            json!("claude-test")
        ]
    );
}

#[tokio::test]
async fn tool_results_without_content_or_with_structured_content() {
    let server = server([text_message("ok")]).await;
    let mut structured = ToolResultContent::new("toolu_2", vec![]);
    structured.structured_content = Some(json!({"total": 3}));
    let params = CreateMessageRequestParams::new(
        vec![
            SamplingMessage::new_multiple(
                Role::Assistant,
                vec![
                    SamplingMessageContentBlock::tool_use("toolu_1", "ping", JsonObject::new()),
                    SamplingMessageContentBlock::tool_use("toolu_2", "sum", JsonObject::new()),
                ],
            ),
            SamplingMessage::new_multiple(
                Role::User,
                vec![
                    SamplingMessageContentBlock::tool_result(
                        "toolu_1",
                        vec![ContentBlock::text("")],
                    ),
                    SamplingMessageContentBlock::ToolResult(structured),
                ],
            ),
        ],
        10,
    );
    call(&handler(&server), params).await.unwrap();
    assert_eq!(
        bodies(&server).await[0]["messages"][1],
        json!({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1"},
            {"type": "tool_result", "tool_use_id": "toolu_2", "content": [{"type": "text", "text": "{\"total\":3}"}]}
        ]})
    );
}

// ---- Response mapping ------------------------------------------------------------------

#[tokio::test]
async fn parallel_tool_use_blocks_and_skipped_thinking() {
    let server = server([message(
        json!([
            {"type": "thinking", "thinking": "The user wants sums.", "signature": "abc"},
            {"type": "text", "text": "I'll add both."},
            {"type": "tool_use", "id": "toolu_1", "name": "add", "input": {"a": 1, "b": 2}},
            {"type": "tool_use", "id": "toolu_2", "name": "add", "input": {"a": 3, "b": 4}}
        ]),
        "tool_use",
    )])
    .await;
    let result = call(&handler(&server), hello()).await.unwrap();
    assert_eq!(result.stop_reason.as_deref(), Some("toolUse"));
    assert_eq!(result.message.role, Role::Assistant);
    assert_eq!(text_of(&result), ["I'll add both."]);
    assert_eq!(
        tool_uses(&result),
        [
            ("toolu_1".into(), "add".into(), json!({"a": 1, "b": 2})),
            ("toolu_2".into(), "add".into(), json!({"a": 3, "b": 4})),
        ]
    );
    assert_eq!(result.message.content.len(), 3);
}

#[tokio::test]
async fn stop_reasons_map() {
    let server = server([
        message(
            json!([{"type": "text", "text": "Once upon a"}]),
            "max_tokens",
        ),
        ok(json!({
            "id": "msg_2", "type": "message", "role": "assistant", "model": "claude-x",
            "content": [{"type": "text", "text": "a b"}],
            "stop_reason": "stop_sequence", "stop_sequence": "END"
        })),
        message(json!([]), "refusal"),
    ])
    .await;
    let handler = handler(&server);
    let results = [
        call(&handler, hello()).await.unwrap(),
        call(&handler, hello()).await.unwrap(),
        call(&handler, hello()).await.unwrap(),
    ];
    let reasons: Vec<_> = results
        .iter()
        .map(|r| r.stop_reason.clone().unwrap())
        .collect();
    assert_eq!(reasons, ["maxTokens", "stopSequence", "refusal"]);
    assert_eq!(text_of(&results[0]), ["Once upon a"]);
    assert_eq!(results[1].model, "claude-x");
    assert_eq!(text_of(&results[2]), [""]);
}

// ---- Retries ---------------------------------------------------------------------------

#[tokio::test]
async fn rate_limit_is_retried_after_retry_after() {
    let limited = error(
        429,
        "rate_limit_error",
        "Number of request tokens has exceeded your limit.",
    )
    .insert_header("retry-after", "0");
    let server = server([limited, text_message("finally")]).await;
    let result = call(&handler(&server), hello()).await.unwrap();
    assert_eq!(text_of(&result), ["finally"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn rate_limit_with_retry_after_one_second() {
    let limited = error(429, "rate_limit_error", "slow down").insert_header("retry-after", "1");
    let server = server([limited, text_message("later")]).await;
    let result = call(&handler(&server), hello()).await.unwrap();
    assert_eq!(text_of(&result), ["later"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn overloaded_is_retried() {
    let server = server([
        error(529, "overloaded_error", "Overloaded"),
        text_message("ok now"),
    ])
    .await;
    let result = call(&handler(&server), hello()).await.unwrap();
    assert_eq!(text_of(&result), ["ok now"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn server_error_is_retried() {
    let server = server([
        error(500, "api_error", "Internal server error"),
        text_message("recovered"),
    ])
    .await;
    let result = call(&handler(&server), hello()).await.unwrap();
    assert_eq!(text_of(&result), ["recovered"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn retries_are_bounded() {
    let server = server([error(529, "overloaded_error", "Overloaded")]).await;
    let handler = builder(&server).max_retries(1).build().unwrap();
    let err = call(&handler, hello()).await.unwrap_err();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    assert_eq!(
        err.kind(),
        &HandlerErrorKind::Provider {
            status: Some(529),
            error_type: Some("overloaded_error".into())
        }
    );
    assert!(err.message().contains("Overloaded"), "{err}");
    assert!(err.message().contains("gave up after 1 retry"), "{err}");
}

// ---- Errors ----------------------------------------------------------------------------

#[tokio::test]
async fn client_errors_keep_type_and_message_and_are_not_retried() {
    let server = server([error(
        400,
        "invalid_request_error",
        "messages.0.content.0.text: text content blocks must be non-empty",
    )])
    .await;
    let err = call(&handler(&server), hello()).await.unwrap_err();
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert_eq!(
        err.kind(),
        &HandlerErrorKind::Provider {
            status: Some(400),
            error_type: Some("invalid_request_error".into())
        }
    );
    assert!(
        err.message()
            .contains("messages.0.content.0.text: text content blocks must be non-empty"),
        "{err}"
    );
    assert!(err.message().contains("invalid_request_error"), "{err}");
}

#[tokio::test]
async fn malformed_bodies_are_invalid_responses() {
    let server = server([
        ResponseTemplate::new(200).set_body_string("{\"type\": \"message\", \"content\": [tru"),
        ok(json!({"type": "message", "model": "m", "stop_reason": "end_turn"})),
        message(
            json!([{"type": "tool_use", "id": "toolu_1", "name": "add", "input": [1, 2]}]),
            "tool_use",
        ),
        message(
            json!([{"type": "tool_use", "id": "", "name": "add", "input": {}}]),
            "tool_use",
        ),
    ])
    .await;
    let handler = handler(&server);
    let mut messages = Vec::new();
    for _ in 0..4 {
        let err = call(&handler, hello()).await.unwrap_err();
        assert_eq!(err.kind(), &HandlerErrorKind::InvalidResponse, "{err}");
        messages.push(err.message().to_owned());
    }
    assert!(messages[0].contains("cannot be read"), "{}", messages[0]);
    assert!(messages[1].contains("content"), "{}", messages[1]);
    assert!(
        messages[2].contains("\"add\"") && messages[2].contains("not a JSON object"),
        "{}",
        messages[2]
    );
    assert!(messages[3].contains("without an id"), "{}", messages[3]);
}

#[tokio::test]
async fn a_slow_server_times_out() {
    let server = server([text_message("too late").set_delay(Duration::from_secs(3))]).await;
    let handler = builder(&server)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = call(&handler, hello()).await.unwrap_err();
    assert_eq!(err.kind(), &HandlerErrorKind::Timeout, "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn content_the_api_cannot_take_is_an_invalid_request() {
    let server = server([text_message("never")]).await;
    let handler = handler(&server);
    let audio = CreateMessageRequestParams::new(
        vec![SamplingMessage::new(
            Role::User,
            SamplingMessageContentBlock::Audio(AudioContent::new("AAAA", "audio/wav")),
        )],
        10,
    );
    let audio_result = CreateMessageRequestParams::new(
        vec![
            SamplingMessage::assistant_tool_use("c1", "record", JsonObject::new()),
            SamplingMessage::user_tool_result("c1", vec![ContentBlock::audio("AAAA", "audio/wav")]),
        ],
        10,
    );
    let misplaced = CreateMessageRequestParams::new(
        vec![SamplingMessage::new(
            Role::User,
            SamplingMessageContentBlock::tool_use("c1", "x", JsonObject::new()),
        )],
        10,
    );
    for (params, needle) in [
        (audio, "audio"),
        (audio_result, "audio"),
        (misplaced, "tool_use"),
    ] {
        let err = call(&handler, params).await.unwrap_err();
        assert_eq!(err.kind(), &HandlerErrorKind::InvalidRequest, "{err}");
        assert!(err.message().contains(needle), "{err}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

// ---- The whole loop through the handler --------------------------------------------------

/// The weather in a city.
#[rmcp_sampling::structured_result]
#[derive(Debug, PartialEq)]
struct Weather {
    /// The city.
    city: String,
    /// Degrees Celsius.
    celsius: i64,
}

#[tokio::test]
async fn typed_loop_end_to_end() {
    let server = server([
        message(
            json!([{"type": "tool_use", "id": "toolu_1", "name": "temperature", "input": {"city": "Oslo"}}]),
            "tool_use",
        ),
        message(
            json!([{"type": "tool_use", "id": "toolu_2", "name": "final_response", "input": {"city": "Oslo", "celsius": 4}}]),
            "tool_use",
        ),
    ])
    .await;

    #[derive(serde::Deserialize, schemars::JsonSchema)]
    struct City {
        city: String,
    }
    let temperature = SamplingTool::from_fn("temperature", |args: City| async move {
        if args.city == "Oslo" {
            Ok(4)
        } else {
            Err(format!("unknown city {}", args.city))
        }
    })
    .with_description("The temperature in a city, in degrees Celsius.");

    let sampler = Sampler::with_handler(handler(&server)).always();
    let out = sampler
        .standalone()
        .tools([temperature])
        .sample::<Weather>("Weather in Oslo?")
        .await
        .unwrap();
    assert_eq!(
        out.result,
        Weather {
            city: "Oslo".into(),
            celsius: 4
        }
    );

    let bodies = bodies(&server).await;
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0]["tool_choice"], json!({"type": "any"}));
    assert_eq!(
        bodies[1]["messages"],
        json!([
            {"role": "user", "content": [{"type": "text", "text": "Weather in Oslo?"}]},
            {"role": "assistant", "content": [
                {"type": "tool_use", "id": "toolu_1", "name": "temperature", "input": {"city": "Oslo"}}
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": [{"type": "text", "text": "4"}]}
            ]}
        ])
    );
}

#[test]
fn handler_is_shareable() {
    fn assert_traits<T: Send + Sync + Clone + 'static>() {}
    assert_traits::<AnthropicHandler>();
    let handler = AnthropicHandler::builder("m")
        .api_key("sk-ant-secret")
        .build()
        .unwrap();
    assert!(!format!("{handler:?}").contains("sk-ant-secret"));
    let _: Arc<dyn SamplingHandler> = Arc::new(handler);
}
