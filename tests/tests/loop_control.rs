//! Usage, limits, truncation, required tool calls, output validators and step hooks:
//! on the handler channel (a scripted LLM) and on the client channel (the same LLM behind an
//! in-process MCP client, whose `sampling/createMessage` results carry no usage).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolRequestParams, ServerCapabilities, ServerConfig};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, tool, tool_handler, tool_router};
use rmcp_sampling::client::SamplingClient;
use rmcp_sampling::control::{TruncatedAnswer, UsageLimits};
use rmcp_sampling::message::{ToolChoice, Usage};
use rmcp_sampling::testing::{ScriptedLlm, connect_in_process, reply};
use rmcp_sampling::{
    LlmResponse, SampleErrorKind, SampleRequest, Sampler, StopReason, ToolError, structured_result,
};
use serde_json::{Value, json};

mod support;

use support::mcp::add_tool;

/// A temperature reading.
#[structured_result]
#[derive(Debug, PartialEq)]
struct Reading {
    /// Degrees Celsius.
    celsius: i32,
}

fn used(input: u64, output: u64) -> Usage {
    Usage::new(input, output)
}

fn with_usage(response: LlmResponse, input: u64, output: u64) -> LlmResponse {
    response.with_usage(used(input, output))
}

fn cut(mut response: LlmResponse) -> LlmResponse {
    response.stop_reason = StopReason::MaxTokens;
    response
}

fn sampler(llm: &ScriptedLlm) -> Sampler {
    Sampler::with_handler(llm.clone())
}

// ---- Usage -------------------------------------------------------------------------------

#[tokio::test]
async fn usage_is_reported_per_step_and_in_total() {
    let mut cached = used(100, 7);
    cached.cached_input_tokens = Some(90);
    let llm = ScriptedLlm::new()
        .then_result(with_usage(
            reply::tool_use("c1", "add", json!({"a": 1, "b": 2})),
            50,
            10,
        ))
        .then_result(
            reply::text("3")
                .with_model("bigger-model")
                .with_usage(cached),
        );
    let done = sampler(&llm)
        .standalone()
        .tools([add_tool()])
        .sample_text("1 + 2?")
        .await
        .unwrap();
    let usage = &done.usage;
    assert_eq!((usage.llm_calls, usage.tool_calls), (2, 1));
    let tokens = usage.tokens.unwrap();
    assert_eq!((tokens.input_tokens, tokens.output_tokens), (150, 17));
    assert_eq!(tokens.cached_input_tokens, Some(90));
    assert_eq!(usage.calls_without_usage, 0);
    assert_eq!(usage.steps.len(), 2);
    assert_eq!(usage.steps[0].tool_calls, 1);
    assert_eq!(usage.steps[0].stop_reason, StopReason::ToolUse);
    assert_eq!(usage.steps[1].model, "bigger-model");
    assert_eq!(usage.steps[1].tokens, Some(cached));
    assert_eq!(done.model, "bigger-model");
    assert_eq!(
        usage.to_string(),
        "2 LLM call(s), 1 tool call(s), 150 input and 17 output tokens"
    );
}

#[tokio::test]
async fn usage_the_llm_does_not_report_stays_unknown() {
    let llm = ScriptedLlm::new().then_text("hi");
    let done = sampler(&llm).standalone().sample_text("hi").await.unwrap();
    assert_eq!(done.usage.tokens, None);
    assert_eq!(done.usage.calls_without_usage, 1);
    assert_eq!(done.usage.steps[0].tokens, None);
    assert!(done.usage.to_string().ends_with("tokens unknown"));
}

#[tokio::test]
async fn errors_carry_the_usage_so_far() {
    let llm = ScriptedLlm::new()
        .then_result(with_usage(
            reply::tool_use("c1", "add", json!({"a": 1, "b": 2})),
            5,
            5,
        ))
        .then_error(rmcp_sampling::HandlerError::other("boom"));
    let err = sampler(&llm)
        .standalone()
        .tools([add_tool()])
        .sample_text("1 + 2?")
        .await
        .unwrap_err();
    assert_eq!(err.usage().llm_calls, 1);
    assert_eq!(err.usage().tool_calls, 1);
    assert_eq!(err.usage().input_tokens(), 5);
    assert_eq!(err.history().len(), 3);
}

// ---- Limits ------------------------------------------------------------------------------

#[tokio::test]
async fn the_llm_call_limit_forces_the_final_answer() {
    let llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 1, "b": 2}))
        .then_text("3");
    let done = sampler(&llm)
        .standalone()
        .tools([add_tool()])
        .usage_limits(UsageLimits::new().llm_calls(2))
        .sample_text("1 + 2?")
        .await
        .unwrap();
    assert_eq!(done.text, "3");
    let requests = llm.requests();
    assert_eq!(requests[0].tool_choice, None);
    assert_eq!(requests[1].tool_choice, Some(ToolChoice::None));

    // Typed: the last request offers only final_response; a call of another tool then fails.
    let llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 1, "b": 2}))
        .then_tool_use("add", json!({"a": 1, "b": 2}));
    let err = sampler(&llm)
        .standalone()
        .tools([add_tool()])
        .usage_limits(UsageLimits::new().llm_calls(2))
        .sample::<Reading>("how warm?")
        .await
        .unwrap_err();
    assert_eq!(llm.requests()[1].tool_names(), ["final_response"]);
    assert!(
        matches!(
            err.kind(),
            SampleErrorKind::UsageLimit {
                limit: "llm_calls",
                max: 2
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("limit of 2 llm calls"), "{err}");
    assert_eq!(err.usage().llm_calls, 2);
    assert_eq!(err.history().len(), 4);
}

#[tokio::test]
async fn the_tool_call_limit_is_checked_before_a_batch_runs() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = {
        let runs = runs.clone();
        rmcp_sampling::SamplingTool::from_fn("count", move |_: serde_json::Map<String, Value>| {
            let runs = runs.clone();
            async move { Ok::<_, ToolError>(runs.fetch_add(1, Ordering::SeqCst)) }
        })
    };
    let llm = ScriptedLlm::new()
        .then_tool_use("count", json!({}))
        .then_tool_uses([("count", json!({})), ("count", json!({}))])
        .then_text("counted");
    let done = sampler(&llm)
        .standalone()
        .tools([counted])
        .usage_limits(UsageLimits::new().tool_calls(2))
        .sample_text("count")
        .await
        .unwrap();
    assert_eq!(done.text, "counted");
    // The second batch (2 calls, 1 left) did not run: its calls got errors, and the next
    // request asked for the final answer.
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(done.usage.tool_calls, 1);
    let requests = llm.requests();
    let results = requests[2].tool_results();
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|r| r.is_error), "{results:?}");
    assert!(results[0].text_content().contains("limit of 2 tool calls"));
    assert_eq!(requests[2].tool_choice, Some(ToolChoice::None));
}

#[tokio::test]
async fn token_limits_stop_before_the_next_request() {
    let llm = ScriptedLlm::new()
        .then_result(with_usage(
            reply::tool_use("c1", "add", json!({"a": 1, "b": 2})),
            40,
            12,
        ))
        .then_text("3");
    let err = sampler(&llm)
        .standalone()
        .tools([add_tool()])
        .usage_limits(UsageLimits::new().output_tokens(10))
        .sample_text("1 + 2?")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.kind(),
            SampleErrorKind::UsageLimit {
                limit: "output_tokens",
                max: 10
            }
        ),
        "{err}"
    );
    assert_eq!(llm.request_count(), 1);
    assert_eq!(err.history().len(), 3, "the tool results are kept");
    assert!(err.to_string().contains("12 output tokens"), "{err}");
}

// ---- Truncation ----------------------------------------------------------------------------

#[tokio::test]
async fn a_truncated_text_answer_is_marked_retried_or_refused_as_asked() {
    let cut_answer = || cut(reply::text("Once upon a"));

    let llm = ScriptedLlm::new().then_result(cut_answer());
    let done = sampler(&llm)
        .standalone()
        .sample_text("story")
        .await
        .unwrap();
    assert!(done.is_truncated());
    assert_eq!(done.stop_reason, StopReason::MaxTokens);

    let llm = ScriptedLlm::new()
        .then_result(cut_answer())
        .then_text("A short story.");
    let done = sampler(&llm)
        .standalone()
        .max_tokens(20)
        .on_truncated_answer(TruncatedAnswer::Retry)
        .sample_text("story")
        .await
        .unwrap();
    assert!(!done.is_truncated());
    assert_eq!(done.text, "A short story.");
    let note = llm.requests()[1].last_text();
    assert!(
        note.contains("cut off by the token limit (20 tokens)"),
        "{note}"
    );

    let llm = ScriptedLlm::new()
        .then_result(cut_answer())
        .then_result(cut_answer());
    let err = sampler(&llm)
        .standalone()
        .result_retries(1)
        .on_truncated_answer(TruncatedAnswer::Retry)
        .sample_text("story")
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), SampleErrorKind::TruncatedAnswer { .. }),
        "{err}"
    );

    let llm = ScriptedLlm::new().then_result(cut_answer());
    let err = sampler(&llm)
        .standalone()
        .max_tokens(20)
        .on_truncated_answer(TruncatedAnswer::Fail)
        .sample_text("story")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("cut off by the token limit (max_tokens = 20): \"Once upon a\""),
        "{err}"
    );
}

#[tokio::test]
async fn a_cut_reply_with_tool_calls_runs_them_and_tells_the_llm() {
    let llm = ScriptedLlm::new()
        .then_result(cut(reply::tool_use("c1", "add", json!({"a": 1, "b": 2}))))
        .then_text("3");
    sampler(&llm)
        .standalone()
        .max_tokens(64)
        .tools([add_tool()])
        .sample_text("1 + 2?")
        .await
        .unwrap();
    let second = &llm.requests()[1];
    assert_eq!(second.tool_results()[0].text_content(), "3");
    assert!(
        second
            .last_text()
            .contains("cut off by the token limit (64 tokens)"),
        "{}",
        second.last_text()
    );
}

// ---- tool_choice: required ---------------------------------------------------------------

#[tokio::test]
async fn a_required_step_answered_in_text_is_nudged_and_asked_again() {
    let llm = ScriptedLlm::new()
        .then_text("It is 3.")
        .then_tool_use("add", json!({"a": 1, "b": 2}))
        .then_text("3");
    let done = sampler(&llm)
        .standalone()
        .tools([add_tool()])
        .tool_choice(ToolChoice::Required)
        .sample_text("1 + 2?")
        .await
        .unwrap();
    assert_eq!(done.text, "3");
    let requests = llm.requests();
    assert_eq!(requests[1].tool_choice, Some(ToolChoice::Required));
    assert!(requests[1].last_text().contains("requires a tool call"));
    assert_eq!(requests[2].tool_choice, Some(ToolChoice::Auto));

    let llm = ScriptedLlm::new().then_text("no").then_text("still no");
    let err = sampler(&llm)
        .standalone()
        .tools([add_tool()])
        .tool_choice(ToolChoice::Required)
        .text_nudges(1)
        .sample_text("1 + 2?")
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), SampleErrorKind::NoToolCall { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("\"still no\""), "{err}");
}

#[tokio::test]
async fn a_required_loop_out_of_turns_fails_instead_of_contradicting_its_nudge() {
    // Three requests at most, and an LLM that never calls a tool: the third, last request
    // would have to send `tool_choice: none` under a nudge that says a call is required.
    let llm = ScriptedLlm::new()
        .then_text("one")
        .then_text("two")
        .then_text("three");
    let err = sampler(&llm)
        .standalone()
        .tools([add_tool()])
        .tool_choice(ToolChoice::Required)
        .max_iterations(3)
        .sample_text("1 + 2?")
        .await
        .unwrap_err();
    let SampleErrorKind::NoToolCall { text } = err.kind() else {
        panic!("{err:?}");
    };
    assert_eq!(text, "two");
    // No request whose messages ask for a tool call while its tool_choice forbids one.
    let requests = llm.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.tool_choice, Some(ToolChoice::Required));
    }
    assert_eq!(err.usage().llm_calls, 2);

    // A last request with nothing pending still forces the text answer.
    let llm = ScriptedLlm::new().then_text("3");
    let done = sampler(&llm)
        .standalone()
        .tools([add_tool()])
        .tool_choice(ToolChoice::Required)
        .max_iterations(1)
        .sample_text("1 + 2?")
        .await
        .unwrap();
    assert_eq!(done.text, "3");
    assert_eq!(llm.requests()[0].tool_choice, Some(ToolChoice::None));
}

// ---- Validators ------------------------------------------------------------------------------

#[tokio::test]
async fn validators_send_the_llm_back_with_feedback() {
    let llm = ScriptedLlm::new()
        .then_tool_use("final_response", json!({"celsius": 900}))
        .then_tool_use("final_response", json!({"celsius": 21}));
    let done = sampler(&llm)
        .standalone()
        .validate(|reading: &Reading| {
            if reading.celsius < 100 {
                Ok(())
            } else {
                Err(format!("{} °C is not a room temperature", reading.celsius))
            }
        })
        .sample::<Reading>("how warm?")
        .await
        .unwrap();
    assert_eq!(done.result, Reading { celsius: 21 });
    let feedback = &llm.requests()[1].tool_results()[0];
    assert!(feedback.is_error);
    assert_eq!(feedback.text_content(), "900 °C is not a room temperature");

    // Counted against the result retries.
    let llm = ScriptedLlm::new().then_tool_use("final_response", json!({"celsius": 900}));
    let err = sampler(&llm)
        .standalone()
        .result_retries(0)
        .validate(|_: &Reading| Err("never".into()))
        .sample::<Reading>("how warm?")
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), SampleErrorKind::InvalidResult { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("never"), "{err}");
}

#[tokio::test]
async fn text_validators_check_the_answer() {
    let llm = ScriptedLlm::new().then_text("maybe").then_text("yes");
    let done = sampler(&llm)
        .standalone()
        .validate(|text: &String| {
            if text == "yes" || text == "no" {
                Ok(())
            } else {
                Err("Answer yes or no.".into())
            }
        })
        // A validator of another type does not compile (tests/ui/sample/fail_validator_of_another_type.rs).
        .sample_text("well?")
        .await
        .unwrap();
    assert_eq!(done.text, "yes");
    assert_eq!(llm.requests()[1].last_text(), "Answer yes or no.");
}

// ---- Step hooks ------------------------------------------------------------------------------

#[tokio::test]
async fn prepare_step_changes_the_request_and_stop_when_ends_the_loop() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 1, "b": 2}))
        .then_tool_use("add", json!({"a": 3, "b": 4}))
        .then_text("done");
    let done = sampler(&llm)
        .standalone()
        .tools([add_tool()])
        .prepare_step({
            let seen = seen.clone();
            move |cx, request| {
                seen.lock().unwrap().push((cx.step, cx.usage.llm_calls));
                if cx.step == 2 {
                    // Drop the first question: only the latest messages go out.
                    request.messages.remove(0);
                    request.tool_choice = Some(ToolChoice::Required);
                }
            }
        })
        .stop_when(|cx| cx.last_tool_names().contains(&"add") && cx.step >= 2)
        .sample_text("add things")
        .await
        .unwrap();
    assert_eq!(done.text, "done");
    assert_eq!(*seen.lock().unwrap(), [(1, 0), (2, 1), (3, 2)]);
    let requests = llm.requests();
    assert_eq!(requests[1].messages.len(), 2, "the hook dropped a message");
    assert_eq!(requests[1].tool_choice, Some(ToolChoice::Required));
    // stop_when held after step 2: the third request asks for the answer, without tools.
    assert_eq!(requests[2].tool_choice, Some(ToolChoice::None));
    // The loop's own history is untouched.
    assert_eq!(done.history.len(), 6);
}

#[tokio::test]
async fn a_stop_without_a_final_answer_is_a_clear_error() {
    let llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 1, "b": 2}))
        .then_tool_use("add", json!({"a": 1, "b": 2}));
    let err = sampler(&llm)
        .standalone()
        .tools([add_tool()])
        .stop_when(|_| true)
        .sample::<Reading>("how warm?")
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), SampleErrorKind::Stopped), "{err}");
}

// ---- The client channel ------------------------------------------------------------------

/// What the server's tool reports about its loop.
type Configure = fn(SampleRequest<'_>) -> SampleRequest<'_>;

#[derive(Clone)]
struct Server {
    sampler: Sampler,
    configure: Configure,
    tool_router: ToolRouter<Self>,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Prompt {
    prompt: String,
}

#[tool_router]
impl Server {
    fn new(configure: Configure) -> Self {
        Self {
            sampler: Sampler::new(),
            configure,
            tool_router: Self::tool_router(),
        }
    }

    /// Sample text and report the outcome as JSON.
    #[tool]
    async fn ask(
        &self,
        Parameters(p): Parameters<Prompt>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, ErrorData> {
        let request = (self.configure)(self.sampler.on(&ctx).tools([add_tool()]));
        let report = match request.sample_text(p.prompt).await {
            Ok(done) => json!({
                "text": done.text,
                "truncated": done.is_truncated(),
                "llm_calls": done.usage.llm_calls,
                "tool_calls": done.usage.tool_calls,
                "tokens": done.usage.tokens.map(|t| t.input_tokens),
                "without_usage": done.usage.calls_without_usage,
            }),
            Err(error) => json!({"error": error.to_string(), "llm_calls": error.usage().llm_calls}),
        };
        Ok(report.to_string())
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

/// Runs the server's `ask` tool once against a client whose LLM is `llm`.
async fn ask_through_client(llm: &ScriptedLlm, configure: Configure) -> Value {
    let client = connect_in_process(Server::new(configure), SamplingClient::new(llm.clone()))
        .await
        .unwrap();
    let arguments = json!({"prompt": "1 + 2?"}).as_object().cloned().unwrap();
    let result = client
        .call_tool(CallToolRequestParams::new("ask").with_arguments(arguments))
        .await
        .unwrap();
    client.cancel().await.unwrap();
    let text = &result.content[0].as_text().unwrap().text;
    serde_json::from_str(text).unwrap()
}

#[tokio::test]
async fn client_channel_usage_is_unknown_rather_than_invented() {
    // The client's LLM knows its usage, but sampling/createMessage cannot carry it.
    let llm = ScriptedLlm::new()
        .then_result(with_usage(
            reply::tool_use("c1", "add", json!({"a": 1, "b": 2})),
            50,
            5,
        ))
        .then_result(with_usage(reply::text("3"), 60, 1));
    let report = ask_through_client(&llm, |r| r).await;
    assert_eq!(
        report,
        json!({"text": "3", "truncated": false, "llm_calls": 2, "tool_calls": 1,
               "tokens": null, "without_usage": 2})
    );
}

#[tokio::test]
async fn client_channel_truncation_limits_and_required_nudges() {
    let llm = ScriptedLlm::new().then_result(cut(reply::text("Once upon")));
    let report = ask_through_client(&llm, |r| r).await;
    assert_eq!(report["truncated"], true);

    let llm = ScriptedLlm::new()
        .then_text("It is 3.")
        .then_tool_use("add", json!({"a": 1, "b": 2}))
        .then_text("3");
    let report = ask_through_client(&llm, |r| r.tool_choice(ToolChoice::Required)).await;
    assert_eq!(report["text"], "3");
    assert_eq!(llm.requests()[1].tool_choice, Some(ToolChoice::Required));

    // The limit forces the final answer: the client's LLM is asked without tools.
    let llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 1, "b": 2}))
        .then_text("3");
    let report =
        ask_through_client(&llm, |r| r.usage_limits(UsageLimits::new().llm_calls(2))).await;
    assert_eq!(report["text"], "3");
    assert_eq!(llm.requests()[1].tool_choice, Some(ToolChoice::None));
}
