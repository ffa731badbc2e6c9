//! The OpenAI-compatible handler against a local mock server: the exact JSON it sends for each
//! mapping, the responses it reads back, retries, timeouts and errors, and a full typed loop.

mod provider_support;

use std::time::Duration;

use provider_support::*;
use rmcp_sampling::handler::HandlerErrorKind;
use rmcp_sampling::message::{ToolChoice, ToolSpec};
use rmcp_sampling::providers::{MaxTokensField, OpenAiHandler, OpenAiHandlerBuilder};
use rmcp_sampling::{
    Content, LlmRequest, Message, Role, Sampler, SamplingHandler, SamplingTool, StopReason,
    ToolError, ToolResult,
};
use serde_json::{Value, json};
use wiremock::{MockServer, ResponseTemplate};

// ---- Helpers ---------------------------------------------------------------------------

/// A server answering `POST /v1/chat/completions` with `responses` in order.
async fn server(responses: impl IntoIterator<Item = ResponseTemplate>) -> MockServer {
    mock_provider("/v1/chat/completions", responses).await
}

fn builder(server: &MockServer) -> OpenAiHandlerBuilder {
    OpenAiHandler::builder("gpt-test")
        .base_url(format!("{}/v1", server.uri()))
        .api_key("sk-test")
        .timeout(TIMEOUT)
        .retry_policy(quick_retries())
}

fn handler(server: &MockServer) -> OpenAiHandler {
    builder(server).build().unwrap()
}

fn completion(message: Value, finish_reason: &str) -> ResponseTemplate {
    ok(json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "gpt-test-2025-01-01",
        "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
    }))
}

fn text_completion(text: &str) -> ResponseTemplate {
    completion(
        json!({"role": "assistant", "content": text, "refusal": null}),
        "stop",
    )
}

// ---- Request mapping -------------------------------------------------------------------

#[tokio::test]
async fn text_request_maps_prompt_options_and_headers() {
    let server = server([text_completion("Hi there")]).await;
    let params = hello()
        .with_system_prompt("Be brief.")
        .with_temperature(0.25)
        .with_stop_sequences(["END", "\n\n"]);
    let result = call(&handler(&server), params).await.unwrap();

    assert_eq!(
        bodies(&server).await,
        vec![json!({
            "model": "gpt-test",
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Hello"}
            ],
            "max_tokens": 64,
            "temperature": 0.25,
            "stop": ["END", "\n\n"]
        })]
    );
    let request = &requests(&server).await[0];
    assert_eq!(request.headers["authorization"], "Bearer sk-test");
    assert_eq!(request.headers["content-type"], "application/json");

    assert_eq!(result.message.role, Role::Assistant);
    assert_eq!(result.model, "gpt-test-2025-01-01");
    assert_eq!(result.stop_reason, StopReason::EndTurn);
    assert_eq!(text_of(&result), ["Hi there"]);
}

#[tokio::test]
async fn no_api_key_means_no_authorization_header() {
    let server = server([text_completion("ok")]).await;
    let handler = OpenAiHandler::builder("llama3.2")
        .base_url(format!("{}/v1/", server.uri()))
        .build()
        .unwrap();
    call(&handler, hello()).await.unwrap();
    let request = &requests(&server).await[0];
    assert!(request.headers.get("authorization").is_none());
    assert_eq!(request.url.path(), "/v1/chat/completions");
}

#[tokio::test]
async fn multi_turn_with_images_tools_and_results() {
    let server = server([text_completion("done")]).await;
    let messages = vec![
        picture_question(),
        assistant_calls(
            "A cat. Let me add.",
            &[
                ("call_a", "add", json!({"a": 1, "b": 2})),
                ("call_b", "lookup", json!({})),
            ],
        ),
        Message::tool_results([
            ToolResult::text("call_a", "3"),
            ToolResult::error("call_b", "no such key"),
        ]),
        assistant_calls("", &[("call_c", "lookup", json!({"key": "x"}))]),
        Message::tool_results([ToolResult::error("call_c", "Error executing tool 'lookup'")]),
    ];
    let params = LlmRequest::new(messages, 100)
        .with_tools(add_and_lookup_tools())
        .with_tool_choice(ToolChoice::Required);
    call(&handler(&server), params).await.unwrap();

    assert_eq!(
        bodies(&server).await,
        vec![json!({
            "model": "gpt-test",
            "messages": [
                {"role": "user", "content": [
                    {"type": "text", "text": "What is in this picture? Then add 1 and 2."},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}
                ]},
                {"role": "assistant", "content": "A cat. Let me add.", "tool_calls": [
                    {"id": "call_a", "type": "function", "function": {"name": "add", "arguments": "{\"a\":1,\"b\":2}"}},
                    {"id": "call_b", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
                ]},
                {"role": "tool", "tool_call_id": "call_a", "content": "3"},
                {"role": "tool", "tool_call_id": "call_b", "content": "Error: no such key"},
                {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "call_c", "type": "function", "function": {"name": "lookup", "arguments": "{\"key\":\"x\"}"}}
                ]},
                {"role": "tool", "tool_call_id": "call_c", "content": "Error executing tool 'lookup'"}
            ],
            "max_tokens": 100,
            "tools": [
                {"type": "function", "function": {
                    "name": "add",
                    "description": "Add two integers.",
                    "parameters": {
                        "type": "object",
                        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                        "required": ["a", "b"]
                    }
                }},
                {"type": "function", "function": {
                    "name": "lookup",
                    "parameters": {"type": "object", "properties": {}}
                }}
            ],
            "tool_choice": "required"
        })]
    );
}

#[tokio::test]
async fn tool_choice_modes_and_no_tool_choice_without_tools() {
    let server = server([text_completion("ok")]).await;
    let choices = tool_choices_sent(&handler(&server), &server).await;
    assert_eq!(choices, [json!("auto"), json!("none"), Value::Null]);
}

#[tokio::test]
async fn model_hints_select_a_configured_model() {
    let server = server([text_completion("ok")]).await;
    let handler = builder(&server)
        .models(["gpt-4o", "o3-mini"])
        .build()
        .unwrap();
    call(&handler, hinted(&["claude-3", "o3"])).await.unwrap();
    call(&handler, hinted(&["GPT-4O"])).await.unwrap();
    call(&handler, hinted(&["llama"])).await.unwrap();
    let any = builder(&server).any_hinted_model(true).build().unwrap();
    call(&any, hinted(&["llama3.2"])).await.unwrap();
    assert_eq!(
        sent(&server, "model").await,
        [
            json!("o3-mini"),
            json!("gpt-4o"),
            json!("gpt-test"),
            json!("llama3.2")
        ]
    );
}

#[tokio::test]
async fn max_completion_tokens_when_asked() {
    let server = server([text_completion("ok")]).await;
    let handler = builder(&server)
        .max_tokens_field(MaxTokensField::MaxCompletionTokens)
        .build()
        .unwrap();
    call(&handler, hello()).await.unwrap();
    let body = &bodies(&server).await[0];
    assert_eq!(body["max_completion_tokens"], 64);
    assert!(body.get("max_tokens").is_none(), "{body}");
}

#[tokio::test]
async fn strict_mode_rewrites_schemas() {
    let server = server([text_completion("ok")]).await;
    let handler = builder(&server).strict(true).build().unwrap();
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "days": {"type": "integer", "format": "uint32", "minimum": 0, "default": 1},
            "unit": {"type": "string", "enum": ["c", "f"]},
            "place": {"$ref": "#/$defs/Place"},
            "tags": {"type": ["array", "null"], "items": {"type": "string"}}
        },
        "required": ["city"],
        "$defs": {
            "Place": {
                "type": "object",
                "properties": {"lat": {"type": "number", "format": "double"}, "note": {"oneOf": [{"type": "string"}, {"type": "integer"}]}},
                "required": ["lat"]
            }
        }
    });
    let map_schema = json!({
        "type": "object",
        "properties": {"scores": {"type": "object", "additionalProperties": {"type": "integer"}}},
        "required": ["scores"]
    });
    let params = hello().with_tools(vec![
        ToolSpec::new("weather", Some("Weather.".into()), object(schema)),
        ToolSpec::new("scores", Some("Scores.".into()), object(map_schema.clone())),
    ]);
    call(&handler, params).await.unwrap();
    let body = &bodies(&server).await[0];
    assert_eq!(
        body["tools"][0]["function"],
        json!({
            "name": "weather",
            "description": "Weather.",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "days": {"type": ["integer", "null"], "minimum": 0},
                    "unit": {"type": ["string", "null"], "enum": ["c", "f", null]},
                    "place": {"anyOf": [{"$ref": "#/$defs/Place"}, {"type": "null"}]},
                    "tags": {"type": ["array", "null"], "items": {"type": "string"}}
                },
                "required": ["city", "days", "unit", "place", "tags"],
                "$defs": {
                    "Place": {
                        "type": "object",
                        "properties": {
                            "lat": {"type": "number"},
                            "note": {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}
                        },
                        "required": ["lat", "note"],
                        "additionalProperties": false
                    }
                },
                "additionalProperties": false
            },
            "strict": true
        })
    );
    // A map cannot be strict: that tool goes as a normal one, its schema untouched.
    assert_eq!(
        body["tools"][1]["function"],
        json!({"name": "scores", "description": "Scores.", "parameters": map_schema})
    );
}

#[tokio::test]
async fn tool_results_with_several_blocks_and_structured_content() {
    let server = server([text_completion("ok")]).await;
    let params = LlmRequest::new(
        vec![
            assistant_calls(
                "",
                &[("call_1", "read", json!({})), ("call_2", "sum", json!({}))],
            ),
            Message::tool_results([
                ToolResult {
                    content: vec![Content::text("File:"), Content::text("buy milk")],
                    ..ToolResult::text("call_1", "")
                },
                structured_result("call_2", json!({"total": 3})),
            ]),
        ],
        10,
    );
    call(&handler(&server), params).await.unwrap();
    let body = &bodies(&server).await[0];
    assert_eq!(
        body["messages"].as_array().unwrap()[1..],
        [
            json!({"role": "tool", "tool_call_id": "call_1", "content": "File:\nbuy milk"}),
            json!({"role": "tool", "tool_call_id": "call_2", "content": "{\"total\":3}"}),
        ]
    );
}

// ---- Response mapping ------------------------------------------------------------------

#[tokio::test]
async fn parallel_tool_calls_become_tool_use_blocks() {
    let server = server([completion(
        json!({
            "role": "assistant",
            "content": null,
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "add", "arguments": "{\"a\":1,\"b\":2}"}},
                {"id": "call_2", "type": "function", "function": {"name": "now", "arguments": ""}}
            ]
        }),
        "tool_calls",
    )])
    .await;
    let result = call(&handler(&server), hello()).await.unwrap();
    assert_eq!(result.stop_reason, StopReason::ToolUse);
    assert_eq!(result.message.role, Role::Assistant);
    assert!(text_of(&result).is_empty());
    assert_eq!(
        tool_uses(&result),
        [
            ("call_1".into(), "add".into(), json!({"a": 1, "b": 2})),
            ("call_2".into(), "now".into(), json!({})),
        ]
    );
}

#[tokio::test]
async fn tool_calls_with_stop_finish_reason_and_no_id_still_mean_tool_use() {
    // Some compatible servers say "stop" and omit ids.
    let server = server([completion(
        json!({"role": "assistant", "content": "Let me check.", "tool_calls": [
            {"function": {"name": "now", "arguments": {"tz": "UTC"}}}
        ]}),
        "stop",
    )])
    .await;
    let result = call(&handler(&server), hello()).await.unwrap();
    assert_eq!(result.stop_reason, StopReason::ToolUse);
    assert_eq!(text_of(&result), ["Let me check."]);
    assert_eq!(
        tool_uses(&result),
        [("call_0".into(), "now".into(), json!({"tz": "UTC"}))]
    );
}

#[tokio::test]
async fn finish_reasons_map_to_stop_reasons() {
    let server = server([
        completion(json!({"role": "assistant", "content": "Once upon a"}), "length"),
        ok(json!({
            "model": "vllm-model",
            "choices": [{"message": {"role": "assistant", "content": "a b"}, "finish_reason": "stop", "stop_reason": "END"}]
        })),
        completion(json!({"role": "assistant", "content": null, "refusal": "I can't help with that."}), "stop"),
        completion(json!({"role": "assistant", "content": ""}), "content_filter"),
    ])
    .await;
    let params = [
        hello(),
        hello().with_stop_sequences(["END"]),
        hello(),
        hello(),
    ];
    let results = answers(&handler(&server), params).await;
    assert_eq!(
        stop_reasons(&results),
        ["maxTokens", "stopSequence", "endTurn", "content_filter"]
    );
    assert_eq!(text_of(&results[0]), ["Once upon a"]);
    assert_eq!(results[1].model, "vllm-model");
    assert_eq!(text_of(&results[2]), ["I can't help with that."]);
    assert_eq!(text_of(&results[3]), [""]);
}

// ---- Retries ---------------------------------------------------------------------------

#[tokio::test]
async fn rate_limit_is_retried_after_retry_after() {
    let limited = ResponseTemplate::new(429)
        .insert_header("retry-after", "0")
        .set_body_json(json!({"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}}));
    let server = server([limited, text_completion("finally")]).await;
    assert_recovers(&handler(&server), &server, "finally").await;
}

#[tokio::test]
async fn rate_limit_with_retry_after_one_second() {
    let limited = ResponseTemplate::new(429).insert_header("retry-after", "1");
    let server = server([limited, text_completion("later")]).await;
    assert_recovers(&handler(&server), &server, "later").await;
}

#[tokio::test]
async fn server_error_is_retried() {
    let server = server([ResponseTemplate::new(500), text_completion("recovered")]).await;
    assert_recovers(&handler(&server), &server, "recovered").await;
}

#[tokio::test]
async fn retries_are_bounded() {
    let unavailable = ResponseTemplate::new(503).set_body_json(
        json!({"error": {"message": "The server is overloaded", "type": "server_error"}}),
    );
    let server = server([unavailable]).await;
    let err = failure(&handler(&server), &server, 3).await;
    assert_provider_error(&err, 503, Some("server_error"));
    assert!(err.message().contains("The server is overloaded"), "{err}");
    assert!(err.message().contains("gave up after 2 retries"), "{err}");
}

// ---- Errors ----------------------------------------------------------------------------

#[tokio::test]
async fn client_errors_keep_the_provider_message_and_are_not_retried() {
    let bad = ResponseTemplate::new(400).set_body_json(json!({
        "error": {
            "message": "Invalid 'messages[0].content': string too long.",
            "type": "invalid_request_error",
            "param": "messages[0].content",
            "code": "string_above_max_length"
        }
    }));
    let server = server([bad]).await;
    let err = failure(&handler(&server), &server, 1).await;
    assert_provider_error(&err, 400, Some("invalid_request_error"));
    assert!(
        err.message()
            .contains("Invalid 'messages[0].content': string too long."),
        "{err}"
    );
    assert!(err.message().contains("400"), "{err}");
}

#[tokio::test]
async fn ollama_style_error_string() {
    let server = server([ResponseTemplate::new(404)
        .set_body_json(json!({"error": "model \"llama9\" not found, try pulling it first"}))])
    .await;
    let err = failure(&handler(&server), &server, 1).await;
    assert_provider_error(&err, 404, None);
    assert!(
        err.message().contains("model \"llama9\" not found"),
        "{err}"
    );
}

#[tokio::test]
async fn malformed_bodies_are_invalid_responses() {
    let server = server([
        ResponseTemplate::new(200).set_body_string("<html>gateway</html>"),
        ok(json!({"model": "m", "choices": []})),
        ok(json!({"model": "m", "choices": [{"finish_reason": "stop"}]})),
        ok(json!({"model": "m", "choices": [{"message": {"content": 42}, "finish_reason": "stop"}]})),
    ])
    .await;
    let messages = invalid_response_messages(&handler(&server), 4).await;
    assert!(messages[0].contains("gateway"), "{}", messages[0]);
    assert!(messages[1].contains("no choices"), "{}", messages[1]);
    assert!(messages[2].contains("message"), "{}", messages[2]);
    assert!(messages[3].contains("42"), "{}", messages[3]);
}

#[tokio::test]
async fn malformed_tool_arguments_are_a_clear_error() {
    let call_with = |arguments: &str| {
        completion(
            json!({"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "add", "arguments": arguments}}
            ]}),
            "tool_calls",
        )
    };
    // 600 kB of arguments: the errors quote a short prefix of them.
    let huge_broken = format!("{{\"a\": \"{}", "x".repeat(600_000));
    let huge_array = format!("[{}1]", "1, ".repeat(200_000));
    let server = server([
        call_with("{\"a\": 1,"),
        call_with("[1, 2]"),
        call_with(&huge_broken),
        call_with(&huge_array),
    ])
    .await;
    let handler = handler(&server);
    let err = call(&handler, hello()).await.unwrap_err();
    assert_eq!(err.kind(), &HandlerErrorKind::InvalidResponse);
    assert!(
        err.message().contains("\"add\"") && err.message().contains("not valid JSON"),
        "{err}"
    );
    let err = call(&handler, hello()).await.unwrap_err();
    assert_eq!(err.kind(), &HandlerErrorKind::InvalidResponse);
    assert!(err.message().contains("not a JSON object"), "{err}");
    for expected in ["not valid JSON", "not a JSON object"] {
        let err = call(&handler, hello()).await.unwrap_err();
        assert!(err.message().contains(expected), "{err}");
        assert!(err.message().contains("…"), "{err}");
        assert!(err.message().len() < 1_000, "{} bytes", err.message().len());
    }
}

#[tokio::test]
async fn a_slow_server_times_out() {
    let server = server([text_completion("too late").set_delay(Duration::from_secs(3))]).await;
    let handler = builder(&server)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    assert_times_out(&handler, &server).await;
}

#[tokio::test]
async fn an_unreachable_server_is_a_transport_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let handler = OpenAiHandler::builder("m")
        .base_url(format!("http://127.0.0.1:{port}/v1"))
        .build()
        .unwrap();
    let err = call(&handler, hello()).await.unwrap_err();
    assert_eq!(err.kind(), &HandlerErrorKind::Transport, "{err}");
    assert!(err.message().contains(&port.to_string()), "{err}");
}

#[tokio::test]
async fn content_the_api_cannot_take_is_an_invalid_request() {
    let server = server([text_completion("never")]).await;
    let image = || Content::Image {
        data: "iVBOR".into(),
        mime_type: "image/png".into(),
    };
    let image_result = tool_result_holding(image());
    let assistant_image = lone_block(Role::Assistant, image());
    let cases = [(image_result, "image"), (assistant_image, "image")];
    assert_refused_before_sending(&handler(&server), &server, cases).await;
}

#[tokio::test]
async fn bad_configuration_is_reported_at_build() {
    let err = OpenAiHandler::builder("m")
        .base_url("not a url")
        .build()
        .unwrap_err();
    assert!(err.message().contains("base URL"), "{err}");
    let err = OpenAiHandler::builder("m")
        .base_url("ftp://x")
        .build()
        .unwrap_err();
    assert!(err.message().contains("http"), "{err}");
    let err = OpenAiHandler::builder(" ").build().unwrap_err();
    assert!(err.message().contains("model"), "{err}");
    let err = OpenAiHandler::builder("m")
        .api_key("bad\nkey")
        .build()
        .unwrap_err();
    assert!(err.message().contains("API key"), "{err}");
    assert!(!err.message().contains("bad\nkey"), "{err}");
    // The key never shows in debug output.
    let handler = OpenAiHandler::builder("m")
        .api_key("sk-secret")
        .build()
        .unwrap();
    assert!(!format!("{handler:?}").contains("sk-secret"));
}

#[tokio::test]
async fn cancellation_stops_the_request() {
    let server = server([text_completion("late").set_delay(Duration::from_secs(3))]).await;
    let handler = builder(&server)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let cx = cx();
    cx.cancellation.cancel();
    let err = handler.create_message(hello(), cx).await.unwrap_err();
    assert!(err.message().contains("cancelled"), "{err}");
}

// ---- The whole loop through the handler --------------------------------------------------

#[tokio::test]
async fn typed_loop_end_to_end() {
    let server = server([
        completion(
            json!({"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "add", "arguments": "{\"a\":2,\"b\":3}"}},
                {"id": "call_2", "type": "function", "function": {"name": "add", "arguments": "{\"a\":10,\"b\":-4}"}}
            ]}),
            "tool_calls",
        ),
        completion(
            json!({"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_3", "type": "function", "function": {"name": "final_response", "arguments": "{\"value\":11}"}}
            ]}),
            "tool_calls",
        ),
    ])
    .await;

    #[derive(serde::Deserialize, schemars::JsonSchema)]
    struct Add {
        a: i64,
        b: i64,
    }
    let add = SamplingTool::from_fn("add", |args: Add| async move {
        args.a.checked_add(args.b).ok_or(ToolError::new("overflow"))
    })
    .with_description("Add two integers.");

    let sampler = Sampler::with_handler(handler(&server)).always();
    let out = sampler
        .standalone()
        .system_prompt("Use the tools.")
        .tools([add])
        .sample::<i64>("What is (2 + 3) + (10 - 4)?")
        .await
        .unwrap();
    assert_eq!(out.result, 11);

    let bodies = bodies(&server).await;
    assert_eq!(bodies.len(), 2);
    let tool_names: Vec<&str> = bodies[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert!(
        tool_names.contains(&"add") && tool_names.contains(&"final_response"),
        "{tool_names:?}"
    );
    assert_eq!(bodies[0]["tool_choice"], "required");
    // The second request carries the calls and both results, in order.
    let messages = bodies[1]["messages"].as_array().unwrap();
    assert_eq!(
        messages[0],
        json!({"role": "system", "content": "Use the tools."})
    );
    assert_eq!(
        messages[1],
        json!({"role": "user", "content": "What is (2 + 3) + (10 - 4)?"})
    );
    assert_eq!(messages[2]["tool_calls"].as_array().unwrap().len(), 2);
    assert_eq!(
        messages[3],
        json!({"role": "tool", "tool_call_id": "call_1", "content": "5"})
    );
    assert_eq!(
        messages[4],
        json!({"role": "tool", "tool_call_id": "call_2", "content": "6"})
    );
    assert_eq!(messages.len(), 5);
}

#[tokio::test]
async fn text_loop_end_to_end_reports_provider_errors() {
    let server = server([ResponseTemplate::new(401).set_body_json(
        json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}}),
    )])
    .await;
    let sampler = Sampler::with_handler(handler(&server)).always();
    let err = sampler.standalone().sample_text("hi").await.unwrap_err();
    assert!(
        err.to_string().contains("Incorrect API key provided"),
        "{err}"
    );
}

#[test]
fn handler_is_shareable() {
    assert_shareable(OpenAiHandler::builder("m").build().unwrap());
}

#[tokio::test]
async fn redirects_are_refused_and_nothing_leaves_the_origin() {
    assert_redirects_are_not_followed("/v1/chat/completions", handler).await;
}
