//! The sampling loop over a scripted LLM (the handler channel): steps, options, tool execution
//! and every bad input the loop must survive.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rmcp_sampling::message::ToolChoice;
use rmcp_sampling::testing::{ScriptedLlm, reply};
use rmcp_sampling::tools::Concurrency;
use rmcp_sampling::{
    Content, HandlerError, LlmResponse, Message, Role, SampleErrorKind, Sampler, SamplingTool,
    StopReason, ToolError, ToolResult,
};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct AddArgs {
    a: i64,
    b: i64,
}

fn add() -> SamplingTool<'static> {
    SamplingTool::from_fn("add", |args: AddArgs| async move {
        Ok::<_, ToolError>(args.a + args.b)
    })
    .with_description("Add two integers.")
}

#[derive(Deserialize, schemars::JsonSchema)]
struct NapArgs {
    ms: u64,
}

/// A tool that sleeps and records how many of its calls ran at once.
fn nap(in_flight: Arc<AtomicUsize>, peak: Arc<AtomicUsize>) -> SamplingTool<'static> {
    SamplingTool::from_fn("nap", move |args: NapArgs| {
        let (in_flight, peak) = (in_flight.clone(), peak.clone());
        async move {
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(args.ms)).await;
            in_flight.fetch_sub(1, Ordering::SeqCst);
            Ok::<_, ToolError>(args.ms)
        }
    })
}

#[derive(Deserialize, schemars::JsonSchema)]
struct Empty {}

#[tokio::test]
async fn text_loop_runs_tools_over_several_steps() {
    let llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 1, "b": 2}))
        .then_tool_use("add", json!({"a": 3, "b": 4}))
        .then_text("done");
    let sampler = Sampler::with_handler(llm.clone());
    let out = sampler
        .standalone()
        .system_prompt("You add.")
        .temperature(0.5)
        .stop_sequences(["STOP"])
        .model_preferences(["small", "fast"])
        .metadata(json!({"trace": 7}))
        .tools([add()])
        .sample_text("add things")
        .await
        .unwrap();
    assert_eq!(out.text, "done");
    assert_eq!(out.result, "done");
    // user, assistant tool_use, user tool_result, x2, assistant text
    assert_eq!(out.history.len(), 6);

    let requests = llm.requests();
    assert_eq!(requests.len(), 3);
    for (k, request) in requests.iter().enumerate() {
        assert_eq!(
            request.messages.len(),
            1 + 2 * k,
            "request {k} resends the whole history"
        );
        assert_eq!(request.tool_names(), vec!["add"]);
        assert_eq!(request.tool_choice, None, "no tool_choice unless asked");
        assert_eq!(request.max_tokens, 512);
        assert_eq!(request.system_prompt.as_deref(), Some("You add."));
        assert_eq!(request.temperature, Some(0.5));
        assert_eq!(request.stop_sequences, ["STOP"]);
        assert_eq!(request.metadata, Some(json!({"trace": 7})));
        assert_eq!(request.model_hints(), ["small", "fast"]);
    }
    assert_eq!(
        requests[1].tool_results(),
        [ToolResult::text("call_1", "3")]
    );
    assert_eq!(
        requests[2].tool_results(),
        [ToolResult::text("call_2", "7")]
    );
}

#[tokio::test]
async fn messages_can_be_strings_lists_or_full_messages() {
    let llm = ScriptedLlm::new()
        .then_text("a")
        .then_text("b")
        .then_text("c");
    let sampler = Sampler::with_handler(llm.clone());
    let request = sampler.standalone().max_tokens(64);
    request
        .clone()
        .sample_text(String::from("one"))
        .await
        .unwrap();
    request
        .clone()
        .sample_text(vec!["two", "three"])
        .await
        .unwrap();
    request
        .sample_text(vec![
            Message::user("q"),
            Message::assistant("a"),
            Message::user("q2"),
        ])
        .await
        .unwrap();
    let requests = llm.requests();
    assert_eq!(requests[0].messages.len(), 1);
    assert_eq!(requests[0].last_text(), "one");
    assert_eq!(requests[1].messages.len(), 2);
    assert_eq!(requests[1].messages[1].role, Role::User);
    assert_eq!(requests[2].messages.len(), 3);
    assert_eq!(requests[2].messages[1].role, Role::Assistant);
    assert_eq!(requests[0].max_tokens, 64);
}

#[tokio::test]
async fn tool_choice_applies_to_the_first_step_then_auto() {
    let llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 1, "b": 1}))
        .then_text("ok");
    let sampler = Sampler::with_handler(llm.clone());
    sampler
        .standalone()
        .tools([add()])
        .tool_choice(ToolChoice::Required)
        .sample_text("go")
        .await
        .unwrap();
    let modes: Vec<_> = llm.requests().iter().map(|r| r.tool_choice).collect();
    assert_eq!(modes, [Some(ToolChoice::Required), Some(ToolChoice::Auto)]);
}

#[tokio::test]
async fn the_last_step_the_cap_allows_forces_an_answer() {
    let llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 1, "b": 1}))
        .then_tool_use("add", json!({"a": 2, "b": 1}))
        .then_text("three");
    let sampler = Sampler::with_handler(llm.clone());
    let out = sampler
        .standalone()
        .tools([add()])
        .max_iterations(3)
        .sample_text("go")
        .await
        .unwrap();
    assert_eq!(out.text, "three");
    let modes: Vec<_> = llm.requests().iter().map(|r| r.tool_choice).collect();
    assert_eq!(modes, [None, None, Some(ToolChoice::None)]);
}

#[tokio::test]
async fn an_llm_that_ignores_the_forced_answer_hits_the_cap_with_history() {
    let llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 1, "b": 1}))
        .then_tool_use("add", json!({"a": 2, "b": 1}));
    let sampler = Sampler::with_handler(llm.clone());
    let err = sampler
        .standalone()
        .tools([add()])
        .max_iterations(2)
        .sample_text("go")
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), SampleErrorKind::MaxIterations(2)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "sampling exceeded the maximum of 2 iterations without a final answer"
    );
    // user, tool_use, tool_result, the ignored tool_use
    assert_eq!(err.history().len(), 4);
    assert_eq!(llm.request_count(), 2);
}

#[tokio::test]
async fn tool_failures_reach_the_llm_and_the_loop_goes_on() {
    let boom = SamplingTool::from_fn("boom", |_: Empty| async move {
        if true {
            panic!("kaboom");
        }
        Ok::<_, ToolError>(())
    });
    let refuse = SamplingTool::from_fn("refuse", |_: Empty| async move {
        Err::<(), _>(ToolError::new("no customer with that email"))
    });
    let secret = SamplingTool::from_fn("secret", |_: Empty| async move {
        Err::<(), _>(std::io::Error::other("db password rejected at 10.0.0.3"))
    });
    let slow = SamplingTool::from_fn("slow", |_: Empty| async move {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Ok::<_, ToolError>(())
    });
    let llm = ScriptedLlm::new()
        .then_tool_uses([
            ("nope", json!({})),
            ("add", json!({"a": "ten", "b": 1})),
            ("add", json!({"a": 1})),
            ("add", json!({"a": 1, "b": 2, "c": 3})),
            ("boom", json!({})),
            ("refuse", json!({})),
            ("secret", json!({})),
            ("slow", json!({})),
        ])
        .then_text("recovered");
    let sampler = Sampler::with_handler(llm.clone());
    let out = sampler
        .standalone()
        .tools([add(), boom, refuse, secret, slow])
        .tool_timeout(Duration::from_millis(50))
        .sample_text("go")
        .await
        .unwrap();
    assert_eq!(out.text, "recovered");
    let results = llm.requests()[1].tool_results();
    let expected = [
        "Unknown tool 'nope'. Available tools: add, boom, refuse, secret, slow",
        "Invalid arguments for tool 'add': a: invalid type: string \"ten\", expected i64",
        "Invalid arguments for tool 'add': missing field `b`",
        "Invalid arguments for tool 'add': c: unknown field `c`, expected `a` or `b`",
        "Tool 'boom' panicked: kaboom",
        "no customer with that email",
        "Error executing tool 'secret': db password rejected at 10.0.0.3",
        "Tool 'slow' timed out after 50ms",
    ];
    assert_eq!(results.len(), expected.len());
    for (i, (result, want)) in results.iter().zip(expected).enumerate() {
        assert_eq!(
            result.call_id,
            format!("call_{}", i + 1),
            "results keep the order of the calls"
        );
        assert_eq!(result.text_content(), want);
        assert!(result.is_error, "{want}");
    }
}

#[tokio::test]
async fn masking_hides_all_but_tool_errors_and_the_llms_own_mistakes() {
    let refuse = SamplingTool::from_fn("refuse", |_: Empty| async move {
        Err::<(), _>(ToolError::new("try another email"))
    });
    let secret = SamplingTool::from_fn("secret", |_: Empty| async move {
        Err::<(), _>(std::io::Error::other("db password rejected"))
    });
    let boom = SamplingTool::from_fn("boom", |_: Empty| async move {
        panic!("internal detail");
        #[allow(unreachable_code)]
        Ok::<_, ToolError>(())
    });
    let llm = ScriptedLlm::new()
        .then_tool_uses([
            ("refuse", json!({})),
            ("secret", json!({})),
            ("boom", json!({})),
            ("add", json!({"a": true, "b": 1})),
        ])
        .then_text("ok");
    let sampler = Sampler::with_handler(llm.clone());
    sampler
        .standalone()
        .tools([refuse, secret, boom, add()])
        .mask_error_details(true)
        .sample_text("go")
        .await
        .unwrap();
    let texts: Vec<_> = llm.requests()[1]
        .tool_results()
        .into_iter()
        .map(|result| result.text_content())
        .collect();
    assert_eq!(
        texts,
        [
            "try another email",
            "Error executing tool 'secret'",
            "Error executing tool 'boom'",
            "Invalid arguments for tool 'add': a: invalid type: boolean `true`, expected i64",
        ]
    );
}

async fn peak_concurrency(concurrency: Concurrency, extra: Option<SamplingTool<'static>>) -> usize {
    let (in_flight, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut calls: Vec<(&str, serde_json::Value)> =
        (0..4).map(|_| ("nap", json!({"ms": 30}))).collect();
    let mut tools = vec![nap(in_flight, peak.clone())];
    if let Some(tool) = extra {
        calls.push((tool.name().to_owned().leak(), json!({})));
        tools.push(tool);
    }
    let llm = ScriptedLlm::new().then_tool_uses(calls).then_text("ok");
    let sampler = Sampler::with_handler(llm.clone());
    sampler
        .standalone()
        .tools(tools)
        .concurrency(concurrency)
        .sample_text("go")
        .await
        .unwrap();
    let results = llm.requests()[1].tool_results();
    let ids: Vec<_> = results.iter().map(|r| r.call_id.clone()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "results keep the order of the calls");
    assert_eq!(results[0].text_content(), "30");
    peak.load(Ordering::SeqCst)
}

#[tokio::test]
async fn tools_run_sequentially_by_default_and_concurrently_when_asked() {
    assert_eq!(peak_concurrency(Concurrency::Sequential, None).await, 1);
    assert_eq!(peak_concurrency(Concurrency::Unlimited, None).await, 4);
    assert_eq!(peak_concurrency(Concurrency::Limited(2), None).await, 2);
    let gate = SamplingTool::from_fn("gate", |_: Empty| async move { Ok::<_, ToolError>("g") })
        .sequential(true);
    assert_eq!(
        peak_concurrency(Concurrency::Unlimited, Some(gate)).await,
        1,
        "a sequential tool forces its batch to run one at a time"
    );
}

fn response_with(role: Role, blocks: Vec<Content>, stop: StopReason) -> LlmResponse {
    LlmResponse::new(Message::new(role, blocks), "m", stop)
}

#[tokio::test]
async fn protocol_violations_in_the_llms_answer_are_clear_errors() {
    let cases = [
        (
            response_with(Role::User, vec![Content::text("hi")], StopReason::EndTurn),
            "the LLM's response is invalid: the response's role is User; it must be \"assistant\"",
        ),
        (
            response_with(
                Role::Assistant,
                vec![Content::text("hi")],
                StopReason::ToolUse,
            ),
            "the LLM's response is invalid: stopReason is \"toolUse\" but the response has no tool_use block",
        ),
        (
            reply::tool_uses([
                ("x", "add", json!({"a": 1, "b": 1})),
                ("x", "add", json!({"a": 2, "b": 2})),
            ]),
            "the LLM's response is invalid: two tool_use blocks share the id \"x\"; each call needs its own id",
        ),
    ];
    for (response, message) in cases {
        let llm = ScriptedLlm::new().then_result(response);
        let sampler = Sampler::with_handler(llm);
        let err = sampler
            .standalone()
            .tools([add()])
            .sample_text("go")
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), message);
        assert!(matches!(err.kind(), SampleErrorKind::InvalidResponse(_)));
        assert_eq!(
            err.history().len(),
            1,
            "the history up to the failure is kept"
        );
    }
}

#[tokio::test]
async fn a_failing_llm_fails_the_loop_with_its_message() {
    let llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 1, "b": 1}))
        .then_error(HandlerError::declined("the user declined"));
    let sampler = Sampler::with_handler(llm);
    let err = sampler
        .standalone()
        .tools([add()])
        .sample_text("go")
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the sampling handler failed: the user declined"
    );
    assert_eq!(err.history().len(), 3);
}

#[tokio::test]
async fn duplicate_and_reserved_tool_names_are_refused() {
    let sampler = Sampler::with_handler(ScriptedLlm::new().then_text("never"));
    let err = sampler
        .standalone()
        .tools([add(), add()])
        .sample_text("go")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("two sampling tools are named `add`"),
        "{err}"
    );
    let reserved = add().with_name("final_response");
    let err = sampler
        .standalone()
        .tool(reserved)
        .sample_text("go")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("reserved"), "{err}");
}

#[tokio::test]
async fn sample_step_runs_one_call_and_optionally_the_tools() {
    let llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 2, "b": 2}))
        .then_tool_use("add", json!({"a": 5, "b": 5}))
        .then_text("four");
    let sampler = Sampler::with_handler(llm.clone());
    let request = sampler.standalone().tools([add()]);
    let step = request.clone().sample_step("2+2?").await.unwrap();
    assert!(step.is_tool_use());
    assert!(step.tools_executed());
    assert_eq!(step.tool_calls()[0].name, "add");
    assert_eq!(step.text(), None);
    assert_eq!(step.history.len(), 3);

    let manual = sampler.standalone().tools([add()]).execute_tools(false);
    let step2 = manual.sample_step(step.history.clone()).await.unwrap();
    assert!(step2.is_tool_use());
    assert!(
        !step2.tools_executed(),
        "execute_tools(false) leaves the calls to the caller"
    );
    assert_eq!(step2.history.len(), 4);

    let step3 = request.sample_step(step.history).await.unwrap();
    // The scripted LLM answered the third request with text.
    assert_eq!(step3.text().as_deref(), Some("four"));
    assert!(!step3.is_tool_use());
}

#[tokio::test]
async fn cancellation_stops_the_loop_and_drops_in_flight_tools() {
    let token = tokio_util::sync::CancellationToken::new();
    let finished = Arc::new(AtomicUsize::new(0));
    let (cancel, done) = (token.clone(), finished.clone());
    let stall = SamplingTool::from_fn("stall", move |_: Empty| {
        let (cancel, done) = (cancel.clone(), done.clone());
        async move {
            cancel.cancel();
            tokio::time::sleep(Duration::from_millis(200)).await;
            done.fetch_add(1, Ordering::SeqCst);
            Ok::<_, ToolError>(())
        }
    });
    let llm = ScriptedLlm::new()
        .then_tool_use("stall", json!({}))
        .then_text("never asked");
    let sampler = Sampler::with_handler(llm.clone());
    let err = sampler
        .standalone()
        .tools([stall])
        .cancellation(token)
        .sample_text("go")
        .await
        .unwrap_err();
    assert!(err.is_cancelled(), "{err:?}");
    assert_eq!(err.to_string(), "the request was cancelled");
    assert_eq!(llm.request_count(), 1, "no LLM call after cancellation");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        finished.load(Ordering::SeqCst),
        0,
        "the in-flight tool was dropped"
    );
}

/// rmcp requires the futures of `#[tool]`s to be `Send`, so every sampling future must be.
#[test]
fn sampling_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let sampler = Sampler::new();
    let request = sampler
        .standalone()
        .tools([add()])
        .concurrency(Concurrency::Unlimited);
    let text = request.clone().sample_text("x");
    assert_send(&text);
    let typed = request.clone().sample::<i64>("x");
    assert_send(&typed);
    let step = request.sample_step("x");
    assert_send(&step);
}

// ---- Limits that keep one loop small ----------------------------------------------------

/// A tool answering `size` bytes of text ("é" repeated), or failing with that much.
fn bulky(name: &'static str, size: usize, fail: bool) -> SamplingTool<'static> {
    SamplingTool::from_fn(
        name,
        move |_: serde_json::Map<String, serde_json::Value>| async move {
            let text = "é".repeat(size / 2);
            if fail {
                Err(ToolError::new(text))
            } else {
                Ok(text)
            }
        },
    )
}

#[tokio::test]
async fn a_long_tool_result_is_cut_with_a_note() {
    let llm = ScriptedLlm::new()
        .then_tool_uses([("big", json!({})), ("bad", json!({}))])
        .then_text("done");
    let sampler = Sampler::with_handler(llm.clone());
    sampler
        .standalone()
        .tools([bulky("big", 200, false), bulky("bad", 200, true)])
        .max_tool_result_bytes(51)
        .sample_text("go")
        .await
        .unwrap();
    let results = llm.requests()[1].tool_results();
    let note = "\n[truncated: the tool's result was 200 bytes; only the first 50 are shown]";
    assert_eq!(
        results[0].text_content(),
        format!("{}{note}", "é".repeat(25))
    );
    assert!(!results[0].is_error);
    assert_eq!(
        results[1].text_content(),
        format!("{}{note}", "é".repeat(25))
    );
    assert!(results[1].is_error, "still an error");
}

#[tokio::test]
async fn results_under_the_default_cap_are_whole() {
    let llm = ScriptedLlm::new()
        .then_tool_use("big", json!({}))
        .then_text("done");
    let sampler = Sampler::with_handler(llm.clone());
    sampler
        .standalone()
        .tools([bulky("big", 100_000, false)])
        .sample_text("go")
        .await
        .unwrap();
    assert_eq!(
        llm.requests()[1].tool_results()[0].text_content().len(),
        100_000
    );
}

#[tokio::test]
async fn an_oversized_history_ends_the_loop_before_the_next_request() {
    let llm = ScriptedLlm::from_fn(|_| Ok(reply::tool_use("c", "big", json!({}))));
    let sampler = Sampler::with_handler(llm.clone());
    let err = sampler
        .standalone()
        .tools([bulky("big", 600_000, false)])
        .max_history_bytes(1_000_000)
        .sample_text("go")
        .await
        .unwrap_err();
    let SampleErrorKind::HistoryTooLarge { bytes, limit } = err.kind() else {
        panic!("{err}");
    };
    assert_eq!(*limit, 1_000_000);
    assert!(*bytes > 1_200_000, "{bytes}");
    assert!(
        err.to_string()
            .contains("over the limit of 1000000 (`max_history_bytes`)"),
        "{err}"
    );
    assert_eq!(llm.request_count(), 2, "the third request was never sent");
    assert_eq!(err.history().len(), 5, "the history comes with the error");

    // The default limit stops a loop of 1 MB results long before 100 iterations.
    let llm = ScriptedLlm::from_fn(|_| Ok(reply::tool_use("c", "big", json!({}))));
    let sampler = Sampler::with_handler(llm.clone());
    let err = sampler
        .standalone()
        .tools([bulky("big", 1_000_000, false)])
        .sample_text("go")
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), SampleErrorKind::HistoryTooLarge { limit, .. }
            if *limit == rmcp_sampling::limits::DEFAULT_MAX_HISTORY_BYTES),
        "{err}"
    );
    assert!(llm.request_count() < 10, "{}", llm.request_count());

    // A step refuses an oversized input before asking the LLM.
    let llm = ScriptedLlm::new().then_text("never");
    let sampler = Sampler::with_handler(llm.clone());
    let err = sampler
        .standalone()
        .max_history_bytes(100)
        .sample_step("x".repeat(200))
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), SampleErrorKind::HistoryTooLarge { .. }),
        "{err}"
    );
    assert_eq!(llm.request_count(), 0);
    assert_eq!(err.history().len(), 1);
}

#[tokio::test]
async fn a_reply_over_the_tool_call_cap_is_refused_and_runs_nothing() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = {
        let runs = runs.clone();
        SamplingTool::from_fn("add", move |args: AddArgs| {
            runs.fetch_add(1, Ordering::SeqCst);
            async move { Ok::<_, ToolError>(args.a + args.b) }
        })
    };
    let calls = |n: i64| (0..n).map(|i| ("add", json!({"a": i, "b": 1})));
    let llm = ScriptedLlm::new()
        .then_tool_uses(calls(129))
        .then_tool_uses(calls(5));
    let sampler = Sampler::with_handler(llm.clone());
    let err = sampler
        .standalone()
        .tool(counted.clone())
        .sample_text("go")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.kind(),
            SampleErrorKind::TooManyToolCalls {
                calls: 129,
                limit: 128
            }
        ),
        "{err}"
    );
    assert_eq!(runs.load(Ordering::SeqCst), 0);
    assert_eq!(err.history().len(), 2);

    // A lower cap, on a step.
    let err = sampler
        .standalone()
        .tool(counted)
        .max_tool_calls_per_reply(4)
        .sample_step("go")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("makes 5 tool calls; at most 4 are allowed in one reply"),
        "{err}"
    );
    assert_eq!(runs.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_handler_that_never_answers_ends_at_the_time_limit_and_learns_it() {
    let cancelled = Arc::new(tokio::sync::Notify::new());
    let seen = cancelled.clone();
    let stuck = move |_: rmcp_sampling::LlmRequest, cx: rmcp_sampling::HandlerContext| {
        let seen = seen.clone();
        async move {
            let token = cx.cancellation.clone();
            tokio::spawn(async move {
                token.cancelled().await;
                seen.notify_one();
            });
            std::future::pending::<Result<String, HandlerError>>().await
        }
    };
    let sampler = Sampler::with_handler(stuck).llm_timeout(Duration::from_millis(100));
    let err = tokio::time::timeout(
        Duration::from_secs(30),
        sampler.standalone().sample_text("hello?"),
    )
    .await
    .expect("the loop ends")
    .unwrap_err();
    assert!(
        matches!(err.kind(), SampleErrorKind::LlmTimeout(limit) if *limit == Duration::from_millis(100)),
        "{err}"
    );
    assert_eq!(err.history().len(), 1);
    tokio::time::timeout(Duration::from_secs(30), cancelled.notified())
        .await
        .expect("the handler's cancellation token fires");
}

#[tokio::test]
async fn the_samplers_defaults_apply_to_every_call_and_a_call_overrides_them() {
    let llm = ScriptedLlm::new().then_text("a").then_text("b");
    let sampler = Sampler::with_handler(llm.clone())
        .system_prompt("You are terse.")
        .max_tokens(99)
        .temperature(0.1)
        .model_preferences("small");
    sampler.standalone().sample_text("one").await.unwrap();
    sampler
        .standalone()
        .system_prompt("You are verbose.")
        .max_tokens(1000)
        .model_preferences(["large", "slow"])
        .sample_text("two")
        .await
        .unwrap();
    let sent = llm.requests();
    assert_eq!(sent[0].system_prompt.as_deref(), Some("You are terse."));
    assert_eq!(sent[0].max_tokens, 99);
    assert_eq!(sent[0].temperature, Some(0.1));
    assert_eq!(sent[0].model_hints(), ["small"]);
    assert_eq!(sent[1].system_prompt.as_deref(), Some("You are verbose."));
    assert_eq!(sent[1].max_tokens, 1000);
    assert_eq!(
        sent[1].temperature,
        Some(0.1),
        "what the call leaves is the default"
    );
    assert_eq!(sent[1].model_hints(), ["large", "slow"]);
}

#[tokio::test]
async fn the_samplers_masking_and_tool_timeout_are_defaults_too() {
    let slow = SamplingTool::from_fn("slow", |_: Empty| async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok::<_, ToolError>("late")
    });
    let secret = SamplingTool::from_fn("secret", |_: Empty| async move {
        Err::<String, _>(std::io::Error::other("db password rejected"))
    });
    let llm = ScriptedLlm::new()
        .then_tool_uses([("slow", json!({})), ("secret", json!({}))])
        .then_text("ok")
        .then_tool_uses([("slow", json!({})), ("secret", json!({}))])
        .then_text("ok");
    let sampler = Sampler::with_handler(llm.clone())
        .tool_timeout(Duration::from_millis(20))
        .mask_error_details(true);
    let tools = || [slow.clone(), secret.clone()];
    // The texts of the tool results sent in request `n`.
    let texts = |n: usize| -> Vec<String> {
        llm.requests()[n]
            .tool_results()
            .iter()
            .map(|r| r.text_content())
            .collect()
    };
    sampler
        .standalone()
        .tools(tools())
        .sample_text("go")
        .await
        .unwrap();
    assert_eq!(
        texts(1),
        [
            "Error executing tool 'slow'",
            "Error executing tool 'secret'"
        ]
    );
    sampler
        .standalone()
        .tools(tools())
        .mask_error_details(false)
        .sample_text("go")
        .await
        .unwrap();
    assert_eq!(
        texts(3),
        [
            "Tool 'slow' timed out after 20ms",
            "Error executing tool 'secret': db password rejected"
        ],
        "the call unmasks; the sampler's tool time limit still applies"
    );
}

#[tokio::test]
async fn max_iterations_zero_is_a_configuration_error_not_one() {
    let llm = ScriptedLlm::new().then_text("never");
    let sampler = Sampler::with_handler(llm.clone());
    let err = sampler
        .standalone()
        .max_iterations(0)
        .sample_text("go")
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), SampleErrorKind::Configuration(_)),
        "{err}"
    );
    assert!(err.to_string().contains("max_iterations is 0"), "{err}");
    assert_eq!(err.history().len(), 1, "the input is kept");
    let err = Sampler::with_handler(llm.clone())
        .max_iterations(0)
        .standalone()
        .sample::<i64>("go")
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), SampleErrorKind::Configuration(_)),
        "{err}"
    );
    assert_eq!(llm.request_count(), 0, "no LLM request was made");
}

#[tokio::test]
async fn loop_only_options_are_ignored_by_sample_step_and_step_only_ones_by_the_loops() {
    // `execute_tools(false)` is for sample_step: the full loop still runs the tools.
    let llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 1, "b": 2}))
        .then_text("3");
    let sampler = Sampler::with_handler(llm.clone());
    let out = sampler
        .standalone()
        .tools([add()])
        .execute_tools(false)
        .sample_text("1 + 2?")
        .await
        .unwrap();
    assert_eq!(out.text, "3");
    assert_eq!(out.steps, 2);
    assert_eq!(
        llm.requests()[1].tool_results(),
        [ToolResult::text("call_1", "3")]
    );

    // `max_iterations(1)` is for the loops: one step is one LLM call whatever it says.
    let llm = ScriptedLlm::new().then_tool_use("add", json!({"a": 1, "b": 2}));
    let sampler = Sampler::with_handler(llm.clone());
    let step = sampler
        .standalone()
        .tools([add()])
        .max_iterations(1)
        .result_retries(0)
        .text_nudges(0)
        .sample_step("1 + 2?")
        .await
        .unwrap();
    assert!(step.tools_executed());
    assert_eq!(
        llm.requests()[0].tool_choice,
        None,
        "no forced answer in a step"
    );

    // `tool_choice` does not apply to a typed result: it always requires a tool call.
    let llm = ScriptedLlm::new().then_tool_use("final_response", json!({"value": 7}));
    let sampler = Sampler::with_handler(llm.clone());
    let out = sampler
        .standalone()
        .tool_choice(ToolChoice::None)
        .sample::<i64>("7?")
        .await
        .unwrap();
    assert_eq!(out.result, 7);
    assert_eq!(llm.requests()[0].tool_choice, Some(ToolChoice::Required));
}

#[tokio::test]
async fn sampled_says_which_model_answered_why_it_stopped_and_how_many_steps() {
    let llm = ScriptedLlm::new()
        .then_tool_use("add", json!({"a": 1, "b": 2}))
        .then_result(
            LlmResponse::text("3")
                .with_model("tiny-model")
                .with_stop_reason(StopReason::MaxTokens),
        );
    let sampler = Sampler::with_handler(llm);
    let out = sampler
        .standalone()
        .tools([add()])
        .sample_text("1 + 2?")
        .await
        .unwrap();
    assert_eq!(out.model, "tiny-model");
    assert_eq!(out.stop_reason, StopReason::MaxTokens);
    assert_eq!(out.steps, 2);
    assert_eq!(out.history.len(), 4);
    assert_eq!(out.history.last_tool_calls().len(), 0);
}
