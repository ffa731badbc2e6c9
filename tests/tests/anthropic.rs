//! The Anthropic Messages handler against a local mock server: the exact JSON it sends for each
//! mapping, the responses it reads back, retries, timeouts and errors, and a full typed loop.

mod provider_support;

use std::time::Duration;

use provider_support::*;
use rmcp_sampling::message::ToolChoice;
use rmcp_sampling::providers::{AnthropicHandler, AnthropicHandlerBuilder};
use rmcp_sampling::{
    Content, LlmRequest, Message, Role, Sampler, SamplingTool, StopReason, ToolResult,
};
use serde_json::{Value, json};
use wiremock::{MockServer, ResponseTemplate};

// ---- Helpers ---------------------------------------------------------------------------

/// A server answering `POST /v1/messages` with `responses` in order.
async fn server(responses: impl IntoIterator<Item = ResponseTemplate>) -> MockServer {
    mock_provider("/v1/messages", responses).await
}

fn builder(server: &MockServer) -> AnthropicHandlerBuilder {
    AnthropicHandler::builder("claude-test")
        .base_url(server.uri())
        .api_key("sk-ant-test")
        .timeout(TIMEOUT)
        .retry_policy(quick_retries())
}

fn handler(server: &MockServer) -> AnthropicHandler {
    builder(server).build().unwrap()
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

// ---- Request mapping -------------------------------------------------------------------

#[tokio::test]
async fn text_request_maps_prompt_options_and_headers() {
    let server = server([text_message("Hi there")]).await;
    let params = hello()
        .with_system_prompt("Be brief.")
        .with_temperature(0.5)
        .with_stop_sequences(["END"]);
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
    let request = &requests(&server).await[0];
    assert_eq!(request.headers["x-api-key"], "sk-ant-test");
    assert_eq!(request.headers["anthropic-version"], "2023-06-01");
    assert_eq!(request.headers["content-type"], "application/json");
    assert!(request.headers.get("authorization").is_none());

    assert_eq!(result.message.role, Role::Assistant);
    assert_eq!(result.model, "claude-test-20250101");
    assert_eq!(result.stop_reason, StopReason::EndTurn);
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
    let request = &requests(&server).await[0];
    assert_eq!(request.headers["anthropic-version"], "2099-01-01");
    assert_eq!(request.headers["anthropic-beta"], "some-feature");
}

#[tokio::test]
async fn multi_turn_with_images_tools_and_results() {
    let server = server([text_message("done")]).await;
    let messages = vec![
        picture_question(),
        assistant_calls(
            "A cat. Let me add.",
            &[
                ("toolu_a", "add", json!({"a": 1, "b": 2})),
                ("toolu_b", "shot", json!({})),
            ],
        ),
        Message::tool_results([
            ToolResult::text("toolu_a", "3"),
            ToolResult {
                content: vec![
                    Content::text("here:"),
                    Content::Image {
                        data: "R0lGOD".into(),
                        mime_type: "image/gif".into(),
                    },
                ],
                ..ToolResult::text("toolu_b", "")
            },
        ]),
        assistant_calls("", &[("toolu_c", "lookup", json!({"key": "x"}))]),
        Message::tool_results([ToolResult::error("toolu_c", "no such key")]),
        // An empty assistant text (e.g. an earlier empty answer) is dropped: the API refuses it.
        Message::assistant(""),
        Message::user("Go on."),
    ];
    let params = LlmRequest::new(messages, 1024)
        .with_tools(add_and_lookup_tools())
        .with_tool_choice(ToolChoice::Required);
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
    let choices = tool_choices_sent(&handler(&server), &server).await;
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
    call(&handler, hinted(&["gpt-4o", "haiku"])).await.unwrap();
    call(&handler, hinted(&["claude-opus-4-1"])).await.unwrap();
    call(&handler, hinted(&["sonnet"])).await.unwrap();
    assert_eq!(
        sent(&server, "model").await,
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
    let params = LlmRequest::new(
        vec![
            assistant_calls(
                "",
                &[
                    ("toolu_1", "ping", json!({})),
                    ("toolu_2", "sum", json!({})),
                ],
            ),
            Message::tool_results([
                ToolResult::text("toolu_1", ""),
                structured_result("toolu_2", json!({"total": 3})),
            ]),
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
    assert_eq!(result.stop_reason, StopReason::ToolUse);
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
    let results = answers(&handler(&server), [hello(), hello(), hello()]).await;
    assert_eq!(
        stop_reasons(&results),
        ["maxTokens", "stopSequence", "refusal"]
    );
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
    assert_recovers(&handler(&server), &server, "finally").await;
}

#[tokio::test]
async fn rate_limit_with_retry_after_one_second() {
    let limited = error(429, "rate_limit_error", "slow down").insert_header("retry-after", "1");
    let server = server([limited, text_message("later")]).await;
    assert_recovers(&handler(&server), &server, "later").await;
}

#[tokio::test]
async fn overloaded_is_retried() {
    let server = server([
        error(529, "overloaded_error", "Overloaded"),
        text_message("ok now"),
    ])
    .await;
    assert_recovers(&handler(&server), &server, "ok now").await;
}

#[tokio::test]
async fn server_error_is_retried() {
    let server = server([
        error(500, "api_error", "Internal server error"),
        text_message("recovered"),
    ])
    .await;
    assert_recovers(&handler(&server), &server, "recovered").await;
}

#[tokio::test]
async fn retries_are_bounded() {
    let server = server([error(529, "overloaded_error", "Overloaded")]).await;
    let handler = builder(&server).max_retries(1).build().unwrap();
    let err = failure(&handler, &server, 2).await;
    assert_provider_error(&err, 529, Some("overloaded_error"));
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
    let err = failure(&handler(&server), &server, 1).await;
    assert_provider_error(&err, 400, Some("invalid_request_error"));
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
        // 600 kB of input: the error quotes a short prefix of it.
        message(
            json!([{"type": "tool_use", "id": "toolu_2", "name": "add", "input": "x".repeat(600_000)}]),
            "tool_use",
        ),
    ])
    .await;
    let messages = invalid_response_messages(&handler(&server), 5).await;
    assert!(messages[4].contains("not a JSON object"), "{}", messages[4]);
    assert!(messages[4].contains("…"), "{}", messages[4]);
    assert!(messages[4].len() < 1_000, "{} bytes", messages[4].len());
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
    assert_times_out(&handler, &server).await;
}

#[tokio::test]
async fn content_the_api_cannot_take_is_an_invalid_request() {
    let server = server([text_message("never")]).await;
    let audio_result = tool_result_holding(Content::Audio {
        data: "AAAA".into(),
        mime_type: "audio/wav".into(),
    });
    let cases = [(audio_result, "audio")];
    assert_refused_before_sending(&handler(&server), &server, cases).await;
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
    let handler = AnthropicHandler::builder("m")
        .api_key("sk-ant-secret")
        .build()
        .unwrap();
    assert!(!format!("{handler:?}").contains("sk-ant-secret"));
    assert_shareable(handler);
}

#[tokio::test]
async fn redirects_are_refused_and_nothing_leaves_the_origin() {
    assert_redirects_are_not_followed("/v1/messages", handler).await;
}
