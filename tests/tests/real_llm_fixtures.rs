//! The OpenAI-compatible handler and the loop against exchanges recorded from a real
//! llama.cpp `llama-server` (Gemma 3 270M, `scripts/real-llm.sh`): the responses are replayed
//! by a mock server, as the server sent them, and the requests checked against the recording.
//!
//! Recordings (`tests/fixtures/real-llm/`): a typed loop of two rounds (a tool call, then
//! `final_response`); a response cut by the token limit in the middle of its fifth parallel
//! tool call; text answers to `tool_choice: required` requests, one of them cut by the limit;
//! a `final_response` sent beside the tool call whose result it needed (and contradicts); a
//! text loop whose `required` requests the model answered in text until its last request.

#[allow(dead_code)] // shared with the handler tests; this file uses a few
mod provider_support;

use provider_support::*;
use rmcp_sampling::control::{FinalResponseWithTools, TruncatedAnswer};
use rmcp_sampling::message::{StopReason, ToolChoice};
use rmcp_sampling::providers::OpenAiHandler;
use rmcp_sampling::{
    SampleError, SampleErrorKind, Sampler, Step, ToolError, sampling_tool, structured_result,
};
use serde_json::{Value, json};
use wiremock::MockServer;

/// One recorded exchange: what the handler sent and what the server answered.
struct Exchange {
    request: Value,
    response: Value,
}

fn recording(json: &str) -> Vec<Exchange> {
    let entries: Vec<Value> = serde_json::from_str(json).expect("a recording is valid JSON");
    entries
        .into_iter()
        .map(|mut entry| Exchange {
            request: entry["request"].take(),
            response: entry["response"].take(),
        })
        .collect()
}

fn typed_loop() -> Vec<Exchange> {
    recording(include_str!(
        "../fixtures/real-llm/wire-typed-loop-two-rounds.json"
    ))
}

fn truncated_parallel_calls() -> Exchange {
    recording(include_str!(
        "../fixtures/real-llm/wire-truncated-parallel-toolcalls.json"
    ))
    .remove(0)
}

fn required_not_forced() -> Vec<Exchange> {
    recording(include_str!(
        "../fixtures/real-llm/wire-required-not-forced.json"
    ))
}

fn final_response_beside_tool_call() -> Exchange {
    recording(include_str!(
        "../fixtures/real-llm/wire-final-response-beside-tool-call.json"
    ))
    .remove(0)
}

fn required_text_loop() -> Vec<Exchange> {
    recording(include_str!(
        "../fixtures/real-llm/wire-required-text-loop.json"
    ))
}

/// A mock llama-server answering with these recorded responses in order.
async fn llama_server(responses: impl IntoIterator<Item = Value>) -> MockServer {
    mock_provider("/v1/chat/completions", responses.into_iter().map(ok)).await
}

fn gemma(server: &MockServer) -> Sampler {
    let handler = OpenAiHandler::builder("gemma-3-270m")
        .base_url(format!("{}/v1", server.uri()))
        .timeout(TIMEOUT)
        .retry_policy(quick_retries())
        .build()
        .unwrap();
    Sampler::with_handler(handler).always()
}

/// Look up today's weather for a city.
#[sampling_tool]
fn lookup_weather(
    /// The city's name, e.g. "Paris".
    city: String,
) -> Result<String, ToolError> {
    match city.as_str() {
        "Oslo" => Ok("Oslo: -3 °C, snow, wind 20 km/h".into()),
        other => Err(ToolError::new(format!("no weather for {other:?}"))),
    }
}

/// A weather report.
#[structured_result]
#[derive(Debug, PartialEq)]
struct Report {
    /// The city.
    city: String,
    /// The temperature in degrees Celsius.
    temperature_c: i32,
    /// True when it rains or snows.
    precipitation: bool,
}

/// One LLM call offering `lookup_weather`, its tools not run.
async fn one_step(sampler: &Sampler) -> Result<Step, SampleError> {
    sampler
        .standalone()
        .tools([lookup_weather_tool()])
        .execute_tools(false)
        .sample_step(QUESTION)
        .await
}

/// Asserts that `message` mentions each of `needles`.
fn assert_mentions(message: &str, needles: &[&str]) {
    for needle in needles {
        assert!(
            message.contains(needle),
            "{needle:?} missing from: {message}"
        );
    }
}

const SYSTEM: &str = "You are a weather assistant. First call lookup_weather for the city, then \
                      call final_response with the report.";
const QUESTION: &str = "Give me the weather report for Oslo.";

/// The messages of a recorded request without its few-shot example (the system prompt and the
/// messages from the last user question on).
fn without_few_shot(request: &Value) -> Vec<Value> {
    let messages = request["messages"].as_array().unwrap();
    let question = messages.iter().rposition(|m| m["role"] == "user").unwrap();
    std::iter::once(messages[0].clone())
        .chain(messages[question..].iter().cloned())
        .collect()
}

#[tokio::test]
async fn recorded_typed_loop_runs_its_two_rounds_as_recorded() {
    let recorded = typed_loop();
    let server = llama_server(recorded.iter().map(|e| e.response.clone())).await;
    let done = gemma(&server)
        .standalone()
        .system_prompt(SYSTEM)
        .temperature(0.0)
        .max_tokens(120)
        .stop_sequences(["</tool_call>"])
        .tools([lookup_weather_tool()])
        .sample::<Report>(QUESTION)
        .await
        .unwrap();
    assert_eq!(
        done.result,
        Report {
            city: "Oslo".into(),
            temperature_c: -3,
            precipitation: false
        }
    );

    // The usage llama.cpp reported, per step and in total.
    assert_eq!(done.model, "gemma-3-270m");
    assert_eq!((done.usage.llm_calls, done.usage.tool_calls), (2, 1));
    let tokens = done.usage.tokens.unwrap();
    assert_eq!(
        (tokens.input_tokens, tokens.output_tokens),
        (601 + 688, 30 + 43)
    );
    assert_eq!(tokens.cached_input_tokens, Some(596 + 630));
    assert_eq!(done.usage.steps[0].stop_reason, StopReason::ToolUse);

    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 2);
    for (ours, theirs) in sent.iter().zip(&recorded) {
        for field in ["model", "max_tokens", "temperature", "stop", "tool_choice"] {
            assert_eq!(ours[field], theirs.request[field], "{field}");
        }
        // The tool the LLM saw is the recorded one, schema and all.
        assert_eq!(ours["tools"][0], theirs.request["tools"][0]);
        assert_eq!(ours["tools"][1]["function"]["name"], "final_response");
        assert_eq!(
            ours["messages"].as_array().unwrap(),
            &without_few_shot(&theirs.request)
        );
    }
    // The tool's result went back with the server's own call id.
    assert_eq!(
        sent[1]["messages"].as_array().unwrap().last().unwrap(),
        &json!({"role": "tool", "tool_call_id": "A1m0NlhFsQIcCG05qY98uyFxoYe0QPUi",
                "content": "Oslo: -3 °C, snow, wind 20 km/h"})
    );
}

#[tokio::test]
async fn recorded_truncated_parallel_calls_keep_the_complete_ones() {
    let recorded = truncated_parallel_calls();
    assert_eq!(recorded.response["choices"][0]["finish_reason"], "length");
    let server = llama_server([recorded.response.clone()]).await;
    let sampler = gemma(&server);

    // One step: four complete calls, the fifth (cut mid-JSON) dropped, `maxTokens` reported.
    let step = sampler
        .standalone()
        .max_tokens(200)
        .tools([lookup_weather_tool()])
        .execute_tools(false)
        .sample_step(QUESTION)
        .await
        .unwrap();
    assert_eq!(step.response.stop_reason, StopReason::MaxTokens);
    let names: Vec<&str> = step.tool_calls().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "lookup_weather",
            "final_response",
            "final_response",
            "final_response"
        ]
    );

    // Told to accept a final_response beside other calls, the typed loop takes the first
    // valid one instead of failing on the cut call.
    let done = sampler
        .standalone()
        .max_tokens(200)
        .tools([lookup_weather_tool()])
        .on_final_response_with_tools(FinalResponseWithTools::Accept)
        .sample::<Report>(QUESTION)
        .await
        .unwrap();
    assert_eq!(done.result.city, "Oslo");
    assert_eq!(done.result.temperature_c, 31);
    assert_eq!(bodies(&server).await.len(), 2);
}

#[tokio::test]
async fn a_response_holding_only_a_cut_call_names_the_token_limit() {
    let mut response = truncated_parallel_calls().response;
    let calls = response["choices"][0]["message"]["tool_calls"]
        .as_array_mut()
        .unwrap();
    let cut = calls.pop().unwrap();
    *calls = vec![cut];
    let server = llama_server([response]).await;
    let err = gemma(&server)
        .standalone()
        .max_tokens(200)
        .tools([lookup_weather_tool()])
        .sample::<Report>(QUESTION)
        .await
        .unwrap_err();
    assert_mentions(
        &err.to_string(),
        &[
            "token limit",
            "max_tokens = 200",
            "finish_reason \"length\"",
            "final_response",
        ],
    );
}

#[tokio::test]
async fn a_malformed_call_in_a_complete_response_still_fails_clearly() {
    // The same cut call, but the server says it finished: nothing was cut by the limit, so
    // the response is broken and not silently repaired.
    let mut response = truncated_parallel_calls().response;
    response["choices"][0]["finish_reason"] = json!("tool_calls");
    let server = llama_server([response]).await;
    let err = one_step(&gemma(&server)).await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains("not valid JSON"), "{message}");
    assert!(!message.contains("token limit"), "{message}");
}

#[tokio::test]
async fn recorded_text_answers_to_required_requests_map_as_sent() {
    let recorded = required_not_forced();
    let server = llama_server(recorded.iter().map(|e| e.response.clone())).await;
    let sampler = gemma(&server);
    let mut stop_reasons = Vec::new();
    for _ in &recorded {
        let step = sampler
            .standalone()
            .tools([lookup_weather_tool()])
            .sample_step("What is the weather in Paris today?")
            .await
            .unwrap();
        assert!(!step.is_tool_use());
        stop_reasons.push(step.response.stop_reason.to_string());
    }
    assert_eq!(stop_reasons, ["endTurn", "maxTokens", "endTurn"]);
}

#[tokio::test]
async fn recorded_text_cut_by_the_token_limit_is_marked_or_refused() {
    let cut = required_not_forced().remove(1).response;
    assert_eq!(cut["choices"][0]["finish_reason"], "length");
    let server = llama_server([cut]).await;
    let sampler = gemma(&server);
    let done = sampler
        .standalone()
        .max_tokens(200)
        .sample_text("What is the weather in Paris today?")
        .await
        .unwrap();
    assert!(done.is_truncated());
    assert!(done.text.starts_with("It is 31 °C and sunny in Paris."));
    assert_eq!(done.usage.output_tokens(), 200);

    let err = sampler
        .standalone()
        .max_tokens(200)
        .on_truncated_answer(TruncatedAnswer::Fail)
        .sample_text("What is the weather in Paris today?")
        .await
        .unwrap_err();
    assert_mentions(&err.to_string(), &["token limit (max_tokens = 200)"]);
}

#[tokio::test]
async fn recorded_required_step_answered_in_text_is_nudged() {
    let recorded = required_not_forced();
    let call = typed_loop().remove(0).response;
    let server = llama_server([
        recorded[0].response.clone(),
        call,
        recorded[2].response.clone(),
    ])
    .await;
    let done = gemma(&server)
        .standalone()
        .tools([lookup_weather_tool()])
        .tool_choice(ToolChoice::Required)
        .sample_text("What is the weather in Paris today?")
        .await
        .unwrap();
    assert_eq!(done.text, "It is 31 °C and sunny in Paris.");
    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[1]["tool_choice"], "required");
    let nudge = sent[1]["messages"].as_array().unwrap().last().unwrap();
    assert_eq!(nudge["role"], "user");
    assert!(
        nudge["content"]
            .as_str()
            .is_some_and(|c| c.contains("requires a tool call")),
        "{nudge}"
    );
    assert_eq!(sent[2]["tool_choice"], "auto");
}

#[tokio::test]
async fn recorded_final_response_beside_its_tool_call_is_set_aside() {
    // The model called lookup_weather and, in the same reply, answered 31 °C: the tool says
    // -3 °C. The second reply is the model's recorded answer once it has seen that result
    // (from the two-round recording, same prompt).
    let beside = final_response_beside_tool_call();
    let names: Vec<&str> = beside.response["choices"][0]["message"]["tool_calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|call| call["function"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["lookup_weather", "final_response", "final_response"]
    );
    let answer = typed_loop().remove(1).response;
    let server = llama_server([beside.response.clone(), answer]).await;
    let done = gemma(&server)
        .standalone()
        .system_prompt(SYSTEM)
        .temperature(0.0)
        .max_tokens(120)
        .tools([lookup_weather_tool()])
        .sample::<Report>(QUESTION)
        .await
        .unwrap();
    assert_eq!(done.result.temperature_c, -3, "not the 31 °C given blind");
    assert_eq!(done.steps, 2);

    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[0]["messages"].as_array().unwrap(),
        &without_few_shot(&beside.request)
    );
    // The tool's result and, for each final_response, why it was not taken.
    let results: Vec<(&str, &str)> = sent[1]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| {
            (
                m["tool_call_id"].as_str().unwrap(),
                m["content"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(results.len(), 3, "{results:?}");
    assert_eq!(
        results[0],
        (
            "UlkHFK5X7tgCNmUyEe0aDwzhllnrfswP",
            "Oslo: -3 °C, snow, wind 20 km/h"
        )
    );
    for (id, (call_id, note)) in [
        "2mOlGRP9Ym67DP8s5SROQ2Ic0L063Lme",
        "xZlT0bkPS546dI11uiYuf6Wqu8XtmgbQ",
    ]
    .iter()
    .zip(&results[1..])
    {
        assert_eq!(call_id, id);
        assert_mentions(note, &["Not accepted", "call final_response again"]);
    }
}

#[tokio::test]
async fn recorded_text_loop_that_never_honours_required_fails_without_a_contradiction() {
    // Recorded with 4 requests at most: three `required` requests answered in text, then a
    // last one that sent `tool_choice: none` under a nudge saying a tool call is required.
    let recorded = required_text_loop();
    assert_eq!(recorded[3].request["tool_choice"], "none");
    let server = llama_server(recorded.iter().map(|e| e.response.clone())).await;
    let err = gemma(&server)
        .standalone()
        .system_prompt(
            "You are a weather assistant. Call lookup_weather, then answer in one sentence.",
        )
        .temperature(0.0)
        .max_tokens(120)
        .stop_sequences(["</tool_call>"])
        .tools([lookup_weather_tool()])
        .tool_choice(ToolChoice::Required)
        .max_iterations(4)
        .sample_text("What is the weather in Oslo?")
        .await
        .unwrap_err();
    let SampleErrorKind::NoToolCall { text } = err.kind() else {
        panic!("{err:?}");
    };
    assert_eq!(
        text,
        recorded[2].response["choices"][0]["message"]["content"]
            .as_str()
            .unwrap()
    );
    // The three requests that could be honoured went out as recorded; the contradictory last
    // one did not.
    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 3);
    for (ours, theirs) in sent.iter().zip(&recorded) {
        assert_eq!(ours["tool_choice"], "required");
        assert_eq!(ours["messages"], theirs.request["messages"]);
    }
}

// ---- parallel_tool_calls ----------------------------------------------------------------

#[tokio::test]
async fn parallel_tool_calls_is_sent_only_when_set_and_with_tools() {
    let recorded = typed_loop();
    let answer = recorded[1].response.clone();
    let server = llama_server([answer]).await;
    let handler = |parallel: Option<bool>| {
        let mut builder = OpenAiHandler::builder("gemma-3-270m")
            .base_url(format!("{}/v1", server.uri()))
            .timeout(TIMEOUT);
        if let Some(parallel) = parallel {
            builder = builder.parallel_tool_calls(parallel);
        }
        Sampler::with_handler(builder.build().unwrap()).always()
    };
    for parallel in [None, Some(false), Some(true)] {
        handler(parallel)
            .standalone()
            .tools([lookup_weather_tool()])
            .sample::<Report>(QUESTION)
            .await
            .unwrap();
    }
    // Without tools, never.
    let text_server = llama_server([required_not_forced().remove(0).response]).await;
    let no_tools = OpenAiHandler::builder("m")
        .base_url(format!("{}/v1", text_server.uri()))
        .parallel_tool_calls(false)
        .build()
        .unwrap();
    Sampler::with_handler(no_tools)
        .always()
        .standalone()
        .sample_text("hi")
        .await
        .unwrap();
    assert_eq!(
        sent(&server, "parallel_tool_calls").await,
        [Value::Null, json!(false), json!(true)]
    );
    assert_eq!(
        sent(&text_server, "parallel_tool_calls").await,
        [Value::Null]
    );
}

// ---- The same cut, from Anthropic's Messages API ----------------------------------------

fn claude(server: &MockServer) -> Sampler {
    let handler = rmcp_sampling::providers::AnthropicHandler::builder("claude-test")
        .base_url(server.uri())
        .api_key("sk-ant-test")
        .timeout(TIMEOUT)
        .retry_policy(quick_retries())
        .build()
        .unwrap();
    Sampler::with_handler(handler).always()
}

/// An Anthropic answer holding these blocks, stopped for `stop_reason`.
fn anthropic_answer(content: Value, stop_reason: &str) -> Value {
    json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test",
        "content": content, "stop_reason": stop_reason, "stop_sequence": null,
        "usage": {"input_tokens": 50, "output_tokens": 200,
                  "cache_creation_input_tokens": 10, "cache_read_input_tokens": 1000}
    })
}

#[tokio::test]
async fn anthropic_drops_a_tool_call_cut_by_max_tokens_and_keeps_the_rest() {
    let server = mock_provider(
        "/v1/messages",
        [ok(anthropic_answer(
            json!([
                {"type": "text", "text": "Looking it up."},
                {"type": "tool_use", "id": "toolu_1", "name": "lookup_weather", "input": {"city": "Oslo"}},
                {"type": "tool_use", "id": "toolu_2", "name": "final_response", "input": {"city": "Os"}}
            ]),
            "max_tokens",
        ))],
    )
    .await;
    let step = one_step(&claude(&server)).await.unwrap();
    assert_eq!(step.response.stop_reason, StopReason::MaxTokens);
    assert_eq!(step.text().as_deref(), Some("Looking it up."));
    let ids: Vec<&str> = step.tool_calls().iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["toolu_1"]);
    // Usage: Anthropic counts cache reads and writes apart from `input_tokens`.
    let usage = step.response.usage.unwrap();
    assert_eq!((usage.input_tokens, usage.output_tokens), (1060, 200));
    assert_eq!(usage.cached_input_tokens, Some(1000));
    assert_eq!(step.usage.input_tokens(), 1060);
}

#[tokio::test]
async fn anthropic_answer_holding_only_a_cut_call_names_the_token_limit() {
    let server = mock_provider(
        "/v1/messages",
        [ok(anthropic_answer(
            json!([{"type": "tool_use", "id": "toolu_1", "name": "lookup_weather", "input": {}}]),
            "max_tokens",
        ))],
    )
    .await;
    let err = claude(&server)
        .standalone()
        .max_tokens(30)
        .tools([lookup_weather_tool()])
        .sample_text(QUESTION)
        .await
        .unwrap_err();
    assert_mentions(
        &err.to_string(),
        &["token limit", "max_tokens = 30", "lookup_weather"],
    );
}
